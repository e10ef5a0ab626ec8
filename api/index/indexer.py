"""The indexer: follows the escrow's events (and its milestone vault's) with eth_getLogs in
chunks into the database, resumes where it stopped, rolls back after a reorg, and stays
`confirmations` blocks behind the head.

It runs inside the gateway by default, or alone (the `crowdfund index` command). Of all
the processes started with it on one database, one leads and indexes (`leadership.py`);
the others wait to take over.

Nothing the node does stops it: a node that is down, answers garbage or serves another
chain is said in the log once per change and looked at again after a growing pause,
and the index is left as it was. A block the node cannot serve below its own head is a
fault of the node, never a reason to roll back.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from crowdfund.deployments import DeploymentNotFound

from ..node.rpc import AnswerTooLarge, BadAnswer, ChainHolder, NodeUnavailable, RpcError
from . import store, vault
from .backoff import backoff, pause
from .database import IndexDatabase, failure
from .events import LogReader, topics
from .leadership import Alone, Lease, lease_for
from .types import Tip

log = logging.getLogger("crowdfund.indexer")

REORG_SEARCH_PAGE = 64  # known blocks compared with the node per batch while looking for a fork
# A step that starts more chunks than this behind its target writes them as a bulk load
# (store.BulkLoad, SQLite only): a catch-up, not the following of the head.
BULK_AFTER_CHUNKS = 8
BULK_READ_AHEAD = 4  # chunks a bulk load reads ahead of the one it writes (~15 MB each in memory)


def problem_of(exc: Exception) -> tuple[str, str]:
    """What failed ("node" or "database") and why, in words, for the log and /health."""
    if isinstance(exc, DeploymentNotFound):
        return "node", f"{exc}; deploy the escrow or set ESCROW_ADDRESS"
    if isinstance(exc, NodeUnavailable | RpcError):
        return "node", str(exc)
    if isinstance(exc, SQLAlchemyError):
        return "database", f"the index database failed: {failure(exc)}"
    # Anything else came from an answer of the node that is not what JSON-RPC promises
    # (a field missing, a wrong type): the node's fault, looked at again like the others.
    return "node", f"the node's answers could not be indexed: {type(exc).__name__}: {exc}"[:300]


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
    vault: str | None = None  # the milestone vault's address, whose logs are among `logs`


@dataclass(frozen=True)
class IndexerOptions:
    confirmations: int = 0  # blocks a block must be buried under before it is indexed
    start_block: int | None = None  # by default the deployment's block (or 0)
    log_chunk: int = 2000  # blocks asked for in one eth_getLogs
    poll_interval: float = 1.0  # seconds between looks at the chain's head


class TipListener(Protocol):
    def __call__(
        self, tip: Tip, since: Tip | None = None, rows: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        """The index reached `tip`; `rows` are the events stored since tip `since`, when known."""


def _nobody(tip: Tip, since: Tip | None = None, rows: Sequence[Mapping[str, Any]] | None = None) -> None:
    pass


class Indexer:
    def __init__(
        self,
        database: IndexDatabase,
        holder: ChainHolder,
        options: IndexerOptions,
        on_tip: TipListener | None = None,
    ) -> None:
        self.database = database
        self.engine = database.engine
        self.holder = holder
        self.options = options
        self.on_tip: TipListener = on_tip or _nobody
        self.tip: Tip | None = None
        self.chunk = options.log_chunk
        self.start_block = 0
        self.head = 0
        self.error: str | None = None
        self.error_kind: str | None = None  # "node" or "database"
        self.leading: bool | None = None  # unknown until the lease was first asked
        self._generation = -1

    async def _open(self) -> Tip:
        await asyncio.to_thread(self.database.ensure)
        self._generation = self.database.generation
        # The index's chain is the one to follow: a node serving another is refused
        # (WrongChain) before anything is read or written.
        indexed_chain, _ = await asyncio.to_thread(store.read_state, self.engine)
        if indexed_chain is not None:
            self.holder.expect(indexed_chain)
        chain = await self.holder.get()
        start = self.options.start_block
        if start is None:
            start = chain.deployment_block or 0
        self.start_block = start
        tip = await asyncio.to_thread(
            store.open_index, self.engine, chain.chain_id, chain.address, start, chain.vault
        )
        self.tip = tip
        self.on_tip(tip)
        return tip

    async def step(self) -> bool:
        """Index what the confirmed chain holds beyond the tip; True when the tip moved."""
        await asyncio.to_thread(self.database.ensure)  # a replaced SQLite file starts afresh
        tip = self.tip if self.tip is not None and self._generation == self.database.generation else None
        tip = tip or await self._open()
        head = self.head = await self.holder.head()
        chain = await self.holder.get()
        target = head - self.options.confirmations
        moved = False
        if tip.hash is not None:
            # The tip must still be on the node's chain; when it is not, a reorg replaced it.
            [node_block] = await chain.blocks([tip.number])
            if (node_block is None or isinstance(node_block, RpcError)) and tip.number <= head:
                raise BadAnswer(f"the node has no block {tip.number}, below its head {head}")
            if not isinstance(node_block, dict) or node_block.get("hash") != tip.hash:
                tip = await self._roll_back()
                moved = True
        reader = LogReader()  # for this step: it keeps the checksums of the addresses it met
        bulk: store.BulkLoad | None = None
        if self.engine.dialect.name == "sqlite" and target - tip.number > BULK_AFTER_CHUNKS * self.chunk:
            bulk = await asyncio.to_thread(store.BulkLoad, self.engine)
        # Chunks are read from the node ahead of the one being decoded and written, each
        # after the one before it (its first block must follow that one's last): the node
        # and the database work side by side instead of taking turns. A bulk load reads
        # further ahead, so that reading goes on while a transaction commits.
        depth = BULK_READ_AHEAD if bulk is not None else 1
        ahead: deque[asyncio.Task[_Chunk | Reorg | None]] = deque()
        try:
            while tip.number < target:
                if not ahead:
                    ahead.append(asyncio.create_task(self._fetch(tip, min(tip.number + self.chunk, target))))
                while len(ahead) <= depth:
                    ahead.append(asyncio.create_task(self._fetch_after(ahead[-1], target)))
                chunk = await ahead.popleft()
                if chunk is REORG:
                    await self._commit(bulk)
                    await self._roll_back()  # every chunk before it is written by now
                    return True
                if not isinstance(chunk, _Chunk):
                    # The chain changed under the chunk. After a rollback look again at once;
                    # otherwise (a block the node could not serve) wait a poll first.
                    await self._commit(bulk)
                    return moved or self.tip != tip
                tip = await self._write(chunk, reader, bulk)
                moved = True
            if bulk is not None:
                await asyncio.to_thread(bulk.finish)
                self._committed(bulk)
        finally:
            for reading in ahead:
                reading.cancel()
            await asyncio.gather(*ahead, return_exceptions=True)  # what they met no longer matters
            if bulk is not None:
                await asyncio.to_thread(bulk.close)  # after a fault: back to the last commit
        return moved

    async def _fetch_after(
        self, previous: asyncio.Task[_Chunk | Reorg | None], target: int
    ) -> _Chunk | Reorg | None:
        """The chunk after the one `previous` reads; None when there is none to read (that
        one did not arrive, or reached `target`): never looked at then."""
        chunk = await previous
        if not isinstance(chunk, _Chunk) or chunk.tip.number >= target:
            return None
        return await self._fetch(chunk.tip, min(chunk.tip.number + self.chunk, target))

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
                  "topics": [topics()]} | vault.log_filter(chain.address, chain.vault)],
            )  # fmt: skip
        except (RpcError, AnswerTooLarge) as exc:
            # Providers cap how many logs one request may return, and the gateway how long
            # an answer it reads (RPC_ANSWER_LIMIT): ask for fewer blocks. A single block
            # that still does not fit is a fault: the gas a block holds bounds the escrow's
            # logs in it to a few MB, well under the default limit.
            if to > tip.number + 1:
                self.chunk = max(1, (to - tip.number) // 2)
                log.warning("eth_getLogs refused %s blocks (%s); trying %s", to - tip.number, exc, self.chunk)
                return await self._fetch(tip, tip.number + self.chunk)
            raise
        if not isinstance(logs, list):  # indexing what is not a list would skip its events
            raise BadAnswer(f"the node answered eth_getLogs with {type(logs).__name__}, not a list")
        written = {entry["blockNumber"] for entry in logs}  # each block's number, as the node wrote it
        numbers = sorted({int(n, 16) for n in written} - {to})
        headers = await chain.batch(
            [("eth_getBlockByNumber", [hex(n), False]) for n in numbers]
            + [("eth_getBlockByNumber", [hex(to), False])],
            divisible=True,  # each header is checked against the chunk's last block below
        )
        blocks: dict[int, tuple[str, int]] = {}
        for number, header in zip([*numbers, to], headers, strict=True):
            if isinstance(header, RpcError) or header is None:
                return None
            blocks[number] = (header["hash"], int(header["timestamp"], 16))
        if blocks[to][0] != last["hash"]:
            return None  # the chunk's last block changed while it was read
        hashes = {n: blocks[int(n, 16)][0] for n in written}
        for entry in logs:
            if entry.get("removed") or entry["blockHash"] != hashes[entry["blockNumber"]]:
                return None
        return _Chunk(logs, blocks, Tip(to, last["hash"], int(last["timestamp"], 16)), chain.vault)

    async def _write(self, chunk: _Chunk, reader: LogReader, bulk: store.BulkLoad | None) -> Tip:
        """Decode a fetched chunk and store it with its blocks and the new tip (in a bulk
        load: with the next commit)."""
        # Back towards LOG_CHUNK by doubling, not at once: after a stretch of blocks too
        # dense for it, each chunk costs at most one answer abandoned at the limit rather
        # than a series of them halving down from LOG_CHUNK again.
        self.chunk = min(self.options.log_chunk, self.chunk * 2)
        if bulk is not None:
            committed = await asyncio.to_thread(
                lambda: bulk.write(_decoded(reader, chunk), chunk.blocks, chunk.tip)
            )
            if committed:
                self._committed(bulk)
            return chunk.tip

        def decode_and_write() -> list[dict[str, Any]]:
            rows = _decoded(reader, chunk)
            store.write_chunk(self.engine, rows, chunk.blocks, chunk.tip)
            return rows

        rows = await asyncio.to_thread(decode_and_write)
        since, self.tip = self.tip, chunk.tip
        self.on_tip(chunk.tip, since, rows)  # the rows are all that changed since `since`
        return chunk.tip

    async def _commit(self, bulk: store.BulkLoad | None) -> None:
        """Commit what a bulk load wrote so far (before a rollback, or a pause)."""
        if bulk is not None:
            await asyncio.to_thread(bulk.commit)
            self._committed(bulk)

    def _committed(self, bulk: store.BulkLoad) -> None:
        # The events of a bulk commit are too many to hand on: the tip's listeners are told
        # that they are not known, and read the index (as after another process's move).
        if bulk.tip is not None and bulk.tip != self.tip:
            self.tip = bulk.tip
            self.on_tip(bulk.tip)

    async def _roll_back(self) -> Tip:
        """Find the newest known block still on the node's chain and forget what followed."""
        chain = await self.holder.get()
        below = (self.tip.number if self.tip else 0) + 1
        ancestor = Tip(self.start_block - 1, None, 0)
        while True:
            known = await asyncio.to_thread(store.known_blocks, self.engine, below, REORG_SEARCH_PAGE)
            if not known:
                break
            answers = await chain.blocks([n for n, _, _ in known])
            for (n, _, _), answer in zip(known, answers, strict=True):
                # A block the node should have and does not serve is a fault of the node:
                # rolling back over it would forget what the chain still holds.
                if (answer is None or isinstance(answer, RpcError)) and n <= self.head:
                    raise BadAnswer(f"the node has no block {n}, below its head {self.head}")
            match = next(
                (
                    Tip(n, h, t)
                    for (n, h, t), answer in zip(known, answers, strict=True)
                    if isinstance(answer, dict) and answer.get("hash") == h
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

    async def run(
        self,
        stop: asyncio.Event | None = None,
        lease: Lease | None = None,
        on_role: Callable[[bool], None] = lambda leading: None,
    ) -> None:
        """Follow the chain until `stop` is set, while this process holds the lead; every
        fault is said once, waited out with a growing pause, and never fatal."""
        stop = stop or asyncio.Event()
        lease = lease or Alone()
        failures = 0
        try:
            while not stop.is_set():
                if not await self._lead(lease, on_role):
                    await pause(stop, self.options.poll_interval)
                    continue
                try:
                    moved = await self.step()
                except Exception as exc:  # noqa: BLE001 - every fault is waited out, none is fatal
                    moved = False
                    self._failed(exc)
                    failures += 1
                else:
                    self._recovered()
                    failures = 0
                if not moved:
                    await pause(stop, backoff(self.options.poll_interval, failures))
        finally:
            await asyncio.to_thread(lease.release)

    async def _lead(self, lease: Lease, on_role: Callable[[bool], None]) -> bool:
        leading = await asyncio.to_thread(lease.hold)
        if leading != self.leading:
            self.leading = leading
            self.tip = None  # whoever led before moved the index on: start from what it holds
            if leading:
                log.info("this process indexes now")
            else:
                holder = await asyncio.to_thread(lease.holder)
                log.warning(
                    "another process indexes this database (%s); this one serves what it writes "
                    "and takes over when it stops",
                    holder,
                )
            on_role(leading)
        return leading

    def _failed(self, exc: Exception) -> None:
        kind, problem = problem_of(exc)
        if problem != self.error:  # said once per change: the loop retries every few seconds
            if kind == "node" and not isinstance(exc, NodeUnavailable | RpcError | DeploymentNotFound):
                log.warning("indexing paused: %s", problem, exc_info=exc)
            else:
                log.warning("indexing paused: %s", problem)
        self.error, self.error_kind = problem, kind

    def _recovered(self) -> None:
        if self.error is not None:
            log.info("indexing again (it was paused: %s)", self.error)
        self.error = self.error_kind = None


class Refused(Exception):
    """Another process leads the index: `catch_up` has nothing to do."""


async def catch_up(database_url: str, holder: ChainHolder, options: IndexerOptions) -> tuple[Tip, float]:
    """Index up to the confirmed head once; returns the tip and the seconds it took.
    Refused while another process indexes the same database."""
    database = IndexDatabase(database_url)
    indexer = Indexer(database, holder, options)
    lease = lease_for(database)
    started = time.perf_counter()
    try:
        if not await asyncio.to_thread(lease.hold):
            holder_name = await asyncio.to_thread(lease.holder)
            raise Refused(f"another process indexes this database ({holder_name}); it keeps it up to date")
        while await indexer.step():
            pass
    finally:
        await asyncio.to_thread(lease.release)
        await holder.close()
        database.dispose()
    assert indexer.tip is not None
    return indexer.tip, time.perf_counter() - started


async def follow(database_url: str, holder: ChainHolder, options: IndexerOptions) -> None:
    """Follow the chain into the database until cancelled, logging each new tip; waits
    while another process leads."""
    database = IndexDatabase(database_url)

    def report(tip: Tip, since: Tip | None = None, rows: Sequence[Mapping[str, Any]] | None = None) -> None:
        log.info("indexed up to block %s", tip.number)

    try:
        await Indexer(database, holder, options, report).run(lease=lease_for(database))
    finally:
        await holder.close()
        database.dispose()


def _decoded(reader: LogReader, chunk: _Chunk) -> list[dict[str, Any]]:
    """The rows of a chunk's logs, the escrow's and the vault's, in the chain's order (the
    vault's rows are read with the escrow's rows they follow)."""
    if chunk.vault is None:
        return reader.rows(chunk.logs, chunk.blocks)
    escrow_logs, vault_rows = [], []
    for entry in chunk.logs:
        if vault.logged_by(entry, chunk.vault):
            row = vault.decode_log(entry, chunk.blocks[int(entry["blockNumber"], 16)][1])
            if row is not None:
                vault_rows.append(row)
        else:
            escrow_logs.append(entry)
    rows = reader.rows(escrow_logs, chunk.blocks)
    if vault_rows:
        rows = sorted(rows + vault_rows, key=itemgetter("block_number", "log_index"))
    return rows
