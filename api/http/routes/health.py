"""GET /health: whether each part the answers depend on can be trusted (the node, the
follower, the index, its database), which escrow this gateway serves, how far the index
has got and this process's role in indexing; and GET /health/live, which answers as long
as the process runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ...status import Status, status
from .. import render
from ..dependencies import GatewayDep
from ..schemas import Component, Components, Health, HealthProblem, Liveness

router = APIRouter(prefix="/health", tags=["health"])


def _components(value: Status) -> Components:
    return Components(
        **{
            name: Component(status="ok" if part.ok else "failing", detail=part.problem)
            for name, part in value.components.items()
        }
    )


@router.get("", response_model=Health, responses={503: {"model": HealthProblem}})
async def health(gateway: GatewayDep) -> Any:
    """503 with Retry-After while any part cannot be trusted: the node does not answer, answers
    garbage, serves another chain or stands still (STALL_AFTER); the index trails it by more
    than MAX_LAG blocks or indexing is paused; the database does not answer or refused a write."""
    now = await status(gateway)
    problem = now.problem
    if problem is not None or now.block is None or now.head is None or now.lag is None:
        body = HealthProblem(
            detail=problem or "the index has not reached the escrow's first block yet",
            status="unavailable",
            role=now.role,
            chain_id=now.chain_id,
            head=now.head,
            indexed=now.indexed,
            components=_components(now),
        )
        headers = {"Retry-After": str(gateway.retry_after)}
        return JSONResponse(body.model_dump(mode="json"), status_code=503, headers=headers)
    assert now.chain_id is not None and now.escrow is not None and now.indexed is not None
    return Health(
        status="ok",
        role=now.role,
        chain_id=now.chain_id,
        escrow=now.escrow,
        vault=now.vault,
        head=now.head,
        indexed=now.indexed,
        lag=now.lag,
        confirmations=now.confirmations,
        block=render.block(now.block),
        components=_components(now),
    )


@router.get("/live", response_model=Liveness)
async def live() -> Liveness:
    """A liveness probe: touches neither the node nor the index."""
    return Liveness(status="ok")
