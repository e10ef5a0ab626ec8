"""Answers read at a block are computed once per block and key, and failures are retried."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from crowdfund_api.node import reads
from crowdfund_api.node.reads import BLOCKS_KEPT, BlockCache
from crowdfund_api.node.types import Block

B1, B2 = Block(1, "0x" + "01" * 32), Block(2, "0x" + "02" * 32)


class Counted:
    """A compute function that counts its calls and answers after a pause (or fails)."""

    def __init__(self, answer: Any = "answer", fail: bool = False, pause: float = 0.01) -> None:
        self.calls, self.answer, self.fail, self.pause = 0, answer, fail, pause

    async def __call__(self) -> Any:
        self.calls += 1
        await asyncio.sleep(self.pause)
        if self.fail:
            raise RuntimeError("node down")
        return self.answer


def run(body: Callable[[], Awaitable[Any]]) -> Any:
    # In a thread of its own: in the whole suite, the browser tests' driver may still hold
    # an event loop in this thread, and asyncio.run refuses to start inside one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, body()).result()  # type: ignore[arg-type]


def test_concurrent_callers_share_one_computation_per_block_and_key() -> None:
    cache, compute = BlockCache(), Counted()

    async def body() -> list[Any]:
        answers = await asyncio.gather(*(cache.get(B1, "k", compute) for _ in range(10)))
        return [*answers, await cache.get(B1, "k", compute)]

    assert run(body) == ["answer"] * 11
    assert compute.calls == 1


def test_another_block_or_another_key_computes_again() -> None:
    cache, compute = BlockCache(), Counted()

    async def body() -> None:
        await cache.get(B1, "k", compute)
        await cache.get(B2, "k", compute)
        await cache.get(B1, "other", compute)

    run(body)
    assert compute.calls == 3


def test_a_failure_reaches_every_waiter_and_is_not_kept() -> None:
    cache, failing = BlockCache(), Counted(fail=True)

    async def body() -> list[Any]:
        results = await asyncio.gather(
            *(cache.get(B1, "k", failing) for _ in range(3)), return_exceptions=True
        )
        failing.fail = False
        return [*results, await cache.get(B1, "k", failing)]

    *failures, answer = run(body)
    assert all(isinstance(f, RuntimeError) for f in failures)
    assert answer == "answer"
    assert failing.calls == 2


def test_a_caller_that_gives_up_does_not_cancel_the_read_others_wait_on() -> None:
    cache, compute = BlockCache(), Counted(pause=0.05)

    async def body() -> Any:
        impatient = asyncio.ensure_future(cache.get(B1, "k", compute))
        await asyncio.sleep(0.01)
        patient = asyncio.ensure_future(cache.get(B1, "k", compute))
        impatient.cancel()
        answer = await patient
        assert impatient.cancelled()
        return answer

    assert run(body) == "answer"
    assert compute.calls == 1


def test_only_the_newest_blocks_are_kept() -> None:
    cache, compute = BlockCache(), Counted(pause=0)
    blocks = [Block(n, f"0x{n:064x}") for n in range(BLOCKS_KEPT + 1)]

    async def body() -> None:
        for block in blocks:
            await cache.get(block, "k", compute)
        for block in blocks[1:]:  # still kept
            await cache.get(block, "k", compute)
        assert compute.calls == BLOCKS_KEPT + 1
        await cache.get(blocks[0], "k", compute)  # dropped: computed again

    run(body)
    assert compute.calls == BLOCKS_KEPT + 2


def test_a_full_block_still_answers_but_stops_caching(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reads, "ENTRIES_PER_BLOCK", 2)
    cache, compute = BlockCache(), Counted(pause=0)

    async def body() -> list[Any]:
        return [await cache.get(B1, key, compute) for key in ("a", "b", "c", "c", "a")]

    assert run(body) == ["answer"] * 5
    assert compute.calls == 4  # a, b cached; c twice uncached; a from the cache


def test_a_disabled_cache_computes_every_time() -> None:
    cache, compute = BlockCache(enabled=False), Counted(pause=0)

    async def body() -> None:
        await asyncio.gather(*(cache.get(B1, "k", compute) for _ in range(3)))

    run(body)
    assert compute.calls == 3
