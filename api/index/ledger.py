"""What a chunk of events changes: campaign totals and backer positions, added up in
Python (SQLite has no integer wider than 64 bits; token amounts need 256)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crowdfund.pledges import PLEDGE_KINDS, pledge_after
from crowdfund.state import goal_reached


@dataclass(slots=True)
class Position:
    amount: int = 0
    refunded: int = 0
    first_block: int = 0


@dataclass
class Ledger:
    """Campaign rows and backer positions in memory while events are applied: those of one
    chunk, or all those a catch-up met (then it is kept between its transactions, and
    `changed` says what each must write)."""

    campaigns: dict[int, dict[str, Any]] = field(default_factory=dict)
    positions: dict[tuple[int, str], Position] = field(default_factory=dict)
    changed_campaigns: set[int] = field(default_factory=set)
    changed_positions: set[tuple[int, str]] = field(default_factory=set)

    def written(self) -> None:
        """What changed is stored now."""
        self.changed_campaigns.clear()
        self.changed_positions.clear()

    def apply(self, row: dict[str, Any]) -> None:
        kind = row["kind"]
        campaign_id = row["campaign_id"]
        if kind == "created":
            self.campaigns[campaign_id] = {
                **row["created"],
                "pledged": "0",
                "goal_reached": False,
                "backer_count": 0,
                "claimed": False,
                "cancelled": False,
            }
            self.changed_campaigns.add(campaign_id)
            return
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:  # an event of a campaign created before the index's first block
            return
        self.changed_campaigns.add(campaign_id)
        if kind in PLEDGE_KINDS:
            key = (campaign_id, row["backer"])
            position = self.positions.get(key)
            if position is None:
                position = self.positions[key] = Position(first_block=row["block_number"])
            self.changed_positions.add(key)
            held_before = position.amount
            amount = int(row["amount"])
            position.amount = pledge_after(held_before, kind, amount)
            if kind == "refunded":
                position.refunded += amount
                total = int(campaign["pledged"]) - amount
                # The Refunded event carries no total: the row gets the one it leads to, so
                # that every money entry in the history says where the campaign stands.
                row["new_total"] = str(total)
            else:
                total = int(row["new_total"])
            campaign["backer_count"] += (position.amount > 0) - (held_before > 0)
            campaign["pledged"] = str(total)
            campaign["goal_reached"] = goal_reached(total, int(campaign["goal"]))
        elif kind == "claimed":
            campaign["claimed"] = True
            row["new_total"] = campaign["pledged"]  # a claim pays out but keeps the record
        elif kind == "cancelled":
            campaign["cancelled"] = True
