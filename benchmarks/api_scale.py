"""Part `scale`: a million escrow events (100,000 campaigns, 900,000 pledges).

Times the index catching up on SQLite beside the node's own bare eth_getLogs over the
same range in the same chunks (the ceiling: the indexer cannot read faster than the node
answers), then loads campaign detail and list on that index, to compare with the figures
at 1,000 campaigns (part `base`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiohttp
import orjson
from api_load import Result, measure
from bench_procs import gateway
from bench_report import Part
from scale_chain import Plan, scale_chain
from sqlalchemy import func, select

from crowdfund_api.gateway import holder_for, indexer_options
from crowdfund_api.index import schema
from crowdfund_api.index.events import topics
from crowdfund_api.index.indexer import catch_up
from crowdfund_api.settings import Settings


async def bare_get_logs(url: str, escrow: str, first: int, last: int, chunk: int) -> tuple[int, float]:
    """eth_getLogs over first..last in `chunk`-block requests, answers parsed as the gateway
    parses them and counted, nothing else: how fast the node hands the events out.
    Returns (logs, seconds)."""
    count = 0
    started = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        for start in range(first, last + 1, chunk):
            where = {"address": escrow, "fromBlock": hex(start), "toBlock": hex(min(start + chunk - 1, last)),
                     "topics": [topics()]}  # fmt: skip
            body = {"jsonrpc": "2.0", "id": 1, "method": "eth_getLogs", "params": [where]}
            async with session.post(url, json=body) as response:
                count += len(orjson.loads(await response.read())["result"])
    return count, time.perf_counter() - started


def index_digest(path: Path) -> str:
    """A digest of an SQLite index: its schema and every table's rows in key order. Two
    indexers that agree on everything print the same one (compare a branch with main)."""
    total = hashlib.sha256()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        objects = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        total.update(
            hashlib.sha256(repr(conn.execute(objects).fetchall()).encode()).hexdigest()[:16].encode()
        )
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
            columns = list(conn.execute(f"PRAGMA table_info({table})"))
            keys = [c[1] for c in sorted(columns, key=lambda c: c[5]) if c[5]] or [c[1] for c in columns]
            rows = hashlib.sha256()
            names = ", ".join(c[1] for c in columns)
            for row in conn.execute(f"SELECT {names} FROM {table} ORDER BY {', '.join(keys)}"):
                rows.update(repr(row).encode() + b"\n")
            total.update(rows.hexdigest().encode())
    return total.hexdigest()[:16]


def _indexed_events(database: str) -> int:
    engine = schema.connect(database)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(schema.events)).scalar_one())
    finally:
        engine.dispose()


def run(args: argparse.Namespace, scratch: Path, shared: dict[str, Any]) -> Part:
    started = time.perf_counter()
    plan = Plan(campaigns=args.scale_campaigns, pledges=args.scale_pledges, backers=200_000)
    part = Part("scale", f"Scale: {plan.events:,} escrow events, {plan.campaigns:,} campaigns")
    with scale_chain(plan, scratch) as (rpc_url, chain):
        load_s = time.perf_counter() - started
        blocks = chain.head - chain.first_block + 1
        print(f"  bare eth_getLogs over {blocks:,} blocks, {args.log_chunk} per request ...", flush=True)
        bare_logs, bare_s = asyncio.run(bare_get_logs(rpc_url, chain.escrow, chain.first_block, chain.head,
                                                      args.log_chunk))  # fmt: skip
        bare_rate = bare_logs / bare_s
        print(f"  {bare_logs:,} logs in {bare_s:.1f} s: {bare_rate:,.0f} logs/s", flush=True)

        database = f"sqlite:///{scratch}/scale-index.sqlite"
        env = {"RPC_URL": rpc_url, "DATABASE_URL": database, "ESCROW_ADDRESS": chain.escrow,
               "START_BLOCK": str(chain.first_block), "LOG_CHUNK": str(args.log_chunk)}  # fmt: skip
        settings = Settings(**{k.lower(): v for k, v in env.items()})
        print("  index catch-up ...", flush=True)
        _, catch_up_s = asyncio.run(catch_up(database, holder_for(settings), indexer_options(settings)))
        indexed = _indexed_events(database)
        if indexed != plan.events:
            raise RuntimeError(f"the index holds {indexed:,} events, not {plan.events:,}")
        rate = indexed / catch_up_s
        print(f"  indexed {indexed:,} events in {catch_up_s:.1f} s: {rate:,.0f} events/s", flush=True)
        digest = index_digest(scratch / "scale-index.sqlite")
        print(f"  index digest {digest} (schema and every row: equal digests, equal indexes)", flush=True)

        results: list[Result] = []
        if args.rounds > 0:  # --rounds 0: the catch-up alone, while working on the indexer
            with gateway(env) as (served, _):
                results = measure(
                    [
                        ("campaign detail, 100k campaigns", served, "/campaigns/{id}", plan.campaigns),
                        ("campaign list, 100k campaigns", served, "/campaigns?limit=50", None),
                    ],
                    connections=args.connections,
                    seconds=args.seconds,
                    rounds=args.rounds,
                    # Long enough to read each of the 5,000 campaigns wrk asks for once, as the
                    # 2 s of part base do for its 1,000: both then measure a warm block cache.
                    warm_up=15,
                )
    part.results = results
    part.seconds = time.perf_counter() - started
    part.notes = [
        f"Chain: {plan.campaigns:,} campaigns and {plan.pledges:,} pledges by {plan.backers:,} backers "
        f"over {blocks:,} blocks (benchmarks/solidity/BenchSeeder.sol batches them through the escrow's "
        f"`createCampaign` and `pledgeFor`; 2,500 events a block). Seeding took {chain.seed_seconds:.0f} s "
        f"once; the chain is cached in .bench/ by bytecode and plan, and loading it took {load_s:.0f} s.",
        f"The node's bare eth_getLogs over the range, {args.log_chunk} blocks a request (about 10,000 logs, "
        f"what providers allow), answers parsed: {bare_s:.1f} s, {bare_rate:,.0f} logs/s.",
        f"Index catch-up (SQLite, empty database, `LOG_CHUNK={args.log_chunk}`): {catch_up_s:.1f} s, "
        f"{rate:,.0f} events/s, {rate / bare_rate:.0%} of the bare rate. Its digest "
        f"(`api_scale.index_digest`, the schema and every row) is `{digest}`: an indexer writing "
        "the same index prints the same.",
    ]
    part.check("catch-up of 1,000,000 events >= 8,000 events/s", f"{rate:,.0f}/s", rate >= 8000)
    part.check(
        "catch-up >= 80% of the node's bare eth_getLogs rate",
        f"{rate / bare_rate:.0%}",
        rate >= 0.8 * bare_rate,
    )
    base = shared.get("base")
    for name, result in zip(("detail", "list"), results, strict=False):
        if base is None:
            part.check(f"{name} p99 at 100,000 campaigns within 1.5x of 1,000", "(part base not run)", False)
            continue
        reference = base[name]
        ratio = result.p99_ms / reference.p99_ms
        part.check(
            f"{name} p99 at 100,000 campaigns within 1.5x of 1,000",
            f"{result.p99_ms:.1f} / {reference.p99_ms:.1f} ms = {ratio:.2f}x",
            ratio <= 1.5,
        )
    part.explained = [
        "*bare eth_getLogs*: the same block ranges as the indexer, one request at a time, each "
        "answer's JSON parsed and its logs counted: the ceiling for any indexer reading this node.",
        "*catch-up*: `crowdfund_api.index.indexer.catch_up`, as `crowdfund index` runs it: logs "
        "fetched, decoded, added up into campaigns and positions, written with the blocks they came from.",
    ]
    return part
