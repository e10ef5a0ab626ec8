"""What a chunk of events changes: campaign totals and backer positions, added up in
Python (SQLite has no integer wider than 64 bits; token amounts need 256)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crowdfund.state import goal_reached


@dataclass
class Position:
    amount: int = 0
    refunded: int = 0
    first_block: int = 0


@dataclass
class Ledger:
    """Campaign rows and backer positions in memory while a chunk of events is applied."""

    campaigns: dict[int, dict[str, Any]] = field(default_factory=dict)
    positions: dict[tuple[int, str], Position] = field(default_factory=dict)

    def position(self, campaign_id: int, backer: str, block: int) -> Position:
        key = (campaign_id, backer)
        if key not in self.positions:
            self.positions[key] = Position(first_block=block)
        return self.positions[key]

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
            return
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:  # an event of a campaign created before the index's first block
            return
        if kind in ("pledged", "unpledged", "refunded"):
            position = self.position(campaign_id, row["backer"], row["block_number"])
            held_before = position.amount
            amount = int(row["amount"])
            if kind == "pledged":
                position.amount += amount
                total = int(row["new_total"])
            elif kind == "unpledged":
                position.amount -= amount
                total = int(row["new_total"])
            else:
                position.amount = 0
                position.refunded += amount
                total = int(campaign["pledged"]) - amount
                # The Refunded event carries no total: the row gets the one it leads to, so
                # that every money entry in the history says where the campaign stands.
                row["new_total"] = str(total)
            campaign["backer_count"] += (position.amount > 0) - (held_before > 0)
            campaign["pledged"] = str(total)
            campaign["goal_reached"] = goal_reached(total, int(campaign["goal"]))
        elif kind == "claimed":
            campaign["claimed"] = True
            row["new_total"] = campaign["pledged"]  # a claim pays out but keeps the record
        elif kind == "cancelled":
            campaign["cancelled"] = True
