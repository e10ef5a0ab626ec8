"""A token whose transfer/transferFrom return false is refused; nothing is booked or lost."""

import pytest
from helpers import MAX_UINT256, State


@pytest.fixture(scope="module")
def false_token(deploy, escrow, deployer, alice, bob):
    tok = deploy("ReturnFalseToken", sender=deployer)
    for who in (alice, bob):
        tok.mint(who, 10_000, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": who})
    return tok


def test_false_transfer_from_refuses_the_pledge(
    escrow, false_token, create_campaign, alice, deployer, assert_reverts
):
    c = create_campaign(token=false_token, goal=1_000)
    false_token.setFailures(False, True, {"from": deployer})
    with assert_reverts("SafeERC20FailedOperation", false_token):
        escrow.pledge(c.id, 500, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == 0
    assert escrow.getCampaign(c.id)["pledged"] == 0
    assert false_token.balanceOf(alice) == 10_000


def test_false_transfer_refuses_unpledge_and_refund_until_fixed(
    escrow, false_token, create_campaign, creator, alice, deployer, assert_reverts
):
    c = create_campaign(token=false_token, goal=1_000)
    escrow.pledge(c.id, 500, {"from": alice})
    false_token.setFailures(True, False, {"from": deployer})

    with assert_reverts("SafeERC20FailedOperation", false_token):
        escrow.unpledge(c.id, 200, {"from": alice})
    escrow.cancel(c.id, {"from": creator})
    with assert_reverts("SafeERC20FailedOperation", false_token):
        escrow.refund(c.id, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == 500
    assert false_token.balanceOf(escrow) == 500

    false_token.setFailures(False, False, {"from": deployer})
    escrow.refund(c.id, {"from": alice})
    assert false_token.balanceOf(alice) == 10_000
    assert false_token.balanceOf(escrow) == 0


def test_false_transfer_refuses_the_claim_until_fixed(
    escrow, false_token, create_campaign, creator, alice, deployer, clock, assert_reverts
):
    c = create_campaign(token=false_token, goal=1_000)
    escrow.pledge(c.id, 1_000, {"from": alice})
    false_token.setFailures(True, False, {"from": deployer})
    clock.at(c.deadline)
    with assert_reverts("SafeERC20FailedOperation", false_token):
        escrow.claim(c.id, {"from": creator})
    assert escrow.stateOf(c.id) == State.Succeeded

    false_token.setFailures(False, False, {"from": deployer})
    escrow.claim(c.id, {"from": creator})
    assert false_token.balanceOf(creator) == 1_000
    assert escrow.stateOf(c.id) == State.Claimed
