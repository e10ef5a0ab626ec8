"""FastAPI dependencies as Annotated aliases: the gateway, the node, the pinned block."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from ..gateway import Gateway
from ..node.rpc import Chain
from ..node.types import Block


async def get_gateway(request: Request) -> Gateway:
    gateway: Gateway = request.app.state.gateway
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]


async def get_chain(gateway: GatewayDep) -> Chain:
    return await gateway.holder.get()


ChainDep = Annotated[Chain, Depends(get_chain)]


async def get_pinned(gateway: GatewayDep) -> Block:
    """The block this request is answered at (the index's tip); 503 when none can be trusted."""
    block, _ = gateway.follower.pinned()
    return block


PinnedDep = Annotated[Block, Depends(get_pinned)]


@dataclass(frozen=True)
class Reading:
    """What a read needs: the gateway, the node, the block to answer at and its time."""

    gateway: Gateway
    chain: Chain
    block: Block
    now: int  # the block's timestamp


async def get_reading(request: Request) -> Reading:
    # One dependency instead of three: the reads are the hot path, and FastAPI's
    # per-dependency overhead is a visible share of a cached answer's cost.
    gateway: Gateway = request.app.state.gateway
    block, now = gateway.follower.pinned()
    chain = gateway.holder.current or await gateway.holder.get()
    return Reading(gateway, chain, block, now)


ReadingDep = Annotated[Reading, Depends(get_reading)]
