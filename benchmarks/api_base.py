"""Part `base`: throughput and latency on 1,000 campaigns and 10,000 pledges.

Seeds a private anvil, times the index catching up, then loads a running gateway on a
static endpoint (the baseline), a campaign's detail, a page of 50 campaigns, and the same
detail read naively (a fresh node read per request, the block cache off).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from typing import Any

from api_load import measure
from api_seed import seed
from bench_procs import anvil, gateway
from bench_report import Part

from crowdfund.deploy import deploy_escrow
from crowdfund_api.gateway import holder_for, indexer_options
from crowdfund_api.index.indexer import catch_up
from crowdfund_api.settings import Settings


def run(args: argparse.Namespace, scratch: Path, shared: dict[str, Any]) -> Part:
    part = Part("base", f"Reads on {args.campaigns:,} campaigns")
    registry = scratch / "deployments"
    os.environ["CROWDFUND_DEPLOYMENTS"] = str(registry)
    with anvil() as (rpc_url, w3):
        deployment = deploy_escrow(w3, w3.eth.accounts[0])
        print(f"  seeding {args.campaigns:,} campaigns and {args.pledges:,} pledges ...", flush=True)
        started = time.perf_counter()
        seeded = seed(rpc_url, deployment.address, args.campaigns, args.pledges)
        seed_s = time.perf_counter() - started
        events, blocks = args.campaigns + args.pledges, seeded["head"] - deployment.block
        print(f"  seeded in {seed_s:.1f} s, head at block {seeded['head']}", flush=True)

        database = f"sqlite:///{scratch}/base-index.sqlite"
        settings = Settings(rpc_url=rpc_url, database_url=database)
        tip, catch_up_s = asyncio.run(
            catch_up(settings.database_url, holder_for(settings), indexer_options(settings))
        )
        print(f"  index caught up to block {tip.number} in {catch_up_s:.1f} s", flush=True)

        common = {"RPC_URL": rpc_url, "DATABASE_URL": database, "CROWDFUND_DEPLOYMENTS": str(registry)}
        with (
            gateway(common) as (served, _),
            gateway({**common, "RUN_INDEXER": "false", "READ_CACHE": "false"}) as (naive, _),
        ):
            plan = [
                ("static baseline", served, "/health/live", None),
                ("campaign detail", served, "/campaigns/{id}", args.campaigns),
                ("campaign list", served, "/campaigns?limit=50", None),
                ("campaign detail, naive", naive, "/campaigns/{id}", args.campaigns),
            ]
            load_before = os.getloadavg()[0]
            results = measure(plan, connections=args.connections, seconds=args.seconds, rounds=args.rounds)
            load_after = os.getloadavg()[0]
    baseline, detail, listing, naive_result = results
    shared["base"] = {"detail": detail, "list": listing, "baseline": baseline}
    part.results = results
    part.notes = [
        f"Chain: anvil with {args.campaigns:,} campaigns and {args.pledges:,} pledges ({events:,} escrow "
        f"events over {blocks:,} blocks), seeded in {seed_s:.1f} s.",
        f"Index catch-up (SQLite, from an empty database): {catch_up_s:.1f} s, "
        f"{events / catch_up_s:,.0f} events/s.",
        f"Load average of the machine (other work included): {load_before:.1f} before the rounds, "
        f"{load_after:.1f} after.",
        "Campaign ids are drawn at random from all campaigns; the chain is idle during the load, so the "
        "block cache is warm after the first read of each campaign (a new block empties it).",
    ]
    ratio = detail.requests_per_second / baseline.requests_per_second
    part.check("campaign detail >= 70% of the baseline's throughput", f"{ratio:.1%}", ratio >= 0.7)
    speedup = detail.requests_per_second / naive_result.requests_per_second
    part.check("campaign detail >= 10x the naive read", f"{speedup:.1f}x", speedup >= 10)
    part.check("list p99 < 50 ms", f"{listing.p99_ms:.1f} ms", listing.p99_ms < 50)
    part.check("catch-up of the events < 30 s", f"{catch_up_s:.1f} s", catch_up_s < 30)
    part.explained = [
        "*static baseline*: `GET /health/live`, a constant answer through the same stack (uvicorn, "
        "FastAPI, the same middleware).",
        "*campaign detail*: the answer is cached by block hash as rendered JSON; a miss costs one "
        "index query and one eth_call (batched with the other misses of the same moment).",
        "*campaign list*: a page of 50 from the index, cached by block hash and query.",
        "*campaign detail, naive*: the same route on a second gateway with `READ_CACHE=false`: every "
        "request queries the index and makes its own eth_call.",
    ]
    return part
