"""Part `live`: campaign detail while the chain moves.

anvil mines a block every second (interval mining, as `--block-time 1` does) while
pledges flow in from a background sender, so the gateway's index follows a new block each
second and its block cache starts empty at each. The static baseline is loaded in the same
run, beside it.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

import httpx
from api_load import measure
from api_seed import PledgeFlow, rpc, seed
from bench_procs import anvil, gateway
from bench_report import Part

from crowdfund.deploy import deploy_escrow

PLEDGES_PER_SECOND = 20


def run(args: argparse.Namespace, scratch: Path, shared: dict[str, Any]) -> Part:
    part = Part("live", "Live chain: a block a second, pledges flowing")
    os.environ["CROWDFUND_DEPLOYMENTS"] = str(scratch / "live-deployments")
    with anvil() as (rpc_url, w3):
        deployment = deploy_escrow(w3, w3.eth.accounts[0])
        seed(rpc_url, deployment.address, args.campaigns, args.pledges)
        with httpx.Client(timeout=30) as client:
            rpc(client, rpc_url, "evm_setIntervalMining", [1])  # seeded fast, then a block a second
            first = int(rpc(client, rpc_url, "eth_blockNumber", []), 16)
        env = {"RPC_URL": rpc_url, "DATABASE_URL": f"sqlite:///{scratch}/live-index.sqlite",
               "CROWDFUND_DEPLOYMENTS": os.environ["CROWDFUND_DEPLOYMENTS"]}  # fmt: skip
        with (
            gateway(env) as (served, _),
            PledgeFlow(rpc_url, deployment.address, args.campaigns, PLEDGES_PER_SECOND) as flow,
        ):
            started = time.monotonic()
            results = measure(
                [
                    ("static baseline, live chain", served, "/health/live", None),
                    ("campaign detail, live chain", served, "/campaigns/{id}", args.campaigns),
                ],
                connections=args.connections,
                seconds=args.seconds,
                rounds=args.rounds,
            )
            elapsed = time.monotonic() - started
            indexed = httpx.get(served + "/health", timeout=10).json()["indexed"]
            sent = flow.sent
    baseline, detail = results
    part.results = results
    blocks = indexed - first
    part.notes = [
        f"Chain: the {args.campaigns:,} campaigns and {args.pledges:,} pledges of part base, then interval "
        f"mining of a block a second with {PLEDGES_PER_SECOND} pledges a second sent meanwhile "
        f"({sent:,} pledges sent, {blocks:,} blocks indexed in the {elapsed:.0f} s of load).",
        "A campaign's reading (an index query and an eth_call) is carried from block to block while no "
        "event touches the campaign; those a block touched are read again as soon as it is indexed. The "
        "first round reads each campaign once.",
    ]
    ratio = detail.requests_per_second / baseline.requests_per_second
    part.check("live: campaign detail >= 60% of the baseline's throughput", f"{ratio:.1%}", ratio >= 0.6)
    return part
