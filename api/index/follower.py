"""The block the gateway answers at: the index's tip, watched together with the node.

Every answer is read at one block. It is the tip the index has reached (itself
`confirmations` behind the head), so figures from the index and live reads from the node
agree. Requests read it from memory; this loop keeps it current and notices what makes
answers untrustworthy, which turns them into 503s: a node that is down, answers garbage,
serves another chain or stopped advancing; an index too far behind; a database that does
not answer.

The loop is never fatal: each fault is said in the log once when it changes and looked
at again after a growing pause. Should the loop itself go quiet, answers turn into 503s
too (`silent_after`), rather than going on at an old block.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from crowdfund.deployments import DeploymentNotFound

from ..node.rpc import ChainHolder, NodeUnavailable, RpcError, WrongChain
from ..node.types import Block
from .backoff import BACKOFF_LIMIT, backoff, pause
from .database import IndexDatabase, failure
from .types import Tip, TipMove

log = logging.getLogger("crowdfund.gateway")

# indexer: this process indexes; standby: the indexer is on but another process leads,
# this one serves what that one writes; replica: the indexer is off (RUN_INDEXER=false).
Role = Literal["indexer", "standby", "replica"]


# Moves kept for the event streams: a stream a few moves behind catches up from memory
# instead of asking the index.
MOVES_KEPT = 16


# Waiters woken in one turn of the event loop; the requests that arrived meanwhile are
# served between two batches.
WAKE_BATCH = 64


async def _wake(waiting: set[asyncio.Future[None]]) -> None:
    for n, change in enumerate(waiting, 1):
        if not change.done():
            change.set_result(None)
        if n % WAKE_BATCH == 0:
            await asyncio.sleep(0)


class IndexBehind(Exception):
    """The index is missing, or trails the node by more than the settings allow."""


class DatabaseUnavailable(Exception):
    """The index's database does not answer."""


