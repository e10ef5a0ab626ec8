"""The claim window: a succeeded campaign left unclaimed for 180 days after its deadline
expires, and its backers take their pledges back."""

import pytest
from helpers import CLAIM_WINDOW, DAY, ETHER, State, assert_event, eth_balance


@pytest.fixture
def funded(escrow, create_campaign, alice, bob):
    """An ETH campaign with 12 ether pledged on a 10 ether goal."""
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 7 * ETHER, {"from": alice, "value": 7 * ETHER})
    escrow.pledge(c.id, 5 * ETHER, {"from": bob, "value": 5 * ETHER})
    return c


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_state_turns_expired_exactly_at_deadline_plus_180_days(escrow, funded, clock, offset):
    clock.mine_at(funded.deadline + CLAIM_WINDOW + offset)
    expected = State.Succeeded if offset < 0 else State.Expired
    assert escrow.stateOf(funded.id) == expected
    view = escrow.getCampaign(funded.id)
    assert (view["state"], view["claimed"], view["cancelled"]) == (expected, False, False)


@pytest.mark.parametrize("offset", [-1, 0, 1])
@pytest.mark.parametrize("to_other", [False, True], ids=["claim", "claimTo"])
def test_claims_close_exactly_at_deadline_plus_180_days(
    escrow, funded, creator, carol, clock, assert_reverts, offset, to_other
):
    closes = funded.deadline + CLAIM_WINDOW
    clock.at(closes + offset)

    def claim():
        if to_other:
            return escrow.claimTo(funded.id, carol, {"from": creator})
        return escrow.claim(funded.id, {"from": creator})

    if offset < 0:
        tx = claim()
        assert tx.events["Claimed"]["amount"] == 12 * ETHER
        assert escrow.stateOf(funded.id) == State.Claimed
    else:
        with assert_reverts("ClaimWindowClosed", funded.id, closes):
            claim()
        assert eth_balance(escrow) == 12 * ETHER


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_refunds_open_exactly_at_deadline_plus_180_days(escrow, funded, alice, clock, assert_reverts, offset):
    clock.at(funded.deadline + CLAIM_WINDOW + offset)
    if offset < 0:
        with assert_reverts("RefundsNotOpen", funded.id, State.Succeeded):
            escrow.refund(funded.id, {"from": alice})
    else:
        before = eth_balance(alice)
        tx = escrow.refund(funded.id, {"from": alice})
        assert_event(tx, "Refunded", emitter=escrow, id=funded.id, backer=alice, amount=7 * ETHER)
        assert eth_balance(alice) == before + 7 * ETHER - tx.gas_used * tx.gas_price
        assert escrow.pledgeOf(funded.id, alice) == 0
        assert escrow.getCampaign(funded.id)["pledged"] == 5 * ETHER


def test_every_backer_of_an_expired_campaign_gets_back_what_they_pledged(
    escrow, token, create_campaign, creator, alice, bob, clock, assert_reverts
):
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 60, {"from": alice})
    escrow.pledge(c.id, 40, {"from": bob})
    clock.at(c.deadline + CLAIM_WINDOW)
    escrow.refund(c.id, {"from": alice})
    # Below the goal now, so the campaign reads Failed, and claims stay closed.
    with assert_reverts("GoalNotReached", c.id, 100, 40):
        escrow.claim(c.id, {"from": creator})
    escrow.refund(c.id, {"from": bob})
    assert token.balanceOf(escrow) == 0
    with assert_reverts("NothingToRefund", c.id, bob):
        escrow.refund(c.id, {"from": bob})


def test_a_claimed_campaign_never_expires(escrow, funded, creator, alice, clock, assert_reverts):
    clock.at(funded.deadline + CLAIM_WINDOW - 1)
    escrow.claim(funded.id, {"from": creator})
    clock.mine_at(funded.deadline + CLAIM_WINDOW + 1)
    assert escrow.stateOf(funded.id) == State.Claimed
    with assert_reverts("RefundsNotOpen", funded.id, State.Claimed):
        escrow.refund(funded.id, {"from": alice})


def test_failed_and_cancelled_campaigns_keep_their_state_after_the_window(
    escrow, create_campaign, creator, alice, clock
):
    failed = create_campaign(goal=10 * ETHER)
    escrow.pledge(failed.id, ETHER, {"from": alice, "value": ETHER})
    cancelled = create_campaign(goal=ETHER, deadline=failed.deadline)
    escrow.pledge(cancelled.id, ETHER, {"from": alice, "value": ETHER})
    escrow.cancel(cancelled.id, {"from": creator})
    clock.mine_at(failed.deadline + CLAIM_WINDOW)
    assert escrow.stateOf(failed.id) == State.Failed
    assert escrow.stateOf(cancelled.id) == State.Cancelled
    escrow.refund(failed.id, {"from": alice})
    escrow.refund(cancelled.id, {"from": alice})
    assert eth_balance(escrow) == 0


def test_an_expired_campaign_takes_no_pledges_and_no_unpledges(escrow, funded, alice, clock, assert_reverts):
    when = clock.at(funded.deadline + CLAIM_WINDOW)
    with assert_reverts("PledgesClosed", funded.id, funded.deadline, when):
        escrow.pledge(funded.id, 1, {"from": alice, "value": 1})
    when = clock.at(when + 1)
    with assert_reverts("PledgesClosed", funded.id, funded.deadline, when):
        escrow.unpledge(funded.id, 1, {"from": alice})


def test_the_python_rule_agrees_with_the_escrow_on_every_boundary(
    escrow, create_campaign, creator, alice, clock
):
    """crowdfund.state.state_at, which the CLI, the gateway and the index's SQL use, reads
    each campaign exactly as the escrow's stateOf at every second around every edge."""
    from crowdfund.state import state_at

    now = clock.now()
    start = now + 10
    kinds = {}
    for name in ("failed", "succeeded", "cancelled", "claimed", "expired_refunded"):
        kinds[name] = create_campaign(goal=2, starts_at=start, deadline=start + DAY)
    clock.mine_at(start)
    for name in ("succeeded", "claimed", "expired_refunded", "cancelled"):
        escrow.pledge(kinds[name].id, 2, {"from": alice, "value": 2})
    escrow.pledge(kinds["failed"].id, 1, {"from": alice, "value": 1})
    escrow.cancel(kinds["cancelled"].id, {"from": creator})
    deadline = start + DAY
    edges = [start + 1, deadline - 1, deadline, deadline + 1]
    edges += [deadline + CLAIM_WINDOW - 1, deadline + CLAIM_WINDOW, deadline + CLAIM_WINDOW + 1]
    for when in edges:
        if when == deadline + 1:
            clock.at(when)
            escrow.claim(kinds["claimed"].id, {"from": creator})
        elif when == deadline + CLAIM_WINDOW + 1:
            clock.at(when)
            escrow.refund(kinds["expired_refunded"].id, {"from": alice})
        else:
            clock.mine_at(when)
        for c in kinds.values():
            view = escrow.getCampaign(c.id)
            fields = {
                "claimed": view["claimed"],
                "cancelled": view["cancelled"],
                "starts_at": view["startsAt"],
                "deadline": view["deadline"],
                "goal_reached": view["pledged"] >= view["goal"],
            }
            assert int(state_at(fields, when)) == view["state"] == escrow.stateOf(c.id), (c, when)
