"""The block the gateway answers at: the index's tip, watched together with the node.

Every answer is read at one block. It is the tip the index has reached (itself
`confirmations` behind the head), so figures from the index and live reads from the node
agree. Requests read it from memory; this loop keeps it current and notices when the
node is gone or the index has fallen too far behind, which turn answers into 503s.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy import Engine

from crowdfund.deployments import DeploymentNotFound

from ..node.rpc import ChainHolder, NodeUnavailable, RpcError
from ..node.types import Block
from . import store
from .types import Tip

log = logging.getLogger("crowdfund.gateway")


class IndexBehind(Exception):
    """The index is missing, or trails the node by more than the settings allow."""


class Follower:
    def __init__(
        self, holder: ChainHolder, engine: Engine, *, confirmations: int, max_lag: int, poll_interval: float,
        read_tip_from_db: bool,
    ) -> None:  # fmt: skip
        self.holder = holder
        self.engine = engine
        self.confirmations = confirmations
        self.max_lag = max_lag
        self.poll_interval = poll_interval
        self.read_tip_from_db = read_tip_from_db
        self.tip: Tip | None = None
        self.head: int | None = None
        self.node_error: str | None = "the gateway has not reached the node yet"
        self._changed = asyncio.Event()
        self._block: Block | None = None  # the tip as a Block, built once per tip

    def on_tip(self, tip: Tip) -> None:
        if tip != self.tip:
            self.tip = tip
            self._block = Block(number=tip.number, hash=tip.hash) if tip.hash else None
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_for_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    @property
    def lag(self) -> int | None:
        if self.head is None or self.tip is None:
            return None
        return max(0, self.head - self.confirmations - self.tip.number)

    def pinned(self) -> tuple[Block, int]:
        """The block to answer at and its timestamp; raises when no answer can be trusted."""
        if self.node_error is not None:
            raise NodeUnavailable(self.node_error)
        tip, block = self.tip, self._block
        if tip is None or block is None:
            raise IndexBehind("the index has not reached the escrow's first block yet")
        lag = self.lag
        if lag is not None and lag > self.max_lag:
            raise IndexBehind(f"the index is {lag} blocks behind the node (at most {self.max_lag} allowed)")
        return block, tip.timestamp

    async def poll(self) -> None:
        before = self.node_error
        try:
            chain = await self.holder.get()
            self.head = int(await chain.rpc("eth_blockNumber", []), 16)
            self.node_error = None
        except (NodeUnavailable, RpcError) as exc:
            self.node_error = str(exc)
        except DeploymentNotFound as exc:
            self.node_error = f"{exc}; deploy the escrow or set ESCROW_ADDRESS"
        # Said once when it changes: answers are 503s meanwhile, and the operator should
        # not have to ask /health why.
        if self.node_error != before and self.node_error is not None:
            log.warning("answers are 503 until this changes: %s", self.node_error)
        elif self.node_error != before:
            log.info("the node answers again")
        if self.read_tip_from_db:
            try:
                tip = await asyncio.to_thread(store.read_tip, self.engine)
            except Exception:  # the database is down: keep the last tip, say so in the log
                log.exception("reading the index's tip failed")
            else:
                if tip is not None:
                    self.on_tip(tip)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.poll()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.poll_interval)
