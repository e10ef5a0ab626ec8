"""A milestone campaign's figures at a given time (crowdfund.milestones, which the CLI and
the gateway both show): each tranche's status on its boundaries (due at its second, the
halt's own second still the creator's), the amounts counted as the vault counts them, void
campaigns holding nothing, and where a backer's refund goes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from crowdfund.milestones import (
    figures,
    halts,
    lapsed,
    objection_closed,
    refunds_from_vault,
    release_closes_at,
    tranche_count,
)
from crowdfund.schedule import RELEASE_WINDOW, Tranche, refundable
from crowdfund.state import State

ETHER = 10**18


@dataclass(frozen=True)
class Kept:
    """What the vault keeps of a campaign, as the chain or the index hands it over."""

    tranches: tuple[Tranche, ...] = (Tranche(1000, 3000), Tranche(2000, 3000), Tranche(3000, 4000))
    paid_tranches: int = 0
    collected: bool = False
    received: int = 0
    released: int = 0
    objections: int = 0
    halted_at: int = 0
    refunded: int = 0


RECORD = Kept()


def statuses(record: Kept, state: State, now: int) -> list[str]:
    return [
        t.status for t in figures(record, state=state, pledged=3 * ETHER, deadline=1000, now=now).tranches
    ]


def test_a_tranche_is_due_from_its_second_on_and_upcoming_before() -> None:
    assert statuses(RECORD, State.SUCCEEDED, 1999) == ["due", "upcoming", "upcoming"]
    assert statuses(RECORD, State.SUCCEEDED, 2000) == ["due", "due", "upcoming"]
    assert (
        figures(RECORD, state=State.SUCCEEDED, pledged=3 * ETHER, deadline=1000, now=1999).next_release_at
        == 2000
    )
    assert (
        figures(RECORD, state=State.SUCCEEDED, pledged=3 * ETHER, deadline=1000, now=3000).next_release_at
        is None
    )
    # Before the deadline nothing is due, whatever the clock says of the first tranche.
    assert statuses(RECORD, State.ACTIVE, 1000) == ["upcoming"] * 3


def test_a_tranche_due_at_the_halts_second_stays_the_creators() -> None:
    halted = dataclasses.replace(RECORD, paid_tranches=1, collected=True, received=3 * ETHER, halted_at=2000)
    counted = figures(halted, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=5000)
    assert [t.status for t in counted.tranches] == ["paid", "due", "halted"]
    assert counted.refundable == refundable(3 * ETHER, halted.tranches, 2000) == 3 * ETHER * 4000 // 10_000
    assert counted.next_release_at is None and counted.halted


def test_before_the_claim_a_halt_counts_what_backers_share_from_the_pledged_total() -> None:
    halted = dataclasses.replace(RECORD, halted_at=1500, objections=2 * ETHER)
    counted = figures(halted, state=State.SUCCEEDED, pledged=3 * ETHER, deadline=1000, now=1600)
    assert [t.status for t in counted.tranches] == ["due", "halted", "halted"]
    assert counted.refundable == 3 * ETHER * 7000 // 10_000
    assert counted.unreleased == 3 * ETHER and counted.objection_bps == 6666


def test_amounts_add_up_to_what_the_vault_received() -> None:
    short = dataclasses.replace(RECORD, collected=True, received=10, released=3)
    counted = figures(short, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=1500)
    assert [t.amount for t in counted.tranches] == [3, 3, 4]
    assert counted.unreleased == 7
    assert counted.objection_bps == 0
    refunded = dataclasses.replace(short, halted_at=1500, refunded=2)
    assert figures(refunded, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=1500).unreleased == 5
    objecting = dataclasses.replace(RECORD, objections=ETHER)
    assert (
        figures(objecting, state=State.SUCCEEDED, pledged=3 * ETHER, deadline=1000, now=1500).objection_bps
        == 3333
    )


@pytest.mark.parametrize("state", [State.FAILED, State.CANCELLED, State.EXPIRED])
def test_a_void_campaign_holds_nothing_in_the_vault_even_once_halted(state: State) -> None:
    for record in (RECORD, dataclasses.replace(RECORD, halted_at=1500, objections=2 * ETHER)):
        counted = figures(record, state=state, pledged=3 * ETHER, deadline=1000, now=5000)
        assert [t.status for t in counted.tranches] == ["void"] * 3 and counted.void
        assert (counted.unreleased, counted.refundable, counted.next_release_at) == (0, 0, None)
        # The amounts still say what each tranche would have paid.
        assert [t.amount for t in counted.tranches] == [9 * ETHER // 10, 9 * ETHER // 10, 12 * ETHER // 10]


def test_a_paid_tranche_stays_paid_whatever_the_state() -> None:
    paid = dataclasses.replace(RECORD, paid_tranches=1, collected=True, received=3 * ETHER)
    assert statuses(paid, State.EXPIRED, 5000) == ["paid", "void", "void"]


@pytest.mark.parametrize(
    ("collected", "halted_at", "state", "vault"),
    [
        # Once the vault holds the funds, refunds are its (it says NotRefundable until halted or lapsed).
        (True, 0, State.CLAIMED, True),
        (True, 1500, State.CLAIMED, True),
        # Halted before anybody released: the vault claims at the first refund, in the window.
        (False, 1500, State.SUCCEEDED, True),
        # Halted, then nobody released or refunded within 180 days: expired, the escrow refunds all.
        (False, 1500, State.EXPIRED, False),
        # Succeeded, not halted: the vault's refusal (NotRefundable) says why not yet.
        (False, 0, State.SUCCEEDED, True),
        (False, 0, State.ACTIVE, False),
        (False, 0, State.FAILED, False),
        (False, 0, State.CANCELLED, False),
        (False, 0, State.EXPIRED, False),
    ],
)
def test_a_refund_goes_to_the_vault_once_it_collected_or_while_it_may_be_claimed(
    collected: bool, halted_at: int, state: State, vault: bool
) -> None:
    # Whether backers halted it (halted_at) never changes the route, only the vault's answer.
    assert refunds_from_vault(collected=collected, state=state) is vault


def test_tranches_are_counted_in_words() -> None:
    assert (tranche_count(1), tranche_count(3)) == ("1 tranche", "3 tranches")


def test_objections_open_once_the_campaign_succeeded_and_close_when_it_is_void() -> None:
    for state in (State.UPCOMING, State.ACTIVE):
        assert "objections open once it has succeeded" in (objection_closed(3, state) or "")
    assert "campaign 3 failed" in (objection_closed(3, State.FAILED) or "")
    assert "campaign 3 was cancelled" in (objection_closed(3, State.CANCELLED) or "")
    assert "campaign 3 expired" in (objection_closed(3, State.EXPIRED) or "")
    assert "refund their whole pledge in the escrow" in (objection_closed(3, State.EXPIRED) or "")
    # Succeeded or claimed: the vault's own rules decide.
    assert objection_closed(3, State.SUCCEEDED) is None and objection_closed(3, State.CLAIMED) is None


def test_an_objection_halts_above_half_of_the_pledged_total_to_the_unit() -> None:
    assert not halts(0, 50, 100) and halts(0, 51, 100) and halts(30, 21, 100)
    assert not halts(0, 50, 101) and halts(0, 51, 101)


def test_a_tranche_left_unreleased_180_days_lapses_from_that_second_on() -> None:
    paid_once = dataclasses.replace(
        RECORD, paid_tranches=1, collected=True, received=3 * ETHER, released=9 * ETHER // 10
    )
    closes = 2000 + RELEASE_WINDOW  # tranche 2's window: the first not paid
    assert release_closes_at(paid_once) == closes
    assert not lapsed(paid_once, closes - 1) and lapsed(paid_once, closes)
    before = figures(paid_once, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=closes - 1)
    assert ([t.status for t in before.tranches], before.refundable) == (["paid", "due", "due"], 0)
    assert (before.release_closes_at, before.lapsed) == (closes, False)
    after = figures(paid_once, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=closes)
    # everything not released is the backers', the tranches still to come included
    assert [t.status for t in after.tranches] == ["paid", "lapsed", "lapsed"]
    assert (after.refundable, after.lapsed, after.release_closes_at) == (
        3 * ETHER - 9 * ETHER // 10,
        True,
        None,
    )
    assert after.next_release_at is None


def test_only_what_a_halt_left_to_the_creator_can_lapse() -> None:
    halted = dataclasses.replace(
        RECORD, paid_tranches=1, collected=True, received=3 * ETHER, released=9 * ETHER // 10, halted_at=2500
    )
    closes = 2000 + RELEASE_WINDOW
    assert release_closes_at(halted) == closes
    counted = figures(halted, state=State.CLAIMED, pledged=3 * ETHER, deadline=1000, now=closes)
    assert [t.status for t in counted.tranches] == ["paid", "lapsed", "halted"]
    assert counted.refundable == 3 * ETHER - 9 * ETHER // 10
    # halted before tranche 2 fell due: nothing is owed to the creator, nothing can lapse
    early = dataclasses.replace(halted, halted_at=1500)
    assert release_closes_at(early) is None and not lapsed(early, 10**12)
    # before the vault collected, the escrow's claim window rules
    assert release_closes_at(RECORD) is None


def test_before_the_vault_claims_the_release_deadline_is_the_escrows_claim_window() -> None:
    # Nobody released it yet: the whole campaign expires in the escrow 180 days after its
    # deadline, which is what a creator must beat.
    counted = figures(RECORD, state=State.SUCCEEDED, pledged=3 * ETHER, deadline=1000, now=1500)
    assert counted.release_closes_at == 1000 + 180 * 86_400
    # Still running, or void: no such deadline.
    assert (
        figures(RECORD, state=State.ACTIVE, pledged=3 * ETHER, deadline=1000, now=900).release_closes_at
        is None
    )
    assert (
        figures(RECORD, state=State.EXPIRED, pledged=3 * ETHER, deadline=1000, now=10**9).release_closes_at
        is None
    )


def test_objections_are_closed_once_a_tranche_lapsed() -> None:
    assert objection_closed(7, State.CLAIMED) is None
    said = objection_closed(7, State.CLAIMED, lapsed_=True)
    assert said is not None and "lapsed unreleased" in said
