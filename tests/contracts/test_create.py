"""createCampaign: what a new campaign records and emits, and every validation rule."""

import pytest
from helpers import (
    DAY,
    ETHER,
    MAX_AMOUNT,
    MAX_DURATION,
    URI,
    ZERO_ADDRESS,
    State,
    assert_event,
)


def test_eth_campaign_records_and_emits_everything(escrow, creator, clock):
    t = clock.at(clock.now() + 10)
    tx = escrow.createCampaign(ZERO_ADDRESS, 5 * ETHER, 0, 0, t + 7 * DAY, URI, {"from": creator})

    assert_event(
        tx,
        "CampaignCreated",
        emitter=escrow,
        id=1,
        creator=creator,
        token=ZERO_ADDRESS,
        goal=5 * ETHER,
        cap=0,
        startsAt=t,
        deadline=t + 7 * DAY,
        metadataURI=URI,
    )
    assert escrow.campaignCount() == 1
    view = escrow.getCampaign(1)
    assert view.dict() == {
        "id": 1,
        "creator": creator,
        "token": ZERO_ADDRESS,
        "goal": 5 * ETHER,
        "cap": 0,
        "pledged": 0,
        "startsAt": t,
        "deadline": t + 7 * DAY,
        "state": State.Active,
        "claimed": False,
        "cancelled": False,
    }


def test_token_campaign_with_cap_and_delayed_start(escrow, token, creator, clock):
    t = clock.at(clock.now() + 10)
    tx = escrow.createCampaign(token, 100, 150, t + DAY, t + 8 * DAY, "ar://x", {"from": creator})

    assert_event(
        tx,
        "CampaignCreated",
        id=1,
        creator=creator,
        token=token,
        goal=100,
        cap=150,
        startsAt=t + DAY,
        deadline=t + 8 * DAY,
        metadataURI="ar://x",
    )
    view = escrow.getCampaign(1)
    assert (view["token"], view["goal"], view["cap"]) == (token.address, 100, 150)
    assert (view["startsAt"], view["deadline"]) == (t + DAY, t + 8 * DAY)
    assert view["state"] == State.Upcoming


def test_ids_count_up_from_one_for_any_creator(escrow, accounts, deployer, create_campaign):
    ids = [create_campaign(sender=accounts[i]).id for i in (1, 2, 0, 7)]
    assert ids == [1, 2, 3, 4]
    assert escrow.campaignCount() == 4
    assert [escrow.getCampaign(i)["creator"] for i in ids] == [
        accounts[1],
        accounts[2],
        deployer,
        accounts[7],
    ]


def test_start_equal_to_now_is_an_immediate_start(escrow, creator, clock):
    t = clock.at(clock.now() + 10)
    tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, t, t + DAY, URI, {"from": creator})
    assert tx.events["CampaignCreated"]["startsAt"] == t
    assert escrow.stateOf(1) == State.Active
    clock.at(t + 1)
    escrow.pledge(1, 1, {"from": creator, "value": 1})
    assert escrow.pledgeOf(1, creator) == 1


def test_empty_metadata_uri_is_allowed(escrow, creator, create_campaign):
    c = create_campaign(uri="")
    assert c.tx.events["CampaignCreated"]["metadataURI"] == ""


def test_goal_of_max_amount_and_cap_above_it_are_allowed(escrow, create_campaign):
    c = create_campaign(goal=MAX_AMOUNT, cap=2**256 - 1)
    view = escrow.getCampaign(c.id)
    assert (view["goal"], view["cap"]) == (MAX_AMOUNT, 2**256 - 1)


def test_cap_equal_to_goal_is_allowed(escrow, create_campaign):
    c = create_campaign(goal=7, cap=7)
    assert escrow.getCampaign(c.id)["cap"] == 7


def test_zero_goal_is_refused(escrow, creator, clock, assert_reverts):
    with assert_reverts("GoalIsZero"):
        escrow.createCampaign(ZERO_ADDRESS, 0, 0, 0, clock.now() + DAY, URI, {"from": creator})
    assert escrow.campaignCount() == 0


def test_goal_above_max_amount_is_refused(escrow, creator, clock, assert_reverts):
    with assert_reverts("GoalTooLarge", MAX_AMOUNT + 1, MAX_AMOUNT):
        escrow.createCampaign(ZERO_ADDRESS, MAX_AMOUNT + 1, 0, 0, clock.now() + DAY, URI, {"from": creator})
    with assert_reverts("GoalTooLarge", 2**256 - 1, MAX_AMOUNT):
        escrow.createCampaign(ZERO_ADDRESS, 2**256 - 1, 0, 0, clock.now() + DAY, URI, {"from": creator})


