"""GET /backers/{address}/pledges: every campaign a backer is in, from the index."""

from __future__ import annotations

from fastapi import APIRouter, Response

from ...services import campaigns
from ...services.types import BackerCampaign, Page
from .. import render, schemas
from ..cursors import decode_cursor
from ..dependencies import ReadingDep
from .campaigns import INVALID, UNAVAILABLE, Cursor, Limit

router = APIRouter(prefix="/backers", tags=["backers"])


@router.get("/{address}/pledges", response_model=schemas.BackerPage, responses={**INVALID, **UNAVAILABLE})
async def backer_pledges(
    at: ReadingDep,
    address: schemas.Address,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Every campaign `address` ever pledged to (newest campaign first), with what it holds
    there now and what it took back in refunds."""
    gateway, chain, pinned = at.gateway, at.chain, at.block
    before = decode_cursor(cursor, 1)[0] if cursor else None

    async def page() -> Page[BackerCampaign]:
        return await campaigns.backer_campaigns(gateway, chain, address, before=before, limit=limit)

    body = await gateway.cache.get(
        pinned,
        ("backer-pledges", address, before, limit, gateway.documents.generation),
        render.once(page, lambda found: render.backer_page(address, found)),
    )
    assert body is not None
    return render.json_bytes(body)
