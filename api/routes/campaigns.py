"""Campaigns: the list (from the index), one campaign (live from the node, cached per
block), its pledge history, and where one backer stands in it."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response

from api import calls, models, queries, views
from api.chain import RpcError
from api.dependencies import ReadingDep, get_reading
from api.gateway import CampaignMissing, block_of
from crowdfund.errors import decode_error

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

CampaignId = Annotated[int, Path(ge=1, le=models.MAX_UINT256, description="the campaign's id")]
Limit = Annotated[int, Query(ge=1, le=100, description="items per page")]
Cursor = Annotated[str | None, Query(description="from a previous page's next_cursor")]

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": models.Problem, "description": "the node is down or the index too far behind"}
}
INVALID: dict[int | str, dict[str, Any]] = {422: {"model": models.Problem, "description": "malformed input"}}
MISSING: dict[int | str, dict[str, Any]] = {404: {"model": models.Problem, "description": "no such campaign"}}


@router.get("", response_model=models.CampaignPage, responses={**INVALID, **UNAVAILABLE})
async def list_campaigns(
    request: Request,
    state: Annotated[models.StateName | None, Query(description="only campaigns in this state")] = None,
    creator: Annotated[models.Address | None, Query(description="only this creator's campaigns")] = None,
    token: Annotated[
        models.Address | None, Query(description="only campaigns in this token (0x0…0: ETH)")
    ] = None,
    backer: Annotated[
        models.Address | None, Query(description="only campaigns this address pledged to")
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Campaigns, newest first."""
    at = await get_reading(request)  # not a declared dependency: see get_campaign
    gateway, chain, pinned = at.gateway, at.chain, at.block
    before = views.decode_cursor(cursor, 1)[0] if cursor else None

    async def page() -> models.CampaignPage:
        tip, rows = await gateway.db(
            queries.campaigns_page,
            state=state, creator=creator, token=token, backer=backer, before=before, limit=limit,
        )  # fmt: skip
        block = block_of(tip)
        tokens = {a: await gateway.token(chain, a, block) for a in {r["token"] for r in rows[:limit]}}
        items = [views.campaign_from_row(r, tokens[r["token"]], tip.timestamp) for r in rows[:limit]]
        more = len(rows) > limit
        return models.CampaignPage(
            items=items, next_cursor=views.encode_cursor(items[-1].id) if more else None, block=block
        )

    key = ("list", state, creator, token, backer, before, limit)
    body = await gateway.cache.get(pinned, key, views.rendered(page))
    assert body is not None
    return views.json_bytes(body)


@router.get(
    "/{campaign_id}", response_model=models.CampaignDetail, responses={**MISSING, **INVALID, **UNAVAILABLE}
)
async def get_campaign(request: Request, campaign_id: CampaignId) -> Response:
    """One campaign: the chain's figures read live at the block, with its metadata, updates
    and backer count from the index at the same block."""
    # The hottest route takes its reading without a declared dependency: FastAPI's
    # dependency solving is a third of the cost of a cached answer (docs/performance.md).
    at = await get_reading(request)
    gateway, chain, pinned = at.gateway, at.chain, at.block
    if campaign_id > views.MAX_INDEXED_ID:
        raise HTTPException(404, f"campaign {campaign_id} does not exist")

    async def detail() -> models.CampaignDetail | None:
        tip, row, updates = await gateway.db(queries.campaign, campaign_id)
        if row is None:
            return None
        block = block_of(tip)
        live, token = await asyncio.gather(
            gateway.campaign(chain, campaign_id, block), gateway.token(chain, row["token"], block)
        )
        return views.campaign_detail(live, row, updates, token, tip.timestamp, block)

    answer = await gateway.cache.get(pinned, ("campaign", campaign_id), views.rendered(detail))
    if answer is None:
        raise HTTPException(404, f"campaign {campaign_id} does not exist")
    return views.json_bytes(answer)


