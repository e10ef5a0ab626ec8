"""The indexer: follows the escrow's events with eth_getLogs in chunks into the database,
resumes where it stopped, rolls back after a reorg, and stays `confirmations` blocks
behind the head.

It runs inside the gateway by default, or alone for several gateway replicas sharing one
PostgreSQL index (the `crowdfund index` command).
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from crowdfund.deployments import DeploymentNotFound

from ..node.rpc import ChainHolder, NodeUnavailable, RpcError
from . import schema, store
from .events import decode_log, topics
from .types import Tip

log = logging.getLogger("crowdfund.indexer")

REORG_SEARCH_PAGE = 64  # known blocks compared with the node per batch while looking for a fork


class Reorg(enum.Enum):
    REORG = "the block a chunk follows is no longer on the node's chain"


REORG = Reorg.REORG


@dataclass(frozen=True)
class _Chunk:
    """A range of blocks read from the node, not yet written: its logs, the headers of the
    blocks holding them and of its last block, and the tip it leads to."""

    logs: list[dict[str, Any]]
    blocks: dict[int, tuple[str, int]]
    tip: Tip


@dataclass(frozen=True)
class IndexerOptions:
    confirmations: int = 0  # blocks a block must be buried under before it is indexed
    start_block: int | None = None  # by default the deployment's block (or 0)
    log_chunk: int = 2000  # blocks asked for in one eth_getLogs
    poll_interval: float = 1.0  # seconds between looks at the chain's head


class Indexer:
    def __init__(
        self,
        engine: Engine,
        holder: ChainHolder,
        options: IndexerOptions,
        on_tip: Callable[[Tip], None] = lambda tip: None,
    ) -> None:
        self.engine = engine
        self.holder = holder
        self.options = options
        self.on_tip = on_tip
        self.tip: Tip | None = None
        self.chunk = options.log_chunk
        self.start_block = 0
        self.error: str | None = None

    async def _open(self) -> Tip:
        chain = await self.holder.get()
        start = self.options.start_block
        if start is None:
            start = chain.deployment_block or 0
        self.start_block = start
        tip = await asyncio.to_thread(store.open_index, self.engine, chain.chain_id, chain.address, start)
        self.tip = tip
        self.on_tip(tip)
        return tip

    async def step(self) -> bool:
        """Index what the confirmed chain holds beyond the tip; True when the tip moved."""
        tip = self.tip or await self._open()
        chain = await self.holder.get()
        head = int(await chain.rpc("eth_blockNumber", []), 16)
        target = head - self.options.confirmations
        moved = False
        if tip.hash is not None:
            # The tip must still be on the node's chain; when it is not, a reorg replaced it.
            node_block = await chain.block(tip.number)
            if node_block is None or node_block["hash"] != tip.hash:
                tip = await self._roll_back()
                moved = True
        # The next chunk is read from the node while the current one is decoded and
        # written: the node and the database work side by side instead of taking turns.
        ahead: asyncio.Task[_Chunk | Reorg | None] | None = None
        try:
            while tip.number < target:
                chunk = await (ahead or self._fetch(tip, min(tip.number + self.chunk, target)))
                ahead = None
                if chunk is REORG:
                    await self._roll_back()  # every chunk before it is written by now
                    return True
                if not isinstance(chunk, _Chunk):
                    # The chain changed under the chunk. After a rollback look again at once;
                    # otherwise (a block the node could not serve) wait a poll first.
                    return moved or self.tip != tip
                if chunk.tip.number < target:
                    ahead = asyncio.create_task(
                        self._fetch(chunk.tip, min(chunk.tip.number + self.chunk, target))
                    )
                tip = await self._write(chunk)
                moved = True
        finally:
            if ahead is not None:
                ahead.cancel()
                with contextlib.suppress(asyncio.CancelledError, NodeUnavailable, RpcError):
                    await ahead
        return moved

    async def _fetch(self, tip: Tip, to: int) -> _Chunk | Reorg | None:
        """The escrow's logs in the blocks after `tip` up to `to`, with the headers they need;
        REORG when `tip` is no longer on the node's chain, None when the chain changed
        while the chunk was read or a block could not be served.

        `tip` may be that of a chunk still being written: its hash is known once fetched."""
        chain = await self.holder.get()
        first, last = await chain.batch(
            [
                ("eth_getBlockByNumber", [hex(tip.number + 1), False]),
                ("eth_getBlockByNumber", [hex(to), False]),
            ]
        )
        if isinstance(first, RpcError | None) or isinstance(last, RpcError | None):
            return None
        if tip.hash is not None and first["parentHash"] != tip.hash:
            return REORG
        try:
            logs: list[dict[str, Any]] = await chain.rpc(
                "eth_getLogs",
                [{"address": chain.address, "fromBlock": hex(tip.number + 1), "toBlock": hex(to),
                  "topics": [topics()]}],
            )  # fmt: skip
        except RpcError as exc:
            # Providers cap how many logs one request may return: ask for fewer blocks.
            if to > tip.number + 1:
                self.chunk = max(1, (to - tip.number) // 2)
                log.warning("eth_getLogs refused %s blocks (%s); trying %s", to - tip.number, exc, self.chunk)
                return await self._fetch(tip, tip.number + self.chunk)
            raise
        numbers = sorted({int(entry["blockNumber"], 16) for entry in logs} - {to})
        headers = await chain.batch(
            [("eth_getBlockByNumber", [hex(n), False]) for n in numbers]
            + [("eth_getBlockByNumber", [hex(to), False])]
        )
        blocks: dict[int, tuple[str, int]] = {}
        for number, header in zip([*numbers, to], headers, strict=True):
            if isinstance(header, RpcError) or header is None:
                return None
            blocks[number] = (header["hash"], int(header["timestamp"], 16))
        if blocks[to][0] != last["hash"]:
            return None  # the chunk's last block changed while it was read
        for entry in logs:
            if entry.get("removed") or entry["blockHash"] != blocks[int(entry["blockNumber"], 16)][0]:
                return None
        return _Chunk(logs, blocks, Tip(to, last["hash"], int(last["timestamp"], 16)))

    async def _write(self, chunk: _Chunk) -> Tip:
        """Decode a fetched chunk and store it with its blocks and the new tip."""

        def decode_and_write() -> None:
            rows = []
            for entry in chunk.logs:
                row = decode_log(entry, chunk.blocks[int(entry["blockNumber"], 16)][1])
                if row is not None:
                    rows.append(row)
            store.write_chunk(self.engine, rows, chunk.blocks, chunk.tip)

        await asyncio.to_thread(decode_and_write)
        self.tip = chunk.tip
        self.chunk = self.options.log_chunk
        self.on_tip(chunk.tip)
        return chunk.tip

    async def _roll_back(self) -> Tip:
        """Find the newest known block still on the node's chain and forget what followed."""
        chain = await self.holder.get()
        below = (self.tip.number if self.tip else 0) + 1
        ancestor = Tip(self.start_block - 1, None, 0)
        while True:
            known = await asyncio.to_thread(store.known_blocks, self.engine, below, REORG_SEARCH_PAGE)
            if not known:
                break
            answers = await chain.batch([("eth_getBlockByNumber", [hex(n), False]) for n, _, _ in known])
            match = next(
                (
                    Tip(n, h, t)
                    for (n, h, t), answer in zip(known, answers, strict=True)
                    if isinstance(answer, dict) and answer["hash"] == h
                ),
                None,
            )
            if match is not None:
                ancestor = match
                break
            below = known[-1][0]
        touched = await asyncio.to_thread(store.roll_back, self.engine, ancestor)
        log.warning("reorg: rolled back to block %s; campaigns recounted: %s", ancestor.number, touched)
        self.tip = ancestor
        self.on_tip(ancestor)
        return ancestor

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Follow the chain until `stop` is set; node faults are waited out, never fatal."""
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                moved = await self.step()
                self.error = None
            except (NodeUnavailable, DeploymentNotFound, RpcError) as exc:
                self.error = str(exc)
                moved = False
            except Exception as exc:  # a database fault: log it, keep the gateway serving
                log.exception("indexing failed")
                self.error = f"indexing failed: {type(exc).__name__}"
                moved = False
            if not moved:
                try:
                    await asyncio.wait_for(stop.wait(), self.options.poll_interval)
                except TimeoutError:
                    pass


async def catch_up(database_url: str, holder: ChainHolder, options: IndexerOptions) -> tuple[Tip, float]:
    """Index up to the confirmed head once; returns the tip and the seconds it took."""
    engine = schema.connect(database_url)
    indexer = Indexer(engine, holder, options)
    started = time.perf_counter()
    try:
        while await indexer.step():
            pass
    finally:
        await holder.close()
        engine.dispose()
    assert indexer.tip is not None
    return indexer.tip, time.perf_counter() - started


async def follow(database_url: str, holder: ChainHolder, options: IndexerOptions) -> None:
    """Follow the chain into the database until cancelled, logging each new tip."""
    engine = schema.connect(database_url)

    def report(tip: Tip) -> None:
        log.info("indexed up to block %s", tip.number)

    try:
        await Indexer(engine, holder, options, report).run()
    finally:
        await holder.close()
        engine.dispose()
