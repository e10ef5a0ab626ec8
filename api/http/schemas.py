"""Response and request models: amounts as decimal strings of base units, addresses
checksummed, times as unix seconds, and the block every figure was read at."""

from __future__ import annotations

from typing import Annotated, Literal

from eth_utils.address import is_checksum_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

StateName = Literal["upcoming", "active", "succeeded", "failed", "cancelled", "claimed", "expired"]
HistoryKind = Literal[
    "pledged",
    "unpledged",
    "refunded",
    "claimed",
    # the milestone vault's
    "released",
    "objected",
    "unobjected",
    "halted",
    "lapsed",
    "vault_refunded",
]
EventKind = Literal[
    "created",
    "pledged",
    "unpledged",
    "refunded",
    "claimed",
    "cancelled",
    "updated",
    # the milestone vault's
    "scheduled",
    "collected",
    "released",
    "objected",
    "unobjected",
    "halted",
    "lapsed",
    "vault_refunded",
]
TrancheStatus = Literal["paid", "due", "upcoming", "halted", "lapsed", "void"]
DocumentStatus = Literal["verified", "unverified", "unavailable", "invalid"]
METADATA_STATUS = (
    "what the metadata link names, as this gateway knows it now: verified (its bytes match the "
    "ipfs:// CID and they are a valid metadata document, docs/metadata.schema.json); unverified "
    "(not an ipfs:// CID link, like https:// or data:: shown as a link, never fetched); unavailable "
    "(not here yet: it is being fetched, or could not be for now; asked again later); invalid (the "
    "CID's bytes are not a valid document, or its source sent other bytes or too many)"
)

MAX_UINT256 = 2**256 - 1


def _checksummed(value: str) -> str:
    # All-lowercase or all-uppercase hex carries no checksum; mixed case must carry a valid one.
    body = value[2:]
    if body != body.lower() and body != body.upper() and not is_checksum_address(value):
        raise ValueError(f"{value} has a wrong checksum (mixed-case addresses must be EIP-55)")
    return to_checksum_address(value)


def _uint256(value: str) -> str:
    if int(value) > MAX_UINT256:
        raise ValueError("the amount does not fit in 256 bits")
    return str(int(value))


