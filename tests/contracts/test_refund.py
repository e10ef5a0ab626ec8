"""refund: backers take their whole pledge back from a failed or cancelled campaign (expired
campaigns: test_claim_window.py)."""

import pytest
from helpers import ETHER, State, assert_event, eth_balance


@pytest.fixture
def short(escrow, create_campaign, alice, bob):
    """An ETH campaign heading for failure: 6 ether pledged on a 10 ether goal."""
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 4 * ETHER, {"from": alice, "value": 4 * ETHER})
    escrow.pledge(c.id, 2 * ETHER, {"from": bob, "value": 2 * ETHER})
    return c


def test_every_backer_takes_back_their_pledge(escrow, short, alice, bob, clock):
    clock.at(short.deadline)
    alice_before, bob_before = eth_balance(alice), eth_balance(bob)

    tx = escrow.refund(short.id, {"from": alice})
    assert_event(tx, "Refunded", emitter=escrow, id=short.id, backer=alice, amount=4 * ETHER)
    assert eth_balance(alice) == alice_before + 4 * ETHER
    assert escrow.pledgeOf(short.id, alice) == 0
    assert escrow.getCampaign(short.id)["pledged"] == 2 * ETHER

    tx = escrow.refund(short.id, {"from": bob})
    assert_event(tx, "Refunded", id=short.id, backer=bob, amount=2 * ETHER)
    assert eth_balance(bob) == bob_before + 2 * ETHER
    assert eth_balance(escrow) == 0
    view = escrow.getCampaign(short.id)
    assert (view["pledged"], view["state"]) == (0, State.Failed)


def test_token_refund(escrow, token, create_campaign, alice, clock):
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 99, {"from": alice})
    before = token.balanceOf(alice)
    clock.at(c.deadline)
    tx = escrow.refund(c.id, {"from": alice})
    assert_event(tx, "Refunded", id=c.id, backer=alice, amount=99)
    assert_event(tx, "Transfer", emitter=token, **{"from": escrow, "to": alice, "value": 99})
    assert token.balanceOf(alice) == before + 99
    assert token.balanceOf(escrow) == 0


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_refunds_open_exactly_at_deadline(escrow, short, alice, clock, assert_reverts, offset):
    clock.at(short.deadline + offset)
    if offset < 0:
        with assert_reverts("RefundsNotOpen", short.id, State.Active):
            escrow.refund(short.id, {"from": alice})
        assert escrow.pledgeOf(short.id, alice) == 4 * ETHER
    else:
        tx = escrow.refund(short.id, {"from": alice})
        assert tx.events["Refunded"]["amount"] == 4 * ETHER


def test_cancelled_campaign_refunds_before_and_after_deadline(escrow, short, creator, alice, bob, clock):
    escrow.cancel(short.id, {"from": creator})
    tx = escrow.refund(short.id, {"from": alice})
    assert tx.events["Refunded"]["amount"] == 4 * ETHER
    clock.at(short.deadline + 1)
    tx = escrow.refund(short.id, {"from": bob})
    assert tx.events["Refunded"]["amount"] == 2 * ETHER
    assert escrow.stateOf(short.id) == State.Cancelled


def test_cancelled_successful_campaign_refunds(escrow, short, creator, carol, clock):
    escrow.pledge(short.id, 20 * ETHER, {"from": carol, "value": 20 * ETHER})
    escrow.cancel(short.id, {"from": creator})
    clock.at(short.deadline)
    tx = escrow.refund(short.id, {"from": carol})
    assert tx.events["Refunded"]["amount"] == 20 * ETHER


def test_refunds_are_closed_unless_failed_or_cancelled(
    escrow, create_campaign, creator, alice, clock, assert_reverts
):
    upcoming = create_campaign(goal=ETHER, starts_at=clock.now() + 100)
    with assert_reverts("RefundsNotOpen", upcoming.id, State.Upcoming):
        escrow.refund(upcoming.id, {"from": alice})

    won = create_campaign(goal=ETHER)
    escrow.pledge(won.id, ETHER, {"from": alice, "value": ETHER})
    with assert_reverts("RefundsNotOpen", won.id, State.Active):
        escrow.refund(won.id, {"from": alice})
    clock.at(won.deadline)
    with assert_reverts("RefundsNotOpen", won.id, State.Succeeded):
        escrow.refund(won.id, {"from": alice})
    escrow.claim(won.id, {"from": creator})
    with assert_reverts("RefundsNotOpen", won.id, State.Claimed):
        escrow.refund(won.id, {"from": alice})


def test_nothing_to_refund(escrow, short, alice, outsider, clock, assert_reverts):
    clock.at(short.deadline)
    with assert_reverts("NothingToRefund", short.id, outsider):
        escrow.refund(short.id, {"from": outsider})
    escrow.refund(short.id, {"from": alice})
    with assert_reverts("NothingToRefund", short.id, alice):
        escrow.refund(short.id, {"from": alice})


def test_fully_unpledged_backer_has_nothing_to_refund(escrow, short, bob, clock, assert_reverts):
    escrow.unpledge(short.id, 2 * ETHER, {"from": bob})
    clock.at(short.deadline)
    with assert_reverts("NothingToRefund", short.id, bob):
        escrow.refund(short.id, {"from": bob})


def test_empty_failed_campaign(escrow, create_campaign, alice, clock, assert_reverts):
    c = create_campaign(goal=1)
    clock.mine_at(c.deadline)
    assert escrow.stateOf(c.id) == State.Failed
    with assert_reverts("NothingToRefund", c.id, alice):
        escrow.refund(c.id, {"from": alice})


def test_unknown_campaign(escrow, short, alice, assert_reverts):
    with assert_reverts("CampaignNotFound", short.id + 1):
        escrow.refund(short.id + 1, {"from": alice})
    with assert_reverts("CampaignNotFound", 0):
        escrow.refund(0, {"from": alice})
