"""What the index hands up: plain frozen values read at one tip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from crowdfund.escrow import CampaignRecord
from crowdfund.schedule import Tranche
from crowdfund.state import State, state_at


@dataclass(frozen=True)
class Tip:
    """The last block indexed; `hash` is None before the first block is indexed."""

    number: int
    hash: str | None
    timestamp: int


@dataclass(frozen=True)
class VaultRecord:
    """A campaign created through the milestone vault, as the vault's events add it up.
    `pledged` and `received` are 0 until the vault knows them (its claim; `pledged` also
    from a halt)."""

    creator: str  # the real creator, paid the tranches (the escrow's creator is the vault)
    tranches: tuple[Tranche, ...]  # due times as unix seconds (the deadline for a first 0)
    paid_tranches: int
    collected: bool
    pledged: int
    received: int
    released: int
    objections: int  # the weight of the objections standing now
    halted_at: int  # 0: not halted
    refunded: int  # paid back to backers by the vault, in all


@dataclass(frozen=True)
class VaultBacker:
    """One backer's objection to a vault campaign and its refund from the vault."""

    objection: int  # its weight (the backer's pledge); 0: none
    refunded: bool
    refund: int  # what the vault paid it back


@dataclass(frozen=True)
class IndexedCampaign(CampaignRecord):
    """A campaign as its events add it up, at the tip it was read at, with what only the
    events hold (its metadata link, how many backers hold a pledge)."""

    metadata_uri: str  # at most crowdfund.links.MAX_LINK characters
    backer_count: int
    goal_reached: bool
    refunded: int  # what backers took back in refunds, in all
    metadata_uri_truncated: bool = False  # the link on chain is longer (crowdfund.links)
    milestones: VaultRecord | None = None  # a campaign created through the milestone vault

    def state(self, now: int) -> State:
        return state_at(
            {
                "claimed": self.claimed,
                "cancelled": self.cancelled,
                "starts_at": self.starts_at,
                "deadline": self.deadline,
                "goal_reached": self.goal_reached,
            },
            now,
        )


@dataclass(frozen=True)
class CampaignFilter:
    """Which campaigns a list holds; None matches any."""

    state: State | None = None
    creator: str | None = None  # the escrow's creator, or a milestone campaign's real creator
    token: str | None = None
    backer: str | None = None  # campaigns this address ever pledged to


@dataclass(frozen=True)
class IndexedEvent:
    """One of the escrow's events, as the index keeps it."""

    kind: str
    campaign_id: int
    backer: str | None  # the backer, or the creator for created and claimed
    payer: str | None
    amount: int | None  # the amount moved (the goal for created)
    new_total: int | None
    uri: str | None
    transaction_hash: str
    block_number: int
    block_hash: str
    log_index: int
    timestamp: int
    uri_truncated: bool = False  # the link on chain is longer than `uri` (crowdfund.links)


@dataclass(frozen=True)
class BackerPosition:
    """What a backer holds in a campaign and what it took back in refunds."""

    campaign: IndexedCampaign
    pledge: int
    refunded: int


@dataclass(frozen=True, eq=False)  # each move is itself: compared and hashed by identity
class TipMove:
    """The index moving from tip `before` to tip `tip`, with the event rows it took in
    between (oldest first), as the index stores them; `rows` is None when they are not
    known (the index opened, rolled back, or another process moved it), and then nothing
    may be assumed about what changed."""

    number: int  # the follower's count of moves: a tip may come back after a reorg, a move not
    before: Tip | None
    tip: Tip
    rows: Sequence[Mapping[str, Any]] | None

    @property
    def rollback(self) -> bool:
        """The index went back to an earlier block: a reorg took what followed."""
        return self.before is not None and self.tip.number < self.before.number

    @cached_property
    def campaigns(self) -> frozenset[int] | None:
        """The campaigns an event in the move touched; None when the rows are not known.
        Worked out on first use: during a catch-up most moves are never asked."""
        return None if self.rows is None else frozenset(row["campaign_id"] for row in self.rows)
