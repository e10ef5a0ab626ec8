"""unpledge: taking a pledge back while active, its window, and the last-day goal lock."""

import pytest
from helpers import DAY, ETHER, GOAL_LOCK, assert_event, eth_balance


@pytest.fixture
def campaign(create_campaign):
    return create_campaign(goal=10 * ETHER)


def test_partial_unpledge_returns_eth(escrow, campaign, alice, bob):
    escrow.pledge(campaign.id, 4 * ETHER, {"from": alice, "value": 4 * ETHER})
    escrow.pledge(campaign.id, 1 * ETHER, {"from": bob, "value": 1 * ETHER})
    before = eth_balance(alice)

    tx = escrow.unpledge(campaign.id, 3 * ETHER, {"from": alice})

    assert_event(
        tx, "Unpledged", emitter=escrow, id=campaign.id, backer=alice, amount=3 * ETHER, newTotal=2 * ETHER
    )
    assert eth_balance(alice) == before + 3 * ETHER
    assert eth_balance(escrow) == 2 * ETHER
    assert escrow.pledgeOf(campaign.id, alice) == 1 * ETHER
    assert escrow.pledgeOf(campaign.id, bob) == 1 * ETHER
    assert escrow.getCampaign(campaign.id)["pledged"] == 2 * ETHER


def test_full_unpledge_returns_tokens(escrow, token, create_campaign, alice):
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 70, {"from": alice})
    before = token.balanceOf(alice)

    tx = escrow.unpledge(c.id, 70, {"from": alice})

    assert_event(tx, "Unpledged", id=c.id, backer=alice, amount=70, newTotal=0)
    assert_event(tx, "Transfer", emitter=token, **{"from": escrow, "to": alice, "value": 70})
    assert token.balanceOf(alice) == before + 70
    assert token.balanceOf(escrow) == 0
    assert escrow.pledgeOf(c.id, alice) == 0


def test_pledge_again_after_unpledging(escrow, campaign, alice):
    escrow.pledge(campaign.id, 5, {"from": alice, "value": 5})
    escrow.unpledge(campaign.id, 5, {"from": alice})
    tx = escrow.pledge(campaign.id, 2, {"from": alice, "value": 2})
    assert tx.events["Pledged"]["newTotal"] == 2
    assert escrow.pledgeOf(campaign.id, alice) == 2


def test_zero_amount_is_refused(escrow, campaign, alice, assert_reverts):
    escrow.pledge(campaign.id, 5, {"from": alice, "value": 5})
    with assert_reverts("ZeroAmount"):
        escrow.unpledge(campaign.id, 0, {"from": alice})


def test_more_than_pledged_is_refused(escrow, campaign, alice, bob, outsider, assert_reverts):
    escrow.pledge(campaign.id, 5, {"from": alice, "value": 5})
    escrow.pledge(campaign.id, 50, {"from": bob, "value": 50})
    with assert_reverts("InsufficientPledge", campaign.id, alice, 5, 6):
        escrow.unpledge(campaign.id, 6, {"from": alice})
    with assert_reverts("InsufficientPledge", campaign.id, outsider, 0, 1):
        escrow.unpledge(campaign.id, 1, {"from": outsider})
    assert escrow.pledgeOf(campaign.id, alice) == 5


def test_pledges_are_per_campaign(escrow, create_campaign, alice, assert_reverts):
    one, two = create_campaign(), create_campaign()
    escrow.pledge(one.id, 5, {"from": alice, "value": 5})
    with assert_reverts("InsufficientPledge", two.id, alice, 0, 5):
        escrow.unpledge(two.id, 5, {"from": alice})


