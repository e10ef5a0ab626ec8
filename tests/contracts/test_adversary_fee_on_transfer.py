"""Tokens that deliver other than the amount (fee-on-transfer, rebasing) are refused."""

import pytest
from helpers import MAX_UINT256


@pytest.fixture(scope="module")
def fee_token(deploy, escrow, deployer, alice):
    tok = deploy("FeeOnTransferToken", 100, sender=deployer)  # 1% burned on every transfer
    tok.mint(alice, 10_000, {"from": deployer})
    tok.approve(escrow, MAX_UINT256, {"from": alice})
    return tok


@pytest.fixture(scope="module")
def elastic(deploy, escrow, deployer, alice):
    tok = deploy("ElasticToken", sender=deployer)
    tok.mint(alice, 10_000, {"from": deployer})
    tok.approve(escrow, MAX_UINT256, {"from": alice})
    return tok


def test_fee_on_transfer_token_is_refused(escrow, fee_token, create_campaign, alice, assert_reverts):
    c = create_campaign(token=fee_token, goal=1_000)
    with assert_reverts("TransferAmountMismatch", fee_token, 1_000, 990):
        escrow.pledge(c.id, 1_000, {"from": alice})
    with assert_reverts("TransferAmountMismatch", fee_token, 100, 99):
        escrow.pledge(c.id, 100, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == 0
    assert fee_token.balanceOf(escrow) == 0
    assert fee_token.balanceOf(alice) == 10_000


def test_fee_that_rounds_to_zero_is_an_exact_transfer(escrow, fee_token, create_campaign, alice):
    # 1% of 99 rounds down to 0: the escrow receives exactly what it books, so it accepts.
    c = create_campaign(token=fee_token, goal=1_000)
    escrow.pledge(c.id, 99, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == fee_token.balanceOf(escrow) == 99
    escrow.unpledge(c.id, 99, {"from": alice})
    assert fee_token.balanceOf(escrow) == 0
    assert fee_token.balanceOf(alice) == 10_000


def test_token_delivering_more_is_refused(escrow, elastic, create_campaign, alice, deployer, assert_reverts):
    c = create_campaign(token=elastic, goal=1_000)
    elastic.setDelta(5, {"from": deployer})
    with assert_reverts("TransferAmountMismatch", elastic, 1_000, 1_005):
        escrow.pledge(c.id, 1_000, {"from": alice})
    assert elastic.balanceOf(escrow) == 0


def test_token_delivering_less_is_refused(escrow, elastic, create_campaign, alice, deployer, assert_reverts):
    c = create_campaign(token=elastic, goal=1_000)
    elastic.setDelta(-1, {"from": deployer})
    with assert_reverts("TransferAmountMismatch", elastic, 500, 499):
        escrow.pledge(c.id, 500, {"from": alice})


def test_token_shrinking_the_escrow_balance_is_refused(
    escrow, elastic, create_campaign, alice, deployer, assert_reverts
):
    c = create_campaign(token=elastic, goal=1_000)
    escrow.pledge(c.id, 1_000, {"from": alice})  # a well-behaved transfer first
    elastic.setDelta(-600, {"from": deployer})
    with assert_reverts("TransferAmountMismatch", elastic, 500, 0):
        escrow.pledge(c.id, 500, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == 1_000
    assert elastic.balanceOf(escrow) == 1_000
