"""cancel: the creator stops a campaign before its deadline, which opens refunds."""

import pytest
from helpers import ETHER, State, assert_event, eth_balance


@pytest.fixture
def campaign(escrow, create_campaign, alice):
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 3 * ETHER, {"from": alice, "value": 3 * ETHER})
    return c


def test_creator_cancels_an_active_campaign(escrow, campaign, creator, alice):
    tx = escrow.cancel(campaign.id, {"from": creator})

    assert_event(tx, "Cancelled", emitter=escrow, id=campaign.id)
    view = escrow.getCampaign(campaign.id)
    assert (view["state"], view["cancelled"], view["claimed"]) == (State.Cancelled, True, False)
    # the money stays until each backer takes it back
    assert view["pledged"] == 3 * ETHER
    assert escrow.pledgeOf(campaign.id, alice) == 3 * ETHER
    assert eth_balance(escrow) == 3 * ETHER


def test_creator_cancels_an_upcoming_campaign(escrow, create_campaign, creator, clock):
    c = create_campaign(starts_at=clock.now() + 1000)
    assert escrow.stateOf(c.id) == State.Upcoming
    tx = escrow.cancel(c.id, {"from": creator})
    assert_event(tx, "Cancelled", id=c.id)
    clock.mine_at(c.starts_at)
    assert escrow.stateOf(c.id) == State.Cancelled


def test_creator_may_cancel_after_reaching_the_goal(escrow, campaign, creator, bob, clock):
    escrow.pledge(campaign.id, 8 * ETHER, {"from": bob, "value": 8 * ETHER})
    escrow.cancel(campaign.id, {"from": creator})
    clock.mine_at(campaign.deadline)
    assert escrow.stateOf(campaign.id) == State.Cancelled
    before = eth_balance(bob)
    escrow.refund(campaign.id, {"from": bob})
    assert eth_balance(bob) == before + 8 * ETHER


def test_only_the_creator_can_cancel(escrow, campaign, creator, deployer, alice, assert_reverts):
    with assert_reverts("NotCreator", campaign.id, creator, alice):
        escrow.cancel(campaign.id, {"from": alice})
    with assert_reverts("NotCreator", campaign.id, creator, deployer):
        escrow.cancel(campaign.id, {"from": deployer})
    assert escrow.stateOf(campaign.id) == State.Active


def test_cancel_only_once(escrow, campaign, creator, clock, assert_reverts):
    escrow.cancel(campaign.id, {"from": creator})
    with assert_reverts("CampaignIsCancelled", campaign.id):
        escrow.cancel(campaign.id, {"from": creator})
    clock.at(campaign.deadline + 1)
    with assert_reverts("CampaignIsCancelled", campaign.id):
        escrow.cancel(campaign.id, {"from": creator})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_cancel_closes_exactly_at_deadline(escrow, campaign, creator, clock, assert_reverts, offset):
    when = clock.at(campaign.deadline + offset)
    if offset < 0:
        tx = escrow.cancel(campaign.id, {"from": creator})
        assert clock.of(tx) == when
        assert escrow.stateOf(campaign.id) == State.Cancelled
    else:
        with assert_reverts("CampaignEnded", campaign.id, campaign.deadline, when):
            escrow.cancel(campaign.id, {"from": creator})
        assert escrow.stateOf(campaign.id) == State.Failed


def test_claimed_campaign_cannot_be_cancelled(escrow, campaign, creator, bob, clock, assert_reverts):
    escrow.pledge(campaign.id, 7 * ETHER, {"from": bob, "value": 7 * ETHER})
    clock.at(campaign.deadline)
    escrow.claim(campaign.id, {"from": creator})
    when = clock.at(campaign.deadline + 10)
    with assert_reverts("CampaignEnded", campaign.id, campaign.deadline, when):
        escrow.cancel(campaign.id, {"from": creator})
    assert escrow.stateOf(campaign.id) == State.Claimed


def test_unknown_campaign(escrow, campaign, creator, assert_reverts):
    with assert_reverts("CampaignNotFound", campaign.id + 1):
        escrow.cancel(campaign.id + 1, {"from": creator})
