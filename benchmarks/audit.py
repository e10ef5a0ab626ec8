"""`make bench-audit` (python benchmarks/audit.py): how long `crowdfund audit` takes over a
busy escrow, from a cold cache and again with the cache filled.

The chain is scale_chain's (BenchSeeder's campaigns, and pledges credited to backers
derived from a number, 2,500 to a block), seeded once and kept in .bench/. Every pledge
has a backer/campaign pair of its own (the backers' count is prime to the campaigns'), so
the audit reads one pledgeOf per pledge: the most reads an event count can ask for.

    python benchmarks/audit.py                  # 100,000 events; writes docs/audit.md
    python benchmarks/audit.py --events 20000   # fewer; --no-write prints only
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from scale_chain import Plan, scale_chain
from web3 import Web3

from crowdfund import deployments
from crowdfund.deployments import Deployment
from crowdfund.project import ROOT

REPORT = ROOT / "docs" / "audit.md"
HEADING = "## Auditing a live escrow: speed"
TARGET_SECONDS = 60.0
TARGET_EVENTS = 100_000
CAMPAIGNS = 1_000
BACKERS = 3_001  # prime to CAMPAIGNS: no two pledges share a backer and a campaign


def audit(url: str, cache: Path, deployments_dir: Path) -> tuple[float, dict[str, Any]]:
    """One `crowdfund audit --json`, as a user runs it (a process of its own), timed."""
    env = {**os.environ, "CROWDFUND_CACHE_DIR": str(cache), "CROWDFUND_DEPLOYMENTS": str(deployments_dir)}
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("crowdfund")), "audit", "--rpc-url", url, "--json"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"crowdfund audit exited {done.returncode}: {done.stderr or done.stdout}")
    report: dict[str, Any] = json.loads(done.stdout)
    return seconds, report


def section(figures: dict[str, Any]) -> str:
    met = "met" if figures["cold_seconds"] <= TARGET_SECONDS else "**not met**"
    lines = [
        HEADING,
        "",
        "Measured by `make bench-audit` (`benchmarks/audit.py`), which rewrites this section: an",
        f"escrow holding {figures['campaigns']:,} campaigns and {figures['pledges']:,} pledges, each by "
        "a backer of its own in",
        "its campaign (so one `pledgeOf` read per pledge), on a local anvil. The audit runs as a",
        "user runs it, `crowdfund audit --json` in a process of its own (the wall time below",
        "includes starting Python and importing web3; the audit's own `seconds` beside it), first",
        "with an empty cache, then again with the logs cached.",
        "",
        "| | events | pledges read | eth_getLogs requests | seconds (wall) | seconds (audit) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        f"| cold cache | {figures['events']:,} | {figures['pairs']:,} | {figures['cold_requests']} | "
        f"{figures['cold_seconds']:.1f} | {figures['cold_own']:.1f} |",
        f"| cache filled | {figures['events']:,} | {figures['pairs']:,} | {figures['warm_requests']} | "
        f"{figures['warm_seconds']:.1f} | {figures['warm_own']:.1f} |",
        "",
        f"Target: {TARGET_EVENTS:,} events reconciled in at most {TARGET_SECONDS:.0f} s from a cold cache: "
        + (met if figures["events"] >= TARGET_EVENTS else f"measured at {figures['events']:,} events only"),
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}; anvil on the same machine. Seeding the chain took "
        f"{figures['seed_seconds']:.0f} s",
        "  (done once, then loaded from `.bench/`).",
        "- The seeder packs 2,500 pledges into a block, so one eth_getLogs answers for every event;",
        "  on a chain where they are spread out, the logs cost one request per 10,000 blocks (more",
        "  where a node caps a range), which the cache saves from the second audit on. The",
        "  benchmark's chain has no milestone vault: its events would be read the same way.",
        f'- Run on {figures["date"]}. Another count: `make bench-audit BENCH_ARGS="--events N"`.',
        "",
    ]
    return "\n".join(lines)


def write(text: str) -> None:
    doc = REPORT.read_text()
    # The section runs to the next heading of its level or above.
    pattern = re.compile(re.escape(HEADING) + r"\n.*?(?=^#{1,2} |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    REPORT.write_text(doc.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=TARGET_EVENTS, help="escrow events to audit (100,000)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {REPORT.name} as it is")
    args = parser.parse_args()
    plan = Plan(campaigns=CAMPAIGNS, pledges=args.events - CAMPAIGNS, backers=BACKERS)
    with tempfile.TemporaryDirectory(prefix="crowdfund-bench-audit-") as folder:
        scratch = Path(folder)
        with scale_chain(plan, scratch) as (url, chain):
            w3 = Web3(Web3.HTTPProvider(url))
            registry = scratch / "registry"
            os.environ["CROWDFUND_DEPLOYMENTS"] = str(registry)
            # The seeded chain keeps no registry: the escrow's record is written for the audit.
            deployments.save(Deployment(
                chain_id=w3.eth.chain_id, address=chain.escrow, block=chain.first_block,
                transaction="0x" + "0" * 64, compiler="", abi_hash="",
            ))  # fmt: skip
            print(f"  auditing {plan.events:,} events from a cold cache ...", flush=True)
            cold_seconds, cold = audit(url, scratch / "cache", registry)
            print(f"  {cold_seconds:.1f} s; again with the cache filled ...", flush=True)
            warm_seconds, warm = audit(url, scratch / "cache", registry)
    for report in (cold, warm):
        if not report["clean"] or report["counts"]["escrow_events"] != plan.events:
            raise RuntimeError(f"the audit did not find the seeded books: {json.dumps(report)[:2000]}")
    figures = {
        "events": cold["counts"]["events"],
        "campaigns": cold["counts"]["campaigns"],
        "pledges": cold["counts"]["by_event"]["Pledged"],
        "pairs": cold["counts"]["pledges"],
        "cold_seconds": cold_seconds,
        "cold_requests": cold["logs"]["get_logs_requests"],
        "cold_own": cold["seconds"],
        "warm_own": warm["seconds"],
        "warm_seconds": warm_seconds,
        "warm_requests": warm["logs"]["get_logs_requests"],
        "seed_seconds": chain.seed_seconds,
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }
    text = section(figures)
    print(text)
    if not args.no_write and figures["events"] >= 20_000:
        write(text)
        print(f"written into {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
