"""What the services return: plain frozen values, rendered as JSON by `api.http`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from crowdfund.metadata import CampaignMetadata, Tier, UpdateDocument
from crowdfund.milestones import MilestoneFigures
from crowdfund.state import State

from ..index.types import IndexedEvent
from ..node.types import Block, StorageProof, TokenInfo, UnsignedTx

T = TypeVar("T")
D = TypeVar("D")

# What answers say of the document a link names (docs/content.md): verified (its bytes match
# the CID and it is a valid document), unverified (not an ipfs:// CID link: shown as a link,
# never fetched), unavailable (not here yet: being fetched, or its fetch failed for now),
# invalid (the CID's bytes are not a valid document, or its source lied or sent too much).
DocumentStatus = Literal["verified", "unverified", "unavailable", "invalid"]


@dataclass(frozen=True)
class Found(Generic[D]):
    """What the gateway knows now of the document a link names: the document only when
    verified."""

    status: DocumentStatus
    document: D | None = None


@dataclass(frozen=True)
class PostedUpdate:
    """A creator's update and what its link names."""

    event: IndexedEvent
    document: Found[UpdateDocument]


@dataclass(frozen=True)
class Milestones:
    """What the milestone vault holds of a campaign it created, at a given time."""

    creator: str  # the real creator, paid the tranches
    figures: MilestoneFigures


@dataclass(frozen=True)
class Permission:
    """Whether a backer may take an action now, how much it would move, and why not."""

    allowed: bool
    amount: int = 0
    reason: str | None = None  # in words, when not allowed


@dataclass(frozen=True)
class BackerMilestones:
    objection: int  # the weight of the backer's objection; 0: none
    refunded: bool  # took its refund from the vault
    refund: int  # what the vault paid it back
    object: Permission  # whether it may object now (amount: its weight)
    withdraw_objection: Permission


@dataclass(frozen=True)
class CampaignFigures:
    """A campaign as answers show it, read at one block."""

    id: int
    creator: str
    token: TokenInfo
    goal: int
    cap: int
    pledged: int
    raised: int  # pledged plus what refunds took back: the total its end was decided on
    percent_funded: float
    backer_count: int
    starts_at: int
    deadline: int
    seconds_left: int
    state: State
    metadata_uri: str
    metadata_uri_truncated: bool
    metadata: Found[CampaignMetadata]
    claimed: bool
    cancelled: bool
    milestones: Milestones | None = None  # a campaign created through the milestone vault


@dataclass(frozen=True)
class CampaignDetail:
    campaign: CampaignFigures
    updates: list[PostedUpdate]  # the newest few, oldest first
    update_count: int
    block: Block


@dataclass(frozen=True)
class Page(Generic[T]):
    """Items, newest first; `after` is the position of the next page (None at the end)."""

    items: list[T]
    after: tuple[int, ...] | None
    block: Block


@dataclass(frozen=True)
class BackerCampaign:
    campaign: CampaignFigures
    pledge: int
    refunded: int


@dataclass(frozen=True)
class Backers:
    """Addresses in order, kept as one string between line breaks. A campaign's tiers are
    cached whole: one string is charged its true size and measured at once, where a tuple of
    100,000 addresses takes a tenth of a second to measure, on the event loop."""

    text: str  # "\\n" before and after every address
    count: int

    @classmethod
    def of(cls, addresses: Sequence[str]) -> Backers:
        return cls("\n" + "".join(f"{a}\n" for a in addresses), len(addresses))

    def first(self, n: int) -> list[str]:
        return self.text.split("\n", n + 1)[1 : min(n, self.count) + 1]

    def place(self, address: str) -> int | None:
        """Where `address` stands, from 1; None when it is not here."""
        at = self.text.find(f"\n{address}\n")
        return None if at < 0 else self.text.count("\n", 0, at) + 1


@dataclass(frozen=True)
class TierRoll:
    """One tier, its holders and its line."""

    tier: Tier
    holders: Backers
    in_line: Backers

    @property
    def places_left(self) -> int | None:
        return None if self.tier.limit is None else self.tier.limit - self.holders.count

    @property
    def sold_out(self) -> bool:
        return self.places_left == 0


@dataclass(frozen=True)
class CampaignTiers:
    campaign_id: int
    metadata_status: DocumentStatus
    tiers: tuple[TierRoll, ...]  # none unless the metadata is verified
    block: Block


@dataclass(frozen=True)
class BackerTier:
    """The reward tier a backer holds (None: none) and its place in the line of each tier it
    waits for, from 1."""

    holds: Tier | None
    in_line: tuple[tuple[Tier, int], ...]


@dataclass(frozen=True)
class Standing:
    campaign_id: int
    backer: str
    pledge: int
    state: State
    unpledge: Permission
    refund: Permission  # from the vault for a halted milestone campaign
    block: Block
    tier: BackerTier  # the reward tier it holds and the lines it waits in (services.tiers)
    milestones: BackerMilestones | None = None  # in a milestone campaign


@dataclass(frozen=True)
class AllowanceCheck:
    token: str
    spender: str
    allowance: int
    needed: int

    @property
    def sufficient(self) -> bool:
        return self.allowance >= self.needed


@dataclass(frozen=True)
class TransactionPlan:
    """The transaction to sign next, and what follows it."""

    action: str
    description: str
    transaction: UnsignedTx
    block: Block  # the head it was simulated on
    allowance: AllowanceCheck | None = None
    then: str | None = None  # the action to ask for once this transaction is mined


@dataclass(frozen=True)
class Proved(Generic[T]):
    """An answer with the proof of the escrow's storage its chain figures come from, taken
    at the answer's own block."""

    answer: T
    proof: StorageProof
