"""Part `sse`: a thousand clients on /events while campaign detail is loaded.

The chain is part base's, mining a block a second with pledges flowing. A thousand
streams are opened on /events (aiohttp, in a thread of their own); a watcher notes when
/health first reports each block indexed; wrk then loads campaign detail. Every event is
expected at every client, within 2 s of its block being indexed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from api_load import measure
from api_seed import PledgeFlow, rpc, seed
from bench_procs import GENEROUS_LIMITS, anvil, gateway, raise_open_files
from bench_report import Part

from crowdfund.deploy import deploy_escrow

PLEDGES_PER_SECOND = 5
DELIVERY_TARGET_S = 2.0
SETTLE_S = 10.0  # after the load: time for late events to reach every client (lateness is judged apart)


@dataclass
class Streams:
    """What the clients received: for each event id, how many clients got it and when the
    last one did; and when each block was first seen indexed."""

    connected: int = 0
    failed: int = 0
    received: dict[str, list[float]] = field(default_factory=dict)  # id -> [clients, last receipt]
    indexed_at: dict[int, float] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def got(self, event_id: str, at: float) -> None:
        entry = self.received.setdefault(event_id, [0, at])
        entry[0] += 1
        entry[1] = max(entry[1], at)


async def _client(
    session: aiohttp.ClientSession, url: str, streams: Streams, opened: asyncio.Semaphore
) -> None:
    try:
        async with opened:
            response = await session.get(url + "/events")
        if response.status != 200:
            streams.failed += 1
            return
        streams.connected += 1
        async for line in response.content:
            if line.startswith(b"id:"):
                streams.got(line[3:].strip().decode(), time.monotonic())
    except (TimeoutError, aiohttp.ClientError):
        streams.failed += 1


async def _watch_index(url: str, streams: Streams) -> None:
    """The moment each block is first reported indexed, polled every 20 ms."""
    async with aiohttp.ClientSession() as session:
        seen = -1
        while True:
            async with session.get(url + "/health") as response:
                indexed = (await response.json()).get("indexed")
            now = time.monotonic()
            if isinstance(indexed, int) and indexed > seen:
                for block in range(seen + 1 if seen >= 0 else indexed, indexed + 1):
                    streams.indexed_at[block] = now
                seen = indexed
            await asyncio.sleep(0.02)


async def _all_streams(url: str, clients: int, streams: Streams) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        opened = asyncio.Semaphore(50)  # connect in waves, as a crowd arriving would
        tasks = [asyncio.create_task(_client(session, url, streams, opened)) for _ in range(clients)]
        watcher = asyncio.create_task(_watch_index(url, streams))
        while not streams.stop.is_set():
            await asyncio.sleep(0.1)
        for task in [*tasks, watcher]:
            task.cancel()
        await asyncio.gather(*tasks, watcher, return_exceptions=True)


def run(args: argparse.Namespace, scratch: Path, shared: dict[str, Any]) -> Part:
    clients = args.sse_clients
    part = Part("sse", f"{clients:,} clients on /events")
    raise_open_files(clients * 2 + 1024)  # the clients here, and the gateway (a child) there
    os.environ["CROWDFUND_DEPLOYMENTS"] = str(scratch / "sse-deployments")
    with anvil() as (rpc_url, w3):
        deployment = deploy_escrow(w3, w3.eth.accounts[0])
        seed(rpc_url, deployment.address, args.campaigns, args.pledges)
        with httpx.Client(timeout=30) as client:
            rpc(client, rpc_url, "evm_setIntervalMining", [1])
        env = {"RPC_URL": rpc_url, "DATABASE_URL": f"sqlite:///{scratch}/sse-index.sqlite",
               "CROWDFUND_DEPLOYMENTS": os.environ["CROWDFUND_DEPLOYMENTS"], **GENEROUS_LIMITS}  # fmt: skip
        with (
            gateway(env) as (served, _),
            PledgeFlow(rpc_url, deployment.address, args.campaigns, PLEDGES_PER_SECOND),
        ):
            streams = Streams()
            thread = threading.Thread(target=asyncio.run, args=(_all_streams(served, clients, streams),))
            thread.start()
            try:
                deadline = time.monotonic() + 120
                while streams.connected + streams.failed < clients and time.monotonic() < deadline:
                    time.sleep(0.2)
                print(f"  {streams.connected:,} streams open, {streams.failed} refused or failed", flush=True)
                window_start = time.monotonic()
                (detail,) = measure(
                    [
                        (
                            f"campaign detail, {clients:,} SSE clients",
                            served,
                            "/campaigns/{id}",
                            args.campaigns,
                        )
                    ],
                    connections=args.connections,
                    seconds=args.seconds,
                    rounds=args.rounds,
                )
                window_end = time.monotonic()
                time.sleep(SETTLE_S)
            finally:
                streams.stop.set()
                thread.join(timeout=30)

    # The events judged: those of blocks indexed while every client was connected and the
    # load ran; each must have reached every client, within the target of its indexing.
    blocks = {b for b, at in streams.indexed_at.items() if window_start <= at <= window_end}
    judged = {i: v for i, v in streams.received.items() if int(i.split("-")[0]) in blocks}
    missing = sum(clients - count for count, _ in judged.values())
    lateness = sorted(last - streams.indexed_at[int(i.split("-")[0])] for i, (_, last) in judged.items())
    worst = lateness[-1] if lateness else float("nan")
    median = lateness[len(lateness) // 2] if lateness else float("nan")
    part.results = [detail]
    part.notes = [
        f"Chain: part base's campaigns and pledges, then a block a second with {PLEDGES_PER_SECOND} "
        f"pledges a second. {streams.connected:,} of {clients:,} streams open ({streams.failed} refused "
        "or failed); the "
        f"gateway ran with {', '.join(f'{k}={v}' for k, v in GENEROUS_LIMITS.items())}.",
        f"During the load {len(blocks):,} blocks were indexed holding {len(judged):,} events: "
        f"{missing:,} deliveries missing out of {len(judged) * clients:,}; from a block's indexing (as "
        f"/health first reports it, polled every 20 ms) to the last client's receipt of its event: "
        f"median {max(0.0, median) * 1000:.0f} ms, worst {max(0.0, worst) * 1000:.0f} ms (0 when the "
        "clients had it before /health reported the block).",
    ]
    part.check(f"p99 of campaign detail < 100 ms with {clients:,} SSE clients", f"{detail.p99_ms:.1f} ms",
               detail.p99_ms < 100)  # fmt: skip
    part.check(f"all {clients:,} clients connected", f"{streams.connected:,}", streams.connected == clients)
    delivered = missing == 0 and bool(judged) and streams.connected == clients
    part.check(
        "every client receives every event", f"{missing:,} missing of {len(judged) * clients:,}", delivered
    )
    part.check(f"each event at every client within {DELIVERY_TARGET_S:.0f} s of being indexed",
               f"worst {worst:.2f} s", worst <= DELIVERY_TARGET_S)  # fmt: skip
    return part