@router.get(
    "/{campaign_id}/pledges",
    response_model=models.HistoryPage,
    responses={**MISSING, **INVALID, **UNAVAILABLE},
)
async def pledge_history(
    at: ReadingDep,
    campaign_id: CampaignId,
    backer: Annotated[models.Address | None, Query(description="only this backer's entries")] = None,
    kind: Annotated[models.HistoryKind | None, Query(description="only entries of this kind")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """The campaign's money history, newest first: pledges, unpledges, refunds and the claim."""
    gateway, pinned = at.gateway, at.block
    if campaign_id > views.MAX_INDEXED_ID:
        raise HTTPException(404, f"campaign {campaign_id} does not exist")
    before = views.decode_cursor(cursor, 2) if cursor else None

    async def page() -> models.HistoryPage | None:
        kinds = (kind,) if kind else queries.HISTORY_KINDS
        tip, found, rows = await gateway.db(
            queries.history, campaign_id, backer=backer, kinds=kinds, before=before, limit=limit
        )
        if not found:
            return None
        items = [views.history_entry(r) for r in rows[:limit]]
        last = items[-1] if items else None
        more = len(rows) > limit and last is not None
        return models.HistoryPage(
            items=items,
            next_cursor=views.encode_cursor(last.block_number, last.log_index) if more and last else None,
            block=block_of(tip),
        )

    key = ("history", campaign_id, backer, kind, before, limit)
    answer = await gateway.cache.get(pinned, key, views.rendered(page))
    if answer is None:
        raise HTTPException(404, f"campaign {campaign_id} does not exist")
    return views.json_bytes(answer)


@router.get(
    "/{campaign_id}/backers/{address}",
    response_model=models.BackerStanding,
    responses={**MISSING, **INVALID, **UNAVAILABLE},
)
async def backer_standing(at: ReadingDep, campaign_id: CampaignId, address: models.Address) -> Response:
    """What `address` holds in the campaign and what it may do now: unpledge (how much) and
    refund, each simulated at the block with the escrow's own rules."""
    gateway, chain, pinned = at.gateway, at.chain, at.block

    async def standing() -> models.BackerStanding:
        escrow = chain.address
        live, held = await asyncio.gather(
            gateway.campaign(chain, campaign_id, pinned),
            gateway.reader.call(chain, pinned, escrow, calls.escrow_call("pledgeOf", campaign_id, address)),
        )
        pledge = calls.decode_uint(held)
        no_pledge = f"{address} holds no pledge in campaign {campaign_id}"
        unpledge = models.Permission(allowed=False, amount="0", reason=no_pledge)
        refund = models.Permission(allowed=False, amount="0", reason=no_pledge)
        if pledge > 0:
            tries = await asyncio.gather(
                gateway.reader.call(
                    chain, pinned, escrow, calls.escrow_call("unpledge", campaign_id, pledge), sender=address
                ),
                gateway.reader.call(
                    chain, pinned, escrow, calls.escrow_call("refund", campaign_id), sender=address
                ),
                return_exceptions=True,
            )
            for answer in tries:
                if isinstance(answer, BaseException) and not isinstance(answer, RpcError):
                    raise answer
            unpledge = _permission(tries[0], pledge, live.pledged)
            refund = _permission(tries[1], pledge, live.pledged)
        return models.BackerStanding(
            campaign_id=campaign_id,
            backer=address,
            pledge=str(pledge),
            state=live.state.name.lower(),
            unpledge=unpledge,
            refund=refund,
            block=pinned,
        )

    try:
        answer = await gateway.cache.get(pinned, ("backer", campaign_id, address), views.rendered(standing))
    except CampaignMissing as exc:
        raise HTTPException(404, str(exc)) from None
    assert answer is not None
    return views.json_bytes(answer)


def _permission(answer: str | BaseException, pledge: int, total: int) -> models.Permission:
    if not isinstance(answer, RpcError):
        return models.Permission(allowed=True, amount=str(pledge), reason=None)
    error = decode_error(answer.revert_data) if answer.revert_data else None
    if error is None:
        return models.Permission(allowed=False, amount="0", reason=str(answer))
    if error.name == "GoalLocked":
        # In the last day a backer may still take back what lies above the goal.
        above_goal = max(0, min(pledge, total - int(error.args["goal"])))
        return models.Permission(allowed=above_goal > 0, amount=str(above_goal), reason=error.message)
    return models.Permission(allowed=False, amount="0", reason=error.message)
