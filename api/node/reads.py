"""Reads pinned to a block, cached by that block's hash and batched.

A block's state never changes, so an answer computed for block hash H serves every later
request at H: a burst of requests in one block costs the node one read. Concurrent
misses for the same key wait on the one read in flight, and the eth_calls issued in one
turn of the event loop leave together in one JSON-RPC batch.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

from .rpc import Chain, NodeUnavailable, RpcError
from .types import Block

T = TypeVar("T")

BLOCKS_KEPT = 4  # answers are kept for the newest few blocks only
ENTRIES_PER_BLOCK = 20_000  # a bound on memory when requests sweep many keys in one block


class BlockCache:
    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._blocks: OrderedDict[str, dict[Hashable, asyncio.Future[Any]]] = OrderedDict()

    async def get(self, block: Block, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        if not self.enabled:
            return await compute()
        entries = self._blocks.get(block.hash)
        if entries is None:
            entries = self._blocks[block.hash] = {}
            while len(self._blocks) > BLOCKS_KEPT:
                self._blocks.popitem(last=False)
        task = entries.get(key)
        if task is None:
            if len(entries) >= ENTRIES_PER_BLOCK:
                return await compute()
            # A task of its own, so that a client hanging up does not cancel the read that
            # other requests are waiting on.
            task = entries[key] = asyncio.ensure_future(compute())
            task.add_done_callback(lambda done: self._forget_failure(entries, key, done))
        elif task.done():
            return task.result()  # type: ignore[no-any-return]
        result: T = await asyncio.shield(task)
        return result

    @staticmethod
    def _forget_failure(
        entries: dict[Hashable, asyncio.Future[Any]], key: Hashable, done: asyncio.Future[Any]
    ) -> None:
        # Failures are not cached: the next request tries again.
        if (done.cancelled() or done.exception() is not None) and entries.get(key) is done:
            del entries[key]


def _data(answer: object) -> str:
    """An eth_call result as the node must send it: 0x-hex. Anything else is a faulty node,
    which turns into a 503 rather than a crash further up."""
    if isinstance(answer, str) and answer.startswith("0x") and len(answer) % 2 == 0:
        try:
            bytes.fromhex(answer[2:])
        except ValueError:
            pass
        else:
            return answer
    raise NodeUnavailable(f"the node answered eth_call with {type(answer).__name__} data that is not hex")


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
            return _data(await chain.rpc("eth_call", params))
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append((chain, params, future))
        answer: str = _data(await future)
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
                answers = await chain.batch([("eth_call", params) for _, params, _ in pending])
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
