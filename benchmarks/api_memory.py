"""Part `memory`: the gateway's resident memory while list queries sweep campaigns whose
links, token symbols and updates are as large as the chain lets anyone make them.

On part base's chain, more campaigns are added: some with 500 KB metadata links (the
gateway caps the links it serves), some in a token whose `symbol()` answers 1 MB
(benchmarks/solidity/HugeSymbolToken.sol), and some with many updates. Then 10,000
distinct list queries (every page size and filter, following the cursors) sweep them
while /proc/<gateway>/status is sampled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from api_seed import DAY, ETHER, rpc, seed, send_all
from bench_procs import anvil as start_anvil
from bench_procs import gateway
from bench_report import Part

from crowdfund.compiler import compile_files
from crowdfund.deploy import deploy_escrow
from crowdfund.escrow import encode_call
from crowdfund.project import ROOT

TOKEN_SOURCE = ROOT / "benchmarks" / "solidity" / "HugeSymbolToken.sol"
LINK_BYTES = 500_000
LONG_LINKS = 40  # campaigns with a 500 KB link
HUGE_SYMBOL_CAMPAIGNS = 200
UPDATED_CAMPAIGNS, UPDATES_EACH = 20, 200
QUERIES = 10_000
RSS_TARGET_MB = 300
ETH = "0x" + "0" * 40


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class RssPeak:
    """The highest VmRSS of a process, sampled every 50 ms in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, _rss_mb(self.pid))

    def __enter__(self) -> RssPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def _seed_extremes(url: str, escrow: str, token: str, campaigns: int) -> None:
    """Campaigns with long links and in the huge-symbol token, and many updates on others."""
    with httpx.Client(timeout=300) as client:
        creator = rpc(client, url, "eth_accounts", [])[0]
        now = int(rpc(client, url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

        def create(currency: str, link: str) -> dict[str, Any]:
            data = encode_call("createCampaign", currency, 5 * ETHER, 0, 0, now + 60 * DAY, link)
            return {"from": creator, "to": escrow, "gas": hex(27_000_000 if len(link) > 10_000 else 400_000),
                    "data": data}  # fmt: skip

        long_link = "ipfs://" + "l" * (LINK_BYTES - len("ipfs://"))
        update_link = "ipfs://update/" + "u" * 2_000
        rpc(client, url, "evm_setAutomine", [False])
        send_all(client, url, [create(ETH, long_link) for _ in range(LONG_LINKS)])
        send_all(client, url, [create(token, f"ipfs://huge/{n}.json") for n in range(HUGE_SYMBOL_CAMPAIGNS)])
        updates = [
            {
                "from": creator,
                "to": escrow,
                "gas": hex(200_000),
                "data": encode_call("postUpdate", c, update_link),
            }
            for c in range(campaigns - UPDATED_CAMPAIGNS + 1, campaigns + 1)
            for _ in range(UPDATES_EACH)
        ]
        send_all(client, url, updates)
        rpc(client, url, "evm_setAutomine", [True])


def _queries(token: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Page sizes and filters whose cursor walks make the distinct queries."""
    filters: list[dict[str, str]] = [{}, {"token": token}, {"token": ETH}, {"state": "active"}]
    for limit in range(1, 101):
        for where in filters:
            yield limit, where


async def _sweep(url: str, token: str) -> tuple[int, int]:
    """QUERIES distinct list queries, 8 cursor walks at a time; returns (queries, errors)."""
    done = errors = 0
    plans = _queries(token)
    lock = asyncio.Lock()

    async def walker(client: httpx.AsyncClient) -> None:
        nonlocal done, errors
        while done < QUERIES:
            async with lock:
                plan = next(plans, None)
            if plan is None:
                return
            limit, where = plan
            cursor: str | None = None
            while done < QUERIES:
                done += 1  # counted before it is sent, so that the walkers stop at QUERIES
                params = {"limit": str(limit), **where, **({"cursor": cursor} if cursor else {})}
                response = await client.get("/campaigns", params=params)
                if response.status_code != 200:
                    errors += 1
                    break
                cursor = response.json()["next_cursor"]
                if cursor is None:
                    break

    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        await asyncio.gather(*(walker(client) for _ in range(8)))
    return done, errors


def run(args: argparse.Namespace, scratch: Path, shared: dict[str, Any]) -> Part:
    part = Part("memory", "Memory under list queries over campaigns at their caps")
    os.environ["CROWDFUND_DEPLOYMENTS"] = str(scratch / "memory-deployments")
    artifact = compile_files(TOKEN_SOURCE)["HugeSymbolToken"]
    with start_anvil() as (rpc_url, w3):
        deployment = deploy_escrow(w3, w3.eth.accounts[0])
        contract = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        token_tx = contract.constructor().transact({"from": w3.eth.accounts[0]})
        token = str(w3.eth.wait_for_transaction_receipt(token_tx)["contractAddress"])
        started = time.perf_counter()
        seed(rpc_url, deployment.address, args.campaigns, args.pledges)
        _seed_extremes(rpc_url, deployment.address, token, args.campaigns)
        seed_s = time.perf_counter() - started
        total = args.campaigns + LONG_LINKS + HUGE_SYMBOL_CAMPAIGNS
        print(f"  seeded {total:,} campaigns in {seed_s:.0f} s", flush=True)
        env = {"RPC_URL": rpc_url, "DATABASE_URL": f"sqlite:///{scratch}/memory-index.sqlite",
               "CROWDFUND_DEPLOYMENTS": os.environ["CROWDFUND_DEPLOYMENTS"]}  # fmt: skip
        with gateway(env) as (served, proc):
            before = _rss_mb(proc.pid)
            with RssPeak(proc.pid) as rss:
                sweep_started = time.perf_counter()
                queries, errors = asyncio.run(_sweep(served, token))
                sweep_s = time.perf_counter() - sweep_started
            after = _rss_mb(proc.pid)
    print(f"  {queries:,} queries in {sweep_s:.0f} s, {errors} errors; RSS {before:.0f} MB before, "
          f"peak {rss.peak:.0f} MB, {after:.0f} MB after", flush=True)  # fmt: skip
    part.notes = [
        f"Chain: part base's {args.campaigns:,} campaigns, plus {LONG_LINKS} with a {LINK_BYTES // 1000} KB "
        f"metadata link, {HUGE_SYMBOL_CAMPAIGNS} in a token whose `symbol()` answers 1 MB, and "
        f"{UPDATES_EACH} updates (2 KB links) on each of {UPDATED_CAMPAIGNS} campaigns; seeded in "
        f"{seed_s:.0f} s.",
        f"{queries:,} distinct list queries (page sizes 1 to 100, no filter, by token, by state, each "
        f"walked through its cursors; 8 at a time) in {sweep_s:.0f} s, {errors} errors.",
        f"Gateway RSS (VmRSS of /proc/PID/status, sampled every 50 ms): {before:.0f} MB after start-up "
        f"and catch-up, peak {rss.peak:.0f} MB during the sweep, {after:.0f} MB after it.",
    ]
    part.check(f"gateway RSS < {RSS_TARGET_MB} MB during the sweep", f"peak {rss.peak:.0f} MB",
               rss.peak < RSS_TARGET_MB)  # fmt: skip
    part.check(
        f"{QUERIES:,} list queries answered", f"{queries - errors:,}", queries == QUERIES and errors == 0
    )
    return part
