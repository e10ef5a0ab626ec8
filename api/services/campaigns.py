"""Campaign questions: the list and a backer's campaigns (from the index), one campaign
(the chain's figures read live, with what only the events hold), its money history, and
where one backer stands in it. Each shows what its metadata and update links name as far as
it is known now (services.documents), never waiting for it."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
from dataclasses import dataclass

from crowdfund.escrow import Campaign, CampaignRecord
from crowdfund.links import Link
from crowdfund.milestones import (
    lapsed,
    objection_closed,
    objections_lapsed,
    refunds_from_vault,
    shared_by_backers,
)
from crowdfund.proofs import slot_of_pledge, slots_of_campaign
from crowdfund.schedule import refundable
from crowdfund.state import State, above_goal, goal_reached, percent_funded, state_at

from ..gateway import Gateway, block_of
from ..index import queries
from ..index.types import CampaignFilter, IndexedCampaign, IndexedEvent, TipMove
from ..node.escrow import Refusal
from ..node.proofs import prove
from ..node.reads import CampaignKey
from ..node.rpc import Chain
from ..node.types import Block, TokenInfo
from . import content
from .milestones import milestones
from .tiers import backer_tier
from .types import (
    BackerCampaign,
    BackerMilestones,
    CampaignDetail,
    CampaignFigures,
    Page,
    Permission,
    PostedUpdate,
    Proved,
    Standing,
)


def _figures(
    gateway: Gateway, indexed: IndexedCampaign, token: TokenInfo, now: int, live: Campaign | None = None
) -> CampaignFigures:
    """A campaign's figures: the chain's own when read `live`, else the index's; the backer
    count and metadata link live only in the events, and what the link names in memory."""
    source: CampaignRecord = live or indexed
    goal, pledged, deadline = source.goal, source.pledged, source.deadline
    state = indexed.state(now) if live is None else live.state
    # A campaign that ended early (cancelled) has no time left, whatever its deadline says.
    running = state in (State.UPCOMING, State.ACTIVE)
    return CampaignFigures(
        id=indexed.id,
        creator=indexed.creator,
        token=token,
        goal=goal,
        cap=source.cap,
        pledged=pledged,
        raised=pledged + indexed.refunded,
        percent_funded=percent_funded(pledged, goal),
        backer_count=indexed.backer_count,
        starts_at=source.starts_at,
        deadline=deadline,
        seconds_left=max(0, deadline - now) if running else 0,
        state=state,
        metadata_uri=indexed.metadata_uri,
        metadata_uri_truncated=indexed.metadata_uri_truncated,
        metadata=content.campaign_metadata(
            gateway, Link(indexed.metadata_uri, indexed.metadata_uri_truncated)
        ),
        claimed=source.claimed,
        cancelled=source.cancelled,
        milestones=None
        if indexed.milestones is None
        else milestones(indexed.milestones, state, pledged, deadline, now),
    )


async def list_campaigns(
    gateway: Gateway, chain: Chain, which: CampaignFilter, *, before: int | None, limit: int
) -> Page[CampaignFigures]:
    """Campaigns, newest first, filtered."""
    tip, rows = await gateway.db(queries.campaigns_page, which, before=before, limit=limit)
    block = block_of(tip)
    shown = rows[:limit]
    tokens = await _tokens(gateway, chain, block, {r.token for r in shown})
    items = [_figures(gateway, r, tokens[r.token], tip.timestamp) for r in shown]
    more = len(rows) > limit
    return Page(items=items, after=(items[-1].id,) if more else None, block=block)


async def _tokens(gateway: Gateway, chain: Chain, block: Block, addresses: set[str]) -> dict[str, TokenInfo]:
    """The tokens a page counts in, read together (one batch for the node). A token whose
    own code fails is an unknown token (Tokens.info), so one hostile token never fails the
    page; only a node failing fails it, as it would fail any other answer."""
    listed = sorted(addresses)
    infos = await asyncio.gather(*(gateway.tokens.info(chain, a, block) for a in listed))
    return dict(zip(listed, infos, strict=True))


@dataclass(frozen=True)
class _Reading:
    """One campaign as read at `block`: what the index holds and what the chain's getCampaign
    returned. A function of the campaign's storage alone (CampaignKey): kept for later blocks
    until an event of the campaign comes, with the state worked out again for their time."""

    indexed: IndexedCampaign
    updates: list[IndexedEvent]
    update_count: int
    live: Campaign
    block: Block
    now: int


async def _read(gateway: Gateway, chain: Chain, campaign_id: int) -> _Reading | None:
    tip, indexed, updates, update_count = await gateway.db(queries.campaign, campaign_id)
    if indexed is None:
        return None
    block = block_of(tip)
    live = await gateway.escrow.campaign(chain, block, campaign_id)
    return _Reading(indexed, updates, update_count, live, block, tip.timestamp)


def follow_moves(gateway: Gateway) -> None:
    """Have the campaign readings follow the index from block to block: those of campaigns
    a move did not touch are carried to its new tip (BlockCache.carry), and those it touched
    that were asked for at the block before are read again at once, before the requests
    for them come (on a live chain, a request otherwise waits for the node and the index
    behind every other request the gateway is serving)."""

    def moved(move: TipMove) -> None:
        before, tip = move.before, move.tip
        if before is None or before.hash is None or tip.hash is None or move.rows is None:
            return  # nothing may be assumed about what changed: every reading starts afresh
        if not gateway.cache.holds_block(before.hash):
            return  # nothing kept to carry (a catch-up): the move's campaigns are not worked out
        touched = move.campaigns or frozenset()
        gateway.cache.carry(before.hash, tip.hash, lambda: touched)
        chain = gateway.holder.current
        if chain is None:
            return
        block = Block(number=tip.number, hash=tip.hash)
        for campaign_id in touched:
            key = CampaignKey("reading", campaign_id)
            if gateway.cache.holds(before.hash, key):
                gateway.cache.prefetch(block, key, functools.partial(_read, gateway, chain, campaign_id))

    gateway.follower.on_move = moved


async def campaign_detail(
    gateway: Gateway, chain: Chain, block: Block, now: int, campaign_id: int
) -> CampaignDetail | None:
    """One campaign at `block` (time `now`), or at the index's tip should that be newer;
    None when the index holds no such campaign."""
    read = await gateway.cache.get(
        block, CampaignKey("reading", campaign_id), lambda: _read(gateway, chain, campaign_id)
    )
    if read is None:
        return None
    live = read.live
    if block.number > read.block.number:
        # Carried from an earlier block: only the time has changed, and with it the state.
        fields = {**dataclasses.asdict(live), "goal_reached": goal_reached(live.pledged, live.goal)}
        live = dataclasses.replace(live, state=state_at(fields, now))
    else:
        block, now = read.block, read.now
    token = await gateway.tokens.info(chain, read.indexed.token, block)
    return CampaignDetail(
        campaign=_figures(gateway, read.indexed, token, now, live),
        updates=posted(gateway, read.updates),
        update_count=read.update_count,
        block=block,
    )


async def proved_detail(
    gateway: Gateway, chain: Chain, block: Block, now: int, campaign_id: int
) -> Proved[CampaignDetail] | None:
    """One campaign with the proof of its four storage slots at the answer's block (which may
    be newer than `block`, as campaign_detail says)."""
    detail = await campaign_detail(gateway, chain, block, now, campaign_id)
    if detail is None:
        return None
    return Proved(detail, await prove(chain, detail.block, slots_of_campaign(campaign_id)))


def posted(gateway: Gateway, events: list[IndexedEvent]) -> list[PostedUpdate]:
    """Updates with what their links name, as far as it is known now."""
    fetch = functools.partial(content.verified, gateway)
    return [
        PostedUpdate(event, gateway.documents.update("" if event.uri_truncated else event.uri or "", fetch))
        for event in events
    ]


async def pledge_history(
    gateway: Gateway,
    campaign_id: int,
    *,
    backer: str | None,
    kind: str | None,
    before: tuple[int, int] | None,
    limit: int,
) -> Page[IndexedEvent] | None:
    """The campaign's money events, newest first; None when there is no such campaign."""
    kinds = (kind,) if kind else queries.HISTORY_KINDS
    return await _events_page(gateway, campaign_id, backer=backer, kinds=kinds, before=before, limit=limit)


