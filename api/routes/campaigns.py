"""GET /campaigns and /campaigns/{id}: campaigns as the chain holds them at one block."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query

from api import models
from api.chain import CampaignMissing, Chain
from api.dependencies import ChainDep
from crowdfund.escrow import Campaign

router = APIRouter(prefix="/campaigns", tags=["campaigns"])

PAGE_READ = 100  # campaigns fetched per getCampaigns call while filling a page


async def to_model(chain: Chain, c: Campaign, now: int) -> models.Campaign:
    return models.Campaign(
        id=c.id,
        creator=c.creator,
        token=await chain.token(c.token),
        goal=str(c.goal),
        cap=str(c.cap),
        pledged=str(c.pledged),
        percent_funded=round(100 * c.pledged / c.goal, 2),
        starts_at=c.starts_at,
        deadline=c.deadline,
        seconds_left=max(0, c.deadline - now),
        state=c.state.name.lower(),
        claimed=c.claimed,
        cancelled=c.cancelled,
    )


def encode_cursor(next_id: int) -> str:
    return base64.urlsafe_b64encode(f"before:{next_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, value = text.partition(":")
        if prefix != "before" or not value.isdigit():
            raise ValueError(text)
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(422, f"cursor {cursor!r} is not one this gateway issued") from None


@router.get("", response_model=models.CampaignPage, responses={422: {"model": models.Problem}})
async def list_campaigns(
    chain: ChainDep,
    state: Annotated[models.StateName | None, Query(description="only campaigns in this state")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(description="from a previous page's next_cursor")] = None,
) -> models.CampaignPage:
    """Campaigns, newest first."""
    block = await chain.head()
    now = await chain.timestamp(block)
    count = await chain.campaign_count(block)
    before = min(decode_cursor(cursor), count + 1) if cursor else count + 1
    items: list[models.Campaign] = []
    next_id = before  # ids below this are still to read
    while next_id > 1 and len(items) < limit:
        from_id = max(1, next_id - PAGE_READ)
        batch = await chain.campaigns(from_id, next_id - from_id, block)
        for campaign in reversed(batch):
            next_id = campaign.id
            if state is None or campaign.state.name.lower() == state:
                items.append(await to_model(chain, campaign, now))
                if len(items) == limit:
                    break
        else:
            next_id = from_id
    return models.CampaignPage(
        items=items, next_cursor=encode_cursor(next_id) if next_id > 1 else None, block=block
    )


@router.get(
    "/{campaign_id}",
    response_model=models.CampaignDetail,
    responses={404: {"model": models.Problem}, 422: {"model": models.Problem}},
)
async def get_campaign(
    chain: ChainDep, campaign_id: Annotated[int, Path(ge=1, le=2**64)]
) -> models.CampaignDetail:
    block = await chain.head()
    try:
        campaign = await chain.campaign(campaign_id, block)
    except CampaignMissing as exc:
        raise HTTPException(404, str(exc)) from None
    model = await to_model(chain, campaign, await chain.timestamp(block))
    return models.CampaignDetail(**model.model_dump(), block=block)
