"""Response models: amounts as decimal strings of base units, addresses checksummed,
times as unix seconds, and the block every figure was read at."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

StateName = Literal["upcoming", "active", "succeeded", "failed", "cancelled", "claimed"]


class BlockRef(BaseModel):
    number: int
    hash: str


class Token(BaseModel):
    address: str = Field(description="0x000…000 for ETH")
    symbol: str
    decimals: int


class Campaign(BaseModel):
    id: int
    creator: str
    token: Token
    goal: str
    cap: str = Field(description='"0" when the campaign has no cap')
    pledged: str
    percent_funded: float
    starts_at: int
    deadline: int
    seconds_left: int
    state: StateName
    claimed: bool
    cancelled: bool


class CampaignDetail(Campaign):
    block: BlockRef


class CampaignPage(BaseModel):
    items: list[Campaign]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null at the end")
    block: BlockRef


class Health(BaseModel):
    status: Literal["ok"]
    chain_id: int
    escrow: str
    block: BlockRef


class Problem(BaseModel):
    detail: str
