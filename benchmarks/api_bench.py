"""`make bench-api` (python benchmarks/api_bench.py): the gateway's speed, scale and footprint.

Parts, each selectable with --only (all by default, and then docs/performance.md is written):

    base    throughput and latency on 1,000 campaigns and 10,000 pledges (api_base.py)
    scale   index catch-up of 1,000,000 events and reads at 100,000 campaigns (api_scale.py)
    live    campaign detail while anvil mines a block a second with pledges flowing (api_live.py)
    sse     1,000 clients on /events: read latency meanwhile, and event delivery (api_sse.py)
    memory  the gateway's RSS while list queries sweep campaigns at their caps (api_memory.py)
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The parts sit beside this script, whose folder Python puts on sys.path.
import api_base
import api_live
import api_memory
import api_scale
import api_sse
from bench_report import Part, check_table, endpoint_table

from crowdfund.project import ROOT

REPORT = ROOT / "docs" / "performance.md"

PARTS: dict[str, Callable[[argparse.Namespace, Path, dict[str, Any]], Part]] = {
    "base": api_base.run,
    "scale": api_scale.run,
    "live": api_live.run,
    "sse": api_sse.run,
    "memory": api_memory.run,
}


def summary(parts: list[Part]) -> list[str]:
    lines = ["| part | target | measured | met |", "| --- | --- | ---: | :---: |"]
    for part in parts:
        for c in part.checks:
            lines.append(f"| {part.name} | {c.target} | {c.measured} | {'yes' if c.met else '**no**'} |")
    return lines


def report(parts: list[Part], args: argparse.Namespace) -> str:
    lines = [
        "# Gateway performance",
        "",
        "Measured by `make bench-api` (`benchmarks/api_bench.py`); this file is rewritten by each run.",
        "",
        f"- Machine: {os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python "
        f"{platform.python_version()}; the gateway is one uvicorn worker; the load generator (wrk when "
        f"installed, one thread, {args.connections} connections) runs on the same machine, as does anvil. "
        f"Each endpoint was loaded for {args.seconds} s in each of {args.rounds} interleaved rounds; "
        "tables show its median round.",
        "- The machine is shared: when its load average is well above its 2 cores, the figures "
        "understate the gateway, its tail latencies most.",
        "",
        "## Targets",
        "",
        *summary(parts),
        "",
        "| part | wall time |",
        "| --- | ---: |",
        *(f"| {p.name} | {p.seconds:.0f} s |" for p in parts),
    ]
    for part in parts:
        lines += ["", f"## {part.title}", "", *(f"- {note}" for note in part.notes)]
        if part.results:
            lines += ["", *endpoint_table(part.results)]
        lines += ["", *check_table(part.checks)]
        if part.explained:
            lines += ["", "What is measured:", "", *(f"- {e}" for e in part.explained)]
    lines += ["", f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--only", action="append", choices=list(PARTS), help="run this part (repeatable)")
    parser.add_argument("--campaigns", type=int, default=1000)
    parser.add_argument("--pledges", type=int, default=10_000)
    parser.add_argument("--scale-campaigns", type=int, default=100_000)
    parser.add_argument("--scale-pledges", type=int, default=900_000)
    parser.add_argument("--log-chunk", type=int, default=4, help="blocks per eth_getLogs in part scale")
    parser.add_argument("--sse-clients", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=5, help="load per endpoint and round")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds over all endpoints (median reported); 0 in part scale: its catch-up alone",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    args = parser.parse_args()
    chosen = args.only or list(PARTS)

    parts: list[Part] = []
    shared: dict[str, Any] = {}  # figures a later part compares with (scale reads base's)
    with tempfile.TemporaryDirectory(prefix="crowdfund-bench-") as scratch:
        for name in PARTS:
            if name not in chosen:
                continue
            print(f"== {name}", flush=True)
            started = time.perf_counter()
            part = PARTS[name](args, Path(scratch), shared)
            part.seconds = time.perf_counter() - started
            print(f"  part {name} took {part.seconds:.0f} s", flush=True)
            parts.append(part)

    text = report(parts, args)
    print()
    print(text)
    # Only a run of every part rewrites the report, so that it never loses a part's figures.
    if not args.no_write and args.only is None:
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text(text)
        print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
