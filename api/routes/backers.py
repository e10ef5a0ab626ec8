"""GET /backers/{address}/pledges: every campaign a backer is in, from the index."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api import models, queries, views
from api.dependencies import ReadingDep
from api.gateway import block_of
from api.routes.campaigns import INVALID, UNAVAILABLE, Cursor, Limit

router = APIRouter(prefix="/backers", tags=["backers"])


@router.get("/{address}/pledges", response_model=models.BackerPage, responses={**INVALID, **UNAVAILABLE})
async def backer_pledges(
    at: ReadingDep,
    address: models.Address,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Every campaign `address` ever pledged to (newest campaign first), with what it holds
    there now and what it took back in refunds."""
    gateway, chain, pinned = at.gateway, at.chain, at.block
    before = views.decode_cursor(cursor, 1)[0] if cursor else None

    async def page() -> models.BackerPage:
        tip, rows = await gateway.db(queries.backer_campaigns, address, before=before, limit=limit)
        block = block_of(tip)
        items = []
        for row in rows[:limit]:
            token = await gateway.token(chain, row["token"], block)
            items.append(
                models.BackerCampaign(
                    campaign=views.campaign_from_row(row, token, tip.timestamp),
                    pledge=row["position_amount"],
                    refunded=row["position_refunded"],
                )
            )
        more = len(rows) > limit
        return models.BackerPage(
            backer=address,
            items=items,
            next_cursor=views.encode_cursor(items[-1].campaign.id) if more else None,
            block=block,
        )

    body = await gateway.cache.get(pinned, ("backer-pledges", address, before, limit), views.rendered(page))
    assert body is not None
    return views.json_bytes(body)
