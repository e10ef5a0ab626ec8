"""Reads pinned to a block, cached by that block's hash and batched.

A block's state never changes, so an answer computed for block hash H serves every later
request at H: a burst of requests in one block costs the node one read. Concurrent
misses for the same key wait on the one read in flight, and the eth_calls issued in one
turn of the event loop leave together in one JSON-RPC batch.

Answers that only a campaign's own events can change (keyed by `CampaignKey`) are carried
to the next block when no event of that campaign lies between: on a live chain a block a
second would otherwise empty the cache every second, and most campaigns did not change.

The cache is bounded in bytes, not entries: a sweep of distinct queries whose answers are
large (a long metadata link repeated on every page) must not grow the process without
end. Each kept answer is charged its estimated size and the oldest are dropped first.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

from .rpc import Chain, RpcError, hex_data
from .types import Block

T = TypeVar("T")

BLOCKS_KEPT = 4  # answers are kept for the newest few blocks only
DEFAULT_BYTES = 64 * 2**20
# What an entry costs besides its key and answer: the future holding it and its slots in
# two dicts. Charged so that many tiny answers are bounded too.
ENTRY_OVERHEAD = 512


def footprint(value: Any) -> int:
    """An estimate of the bytes `value` holds: itself and, recursively, what it contains
    (containers and dataclasses; answers are bytes, str, ints, tuples and frozen dataclasses)."""
    size = sys.getsizeof(value)
    if isinstance(value, str | bytes | bytearray | int | float | bool) or value is None:
        return size
    if isinstance(value, dict):
        return size + sum(footprint(k) + footprint(v) for k, v in value.items())
    if isinstance(value, tuple | list | set | frozenset):
        return size + sum(footprint(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return size + sum(footprint(getattr(value, f.name)) for f in dataclasses.fields(value))
    return size


@dataclass(frozen=True)
class CampaignKey:
    """The key of an answer that is a function of one campaign's storage alone: not of the
    block's time, not of another campaign or a token's state. Only events of the campaign
    change such an answer, so `BlockCache.carry` may take it on to the next block. An
    answer that names the block it was read at (a `block` with a `hash`) is carried only
    from that very block."""

    kind: str
    campaign_id: int


class BlockCache:
    def __init__(self, enabled: bool = True, max_bytes: int = DEFAULT_BYTES) -> None:
        self.enabled = enabled
        self.max_bytes = max_bytes
        self.bytes = 0  # what the answers kept now are charged
        self._blocks: OrderedDict[str, dict[Hashable, asyncio.Future[Any]]] = OrderedDict()
        # Every finished answer kept, oldest first, with what it is charged.
        self._charged: OrderedDict[tuple[str, Hashable], int] = OrderedDict()
        # The answers kept at a block because they were carried there (not read there).
        self._carried: set[tuple[str, Hashable]] = set()

    async def get(self, block: Block, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        if not self.enabled:
            return await compute()
        task = self._start(block, key, compute)
        if task.done():
            return task.result()
        result: T = await asyncio.shield(task)
        return result

    def prefetch(self, block: Block, key: Hashable, compute: Callable[[], Awaitable[Any]]) -> None:
        """Start computing the answer at `block` unless it is kept or on its way, without
        waiting for it: the requests that ask for it later find it ready."""
        if self.enabled:
            self._start(block, key, compute)

    def holds_block(self, block_hash: str) -> bool:
        """Whether any answer is kept or on its way at `block_hash`."""
        return bool(self._blocks.get(block_hash))

    def holds(self, block_hash: str, key: Hashable) -> bool:
        """Whether an answer is kept for `key` at `block_hash` (one that was asked for there)."""
        return (block_hash, key) in self._charged

    def _start(self, block: Block, key: Hashable, compute: Callable[[], Awaitable[T]]) -> asyncio.Future[T]:
        entries = self._entries(block.hash)
        task = entries.get(key)
        if task is None:
            # A task of its own, so that a client hanging up does not cancel the read that
            # other requests are waiting on.
            task = entries[key] = asyncio.ensure_future(compute())
            task.add_done_callback(lambda done: self._settle(block.hash, entries, key, done))
        return task

    def carry(self, from_hash: str, to_hash: str, changed: Callable[[], Collection[int]]) -> int:
        """Keep the answers under CampaignKey at block `from_hash` for block `to_hash` too,
        except those of the campaigns in `changed()` (asked only when there is anything to
        carry): the caller vouches that `to_hash` follows `from_hash` and that the events
        between touched no other campaign. Returns how many answers were carried."""
        source = self._blocks.get(from_hash)
        if not self.enabled or not source or from_hash == to_hash:
            return 0
        # Kept answers only (charged): not reads in flight, not failures; and only those
        # read at `from_hash` itself or carried there. A read may have been taken at a newer
        # block than the one it is kept under (the index moved meanwhile): carried, it could
        # outlive a reorg that took that newer block back.
        done = [
            (key, task, self._charged[(from_hash, key)])
            for key, task in source.items()
            if isinstance(key, CampaignKey)
            and (from_hash, key) in self._charged
            and (
                (from_hash, key) in self._carried
                or getattr(getattr(task.result(), "block", None), "hash", from_hash) == from_hash
            )
        ]
        if not done:
            return 0
        skip = set(changed())
        target = self._entries(to_hash)
        carried = 0
        for key, task, cost in done:
            if key.campaign_id in skip or key in target:
                continue
            target[key] = task
            self._charged[(to_hash, key)] = cost
            self._carried.add((to_hash, key))
            self.bytes += cost
            carried += 1
        self._trim()
        return carried

    def _entries(self, block_hash: str) -> dict[Hashable, asyncio.Future[Any]]:
        """The answers at `block_hash`, made on first use; the oldest block is dropped past
        BLOCKS_KEPT."""
        entries = self._blocks.get(block_hash)
        if entries is None:
            entries = self._blocks[block_hash] = {}
            while len(self._blocks) > BLOCKS_KEPT:
                old_hash, old = self._blocks.popitem(last=False)
                for old_key in old:
                    self._uncharge(old_hash, old_key)
        return entries

    def _settle(
        self,
        block_hash: str,
        entries: dict[Hashable, asyncio.Future[Any]],
        key: Hashable,
        done: asyncio.Future[Any],
    ) -> None:
        if self._blocks.get(block_hash) is not entries or entries.get(key) is not done:
            return  # its block was dropped meanwhile
        if done.cancelled() or done.exception() is not None:
            del entries[key]  # failures are not kept: the next request tries again
            return
        cost = ENTRY_OVERHEAD + footprint(key) + footprint(done.result())
        if cost > self.max_bytes:
            del entries[key]  # kept, it would push out everything else
            return
        self._charged[(block_hash, key)] = cost
        self.bytes += cost
        self._trim()

    def _trim(self) -> None:
        """Drop the oldest answers until what is kept fits the budget."""
        while self.bytes > self.max_bytes and self._charged:
            (old_hash, old_key), _ = next(iter(self._charged.items()))
            self._uncharge(old_hash, old_key)
            self._blocks.get(old_hash, {}).pop(old_key, None)

    def _uncharge(self, block_hash: str, key: Hashable) -> None:
        self.bytes -= self._charged.pop((block_hash, key), 0)
        self._carried.discard((block_hash, key))


class Reader:
    """eth_call at a block, batched per event-loop turn."""

    def __init__(self, batching: bool = True) -> None:
        self.batching = batching
        self._pending: list[tuple[Chain, list[Any], asyncio.Future[Any]]] = []

    async def call(
        self,
        chain: Chain,
        block: Block,
        to: str,
        data: str,
        sender: str | None = None,
        gas: int | None = None,
    ) -> str:
        """The call's return data; RpcError (with the revert data) when it reverts."""
        tx: dict[str, Any] = {"to": to, "data": data}
        if sender is not None:
            tx["from"] = sender
        if gas is not None:
            tx["gas"] = hex(gas)
        # By hash (EIP-1898), so that a reorg can never answer from another block.
        params = [tx, {"blockHash": block.hash}]
        if not self.batching:
            return hex_data(await chain.rpc("eth_call", params), "eth_call")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append((chain, params, future))
        answer: str = hex_data(await future, "eth_call")
        return answer

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        asyncio.get_running_loop().create_task(self._send(pending))

    @staticmethod
    async def _send(pending: list[tuple[Chain, list[Any], asyncio.Future[Any]]]) -> None:
        chain = pending[0][0]
        try:
            if len(pending) == 1:
                try:
                    answers: list[Any] = [await chain.rpc("eth_call", pending[0][1])]
                except RpcError as exc:
                    answers = [exc]
            else:
                calls = [("eth_call", params) for _, params, _ in pending]
                answers = await chain.batch(calls, divisible=True)
        except BaseException as exc:
            for _, _, future in pending:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, _, future), answer in zip(pending, answers, strict=True):
            if future.done():
                continue
            if isinstance(answer, RpcError):
                future.set_exception(answer)
            else:
                future.set_result(answer)
