"""A campaign's reward tiers as the open rule gives them out (crowdfund/tiers.py): who holds
each and who waits for it, worked out from the index's pledge events in the thread that
reads them, kept per campaign until the campaign's next event."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crowdfund.metadata import CampaignMetadata, Tier
from crowdfund.pledges import pledges_after
from crowdfund.tiers import TierPlaces, assign

from ..gateway import Gateway, block_of
from ..index import queries
from ..node.reads import CampaignKey
from ..node.types import Block
from . import content
from .types import Backers, BackerTier, CampaignTiers, Found, TierRoll


@dataclass(frozen=True)
class Roster:
    """A campaign's tiers in the document's order, given out from its events up to `block`.
    A function of the campaign's events alone (its document, once verified, never changes):
    kept under CampaignKey, and carried to later blocks until the campaign's next event."""

    tiers: tuple[TierRoll, ...]
    block: Block


NO_TIER = BackerTier(None, ())


def _rolls(tiers: Sequence[Tier], events: Iterable[tuple[str, str, int]]) -> tuple[TierRoll, ...]:
    return tuple(_roll(p) for p in assign(tiers, pledges_after(events)))


def _roll(places: TierPlaces) -> TierRoll:
    return TierRoll(places.tier, Backers.of(places.holders), Backers.of(places.in_line))


async def _roster(gateway: Gateway, block: Block, campaign_id: int, document: CampaignMetadata) -> Roster:
    async def read() -> Roster:
        consume = functools.partial(_rolls, document.tiers)
        tip, rolls = await gateway.db(queries.pledge_events, campaign_id, consume)
        return Roster(rolls, block_of(tip))

    return await gateway.cache.get(block, CampaignKey("tiers", campaign_id), read)


async def _document(gateway: Gateway, campaign_id: int) -> tuple[Block, Found[CampaignMetadata]] | None:
    """The campaign's metadata as far as it is known now, and the index's block; None when
    there is no such campaign."""
    tip, link = await gateway.db(queries.metadata_link, campaign_id)
    if link is None:
        return None
    return block_of(tip), content.campaign_metadata(gateway, link)


async def campaign_tiers(gateway: Gateway, block: Block, campaign_id: int) -> CampaignTiers | None:
    """The campaign's tiers with their holders and lines, read at `block` or the index's
    newer tip; None when there is no such campaign."""
    known = await _document(gateway, campaign_id)
    if known is None:
        return None
    read_at, found = known
    if found.document is None or not found.document.tiers:
        return CampaignTiers(campaign_id, found.status, (), read_at)
    roster = await _roster(gateway, block, campaign_id, found.document)
    # Carried from an earlier block, the roster holds at this one too.
    at = block if block.number > roster.block.number else roster.block
    return CampaignTiers(campaign_id, found.status, roster.tiers, at)


async def backer_tier(gateway: Gateway, block: Block, campaign_id: int, backer: str) -> BackerTier:
    """The tier `backer` holds in the campaign and the lines it waits in; none of either for a
    campaign without verified tiers, or not (yet) in the index."""
    known = await _document(gateway, campaign_id)
    if known is None or known[1].document is None or not known[1].document.tiers:
        return NO_TIER
    roster = await _roster(gateway, block, campaign_id, known[1].document)
    holds = next((roll.tier for roll in roster.tiers if roll.holders.place(backer) is not None), None)
    in_line = tuple(
        (roll.tier, place) for roll in roster.tiers if (place := roll.in_line.place(backer)) is not None
    )
    return BackerTier(holds, in_line)