def test_cap_below_goal_is_refused(escrow, creator, clock, assert_reverts):
    with assert_reverts("CapBelowGoal", 99, 100):
        escrow.createCampaign(ZERO_ADDRESS, 100, 99, 0, clock.now() + DAY, URI, {"from": creator})
    with assert_reverts("CapBelowGoal", 1, 100):
        escrow.createCampaign(ZERO_ADDRESS, 100, 1, 0, clock.now() + DAY, URI, {"from": creator})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_start_in_the_past_is_refused(escrow, creator, clock, assert_reverts, offset):
    t = clock.now() + 10
    starts_at = t + offset
    clock.at(t)
    if offset < 0:
        with assert_reverts("StartInPast", starts_at, t):
            escrow.createCampaign(ZERO_ADDRESS, 1, 0, starts_at, t + DAY, URI, {"from": creator})
    else:
        tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, starts_at, t + DAY, URI, {"from": creator})
        assert tx.events["CampaignCreated"]["startsAt"] == starts_at
        assert escrow.stateOf(1) == (State.Active if offset == 0 else State.Upcoming)


def test_deadline_must_be_after_start(escrow, creator, clock, assert_reverts):
    t = clock.at(clock.now() + 10)
    with assert_reverts("DeadlineNotAfterStart", t + 50, t + 50):
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, t + 50, t + 50, URI, {"from": creator})
    with assert_reverts("DeadlineNotAfterStart", t + 50, t + 49):
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, t + 50, t + 49, URI, {"from": creator})
    tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, t + 50, t + 51, URI, {"from": creator})
    assert tx.events["CampaignCreated"]["deadline"] == t + 51


def test_deadline_must_be_after_an_immediate_start(escrow, creator, clock, assert_reverts):
    t = clock.at(clock.now() + 10)
    with assert_reverts("DeadlineNotAfterStart", t, t) as caught:
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, 0, t, URI, {"from": creator})
    assert caught.timestamp == t
    clock.at(t + 5)
    with assert_reverts("DeadlineNotAfterStart", t + 5, 0):
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, 0, 0, URI, {"from": creator})


@pytest.mark.parametrize("extra", [0, 1])
def test_duration_is_at_most_366_days(escrow, creator, clock, assert_reverts, extra):
    t = clock.at(clock.now() + 10)
    start = t + 100
    deadline = start + MAX_DURATION + extra
    if extra:
        with assert_reverts("DurationTooLong", start, deadline, MAX_DURATION):
            escrow.createCampaign(ZERO_ADDRESS, 1, 0, start, deadline, URI, {"from": creator})
    else:
        tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, start, deadline, URI, {"from": creator})
        assert tx.events["CampaignCreated"]["deadline"] == deadline


def test_duration_of_an_immediate_start_counts_from_the_block(escrow, creator, clock, assert_reverts):
    t = clock.at(clock.now() + 10)
    with assert_reverts("DurationTooLong", t, t + MAX_DURATION + 1, MAX_DURATION):
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, 0, t + MAX_DURATION + 1, URI, {"from": creator})
    clock.at(t + 1)
    tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, 0, t + 1 + MAX_DURATION, URI, {"from": creator})
    assert tx.events["CampaignCreated"]["startsAt"] == t + 1


def test_token_without_code_is_refused(escrow, creator, alice, clock, assert_reverts):
    with assert_reverts("TokenHasNoCode", alice):
        escrow.createCampaign(alice, 1, 0, 0, clock.now() + DAY, URI, {"from": creator})


def test_timestamps_beyond_40_bits_are_refused(escrow, creator, clock, assert_reverts):
    start = 2**40 - 2
    tx = escrow.createCampaign(ZERO_ADDRESS, 1, 0, start, start + 1, URI, {"from": creator})
    assert tx.events["CampaignCreated"]["deadline"] == 2**40 - 1
    with assert_reverts("SafeCastOverflowedUintDowncast", 40, 2**40):
        escrow.createCampaign(ZERO_ADDRESS, 1, 0, start + 1, start + 2, URI, {"from": creator})


def test_validation_order(escrow, creator, clock, assert_reverts, alice):
    t = clock.now() + 10
    clock.at(t)
    with assert_reverts("GoalIsZero"):
        escrow.createCampaign(alice, 0, 1, 1, 0, URI, {"from": creator})
    with assert_reverts("CapBelowGoal", 1, 2):
        escrow.createCampaign(alice, 2, 1, 1, 0, URI, {"from": creator})
    clock.at(t + 1)
    with assert_reverts("StartInPast", 1, t + 1):
        escrow.createCampaign(alice, 2, 0, 1, 0, URI, {"from": creator})
    with assert_reverts("DeadlineNotAfterStart", t + 100, 0):
        escrow.createCampaign(alice, 2, 0, t + 100, 0, URI, {"from": creator})
    with assert_reverts("TokenHasNoCode", alice):
        escrow.createCampaign(alice, 2, 0, 0, t + DAY, URI, {"from": creator})
    assert escrow.campaignCount() == 0