Address = Annotated[
    str,
    StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$"),
    AfterValidator(_checksummed),
    Field(examples=["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]),
]
Amount = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{1,78}$"),
    AfterValidator(_uint256),
    Field(description="base units (wei for ETH) as a decimal string", examples=["1000000000000000000"]),
]


def _plain_integer(value: object) -> object:
    # Python's int() (which pydantic uses for path and query values) also reads "1_0",
    # "+1", " 1" and digits of other scripts; an id or a limit is ASCII digits only.
    if isinstance(value, str) and not (value.isascii() and value.isdigit() and len(value) <= 78):
        raise ValueError("must be a plain decimal integer (digits 0-9 only)")
    return value


PlainInteger = BeforeValidator(_plain_integer)

# The last second of year 9999: later times have no calendar date to show or check.
LAST_TIMESTAMP = 253_402_300_799

# Strict: a JSON integer, not "5" or 5.0.
Timestamp = Annotated[
    int,
    Field(
        ge=0,
        le=LAST_TIMESTAMP,
        strict=True,
        description=f"unix seconds, at most {LAST_TIMESTAMP} (the end of year 9999)",
    ),
]


class BlockRef(BaseModel):
    number: int
    hash: str


class Token(BaseModel):
    address: str = Field(description="0x000…000 for ETH")
    symbol: str
    decimals: int


class MilestonesSummary(BaseModel):
    """A campaign created through the milestone vault, which pays its real creator in
    tranches; backers holding more than half of the pledged total can halt it."""

    creator: str = Field(
        description="the real creator, paid the tranches (the escrow's creator is the vault)"
    )
    tranche_count: int
    paid_tranches: int = Field(description="how many tranches, from the first, the vault has paid")
    next_release_at: int | None = Field(
        description="when the next tranche not yet due falls due; null when none is to come"
    )
    collected: bool = Field(description="whether the vault has claimed the funds from the escrow")
    received: str = Field(description='what the vault received from the escrow; "0" until it claimed')
    released: str = Field(description="paid to the creator so far")
    unreleased: str = Field(
        description="what the vault holds, or will once it claims, not yet released nor refunded: "
        "received (before the claim: pledged) less released and refunded; 0 for a campaign that "
        "failed, was cancelled or expired (the escrow refunds it)"
    )
    objections: str = Field(description="the pledges of the backers objecting, in all")
    objection_bps: int = Field(
        description="objections as a share of the pledged total in basis points, rounded down (the "
        "campaign halts once objections exceed half of the total, to the unit)"
    )
    halted_at: int | None = Field(
        description="when objections halted the campaign for good; null: not halted"
    )
    release_closes_at: int | None = Field(
        description="when the next tranche owed to the creator (due, or to come; once halted, due at "
        "or before the halt) lapses if nobody has released it: 180 days after it falls due; null "
        "before the vault collected, once lapsed, or when nothing is owed to the creator"
    )
    lapsed: bool = Field(
        description="a tranche owed to the creator waited unreleased past its 180 days: nothing more is "
        "released, and the backers share everything the vault has not released"
    )
    refundable: str = Field(
        description="what the backers share: once lapsed, everything not released; once halted, the "
        "tranches not yet due at the halt (received, before the claim pledged, less the tranches due "
        "at or before it, which still go to the creator); 0 otherwise, and for a campaign that "
        "failed, was cancelled or expired (the escrow refunds it)"
    )
    refunded: str = Field(description="paid back to backers by the vault so far")


class Tranche(BaseModel):
    release_at: int = Field(description="when it falls due (unix seconds)")
    share_bps: int = Field(description="its share of the funds, in basis points")
    amount: str = Field(
        description="what it pays: its part of what the vault received, rounded as the vault "
        "rounds (before the claim: of the pledged total)"
    )
    status: TrancheStatus = Field(
        description="paid; due (release pays it now); upcoming; halted (due after the halt: the "
        "backers' to refund); void (the campaign failed, was cancelled or expired)"
    )


class Milestones(MilestonesSummary):
    tranches: list[Tranche] = Field(description="the schedule, fixed at creation, in order")


class Campaign(BaseModel):
    id: int
    creator: str = Field(description="who created it in the escrow (the milestone vault for its campaigns)")
    token: Token
    goal: str
    cap: str = Field(description='"0" when the campaign has no cap')
    pledged: str = Field(description="held for backers; unchanged by the claim")
    raised: str = Field(
        description="the most the campaign held by its end: `pledged` plus what backers took back in "
        "refunds, so an ended campaign still shows the total its goal was decided on"
    )
    percent_funded: float
    backer_count: int = Field(description="backers whose pledge is above zero")
    starts_at: int
    deadline: int
    seconds_left: int = Field(
        description="until the deadline; 0 once it passed or the campaign was cancelled or claimed"
    )
    state: StateName
    metadata_uri: str = Field(
        description="the link given at creation, at most 2,048 characters (invalid UTF-8 shown as U+FFFD)"
    )
    metadata_uri_truncated: bool = Field(description="the link on chain is longer and was cut at 2,048")
    metadata_status: DocumentStatus = Field(description=METADATA_STATUS)
    title: str | None = Field(
        description="the metadata document's title; null unless metadata_status is verified"
    )
    summary: str | None = Field(description="its summary, one line; null when it has none or is not verified")
    image: str | None = Field(
        description="its image, as a path of this gateway (/content/CID) that serves it checked against "
        "its CID; null when it has none or is not verified",
        examples=["/content/bafkreibh5oav3wpiuvfel5helmt2gl6d5cv67ggclz5linaoqdx4tdc7eu"],
    )
    claimed: bool
    cancelled: bool
    milestones: MilestonesSummary | None = Field(
        description="a campaign created through the milestone vault: its tranches paid and to come "
        "and the objections (every tranche in the campaign's own answer); null for any other"
    )


class Link(BaseModel):
    label: str
    url: str = Field(description="an https:// address, shown as a link and never fetched by this gateway")


class Tier(BaseModel):
    id: str = Field(description="unique within the document: lower-case letters, digits and hyphens")
    title: str
    description: str = Field(description="Markdown")
    min_amount: str = Field(description="the least pledge that holds the tier, in base units")
    limit: int | None = Field(description="how many backers may hold it; null: unlimited")
    delivery: str | None = Field(description="when the reward is expected, YYYY-MM; null: not said")


class TierRef(BaseModel):
    id: str
    title: str


class TierPlace(TierRef):
    place: int = Field(description="its place in the tier's line, from 1: 1 is the next to hold it")


# How many of a tier's holders its answer names; the count says how many there are.
HOLDERS_SHOWN = 100


class TierHolders(Tier):
    holder_count: int = Field(description="backers holding the tier now")
    places_left: int | None = Field(description="limit less holder_count; null when it has no limit")
    sold_out: bool = Field(description="no place is left: a backer who reaches it now waits in line")
    in_line_count: int = Field(description="backers waiting for a place (they may hold a lower tier)")
    holders: list[str] = Field(
        description=f"the first {HOLDERS_SHOWN} holders, in the order they reached the tier's min_amount"
    )


class CampaignTiers(BaseModel):
    """Which backer holds which reward tier, by the open rule of docs/tiers.md replayed from the
    campaign's pledge events. The escrow keeps no limit: anyone may pledge to a sold-out tier,
    and waits in its line."""

    campaign_id: int
    metadata_status: DocumentStatus = Field(description=METADATA_STATUS)
    tiers: list[TierHolders] = Field(
        description="in the document's order; empty unless metadata_status is verified"
    )
    block: BlockRef


class Metadata(BaseModel):
    """A campaign's metadata document, checked against its CID and against
    docs/metadata.schema.json."""

    title: str
    summary: str | None
    story: str | None = Field(description="Markdown, at most 50,000 characters")
    image: str | None = Field(description="the document's ipfs:// link to its image (served at `image`)")
    links: list[Link]
    tiers: list[Tier] = Field(description="at most 20, in the document's order")


class Update(BaseModel):
    uri: str = Field(description="at most 2,048 characters, like metadata_uri")
    uri_truncated: bool
    content_status: DocumentStatus = Field(
        description="what the link names, as for a campaign's metadata_status (an update document: "
        "title, body, image)"
    )
    title: str | None = Field(
        description="the update document's title; null unless content_status is verified"
    )
    block_number: int
    timestamp: int
    transaction_hash: str


class CampaignDetail(Campaign):
    metadata: Metadata | None = Field(
        description="the metadata document when metadata_status is verified; else null"
    )
    milestones: Milestones | None = Field(
        description="a campaign created through the milestone vault, with every tranche; null for any other"
    )
    updates: list[Update] = Field(
        description="the creator's newest 20 updates, oldest first; every one at /campaigns/{id}/updates"
    )
    update_count: int = Field(description="how many updates the creator posted")
    block: BlockRef


class SlotProof(BaseModel):
    key: str = Field(description="the storage slot, 32 bytes as 0x-hex")
    value: str = Field(description="the word the node says it holds (the verifier reads it from the proof)")
    proof: list[str] = Field(description="the trie nodes from the storage root to the slot, RLP as 0x-hex")


class StorageProof(BaseModel):
    """EIP-1186 (eth_getProof) of the escrow's storage behind the answer's chain figures, at
    its block: what `crowdfund verify-answer` checks against a header from the reader's own
    node (docs/audit.md)."""

    block: BlockRef
    address: str = Field(description="the escrow's")
    balance: str = Field(description="the escrow's ETH balance in wei, 0x-hex, as eth_getProof says it")
    nonce: str
    code_hash: str
    storage_hash: str = Field(description="the escrow's storage root")
    account_proof: list[str] = Field(description="the trie nodes from the block's state root to the escrow")
    storage: list[SlotProof] = Field(
        description="a campaign: its four slots (the packed total, goal, deadline and flags; creator and "
        "start; token; cap); a backer's answer adds the pledge's slot"
    )


class UpdatePage(BaseModel):
    items: list[Update] = Field(description="newest first")
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")
    block: BlockRef


class CampaignPage(BaseModel):
    items: list[Campaign]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")
    block: BlockRef


class HistoryEntry(BaseModel):
    kind: HistoryKind
    campaign_id: int
    backer: str | None = Field(
        description="the backer (the creator for a claim, the real creator for released); null for "
        "halted and lapsed, which concern the whole campaign"
    )
    payer: str | None = Field(description="who paid a pledge (differs from the backer for pledgeFor)")
    amount: str = Field(
        description="the amount moved; the weight for objected and unobjected, the objections for "
        "halted, what the backers share for lapsed"
    )
    new_total: str | None = Field(
        description="the campaign's total after this entry: pledges raise it, unpledges and refunds "
        "lower it, a claim leaves it as it was"
    )
    transaction_hash: str
    block_number: int
    log_index: int
    timestamp: int


class HistoryPage(BaseModel):
    items: list[HistoryEntry]
    next_cursor: str | None
    block: BlockRef


class Permission(BaseModel):
    allowed: bool
    amount: str = Field(description="how much this action would move now")
    reason: str | None = Field(description="why not, in words, when not allowed")


class BackerMilestones(BaseModel):
    objection: str = Field(description='the weight of the backer\'s objection (its pledge); "0": none')
    refunded: bool = Field(description="whether it took its refund from the vault")
    refund: str = Field(description="what the vault paid it back")
    object: Permission = Field(
        description="whether it may object now (simulated with the vault's rules; `amount`: its weight)"
    )
    withdraw_objection: Permission = Field(description="whether it may withdraw its objection now")


class BackerStanding(BaseModel):
    campaign_id: int
    backer: str
    pledge: str = Field(description="held for this backer now")
    state: StateName
    unpledge: Permission
    refund: Permission = Field(
        description="from the escrow, the whole pledge; from the vault for a milestone campaign the "
        "vault collected, or halted while it may still be claimed: then the pledge's share of the "
        "tranches not yet due at the halt (its `amount` the least the vault pays: the last backers "
        "to refund get the rounding remainder). A halted campaign left unclaimed past the claim "
        "window expired: the escrow refunds the whole pledge"
    )
    tier: TierRef | None = Field(
        description="the reward tier it holds by the rule of docs/tiers.md; null: none (below every "
        "tier, every tier it reaches full, or no verified metadata)"
    )
    in_line: list[TierPlace] = Field(
        description="the sold-out tiers its pledge reaches that it waits for, in the document's order"
    )
    milestones: BackerMilestones | None = Field(description="in a milestone campaign; null in any other")
    block: BlockRef


class ProvedCampaignDetail(CampaignDetail):
    proof: StorageProof


class ProvedBackerStanding(BackerStanding):
    proof: StorageProof


class BackerCampaign(BaseModel):
    campaign: Campaign
    pledge: str = Field(description="held for the backer now")
    refunded: str = Field(description="taken back in refunds")


class BackerPage(BaseModel):
    backer: str
    items: list[BackerCampaign]
    next_cursor: str | None
    block: BlockRef


Role = Literal["indexer", "standby", "replica"]
ROLE = (
    "this process's part in indexing: indexer (it indexes), standby (another process on the "
    "same database indexes; this one serves what that one writes and takes over when it stops), "
    "replica (RUN_INDEXER=false: it only serves)"
)


class Component(BaseModel):
    status: Literal["ok", "failing"]
    detail: str | None = Field(description="why it cannot be trusted now; null when ok")


class Components(BaseModel):
    node: Component = Field(description="answers, serves the index's chain, and its head moves")
    follower: Component = Field(description="the loop pinning answers to the index's tip is looking")
    index: Component = Field(description="within MAX_LAG of the head, and indexing is not paused")
    database: Component = Field(description="the index's database answers reads and took the last write")


class Health(BaseModel):
    status: Literal["ok"]
    role: Role = Field(description=ROLE)
    chain_id: int
    escrow: str
    vault: str | None = Field(description="the milestone vault indexed beside the escrow; null: none")
    head: int = Field(description="the node's latest block")
    indexed: int = Field(description="the last block in the index")
    lag: int = Field(description="blocks the index trails the confirmed head by")
    confirmations: int
    block: BlockRef
    components: Components


class Problem(BaseModel):
    detail: str


class HealthProblem(Problem):
    """What /health answers with 503: the first reason (`detail`), and every part's state."""

    status: Literal["unavailable"]
    role: Role = Field(description=ROLE)
    chain_id: int | None = Field(description="the chain this gateway serves, once known")
    head: int | None
    indexed: int | None
    components: Components


class Rejection(Problem):
    rule: str = Field(description="the escrow's rule (custom error) the transaction would break")
    values: dict[str, str] = Field(description="the figures the rule was checked with")


class UnsignedTransaction(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    sender: str = Field(serialization_alias="from")
    to: str
    data: str
    value: str = Field(description="wei")
    chain_id: int
    gas: str = Field(description="the simulated gas use with a margin of 20%")


class Allowance(BaseModel):
    token: str
    spender: str
    allowance: str
    needed: str
    sufficient: bool


class TransactionAnswer(BaseModel):
    action: str
    description: str
    transaction: UnsignedTransaction
    allowance: Allowance | None = Field(
        None, description="token pledges: the escrow's allowance; when short, `transaction` is the approve"
    )
    then: str | None = Field(None, description="the action to ask for once this transaction is mined")
    block: BlockRef = Field(description="the head the transaction was simulated on")


class SenderBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: Address


class AmountBody(SenderBody):
    amount: Amount


class PledgeBody(AmountBody):
    backer: Address | None = Field(None, description="credit the pledge to another address (pledgeFor)")


class ClaimBody(SenderBody):
    to: Address | None = Field(None, description="pay this address instead of the creator (claimTo)")


class ReleaseBody(SenderBody):
    to: Address | None = Field(
        None,
        description="the creator only: pay this address instead of itself (releaseTo), for a creator "
        "whose own address cannot receive",
    )


class UpdateBody(SenderBody):
    uri: Annotated[str, StringConstraints(min_length=1, max_length=2048)]


class TrancheBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    release_at: Timestamp = Field(
        description="when it falls due: the deadline or later, at most five years after it"
    )
    share_bps: int = Field(ge=1, le=10_000, strict=True, description="its share in basis points")


class CreateBody(SenderBody):
    token: Address = Field("0x0000000000000000000000000000000000000000", description="zero address: ETH")
    goal: Amount
    cap: Amount = "0"
    starts_at: Timestamp = Field(0, description="0: now")
    deadline: Timestamp
    metadata_uri: Annotated[str, StringConstraints(max_length=2048)]
    schedule: list[TrancheBody] | None = Field(
        None,
        max_length=12,
        description="pay the creator in tranches through the milestone vault: 1 to 12, in order, "
        "shares adding up to 10,000; none: an escrow campaign paid at once",
    )


class EscrowEvent(BaseModel):
    """One of the escrow's events, or of its milestone vault's (what `amount` and
    `new_total` hold for each kind is in docs/api.md)."""

    kind: EventKind
    campaign_id: int
    backer: str | None = Field(
        description="backer, or the creator for created and claimed; the real creator for scheduled "
        "and released"
    )
    payer: str | None
    amount: str | None = Field(
        description="the amount moved (the goal for created; received for collected; the weight "
        "for objected and unobjected; the objections for halted; for lapsed, what the lapse gave "
        "the backers)"
    )
    new_total: str | None = Field(
        description="the total it leads to: the campaign's pledged total for pledged, unpledged, "
        "refunded, claimed, collected and halted; released (released in all), objected and unobjected "
        "(objections in all), vault_refunded (refunded by the vault in all)"
    )
    uri: str | None = Field(description="the link of created and updated, at most 2,048 characters")
    uri_truncated: bool
    transaction_hash: str
    block_number: int
    log_index: int
    timestamp: int


class Liveness(BaseModel):
    status: Literal["ok"]


class StoredContent(BaseModel):
    """Content the gateway holds, and the link that names it."""

    cid: str = Field(
        description="CIDv1, raw codec, sha2-256, base32",
        examples=["bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"],
    )
    uri: str = Field(
        description="the ipfs:// link to put on chain",
        examples=["ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"],
    )
