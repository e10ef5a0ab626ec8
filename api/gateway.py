"""The gateway's long-lived parts, built once in the app's lifespan and kept on app.state:
the node connection, the index, the block the answers are pinned to, and the caches."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Engine

from api import calls, db
from api.chain import Chain, ChainHolder, RpcError
from api.follower import Follower
from api.indexer import Indexer
from api.models import BlockRef, Token
from api.reads import BlockCache, Reader
from api.settings import Settings
from api.store import Tip
from crowdfund.errors import decode_error
from crowdfund.escrow import ETH, Campaign

T = TypeVar("T")


class CampaignMissing(LookupError):
    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"campaign {campaign_id} does not exist")


def block_of(tip: Tip) -> BlockRef:
    assert tip.hash is not None
    return BlockRef(number=tip.number, hash=tip.hash)


@dataclass
class Gateway:
    settings: Settings
    holder: ChainHolder
    engine: Engine
    follower: Follower
    indexer: Indexer | None
    cache: BlockCache
    reader: Reader
    tokens: dict[str, Token] = field(default_factory=dict)

    async def db(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an index query in a worker thread (the database driver blocks)."""
        return await asyncio.to_thread(query, self.engine, *args, **kwargs)

    async def token(self, chain: Chain, address: str, block: BlockRef) -> Token:
        """A token's symbol and decimals, read once: they never change."""
        if address == ETH:
            return Token(address=ETH, symbol="ETH", decimals=18)
        known = self.tokens.get(address)
        if known is not None:
            return known
        symbol, decimals = await asyncio.gather(
            self.reader.call(chain, block, address, calls.erc20_call("symbol")),
            self.reader.call(chain, block, address, calls.erc20_call("decimals")),
            return_exceptions=True,
        )
        for answer in (symbol, decimals):
            if isinstance(answer, BaseException) and not isinstance(answer, RpcError):
                raise answer  # the node failed: do not remember a placeholder
        token = Token(
            address=address,
            symbol=calls.decode_symbol(symbol) if isinstance(symbol, str) else "?",
            # A token without decimals() is shown in base units.
            decimals=calls.decode_uint(decimals) if isinstance(decimals, str) else 0,
        )
        self.tokens[address] = token
        return token

    async def campaign(self, chain: Chain, campaign_id: int, block: BlockRef) -> Campaign:
        """getCampaign at `block`, live from the node (batched with concurrent reads)."""
        try:
            data = await self.reader.call(
                chain, block, chain.address, calls.escrow_call("getCampaign", campaign_id)
            )
        except RpcError as exc:
            error = decode_error(exc.revert_data) if exc.revert_data else None
            if error is not None and error.name == "CampaignNotFound":
                raise CampaignMissing(campaign_id) from None
            raise
        return calls.decode_campaign(data)


def build(settings: Settings) -> Gateway:
    holder = ChainHolder(str(settings.rpc_url), settings.escrow_address, settings.rpc_timeout)
    engine = db.connect(settings.database_url)
    follower = Follower(
        holder,
        engine,
        confirmations=settings.confirmations,
        max_lag=settings.max_lag,
        poll_interval=settings.poll_interval,
        read_tip_from_db=not settings.run_indexer,
    )
    indexer = Indexer(engine, holder, settings, follower.on_tip) if settings.run_indexer else None
    return Gateway(
        settings=settings,
        holder=holder,
        engine=engine,
        follower=follower,
        indexer=indexer,
        cache=BlockCache(enabled=settings.read_cache),
        reader=Reader(batching=settings.read_cache),
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
