"""Milestone campaigns as answers show them: the figures of crowdfund.milestones, with the
real creator the vault pays."""

from __future__ import annotations

from crowdfund.milestones import figures
from crowdfund.state import State

from ..index.types import VaultRecord
from .types import Milestones


def milestones(record: VaultRecord, state: State, pledged: int, deadline: int, now: int) -> Milestones:
    """`record` at time `now`, for a campaign in escrow state `state` holding `pledged`
    (crowdfund.milestones.figures says how each figure is counted)."""
    counted = figures(record, state=state, pledged=pledged, deadline=deadline, now=now)
    return Milestones(creator=record.creator, figures=counted)
