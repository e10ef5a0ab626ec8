"""Campaigns: the list (from the index), one campaign (live from the node, cached per
block), its pledge history, and where one backer stands in it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import BaseModel

from crowdfund.state import State

from ...index.schema import MAX_CAMPAIGN_ID
from ...index.types import CampaignFilter, IndexedEvent
from ...node.escrow import CampaignMissing
from ...services import campaigns, tiers
from ...services.types import (
    CampaignDetail,
    CampaignFigures,
    CampaignTiers,
    Page,
    PostedUpdate,
    Proved,
    Standing,
)
from .. import render, schemas
from ..cursors import decode_cursor
from ..dependencies import Reading, ReadingDep, get_reading

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

E = TypeVar("E", IndexedEvent, PostedUpdate)
T = TypeVar("T")

# The validator after the Path or Query, so that their bounds stay in the OpenAPI schema.
CampaignId = Annotated[
    int, Path(ge=1, le=schemas.MAX_UINT256, description="the campaign's id"), schemas.PlainInteger
]
Limit = Annotated[int, Query(ge=1, le=100, description="items per page"), schemas.PlainInteger]
Cursor = Annotated[str | None, Query(description="from a previous page's next_cursor")]

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": schemas.Problem, "description": "the node is down or the index too far behind"}
}
INVALID: dict[int | str, dict[str, Any]] = {422: {"model": schemas.Problem, "description": "malformed input"}}
MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.Problem, "description": "no such campaign"}
}
# What a route about one campaign may answer besides its model.
ONE = {**MISSING, **INVALID, **UNAVAILABLE}
# A route that proves its answer on request.
PROVABLE: dict[int | str, dict[str, Any]] = {
    **ONE,
    501: {"model": schemas.Problem, "description": "proof=true, and the node serves no eth_getProof"},
}
Proof = Annotated[
    bool,
    Query(
        description="add `proof`: the EIP-1186 proof (eth_getProof) of the escrow's storage slots behind "
        "the answer's chain figures, at its block, for `crowdfund verify-answer` (docs/audit.md)"
    ),
]


def _missing(campaign_id: int) -> HTTPException:
    return HTTPException(404, f"campaign {campaign_id} does not exist")


@router.get("", response_model=schemas.CampaignPage, responses={**INVALID, **UNAVAILABLE})
async def list_campaigns(
    request: Request,
    state: Annotated[schemas.StateName | None, Query(description="only campaigns in this state")] = None,
    creator: Annotated[
        schemas.Address | None,
        Query(description="only this creator's campaigns (a milestone campaign's real creator too)"),
    ] = None,
    token: Annotated[
        schemas.Address | None, Query(description="only campaigns in this token (0x0…0: ETH)")
    ] = None,
    backer: Annotated[
        schemas.Address | None, Query(description="only campaigns this address pledged to")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Campaigns, newest first."""
    at = await get_reading(request)  # not a declared dependency: see get_campaign
    gateway, chain, pinned = at.gateway, at.chain, at.block
    before = decode_cursor(cursor, 1)[0] if cursor else None
    which = CampaignFilter(State[state.upper()] if state else None, creator, token, backer)

    async def page() -> Page[CampaignFigures]:
        return await campaigns.list_campaigns(gateway, chain, which, before=before, limit=limit)

    # With the documents' generation: an answer that showed a link as unavailable is not
    # served again once the document has arrived (services/documents.py).
    key = ("list", which, before, limit, gateway.documents.generation)
    body = await gateway.cache.get(pinned, key, render.once(page, render.campaign_page))
    assert body is not None
    return render.json_bytes(body)


@router.get(
    "/{campaign_id}",
    response_model=schemas.CampaignDetail | schemas.ProvedCampaignDetail,
    responses=PROVABLE,
)
async def get_campaign(request: Request, campaign_id: CampaignId, proof: Proof = False) -> Response:
    """One campaign: the chain's figures read live at the block, with its metadata, updates
    and backer count from the index at the same block; with proof=true, the proof of the
    storage they come from."""
    # The hottest route takes its reading without a declared dependency: FastAPI's
    # dependency solving is a third of the cost of a cached answer (docs/performance.md).
    at = await get_reading(request)
    if proof:

        async def proved() -> Proved[CampaignDetail] | None:
            return await campaigns.proved_detail(at.gateway, at.chain, at.block, at.now, campaign_id)

        return await _one_campaign(at, campaign_id, "campaign-proof", proved, render.proved_detail)

    async def detail() -> CampaignDetail | None:
        return await campaigns.campaign_detail(at.gateway, at.chain, at.block, at.now, campaign_id)

    return await _one_campaign(at, campaign_id, "campaign", detail, render.campaign_detail)