async def updates(
    gateway: Gateway, campaign_id: int, *, before: tuple[int, int] | None, limit: int
) -> Page[PostedUpdate] | None:
    """The creator's updates, newest first; None when there is no such campaign."""
    page = await _events_page(
        gateway, campaign_id, backer=None, kinds=("updated",), before=before, limit=limit
    )
    if page is None:
        return None
    return Page(items=posted(gateway, page.items), after=page.after, block=page.block)


async def _events_page(
    gateway: Gateway,
    campaign_id: int,
    *,
    backer: str | None,
    kinds: tuple[str, ...],
    before: tuple[int, int] | None,
    limit: int,
) -> Page[IndexedEvent] | None:
    tip, found, rows = await gateway.db(
        queries.history, campaign_id, backer=backer, kinds=kinds, before=before, limit=limit
    )
    if not found:
        return None
    items = rows[:limit]
    more = len(rows) > limit and bool(items)
    after = (items[-1].block_number, items[-1].log_index) if more else None
    return Page(items=items, after=after, block=block_of(tip))


async def backer_campaigns(
    gateway: Gateway, chain: Chain, backer: str, *, before: int | None, limit: int
) -> Page[BackerCampaign]:
    """Every campaign `backer` ever pledged to, newest campaign first."""
    tip, rows = await gateway.db(queries.backer_campaigns, backer, before=before, limit=limit)
    block = block_of(tip)
    tokens = await _tokens(gateway, chain, block, {row.campaign.token for row in rows[:limit]})
    items = [
        BackerCampaign(
            campaign=_figures(gateway, row.campaign, tokens[row.campaign.token], tip.timestamp),
            pledge=row.pledge,
            refunded=row.refunded,
        )
        for row in rows[:limit]
    ]
    more = len(rows) > limit
    return Page(items=items, after=(items[-1].campaign.id,) if more else None, block=block)


