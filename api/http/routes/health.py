"""GET /health: is the node reachable, which escrow this gateway serves, how far the
index has got; and GET /health/live, which answers as long as the process runs."""

from __future__ import annotations

from fastapi import APIRouter

from .. import render
from ..dependencies import ChainDep, GatewayDep, PinnedDep
from ..schemas import Health, Liveness, Problem

router = APIRouter(prefix="/health", tags=["health"])


@router.get("", response_model=Health, responses={503: {"model": Problem}})
async def health(gateway: GatewayDep, chain: ChainDep, pinned: PinnedDep) -> Health:
    """503 when the node does not answer or the index trails it by more than MAX_LAG blocks."""
    head = int(await chain.rpc("eth_blockNumber", []), 16)
    follower = gateway.follower
    lag = max(0, head - follower.confirmations - pinned.number)
    return Health(
        status="ok",
        chain_id=chain.chain_id,
        escrow=chain.address,
        head=head,
        indexed=pinned.number,
        lag=lag,
        confirmations=follower.confirmations,
        block=render.block(pinned),
    )


@router.get("/live", response_model=Liveness)
async def live() -> Liveness:
    """A liveness probe: touches neither the node nor the index."""
    return Liveness(status="ok")
