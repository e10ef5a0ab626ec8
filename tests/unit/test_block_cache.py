"""Answers read at a block are computed once per block and key, failures are retried, and
what is kept is bounded in bytes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from support.loop import run

from crowdfund_api.node.reads import BLOCKS_KEPT, ENTRY_OVERHEAD, BlockCache, CampaignKey, footprint
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


def test_the_cache_is_bounded_in_bytes_and_drops_the_oldest_first() -> None:
    answer = b"x" * 10_000
    cost = footprint(answer)
    cache, compute = BlockCache(max_bytes=3 * cost + 3 * (ENTRY_OVERHEAD + 100)), Counted(answer, pause=0)

    async def body() -> None:
        for key in ("a", "b", "c", "d"):
            await cache.get(B1, key, compute)
            assert cache.bytes <= cache.max_bytes
        assert compute.calls == 4
        for key in ("b", "c", "d"):  # the three newest are kept
            await cache.get(B1, key, compute)
        assert compute.calls == 4
        await cache.get(B1, "a", compute)  # the oldest went first
        assert compute.calls == 5

    run(body)


def test_an_answer_larger_than_the_whole_budget_is_answered_but_not_kept() -> None:
    small, large = Counted(b"s" * 100, pause=0), Counted(b"L" * 100_000, pause=0)
    cache = BlockCache(max_bytes=50_000)

    async def body() -> None:
        await cache.get(B1, "small", small)
        assert await cache.get(B1, "large", large) == b"L" * 100_000
        await cache.get(B1, "large", large)
        await cache.get(B1, "small", small)  # not pushed out by the large one

    run(body)
    assert (small.calls, large.calls) == (1, 2)
    assert 0 < cache.bytes < 50_000


def test_dropped_blocks_give_their_bytes_back() -> None:
    cache, compute = BlockCache(), Counted(b"x" * 1000, pause=0)
    blocks = [Block(n, f"0x{n:064x}") for n in range(3 * BLOCKS_KEPT)]

    async def body() -> None:
        for block in blocks:
            await cache.get(block, "k", compute)

    run(body)
    assert cache.bytes == BLOCKS_KEPT * (ENTRY_OVERHEAD + footprint("k") + footprint(b"x" * 1000))


@dataclass(frozen=True)
class Figures:
    name: str
    amounts: tuple[int, ...]


def test_the_size_estimate_counts_what_an_answer_holds() -> None:
    link = "ipfs://" + "a" * 500_000
    assert footprint(link) > 500_000
    assert footprint(Figures(link, (1, 2))) > 500_000
    assert footprint((Figures(link, ()), [Figures(link, ())], {"k": link})) > 1_500_000
    assert footprint(2**256) > footprint(1)


def test_a_disabled_cache_computes_every_time() -> None:
    cache, compute = BlockCache(enabled=False), Counted(pause=0)

    async def body() -> None:
        await asyncio.gather(*(cache.get(B1, "k", compute) for _ in range(3)))

    run(body)
    assert compute.calls == 3


def test_campaign_answers_untouched_by_a_move_are_carried_to_the_next_block() -> None:
    cache = BlockCache()
    quiet, touched, other = CampaignKey("reading", 1), CampaignKey("reading", 2), ("list", 1)
    computes = {key: Counted(answer=str(key)) for key in (quiet, touched, other)}
    asked: list[bool] = []

    def changed() -> set[int]:
        asked.append(True)
        return {2}

    async def body() -> int:
        for key, compute in computes.items():
            await cache.get(B1, key, compute)
        carried = cache.carry(B1.hash, B2.hash, changed)
        for key, compute in computes.items():
            await cache.get(B2, key, compute)
        return carried

    assert run(body) == 1
    assert asked == [True]
    assert computes[quiet].calls == 1  # carried: not computed again at B2
    assert computes[touched].calls == 2  # an event of campaign 2 lies between
    assert computes[other].calls == 2  # not a campaign's answer: never carried
    # Carried answers are charged at both blocks: the budget still bounds what is kept.
    charged = ENTRY_OVERHEAD + footprint(quiet) + footprint(str(quiet))
    assert cache.bytes >= 2 * charged


def test_nothing_is_carried_from_an_unknown_block_nor_is_the_move_read() -> None:
    cache = BlockCache()

    def changed() -> set[int]:
        raise AssertionError("asked although nothing could be carried")

    assert cache.carry(B1.hash, B2.hash, changed) == 0


def test_failed_or_unfinished_reads_are_not_carried() -> None:
    cache = BlockCache()
    failing, slow = Counted(fail=True), Counted(pause=0.2)

    async def body() -> int:
        try:
            await cache.get(B1, CampaignKey("reading", 1), failing)
        except RuntimeError:
            pass
        pending = asyncio.ensure_future(cache.get(B1, CampaignKey("reading", 2), slow))
        await asyncio.sleep(0.01)
        carried = cache.carry(B1.hash, B2.hash, set)
        await pending
        return carried

    assert run(body) == 0


def test_an_answer_read_at_a_newer_block_than_its_key_is_not_carried() -> None:
    # The index may have moved past the block a request was pinned to: such an answer is
    # served, but carrying it on could outlive a reorg that took its block back.
    @dataclass(frozen=True)
    class Reading:
        block: Block

    B3 = Block(3, "0x" + "03" * 32)
    cache = BlockCache()
    own, newer = Counted(answer=Reading(B1)), Counted(answer=Reading(B2))

    async def body() -> int:
        await cache.get(B1, CampaignKey("reading", 1), own)
        await cache.get(B1, CampaignKey("reading", 2), newer)
        return cache.carry(B1.hash, B3.hash, set)

    assert run(body) == 1


def test_a_carried_answer_is_carried_on_from_block_to_block() -> None:
    # Read at B1 and carried to B2, it is still the reading of B1: it goes on to B3 and
    # further, block after block, for as long as no move touches its campaign.
    @dataclass(frozen=True)
    class Reading:
        block: Block

    chain = [Block(n, "0x" + f"{n:02x}" * 32) for n in range(1, 6)]
    cache = BlockCache()
    compute = Counted(answer=Reading(chain[0]))

    async def body() -> list[int]:
        await cache.get(chain[0], CampaignKey("reading", 1), compute)
        carried = [cache.carry(a.hash, b.hash, set) for a, b in zip(chain, chain[1:], strict=False)]
        await cache.get(chain[-1], CampaignKey("reading", 1), compute)
        return carried

    assert run(body) == [1, 1, 1, 1]
    assert compute.calls == 1