async def standing(gateway: Gateway, chain: Chain, block: Block, campaign_id: int, backer: str) -> Standing:
    """What `backer` holds in the campaign and what it may do now, each action simulated at
    `block` with the escrow's own rules (a halted milestone campaign refunds from the vault,
    with the vault's). CampaignMissing when there is no such campaign."""
    escrow = gateway.escrow
    live, pledge, (record, held, now), tier = await asyncio.gather(
        escrow.campaign(chain, block, campaign_id),
        escrow.pledge_of(chain, block, campaign_id, backer),
        gateway.db(queries.vault_standing, campaign_id, backer),
        backer_tier(gateway, block, campaign_id, backer),
    )
    # As the builder routes it.
    from_vault = (
        record is not None
        and chain.vault is not None
        and refunds_from_vault(collected=record.collected, state=live.state)
    )
    no_pledge = Permission(
        allowed=False, amount=0, reason=f"{backer} holds no pledge in campaign {campaign_id}"
    )
    unpledge = refund = objecting = withdrawing = no_pledge
    if pledge > 0 and record is not None and chain.vault is not None:
        # The vault's own rules decide, with its words; the weight is the pledge.
        objecting, withdrawing = (
            Permission(allowed=True, amount=pledge)
            if refusal is None
            else Permission(False, 0, refusal.message)
            for refusal in await asyncio.gather(
                escrow.attempt(chain, block, backer, "object", campaign_id, vault=True),
                escrow.attempt(chain, block, backer, "withdrawObjection", campaign_id, vault=True),
            )
        )
        gone = lapsed(record, now)
        closed = objection_closed(campaign_id, live.state, gone)
        if closed is not None:  # as the builder refuses it
            objecting = Permission(False, 0, closed)
        if gone:
            withdrawing = Permission(False, 0, objections_lapsed(campaign_id))
    if pledge > 0:
        refusals = await asyncio.gather(
            escrow.attempt(chain, block, backer, "unpledge", campaign_id, pledge),
            escrow.attempt(chain, block, backer, "refund", campaign_id, vault=from_vault),
        )
        unpledge, refund = (_permission(refusal, pledge, live) for refusal in refusals)
        if from_vault and refund.allowed and record is not None:
            # Each vault refund is at least the pledge's part of what the backers share; a
            # backer refunding again takes its part of tranches due at the halt that lapsed.
            base = record.received if record.collected else live.pledged
            shared = shared_by_backers(record, base, now)
            if held.refunded:
                shared -= refundable(base, record.tranches, record.halted_at)
            refund = Permission(allowed=True, amount=pledge * shared // live.pledged if live.pledged else 0)
    return Standing(
        campaign_id=campaign_id,
        backer=backer,
        pledge=pledge,
        state=live.state,
        unpledge=unpledge,
        refund=refund,
        block=block,
        tier=tier,
        milestones=None
        if record is None
        else BackerMilestones(
            objection=held.objection,
            refunded=held.refunded,
            refund=held.refund,
            object=objecting,
            withdraw_objection=withdrawing,
        ),
    )


async def proved_standing(
    gateway: Gateway, chain: Chain, block: Block, campaign_id: int, backer: str
) -> Proved[Standing]:
    """A backer's standing with the proof of its pledge's slot and of the campaign's four,
    which its state is worked out from."""
    found = await standing(gateway, chain, block, campaign_id, backer)
    slots = (*slots_of_campaign(campaign_id), slot_of_pledge(campaign_id, backer))
    return Proved(found, await prove(chain, found.block, slots))


def _permission(refusal: Refusal | None, pledge: int, live: Campaign) -> Permission:
    if refusal is None:
        return Permission(allowed=True, amount=pledge, reason=None)
    if refusal.error is not None and refusal.error.name == "GoalLocked":
        # In the last day a backer may still take back what lies above the goal.
        movable = above_goal(pledge, live.pledged, live.goal)
        return Permission(allowed=movable > 0, amount=movable, reason=refusal.message)
    return Permission(allowed=False, amount=0, reason=refusal.message)