def test_upcoming_campaign_is_not_open(escrow, create_campaign, alice, clock, assert_reverts):
    c = create_campaign(starts_at=clock.now() + 100)
    clock.at(c.starts_at - 1)
    with assert_reverts("PledgesNotOpen", c.id, c.starts_at, c.starts_at - 1):
        escrow.unpledge(c.id, 1, {"from": alice})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_unpledges_close_exactly_at_deadline(escrow, campaign, alice, clock, assert_reverts, offset):
    escrow.pledge(campaign.id, 5, {"from": alice, "value": 5})  # below the goal: no lock
    when = clock.at(campaign.deadline + offset)
    if offset < 0:
        tx = escrow.unpledge(campaign.id, 5, {"from": alice})
        assert clock.of(tx) == when
        assert escrow.pledgeOf(campaign.id, alice) == 0
    else:
        with assert_reverts("PledgesClosed", campaign.id, campaign.deadline, when):
            escrow.unpledge(campaign.id, 5, {"from": alice})
        assert escrow.pledgeOf(campaign.id, alice) == 5


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_goal_lock_starts_exactly_24_hours_before_deadline(
    escrow, campaign, alice, bob, clock, assert_reverts, offset
):
    escrow.pledge(campaign.id, 6 * ETHER, {"from": alice, "value": 6 * ETHER})
    escrow.pledge(campaign.id, 4 * ETHER, {"from": bob, "value": 4 * ETHER})  # exactly the goal
    locked_from = campaign.deadline - GOAL_LOCK
    clock.at(locked_from + offset)
    if offset < 0:
        tx = escrow.unpledge(campaign.id, 1, {"from": bob})
        assert_event(tx, "Unpledged", id=campaign.id, backer=bob, amount=1, newTotal=10 * ETHER - 1)
    else:
        with assert_reverts("GoalLocked", campaign.id, 10 * ETHER, 10 * ETHER - 1, locked_from):
            escrow.unpledge(campaign.id, 1, {"from": bob})
        assert escrow.pledgeOf(campaign.id, bob) == 4 * ETHER


def test_goal_lock_allows_unpledging_down_to_the_goal(escrow, campaign, alice, bob, clock, assert_reverts):
    escrow.pledge(campaign.id, 8 * ETHER, {"from": alice, "value": 8 * ETHER})
    escrow.pledge(campaign.id, 5 * ETHER, {"from": bob, "value": 5 * ETHER})
    clock.at(campaign.deadline - 1)
    tx = escrow.unpledge(campaign.id, 3 * ETHER, {"from": bob})
    assert tx.events["Unpledged"]["newTotal"] == 10 * ETHER
    clock.at(campaign.deadline - 1)
    with assert_reverts("GoalLocked", campaign.id, 10 * ETHER, 8 * ETHER, campaign.deadline - DAY):
        escrow.unpledge(campaign.id, 2 * ETHER, {"from": bob})


def test_goal_lock_does_not_apply_below_the_goal(escrow, campaign, alice, clock):
    escrow.pledge(campaign.id, 9 * ETHER, {"from": alice, "value": 9 * ETHER})
    clock.at(campaign.deadline - 1)
    tx = escrow.unpledge(campaign.id, 9 * ETHER, {"from": alice})
    assert tx.events["Unpledged"]["newTotal"] == 0


def test_cancelled_campaign_refunds_instead(escrow, campaign, creator, alice, clock, assert_reverts):
    escrow.pledge(campaign.id, 5, {"from": alice, "value": 5})
    escrow.cancel(campaign.id, {"from": creator})
    with assert_reverts("CampaignIsCancelled", campaign.id):
        escrow.unpledge(campaign.id, 5, {"from": alice})
    clock.at(campaign.deadline)
    with assert_reverts("CampaignIsCancelled", campaign.id):
        escrow.unpledge(campaign.id, 5, {"from": alice})
    escrow.refund(campaign.id, {"from": alice})
    assert escrow.pledgeOf(campaign.id, alice) == 0


def test_unknown_campaign(escrow, campaign, alice, assert_reverts):
    with assert_reverts("CampaignNotFound", campaign.id + 1):
        escrow.unpledge(campaign.id + 1, 1, {"from": alice})
    with assert_reverts("CampaignNotFound", 0):
        escrow.unpledge(0, 0, {"from": alice})
