"""claim: the creator takes a successful campaign's total once, after the deadline."""

import pytest
from helpers import ETHER, State, assert_event, eth_balance


@pytest.fixture
def funded(escrow, create_campaign, alice, bob):
    """An ETH campaign with 12 ether pledged on a 10 ether goal."""
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 7 * ETHER, {"from": alice, "value": 7 * ETHER})
    escrow.pledge(c.id, 5 * ETHER, {"from": bob, "value": 5 * ETHER})
    return c


def test_creator_receives_the_whole_total(escrow, funded, creator, clock):
    before = eth_balance(creator)
    clock.at(funded.deadline)
    tx = escrow.claim(funded.id, {"from": creator})

    assert_event(tx, "Claimed", emitter=escrow, id=funded.id, creator=creator, to=creator, amount=12 * ETHER)
    assert eth_balance(creator) == before + 12 * ETHER
    assert eth_balance(escrow) == 0
    view = escrow.getCampaign(funded.id)
    assert (view["state"], view["claimed"], view["cancelled"]) == (State.Claimed, True, False)
    assert view["pledged"] == 12 * ETHER  # the total is kept as a record
    assert escrow.pledgeOf(funded.id, creator) == 0


def test_token_claim(escrow, token, create_campaign, creator, alice, clock):
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 100, {"from": alice})
    before = token.balanceOf(creator)
    clock.at(c.deadline)
    tx = escrow.claim(c.id, {"from": creator})
    assert_event(tx, "Claimed", id=c.id, creator=creator, to=creator, amount=100)
    assert_event(tx, "Transfer", emitter=token, **{"from": escrow, "to": creator, "value": 100})
    assert token.balanceOf(creator) == before + 100
    assert token.balanceOf(escrow) == 0


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_claim_opens_exactly_at_deadline(escrow, funded, creator, clock, assert_reverts, offset):
    when = clock.at(funded.deadline + offset)
    if offset < 0:
        with assert_reverts("CampaignNotEnded", funded.id, funded.deadline, when):
            escrow.claim(funded.id, {"from": creator})
        assert eth_balance(escrow) == 12 * ETHER
    else:
        tx = escrow.claim(funded.id, {"from": creator})
        assert clock.of(tx) == when
        assert tx.events["Claimed"]["amount"] == 12 * ETHER


def test_goal_reached_exactly_is_enough(escrow, create_campaign, creator, alice, clock):
    c = create_campaign(goal=3 * ETHER)
    escrow.pledge(c.id, 3 * ETHER, {"from": alice, "value": 3 * ETHER})
    clock.at(c.deadline)
    tx = escrow.claim(c.id, {"from": creator})
    assert tx.events["Claimed"]["amount"] == 3 * ETHER


def test_only_the_creator_can_claim(escrow, funded, creator, deployer, alice, clock, assert_reverts):
    clock.at(funded.deadline)
    with assert_reverts("NotCreator", funded.id, creator, alice):
        escrow.claim(funded.id, {"from": alice})
    with assert_reverts("NotCreator", funded.id, creator, deployer):
        escrow.claim(funded.id, {"from": deployer})
    assert escrow.stateOf(funded.id) == State.Succeeded


def test_goal_not_reached(escrow, create_campaign, creator, alice, clock, assert_reverts):
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 10 * ETHER - 1, {"from": alice, "value": 10 * ETHER - 1})
    clock.at(c.deadline)
    with assert_reverts("GoalNotReached", c.id, 10 * ETHER, 10 * ETHER - 1):
        escrow.claim(c.id, {"from": creator})
    assert escrow.stateOf(c.id) == State.Failed


def test_claim_only_once(escrow, funded, creator, clock, assert_reverts):
    clock.at(funded.deadline)
    escrow.claim(funded.id, {"from": creator})
    before = eth_balance(creator)
    with assert_reverts("AlreadyClaimed", funded.id):
        escrow.claim(funded.id, {"from": creator})
    assert eth_balance(creator) == before


def test_cancelled_campaign_cannot_be_claimed(escrow, funded, creator, clock, assert_reverts):
    escrow.cancel(funded.id, {"from": creator})  # even though the goal was reached
    clock.at(funded.deadline)
    with assert_reverts("CampaignIsCancelled", funded.id):
        escrow.claim(funded.id, {"from": creator})


def test_claim_takes_only_its_own_campaign(escrow, funded, create_campaign, creator, carol, clock):
    other = create_campaign(goal=100 * ETHER, deadline=funded.deadline)
    escrow.pledge(other.id, 3 * ETHER, {"from": carol, "value": 3 * ETHER})
    clock.at(funded.deadline)
    escrow.claim(funded.id, {"from": creator})
    assert eth_balance(escrow) == 3 * ETHER
    before = eth_balance(carol)
    escrow.refund(other.id, {"from": carol})
    assert eth_balance(carol) == before + 3 * ETHER
    assert eth_balance(escrow) == 0


def test_after_claim_backers_can_neither_refund_nor_unpledge(
    escrow, funded, creator, alice, clock, assert_reverts
):
    clock.at(funded.deadline)
    escrow.claim(funded.id, {"from": creator})
    with assert_reverts("RefundsNotOpen", funded.id, State.Claimed):
        escrow.refund(funded.id, {"from": alice})
    when = clock.at(funded.deadline + 1)
    with assert_reverts("PledgesClosed", funded.id, funded.deadline, when):
        escrow.unpledge(funded.id, 1, {"from": alice})


def test_unknown_campaign(escrow, funded, creator, assert_reverts):
    with assert_reverts("CampaignNotFound", funded.id + 1):
        escrow.claim(funded.id + 1, {"from": creator})
