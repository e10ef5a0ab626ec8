"""A USDT-style token without return values works end to end."""

import pytest
from helpers import MAX_UINT256, assert_event


@pytest.fixture(scope="module")
def usdt(deploy, escrow, deployer, alice, bob):
    tok = deploy("NoReturnToken", sender=deployer)
    for who in (alice, bob):
        tok.mint(who, 10_000, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": who})
    return tok


def test_pledge_unpledge_and_claim(escrow, usdt, create_campaign, creator, alice, bob, clock):
    c = create_campaign(token=usdt, goal=1_000)
    tx = escrow.pledge(c.id, 700, {"from": alice})
    assert_event(tx, "Pledged", id=c.id, backer=alice, payer=alice, amount=700, newTotal=700)
    escrow.pledge(c.id, 500, {"from": bob})
    tx = escrow.unpledge(c.id, 100, {"from": bob})
    assert_event(tx, "Unpledged", id=c.id, backer=bob, amount=100, newTotal=1_100)
    assert usdt.balanceOf(bob) == 9_600
    assert usdt.balanceOf(escrow) == 1_100

    clock.at(c.deadline)
    tx = escrow.claim(c.id, {"from": creator})
    assert_event(tx, "Claimed", id=c.id, creator=creator, to=creator, amount=1_100)
    assert usdt.balanceOf(creator) == 1_100
    assert usdt.balanceOf(escrow) == 0


def test_refund(escrow, usdt, create_campaign, creator, alice):
    c = create_campaign(token=usdt, goal=1_000)
    escrow.pledge(c.id, 300, {"from": alice})
    escrow.cancel(c.id, {"from": creator})
    tx = escrow.refund(c.id, {"from": alice})
    assert_event(tx, "Refunded", id=c.id, backer=alice, amount=300)
    assert usdt.balanceOf(alice) == 10_000
    assert usdt.balanceOf(escrow) == 0


def test_failures_revert_with_the_tokens_reason(
    escrow, usdt, create_campaign, alice, outsider, assert_reverts
):
    c = create_campaign(token=usdt, goal=1_000)
    with assert_reverts("Error", "NoReturnToken: allowance"):
        escrow.pledge(c.id, 1, {"from": outsider})
    with assert_reverts("Error", "NoReturnToken: balance"):
        escrow.pledge(c.id, 10_001, {"from": alice})


def test_permit_without_permit_support_falls_back_to_the_allowance(
    escrow, usdt, create_campaign, alice, outsider, assert_reverts
):
    c = create_campaign(token=usdt, goal=1_000)
    zero = b"\x00" * 32
    tx = escrow.pledgeWithPermit(c.id, 200, 0, 27, zero, zero, {"from": alice})
    assert_event(tx, "Pledged", id=c.id, backer=alice, payer=alice, amount=200, newTotal=200)
    with assert_reverts("PermitFailed", usdt, 0, 200):
        escrow.pledgeWithPermit(c.id, 200, 0, 27, zero, zero, {"from": outsider})
