"""What GET /health reports: each part the answers depend on, whether it can be trusted
now and why not, and the role this process has in indexing.

  node      answers, serves the index's chain, and its head moves (STALL_AFTER)
  follower  the loop that pins answers to the index's tip is looking
  index     reached the escrow's first block, within MAX_LAG of the head, and (where this
            process indexes) indexing is not paused by a fault
  database  answers reads, and took the indexer's last write

A look at /health is a live look at the node and the database, taken the same way as the
follower's, so that it never reports an older state than the one it could see.
"""

from __future__ import annotations

from dataclasses import dataclass

from .gateway import Gateway
from .index.follower import DatabaseUnavailable, IndexBehind, Role
from .node.rpc import NodeUnavailable
from .node.types import Block


@dataclass(frozen=True)
class Component:
    problem: str | None  # None: it can be trusted

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Status:
    role: Role
    node: Component
    follower: Component
    index: Component
    database: Component
    chain_id: int | None
    escrow: str | None
    vault: str | None  # the milestone vault's, when this gateway serves one
    head: int | None
    indexed: int | None
    lag: int | None
    confirmations: int
    block: Block | None  # the block answers are pinned to, when they can be

    @property
    def components(self) -> dict[str, Component]:
        return {"node": self.node, "follower": self.follower, "index": self.index, "database": self.database}

    @property
    def problem(self) -> str | None:
        """The first reason not to trust the answers, or None when all is well."""
        return next((c.problem for c in self.components.values() if c.problem is not None), None)


async def status(gateway: Gateway) -> Status:
    follower, indexer, holder = gateway.follower, gateway.indexer, gateway.holder
    await follower.poll()
    node = follower.node_error
    if holder.wrong_chain is not None:
        node = str(holder.wrong_chain)
    quiet = follower.silent_for()
    database = follower.database_error
    index: str | None = None
    if indexer is not None and follower.role == "indexer" and indexer.error is not None:
        if indexer.error_kind == "database":
            database = database or indexer.error
        else:
            index = f"indexing is paused: {indexer.error}"
    block: Block | None = None
    try:
        block, _ = follower.pinned()
    except IndexBehind as exc:
        index = index or str(exc)
    except (NodeUnavailable, DatabaseUnavailable):
        pass  # said by the node's or the database's own entry
    chain = holder.current
    tip = follower.tip
    return Status(
        role=follower.role,
        node=Component(node),
        follower=Component(None if quiet is None else f"the follower has not looked for {quiet:.0f} s"),
        index=Component(index),
        database=Component(database),
        chain_id=chain.chain_id if chain is not None else follower.index_chain_id,
        escrow=chain.address if chain is not None else None,
        vault=chain.vault if chain is not None else None,
        head=follower.head,
        indexed=tip.number if tip is not None else None,
        lag=follower.lag,
        confirmations=follower.confirmations,
        block=block,
    )
