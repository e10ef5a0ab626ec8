"""The gateway's long-lived parts, built once in the app's lifespan: the node connection
and its block-pinned reads, the index with its indexer, and the follower that pins every
answer to the index's tip."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from .index import schema
from .index.follower import Follower
from .index.indexer import Indexer, IndexerOptions
from .index.types import Tip
from .node.escrow import EscrowReads
from .node.reads import BlockCache, Reader
from .node.rpc import ChainHolder
from .node.tokens import Tokens
from .node.types import Block
from .settings import Settings

T = TypeVar("T")


def block_of(tip: Tip) -> Block:
    assert tip.hash is not None, "answers are pinned only to an indexed block"
    return Block(number=tip.number, hash=tip.hash)


@dataclass
class Gateway:
    holder: ChainHolder
    engine: Engine
    follower: Follower
    indexer: Indexer | None
    cache: BlockCache
    reader: Reader
    tokens: Tokens
    escrow: EscrowReads

    async def db(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an index query in a worker thread (the database driver blocks)."""
        return await asyncio.to_thread(query, self.engine, *args, **kwargs)


def holder_for(settings: Settings) -> ChainHolder:
    return ChainHolder(str(settings.rpc_url), settings.escrow_address, settings.rpc_timeout)


def indexer_options(settings: Settings) -> IndexerOptions:
    return IndexerOptions(
        confirmations=settings.confirmations,
        start_block=settings.start_block,
        log_chunk=settings.log_chunk,
        poll_interval=settings.poll_interval,
    )


def build(settings: Settings) -> Gateway:
    holder = holder_for(settings)
    engine = schema.connect(settings.database_url)
    follower = Follower(
        holder,
        engine,
        confirmations=settings.confirmations,
        max_lag=settings.max_lag,
        poll_interval=settings.poll_interval,
        read_tip_from_db=not settings.run_indexer,
    )
    indexer = (
        Indexer(engine, holder, indexer_options(settings), follower.on_tip) if settings.run_indexer else None
    )
    reader = Reader(batching=settings.read_cache)
    return Gateway(
        holder=holder,
        engine=engine,
        follower=follower,
        indexer=indexer,
        cache=BlockCache(enabled=settings.read_cache, max_bytes=settings.cache_bytes),
        reader=reader,
        tokens=Tokens(reader),
        escrow=EscrowReads(reader),
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Gateway]:
    """The gateway with its background loops (follower, and the indexer unless it runs apart)."""
    gateway = build(settings)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(gateway.follower.run(stop))]
    if gateway.indexer is not None:
        tasks.append(asyncio.create_task(gateway.indexer.run(stop)))
    try:
        yield gateway
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await gateway.holder.close()
        gateway.engine.dispose()
