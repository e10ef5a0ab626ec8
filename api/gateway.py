"""The gateway's long-lived parts, built once in the app's lifespan: the node connection
and its block-pinned reads, the index with its indexer, the follower that pins every
answer to the index's tip, and the content store with the IPFS gateway behind it, and the
documents its links name as answers show them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from crowdfund.content import CONTENT_MAX

from .index.backoff import BACKOFF_LIMIT, pause
from .index.content import ContentStore, store_for
from .index.database import IndexDatabase
from .index.follower import Follower
from .index.indexer import Indexer, IndexerOptions
from .index.leadership import lease_for
from .index.types import Tip
from .node.escrow import EscrowReads
from .node.ipfs import IpfsGateway
from .node.reads import BlockCache, Reader
from .node.rpc import ChainHolder
from .node.tokens import Tokens
from .node.types import Block
from .services.documents import Documents
from .settings import Settings

T = TypeVar("T")

log = logging.getLogger("crowdfund.gateway")


def block_of(tip: Tip) -> Block:
    assert tip.hash is not None, "answers are pinned only to an indexed block"
    return Block(number=tip.number, hash=tip.hash)


@dataclass
class Gateway:
    holder: ChainHolder
    database: IndexDatabase
    engine: Engine
    follower: Follower
    indexer: Indexer | None
    cache: BlockCache
    reader: Reader
    tokens: Tokens
    escrow: EscrowReads
    retry_after: int  # seconds, sent with every 503
    content: ContentStore
    ipfs: IpfsGateway | None  # where content missing from the store is fetched; None: nowhere
    documents: Documents  # what the links of campaigns and updates show, fetched in the background

    async def db(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an index query in a worker thread (the database driver blocks)."""
        return await asyncio.to_thread(query, self.engine, *args, **kwargs)


def holder_for(settings: Settings) -> ChainHolder:
    return ChainHolder(
        str(settings.rpc_url),
        settings.escrow_address,
        settings.rpc_timeout,
        settings.vault_address,
        answer_limit=settings.rpc_answer_limit,
    )


def indexer_options(settings: Settings) -> IndexerOptions:
    return IndexerOptions(
        confirmations=settings.confirmations,
        start_block=settings.start_block,
        log_chunk=settings.log_chunk,
        poll_interval=settings.poll_interval,
    )


def build(settings: Settings) -> Gateway:
    holder = holder_for(settings)
    database = IndexDatabase(settings.database_url)
    follower = Follower(
        holder,
        database,
        confirmations=settings.confirmations,
        max_lag=settings.max_lag,
        poll_interval=settings.poll_interval,
        stall_after=settings.stall_after,
        # Until the lead is settled, a process with the indexer on serves what the
        # database holds, like one that stands by.
        role="standby" if settings.run_indexer else "replica",
    )
    options = indexer_options(settings)
    indexer = Indexer(database, holder, options, follower.on_tip) if settings.run_indexer else None
    reader = Reader(batching=settings.read_cache)
    return Gateway(
        holder=holder,
        database=database,
        engine=database.engine,
        follower=follower,
        indexer=indexer,
        cache=BlockCache(enabled=settings.read_cache, max_bytes=settings.cache_bytes),
        reader=reader,
        tokens=Tokens(reader),
        escrow=EscrowReads(reader),
        retry_after=settings.retry_after,
        content=store_for(database, settings.content_dir),
        ipfs=(
            IpfsGateway(str(settings.ipfs_gateway_url), settings.ipfs_timeout, CONTENT_MAX)
            if settings.ipfs_gateway_url
            else None
        ),
        documents=Documents(max_bytes=settings.document_cache_bytes),
    )


async def supervised(name: str, loop: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
    """Run `loop` until `stop` is set, starting it again should it ever end or fail: the
    loops wait out every fault they know, and this is the net under them."""
    while not stop.is_set():
        try:
            await loop()
        except Exception:  # noqa: BLE001 - the loop must outlive any fault
            log.exception("the %s stopped; starting it again", name)
        await pause(stop, BACKOFF_LIMIT)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Gateway]:
    """The gateway with its background loops: the follower, and the indexer unless it is off
    (it indexes while this process leads, and stands by otherwise)."""
    gateway = build(settings)
    stop = asyncio.Event()
    follower, indexer = gateway.follower, gateway.indexer
    tasks = [asyncio.create_task(supervised("follower", lambda: follower.run(stop), stop))]
    if indexer is not None:
        lease = lease_for(gateway.database)
        tasks.append(
            asyncio.create_task(
                supervised("indexer", lambda: indexer.run(stop, lease, follower.on_role), stop)
            )
        )
    try:
        yield gateway
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await gateway.documents.close()
        await gateway.holder.close()
        if gateway.ipfs is not None:
            await gateway.ipfs.close()
        gateway.database.dispose()
