"""A milestone campaign's figures at a given time: each tranche's status on its boundaries
(due at its second, the halt's own second still the creator's), and the amounts counted
as the vault counts them."""

from __future__ import annotations

import dataclasses

from crowdfund.schedule import Tranche, refundable
from crowdfund.state import State
from crowdfund_api.index.types import VaultRecord
from crowdfund_api.services.milestones import milestones

ETHER = 10**18
RECORD = VaultRecord(
    creator="0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    tranches=(Tranche(1000, 3000), Tranche(2000, 3000), Tranche(3000, 4000)),
    paid_tranches=0,
    collected=False,
    pledged=0,
    received=0,
    released=0,
    objections=0,
    halted_at=0,
    refunded=0,
)


def statuses(record: VaultRecord, state: State, now: int) -> list[str]:
    return [t.status for t in milestones(record, state, 3 * ETHER, now).tranches]


def test_a_tranche_is_due_from_its_second_on_and_upcoming_before() -> None:
    assert statuses(RECORD, State.SUCCEEDED, 1999) == ["due", "upcoming", "upcoming"]
    assert statuses(RECORD, State.SUCCEEDED, 2000) == ["due", "due", "upcoming"]
    assert milestones(RECORD, State.SUCCEEDED, 3 * ETHER, 1999).next_release_at == 2000
    assert milestones(RECORD, State.SUCCEEDED, 3 * ETHER, 3000).next_release_at is None
    # Before the deadline nothing is due, whatever the clock says of the first tranche.
    assert statuses(RECORD, State.ACTIVE, 1000) == ["upcoming"] * 3


def test_a_tranche_due_at_the_halts_second_stays_the_creators() -> None:
    halted = dataclasses.replace(RECORD, paid_tranches=1, collected=True, received=3 * ETHER, halted_at=2000)
    figures = milestones(halted, State.CLAIMED, 3 * ETHER, 5000)
    assert [t.status for t in figures.tranches] == ["paid", "due", "halted"]
    assert figures.refundable == refundable(3 * ETHER, halted.tranches, 2000) == 3 * ETHER * 4000 // 10_000
    assert figures.next_release_at is None


def test_amounts_add_up_to_what_the_vault_received_and_void_campaigns_hold_nothing() -> None:
    short = dataclasses.replace(RECORD, collected=True, received=10, released=3)
    figures = milestones(short, State.CLAIMED, 3 * ETHER, 1500)
    assert [t.amount for t in figures.tranches] == [3, 3, 4]
    assert figures.unreleased == 7
    assert figures.objection_bps == 0
    failed = milestones(RECORD, State.FAILED, 3 * ETHER, 5000)
    assert [t.status for t in failed.tranches] == ["void"] * 3
    assert failed.unreleased == 0
    objecting = dataclasses.replace(RECORD, objections=ETHER)
    assert milestones(objecting, State.SUCCEEDED, 3 * ETHER, 1500).objection_bps == 3333