async def _one_campaign(
    at: Reading,
    campaign_id: int,
    kind: str,
    compute: Callable[[], Awaitable[T | None]],
    rendered: Callable[[T], BaseModel],
) -> Response:
    """An answer about one campaign that shows what its metadata link names: cached at the
    block with the documents' generation, so that one that showed the document unavailable is
    not served again once it has arrived (services/documents.py); 404 when there is no such
    campaign."""
    if campaign_id > MAX_CAMPAIGN_ID:
        raise _missing(campaign_id)
    key = (kind, campaign_id, at.gateway.documents.generation)
    answer = await at.gateway.cache.get(at.block, key, render.once(compute, rendered))
    if answer is None:
        raise _missing(campaign_id)
    return render.json_bytes(answer)


@router.get("/{campaign_id}/pledges", response_model=schemas.HistoryPage, responses=ONE)
async def pledge_history(
    at: ReadingDep,
    campaign_id: CampaignId,
    backer: Annotated[schemas.Address | None, Query(description="only this backer's entries")] = None,
    kind: Annotated[schemas.HistoryKind | None, Query(description="only entries of this kind")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """The campaign's money history, newest first: pledges, unpledges, refunds and the claim;
    for a milestone campaign also the vault's releases, objections, halt, lapse and refunds."""

    async def page(before: tuple[int, int] | None) -> Page[IndexedEvent] | None:
        return await campaigns.pledge_history(
            at.gateway, campaign_id, backer=backer, kind=kind, before=before, limit=limit
        )

    key = ("history", campaign_id, backer, kind, limit)
    return await _events_page(at, campaign_id, cursor, key, page, render.history_page)


@router.get("/{campaign_id}/updates", response_model=schemas.UpdatePage, responses=ONE)
async def list_updates(
    at: ReadingDep, campaign_id: CampaignId, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    """The creator's updates, newest first (a campaign's answer carries only its newest 20)."""

    async def page(before: tuple[int, int] | None) -> Page[PostedUpdate] | None:
        return await campaigns.updates(at.gateway, campaign_id, before=before, limit=limit)

    key = ("updates", campaign_id, limit, at.gateway.documents.generation)
    return await _events_page(at, campaign_id, cursor, key, page, render.update_page)


async def _events_page(
    at: Reading,
    campaign_id: int,
    cursor: str | None,
    key: tuple[object, ...],
    page: Callable[[tuple[int, int] | None], Awaitable[Page[E] | None]],
    rendered: Callable[[Page[E]], BaseModel],
) -> Response:
    """A page of a campaign's events after `cursor`, cached at the block; 404 when there is
    no such campaign."""
    if campaign_id > MAX_CAMPAIGN_ID:
        raise _missing(campaign_id)
    decoded = decode_cursor(cursor, 2) if cursor else None
    before = (decoded[0], decoded[1]) if decoded else None
    answer = await at.gateway.cache.get(at.block, (*key, before), render.once(lambda: page(before), rendered))
    if answer is None:
        raise _missing(campaign_id)
    return render.json_bytes(answer)


@router.get("/{campaign_id}/tiers", response_model=schemas.CampaignTiers, responses=ONE)
async def campaign_tiers(at: ReadingDep, campaign_id: CampaignId) -> Response:
    """The campaign's reward tiers, each with its holders, places left and line, by the open
    rule of docs/tiers.md replayed from the pledge events; none unless its metadata is verified
    (`metadata_status` says why). The escrow keeps no limit: the rule does."""

    async def given_out() -> CampaignTiers | None:
        return await tiers.campaign_tiers(at.gateway, at.block, campaign_id)

    return await _one_campaign(at, campaign_id, "tiers", given_out, render.campaign_tiers)


@router.get(
    "/{campaign_id}/backers/{address}",
    response_model=schemas.BackerStanding | schemas.ProvedBackerStanding,
    responses=PROVABLE,
)
async def backer_standing(
    at: ReadingDep, campaign_id: CampaignId, address: schemas.Address, proof: Proof = False
) -> Response:
    """What `address` holds in the campaign and what it may do now: unpledge (how much) and
    refund, each simulated at the block with the escrow's own rules; the reward tier it
    holds and the lines it waits in (docs/tiers.md); with proof=true, the proof of its
    pledge's slot and of the campaign's."""
    gateway, chain, pinned = at.gateway, at.chain, at.block

    async def standing() -> Standing:
        return await campaigns.standing(gateway, chain, pinned, campaign_id, address)

    async def proved() -> Proved[Standing]:
        return await campaigns.proved_standing(gateway, chain, pinned, campaign_id, address)

    try:
        answer = await gateway.cache.get(
            pinned,
            # With the documents' generation: the tier shown depends on the metadata's status.
            ("backer-proof" if proof else "backer", campaign_id, address, gateway.documents.generation),
            render.once(proved, render.proved_standing) if proof else render.once(standing, render.standing),
        )
    except CampaignMissing as exc:
        raise HTTPException(404, str(exc)) from None
    assert answer is not None
    return render.json_bytes(answer)
