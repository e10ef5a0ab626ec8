"""GET /health: is the node reachable, and which escrow does this gateway serve."""

from __future__ import annotations

from fastapi import APIRouter

from api.dependencies import ChainDep
from api.models import Health, Problem

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, responses={503: {"model": Problem}})
async def health(chain: ChainDep) -> Health:
    return Health(status="ok", chain_id=chain.chain_id, escrow=chain.escrow.address, block=await chain.head())