class Follower:
    def __init__(
        self, holder: ChainHolder, database: IndexDatabase, *, confirmations: int, max_lag: int,
        poll_interval: float, stall_after: float | None, role: Role,
    ) -> None:  # fmt: skip
        self.holder = holder
        self.database = database
        self.confirmations = confirmations
        self.max_lag = max_lag
        self.poll_interval = poll_interval
        self.stall_after = stall_after
        self.role: Role = role
        self.tip: Tip | None = None
        self.head: int | None = None
        self.node_error: str | None = "the gateway has not reached the node yet"
        self.database_error: str | None = "the gateway has not read the index yet"
        self.index_chain_id: int | None = None
        # A poll takes at most a node timeout and a database timeout; quiet for much
        # longer than the slowest poll and pause, the loop cannot be trusted.
        self.silent_after = 30.0 + 2 * (poll_interval + BACKOFF_LIMIT)
        self.looked_at = time.monotonic()  # the loop's last completed look
        self._head_since = time.monotonic()  # when the head last moved
        # Who waits for the next move: futures woken a batch at a time (WAKE_BATCH).
        self._waiting: set[asyncio.Future[None]] = set()
        self._waking: set[asyncio.Task[None]] = set()
        self._block: Block | None = None  # the tip as a Block, built once per tip
        self.moves: deque[TipMove] = deque(maxlen=MOVES_KEPT)  # the newest moves of the tip
        self.moved = 0  # how many moves there were: the number of the last
        # Told of every move before any request is answered at the new tip: the answer
        # cache carries what the move did not change (services.campaigns.follow_moves).
        self.on_move: Callable[[TipMove], None] = lambda move: None

    def on_tip(
        self, tip: Tip, since: Tip | None = None, rows: Sequence[Mapping[str, Any]] | None = None
    ) -> None:
        """The index reached `tip`; `rows` are all the events it took in after `since`, when
        the caller knows them (the indexer, for a chunk it wrote)."""
        if tip == self.tip:
            return
        known = rows is not None and since is not None and since == self.tip
        move = TipMove(self.moved + 1, self.tip, tip, rows if known else None)
        self.on_move(move)
        self.moves.append(move)
        self.moved = move.number
        self.tip = tip
        self._block = Block(number=tip.number, hash=tip.hash) if tip.hash else None
        if self._waiting:
            waiting, self._waiting = self._waiting, set()
            # Not all at once: a thousand event streams woken together would hold every
            # request that arrives meanwhile until the last of them has sent its events.
            waking = asyncio.get_running_loop().create_task(_wake(waiting))
            self._waking.add(waking)  # the loop holds tasks weakly
            waking.add_done_callback(self._waking.discard)

    def on_role(self, leading: bool) -> None:
        """The indexer's word on who leads: a standby reads the tip from the database."""
        self.role = "indexer" if leading else "standby"

    async def wait_for_change(self, timeout: float) -> None:
        """Until the tip moves, or `timeout` seconds."""
        change: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.add(change)
        try:
            # asyncio.timeout rather than wait_for: no task per wait, which a thousand event
            # streams waking at every block would pay for.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await change
        finally:
            self._waiting.discard(change)

    @property
    def lag(self) -> int | None:
        if self.head is None or self.tip is None:
            return None
        return max(0, self.head - self.confirmations - self.tip.number)

    def silent_for(self) -> float | None:
        """Seconds since the loop last looked, when that is too long to trust the tip."""
        quiet = time.monotonic() - self.looked_at
        return quiet if quiet > self.silent_after else None

    def pinned(self) -> tuple[Block, int]:
        """The block to answer at and its timestamp; raises when no answer can be trusted."""
        wrong = self.holder.wrong_chain
        if wrong is not None:
            raise WrongChain(wrong.served, wrong.expected)
        if self.node_error is not None:
            raise NodeUnavailable(self.node_error)
        quiet = self.silent_for()
        if quiet is not None:
            raise NodeUnavailable(f"the gateway has not looked at the node for {quiet:.0f} s")
        if self.database_error is not None:
            raise DatabaseUnavailable(self.database_error)
        tip, block = self.tip, self._block
        if tip is None or block is None:
            raise IndexBehind("the index has not reached the escrow's first block yet")
        lag = self.lag
        if lag is not None and lag > self.max_lag:
            raise IndexBehind(f"the index is {lag} blocks behind the node (at most {self.max_lag} allowed)")
        return block, tip.timestamp

    async def _look_at_node(self) -> str | None:
        """The node's head, and the chain it serves, in one batch; what is wrong, or None."""
        try:
            head = await self.holder.head()
        except DeploymentNotFound as exc:
            return f"{exc}; deploy the escrow or set ESCROW_ADDRESS"
        except (NodeUnavailable, RpcError) as exc:  # also garbage answers and another chain
            return str(exc)
        now = time.monotonic()
        if head != self.head:
            self.head, self._head_since = head, now
        still = now - self._head_since
        if self.stall_after is not None and still > self.stall_after:
            return (
                f"the node's head has stayed at block {head} for {still:.0f} s "
                f"(more than STALL_AFTER={self.stall_after:g})"
            )
        return None

    async def _read_index(self) -> str | None:
        """The chain the index holds and, unless this process indexes, its tip; what is
        wrong with the database, or None."""
        try:
            chain_id, tip = await asyncio.to_thread(self.database.read)
        except Exception as exc:  # noqa: BLE001 - a database fault of any kind is a 503, not the loop's end
            return f"the index database does not answer: {failure(exc)}"
        if chain_id is not None:
            self.index_chain_id = chain_id
            self.holder.expect(chain_id)  # a node on another chain is refused from now on
        if self.role != "indexer" and tip is not None:
            self.on_tip(tip)
        return None

    async def poll(self) -> None:
        """Look at the node and the index once, and update what the answers are pinned to."""
        before = (self.node_error, self.database_error)
        self.database_error = await self._read_index()
        self.node_error = await self._look_at_node()
        # Said once when it changes: answers are 503s meanwhile, and the operator should
        # not have to ask /health why.
        for was, now in zip(before, (self.node_error, self.database_error), strict=True):
            if now is not None and now != was:
                log.warning("answers are 503 until this changes: %s", now)
            elif now is None and was is not None:
                log.info("answers again (it was: %s)", was)

    async def run(self, stop: asyncio.Event) -> None:
        failures, unforeseen = 0, ""
        while not stop.is_set():
            try:
                await self.poll()
            except Exception as exc:  # noqa: BLE001 - a look that failed in a way no check foresaw
                if repr(exc) != unforeseen:  # once per change, like every other fault
                    log.exception("looking at the node and the index failed; looking again")
                unforeseen = repr(exc)
                self.node_error = f"the gateway could not look at the node: {type(exc).__name__}"
            else:
                unforeseen = ""
            self.looked_at = time.monotonic()
            failures = failures + 1 if (self.node_error or self.database_error) else 0
            await pause(stop, backoff(self.poll_interval, failures))
