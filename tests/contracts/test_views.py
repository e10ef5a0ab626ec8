"""Views: getCampaign, getCampaigns paging, stateOf in each state, pledgeOf, unknown ids."""

import pytest
from helpers import DAY, ETHER, MAX_UINT256, URI, ZERO_ADDRESS, State


def test_empty_escrow(escrow, assert_reverts):
    assert escrow.campaignCount() == 0
    assert escrow.getCampaigns(1, 10) == []
    with assert_reverts("CampaignNotFound", 1):
        escrow.getCampaign(1)


def test_get_campaign_reflects_every_field(escrow, token, create_campaign, creator, alice, clock):
    t = clock.now() + 10
    c = create_campaign(token=token, goal=100, cap=300, starts_at=t + 50, deadline=t + 5 * DAY, at=t)
    expected = {
        "id": c.id,
        "creator": creator,
        "token": token,
        "goal": 100,
        "cap": 300,
        "pledged": 0,
        "startsAt": t + 50,
        "deadline": t + 5 * DAY,
        "state": State.Upcoming,
        "claimed": False,
        "cancelled": False,
    }
    assert escrow.getCampaign(c.id).dict() == expected

    clock.at(t + 50)
    escrow.pledge(c.id, 120, {"from": alice})
    assert escrow.getCampaign(c.id).dict() == {**expected, "pledged": 120, "state": State.Active}

    clock.at(t + 5 * DAY)
    escrow.claim(c.id, {"from": creator})
    assert escrow.getCampaign(c.id).dict() == {
        **expected,
        "pledged": 120,
        "state": State.Claimed,
        "claimed": True,
    }


def test_get_campaign_of_a_cancelled_eth_campaign(escrow, create_campaign, creator):
    c = create_campaign(goal=ETHER)
    escrow.cancel(c.id, {"from": creator})
    view = escrow.getCampaign(c.id)
    assert (view["token"], view["cap"], view["state"], view["cancelled"], view["claimed"]) == (
        ZERO_ADDRESS,
        0,
        State.Cancelled,
        True,
        False,
    )


@pytest.fixture
def five(escrow, accounts, clock):
    """Five campaigns with goals 1..5 by creators accounts[1..5]."""
    t = clock.now() + 10
    for i in range(1, 6):
        clock.at(t + i)
        escrow.createCampaign(ZERO_ADDRESS, i, 0, 0, t + 30 * DAY, URI, {"from": accounts[i]})
    return [escrow.getCampaign(i) for i in range(1, 6)]


@pytest.mark.parametrize(
    "from_id,count,ids",
    [
        (1, 5, [1, 2, 3, 4, 5]),
        (1, 2, [1, 2]),
        (2, 2, [2, 3]),
        (4, 10, [4, 5]),
        (5, 1, [5]),
        (5, MAX_UINT256, [5]),
        (1, 0, []),
        (6, 1, []),
        (100, 5, []),
        (MAX_UINT256, MAX_UINT256, []),
    ],
)
def test_get_campaigns_pages(escrow, five, from_id, count, ids):
    page = escrow.getCampaigns(from_id, count)
    assert [v["id"] for v in page] == ids
    assert [tuple(v) for v in page] == [tuple(five[i - 1]) for i in ids]


def test_get_campaigns_from_zero_is_refused(escrow, five, assert_reverts):
    with assert_reverts("CampaignNotFound", 0):
        escrow.getCampaigns(0, 5)
    with assert_reverts("CampaignNotFound", 0):
        escrow.getCampaigns(0, 0)


def test_state_of_follows_the_clock_to_the_second(escrow, create_campaign, alice, clock):
    t = clock.now() + 10
    won = create_campaign(goal=ETHER, starts_at=t + 100, deadline=t + 1000, at=t)
    lost = create_campaign(goal=ETHER, starts_at=t + 100, deadline=t + 1000, at=t + 1)

    clock.mine_at(t + 99)
    assert escrow.stateOf(won.id) == escrow.stateOf(lost.id) == State.Upcoming
    clock.mine_at(t + 100)
    assert escrow.stateOf(won.id) == escrow.stateOf(lost.id) == State.Active
    clock.at(t + 101)
    escrow.pledge(won.id, ETHER, {"from": alice, "value": ETHER})
    clock.mine_at(t + 999)
    assert escrow.stateOf(won.id) == escrow.stateOf(lost.id) == State.Active
    clock.mine_at(t + 1000)
    assert escrow.stateOf(won.id) == State.Succeeded
    assert escrow.stateOf(lost.id) == State.Failed


def test_state_of_cancelled_and_claimed(escrow, create_campaign, creator, alice, clock):
    a = create_campaign(goal=ETHER)
    b = create_campaign(goal=ETHER, deadline=a.deadline)
    escrow.pledge(b.id, ETHER, {"from": alice, "value": ETHER})
    escrow.cancel(a.id, {"from": creator})
    assert escrow.stateOf(a.id) == State.Cancelled
    clock.at(a.deadline)
    escrow.claim(b.id, {"from": creator})
    assert escrow.stateOf(a.id) == State.Cancelled
    assert escrow.stateOf(b.id) == State.Claimed


def test_pledge_of(escrow, create_campaign, alice, bob):
    one, two = create_campaign(), create_campaign()
    escrow.pledge(one.id, 5, {"from": alice, "value": 5})
    escrow.pledge(two.id, 7, {"from": bob, "value": 7})
    assert escrow.pledgeOf(one.id, alice) == 5
    assert escrow.pledgeOf(one.id, bob) == 0
    assert escrow.pledgeOf(two.id, alice) == 0
    assert escrow.pledgeOf(two.id, bob) == 7
    assert escrow.pledgeOf(one.id, ZERO_ADDRESS) == 0


CALLS = {
    "getCampaign": lambda e, i, a: e.getCampaign(i),
    "stateOf": lambda e, i, a: e.stateOf(i),
    "pledgeOf": lambda e, i, a: e.pledgeOf(i, a),
    "pledge": lambda e, i, a: e.pledge(i, 1, {"from": a, "value": 1}),
    "pledgeFor": lambda e, i, a: e.pledgeFor(i, a, 1, {"from": a, "value": 1}),
    "pledgeWithPermit": lambda e, i, a: e.pledgeWithPermit(i, 1, 0, 27, b"\0" * 32, b"\0" * 32, {"from": a}),
    "unpledge": lambda e, i, a: e.unpledge(i, 1, {"from": a}),
    "refund": lambda e, i, a: e.refund(i, {"from": a}),
    "claim": lambda e, i, a: e.claim(i, {"from": a}),
    "cancel": lambda e, i, a: e.cancel(i, {"from": a}),
    "postUpdate": lambda e, i, a: e.postUpdate(i, "x", {"from": a}),
}


@pytest.mark.parametrize("function", CALLS)
@pytest.mark.parametrize("unknown_id", [0, 2, 2**96 + 1, MAX_UINT256])
def test_unknown_ids_are_refused_everywhere(
    escrow, create_campaign, alice, assert_reverts, function, unknown_id
):
    # Campaign 1 exists and alice has a pledge in it; 2**96 + 1 would alias campaign 1's
    # pledge keys (id << 160 wraps) if existence were not checked first.
    c = create_campaign(goal=ETHER)
    escrow.pledge(c.id, 5, {"from": alice, "value": 5})
    with assert_reverts("CampaignNotFound", unknown_id):
        CALLS[function](escrow, unknown_id, alice)
    assert escrow.pledgeOf(c.id, alice) == 5
    assert escrow.getCampaign(c.id)["pledged"] == 5
