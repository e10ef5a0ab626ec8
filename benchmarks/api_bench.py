"""`make bench-api` (python benchmarks/api_bench.py): the gateway's throughput and latency on a seeded chain.

Seeds 1,000 campaigns and 10,000 pledges on a private anvil, times the index catching up,
then loads a running gateway on a static endpoint (the baseline), a campaign's detail,
a page of 50 campaigns, and the same detail read naively (a fresh node read per request,
the block cache off) — all in one run — and writes docs/performance.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

# api_load and api_seed sit beside this script, whose folder Python puts on sys.path.
import httpx
from api_load import Result, load
from api_seed import seed
from web3 import Web3

from crowdfund.deploy import deploy_escrow
from crowdfund.project import ROOT
from crowdfund_api.gateway import holder_for, indexer_options
from crowdfund_api.index.indexer import catch_up
from crowdfund_api.settings import Settings

ANVIL = ROOT / ".toolchain" / "bin" / "anvil"
REPORT = ROOT / "docs" / "performance.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout} s")


@contextmanager
def process(args: list[str], env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def gateway(env: dict[str, str]) -> tuple[list[str], dict[str, str], str]:
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", "--factory", "crowdfund_api.http.app:create_app",
            "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip
    return args, env, f"http://127.0.0.1:{port}"


def report(
    results: list[Result], figures: dict[str, float], seconds: int, connections: int, rounds: int
) -> str:
    baseline, detail, listing, naive = results
    checks = [
        ("campaign detail >= 70% of the baseline's throughput",
         f"{detail.requests_per_second / baseline.requests_per_second:.1%}",
         detail.requests_per_second >= 0.7 * baseline.requests_per_second),
        ("campaign detail >= 10x the naive read",
         f"{detail.requests_per_second / naive.requests_per_second:.1f}x",
         detail.requests_per_second >= 10 * naive.requests_per_second),
        ("list p99 < 50 ms", f"{listing.p99_ms:.1f} ms", listing.p99_ms < 50),
        ("catch-up of the events < 30 s", f"{figures['catch_up_s']:.1f} s", figures["catch_up_s"] < 30),
    ]  # fmt: skip
    lines = [
        "# Gateway performance",
        "",
        "Measured by `make bench-api` (`benchmarks/api_bench.py`); this file is rewritten by each run.",
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}; the gateway is one uvicorn worker; the load generator "
        f"({results[0].tool}, one thread, {connections} connections) runs on the same machine. Each "
        f"endpoint was loaded for {seconds} s in each of {rounds} interleaved rounds; the table shows its "
        "median round.",
        f"- Load average of the machine (other work included): {figures['load_before']:.1f} before the "
        f"rounds, {figures['load_after']:.1f} after.",
        f"- Chain: anvil with {figures['campaigns']:,.0f} campaigns and {figures['pledges']:,.0f} pledges "
        f"({figures['events']:,.0f} escrow events over {figures['blocks']:,.0f} blocks), seeded in "
        f"{figures['seed_s']:.1f} s.",
        f"- Index catch-up (SQLite, from an empty database): {figures['catch_up_s']:.1f} s, "
        f"{figures['events'] / figures['catch_up_s']:,.0f} events/s.",
        "- Campaign ids are drawn at random from all campaigns; the chain is idle during the load, so the "
        "block cache is warm after the first read of each campaign (a new block empties it).",
        "",
        "| endpoint | path | req/s | p50 ms | p99 ms | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        figures_row = f"{r.requests_per_second:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors}"
        lines.append(f"| {r.name} | `{r.path}` | {figures_row} |")
    lines += ["", "| target | measured | met |", "| --- | ---: | :---: |"]
    for name, value, met in checks:
        lines.append(f"| {name} | {value} | {'yes' if met else '**no**'} |")
    lines += [
        "",
        "What is measured:",
        "",
        "- *static baseline*: `GET /health/live`, a constant answer through the same stack (uvicorn, "
        "FastAPI, the same middleware).",
        "- *campaign detail*: the answer is cached by block hash as rendered JSON; a miss costs one "
        "index query and one eth_call (batched with the other misses of the same moment).",
        "- *campaign list*: a page of 50 from the index, cached by block hash and query.",
        "- *campaign detail, naive*: the same route on a second gateway with `READ_CACHE=false`: every "
        "request queries the index and makes its own eth_call.",
        "",
        "The machine is shared: when its load average is well above its 2 cores, the figures understate "
        "the gateway, its tail latencies most.",
        "",
        f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--pledges", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5, help="load per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all endpoints (median reported)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="crowdfund-bench-") as scratch, ExitStack() as stack:
        registry = Path(scratch) / "deployments"
        os.environ["CROWDFUND_DEPLOYMENTS"] = str(registry)
        port = free_port()
        rpc_url = f"http://127.0.0.1:{port}"
        stack.enter_context(process([str(ANVIL), "--port", str(port), "--silent", "--balance", "1000000"]))
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
        deadline = time.monotonic() + 20
        while not w3.is_connected():
            if time.monotonic() > deadline:
                raise TimeoutError("anvil did not start")
            time.sleep(0.1)
        deployment = deploy_escrow(w3, w3.eth.accounts[0])

        print(f"seeding {args.campaigns} campaigns and {args.pledges} pledges ...", flush=True)
        started = time.perf_counter()
        seeded = seed(rpc_url, deployment.address, args.campaigns, args.pledges)
        figures: dict[str, float] = {
            "seed_s": time.perf_counter() - started,
            "campaigns": args.campaigns,
            "pledges": args.pledges,
            "events": args.campaigns + args.pledges,
            "blocks": seeded["head"] - deployment.block,
        }
        print(f"  seeded in {figures['seed_s']:.1f} s, head at block {seeded['head']}", flush=True)

        database = f"sqlite:///{scratch}/index.sqlite"
        settings = Settings(rpc_url=rpc_url, database_url=database)  # type: ignore[arg-type]
        tip, figures["catch_up_s"] = asyncio.run(
            catch_up(settings.database_url, holder_for(settings), indexer_options(settings))
        )
        print(f"  index caught up to block {tip.number} in {figures['catch_up_s']:.1f} s", flush=True)

        common = {"RPC_URL": rpc_url, "DATABASE_URL": database, "CROWDFUND_DEPLOYMENTS": str(registry)}
        served_args, served_env, served = gateway({**common})
        naive_args, naive_env, naive = gateway({**common, "RUN_INDEXER": "false", "READ_CACHE": "false"})
        stack.enter_context(process(served_args, served_env))
        stack.enter_context(process(naive_args, naive_env))
        wait_for(served + "/health")
        wait_for(naive + "/health")

        plan = [
            ("static baseline", served, "/health/live", None),
            ("campaign detail", served, "/campaigns/{id}", args.campaigns),
            ("campaign list", served, "/campaigns?limit=50", None),
            ("campaign detail, naive", naive, "/campaigns/{id}", args.campaigns),
        ]
        for name, base, path, ids in plan:  # warm-up: every campaign read once
            load(name, base, path, ids=ids, connections=args.connections, seconds=2)
        # Rounds interleave the endpoints, and each endpoint's median round is reported, so
        # that a burst of other work on the machine does not land on one endpoint alone.
        rounds: dict[str, list[Result]] = {name: [] for name, *_ in plan}
        figures["load_before"] = os.getloadavg()[0]
        for round_number in range(1, args.rounds + 1):
            for name, base, path, ids in plan:
                result = load(name, base, path, ids=ids, connections=args.connections, seconds=args.seconds)
                rounds[name].append(result)
                print(
                    f"  round {round_number}  {name:24} {result.requests_per_second:8,.0f} req/s  "
                    f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
                    flush=True,
                )
        figures["load_after"] = os.getloadavg()[0]
        results = [
            sorted(runs, key=lambda r: r.requests_per_second)[len(runs) // 2] for runs in rounds.values()
        ]

    text = report(results, figures, args.seconds, args.connections, args.rounds)
    print()
    print(text)
    if not args.no_write:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(text)
        print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
