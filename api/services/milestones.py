"""Milestone campaigns as answers show them: each tranche's amount and status at a given
time, what was released and what was not, the objections against the pledged total."""

from __future__ import annotations

from crowdfund.schedule import refundable, tranche_amounts
from crowdfund.state import REFUNDABLE, State
from crowdfund.units import BPS

from ..index.types import VaultRecord
from .types import Milestones, TrancheFigures


def milestones(record: VaultRecord, state: State, pledged: int, now: int) -> Milestones:
    """`record` at time `now`, for a campaign in escrow state `state` holding `pledged`
    (the escrow's total, fixed from the deadline on). Before the vault's claim the amounts
    are counted from `pledged`, which is what an ETH campaign, or a token without fees,
    brings in; a campaign that failed, was cancelled or expired never funds the vault."""
    void = state in REFUNDABLE
    running = state in (State.UPCOMING, State.ACTIVE)
    base = record.received if record.collected else pledged
    halted_at = record.halted_at or None
    amounts = tranche_amounts(base, [t.share_bps for t in record.tranches])
    tranches = []
    for index, (tranche, amount) in enumerate(zip(record.tranches, amounts, strict=True)):
        if void:
            status = "void"
        elif index < record.paid_tranches:
            status = "paid"
        elif halted_at is not None and tranche.release_at > halted_at:
            status = "halted"
        elif not running and tranche.release_at <= now:
            status = "due"
        else:
            status = "upcoming"
        tranches.append(TrancheFigures(tranche.release_at, tranche.share_bps, amount, status))
    upcoming = (t.release_at for t in tranches if t.status == "upcoming" and t.release_at > now)
    return Milestones(
        creator=record.creator,
        tranches=tranches,
        paid_tranches=record.paid_tranches,
        next_release_at=None if void or halted_at is not None else next(upcoming, None),
        collected=record.collected,
        received=record.received,
        released=record.released,
        unreleased=0 if void else max(0, base - record.released - record.refunded),
        objections=record.objections,
        objection_bps=record.objections * BPS // pledged if pledged else 0,
        halted_at=halted_at,
        refundable=0 if halted_at is None else refundable(base, record.tranches, halted_at),
        refunded=record.refunded,
    )
