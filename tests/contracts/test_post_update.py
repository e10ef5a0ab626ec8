"""postUpdate: only the creator anchors updates, in any state, without changing anything."""

import pytest
from helpers import ETHER, State, assert_event


@pytest.fixture
def campaign(create_campaign):
    return create_campaign(goal=ETHER)


def test_creator_posts_an_update(escrow, campaign, creator):
    before = escrow.getCampaign(campaign.id)
    tx = escrow.postUpdate(campaign.id, "ipfs://update-1", {"from": creator})
    assert_event(tx, "CampaignUpdated", emitter=escrow, id=campaign.id, uri="ipfs://update-1")
    assert escrow.getCampaign(campaign.id) == before


def test_updates_are_allowed_in_every_state(escrow, create_campaign, creator, alice, clock):
    upcoming = create_campaign(goal=ETHER, starts_at=clock.now() + 100)
    cancelled = create_campaign(goal=ETHER)
    escrow.cancel(cancelled.id, {"from": creator})
    won = create_campaign(goal=ETHER)
    escrow.pledge(won.id, ETHER, {"from": alice, "value": ETHER})
    claimed = create_campaign(goal=ETHER, deadline=won.deadline)
    escrow.pledge(claimed.id, ETHER, {"from": alice, "value": ETHER})
    lost = create_campaign(goal=ETHER, deadline=won.deadline)

    def post(c, expected):
        assert escrow.stateOf(c.id) == expected
        tx = escrow.postUpdate(c.id, f"ipfs://{expected.name}", {"from": creator})
        assert_event(tx, "CampaignUpdated", id=c.id, uri=f"ipfs://{expected.name}")

    post(upcoming, State.Upcoming)
    post(won, State.Active)
    post(cancelled, State.Cancelled)
    clock.mine_at(won.deadline)
    escrow.claim(claimed.id, {"from": creator})
    post(won, State.Succeeded)
    post(lost, State.Failed)
    post(claimed, State.Claimed)


def test_empty_and_long_uris(escrow, campaign, creator):
    tx = escrow.postUpdate(campaign.id, "", {"from": creator})
    assert_event(tx, "CampaignUpdated", id=campaign.id, uri="")
    long_uri = "ipfs://" + "x" * 2000
    tx = escrow.postUpdate(campaign.id, long_uri, {"from": creator})
    assert_event(tx, "CampaignUpdated", id=campaign.id, uri=long_uri)


def test_only_the_creator_posts(escrow, campaign, creator, deployer, alice, assert_reverts):
    with assert_reverts("NotCreator", campaign.id, creator, alice):
        escrow.postUpdate(campaign.id, "spam", {"from": alice})
    with assert_reverts("NotCreator", campaign.id, creator, deployer):
        escrow.postUpdate(campaign.id, "spam", {"from": deployer})


def test_unknown_campaign(escrow, campaign, creator, assert_reverts):
    with assert_reverts("CampaignNotFound", campaign.id + 1):
        escrow.postUpdate(campaign.id + 1, "x", {"from": creator})
    with assert_reverts("CampaignNotFound", 0):
        escrow.postUpdate(0, "x", {"from": creator})
