"""Load a running gateway and report requests per second and latency percentiles: with
wrk (Debian's `wrk`) when it is installed, else with an aiohttp load generator."""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass

import aiohttp


@dataclass(frozen=True)
class Result:
    name: str
    path: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    tool: str


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        raise ValueError(f"not a wrk duration: {text}")
    return float(match[1]) * _UNITS[match[2]]


def _wrk(name: str, base: str, path: str, ids: int | None, connections: int, seconds: int) -> Result:
    """wrk with one thread; `{id}` in the path becomes a random campaign id per request.

    Every endpoint goes through the same Lua script (requests formatted once, up front), so
    the load generator costs the same CPU whatever the endpoint: on 2 cores it shares the
    machine with the gateway, and a cheaper script for one endpoint would flatter it."""
    if ids is not None:
        before, after = path.split("{id}")
        paths = f'"{before}" .. math.random(1, {ids}) .. "{after}"'
    else:
        paths = f'"{path}"'
    script = (
        "local requests, n = {}, 0\n"
        "init = function(args)\n"
        "  math.randomseed(42)\n"
        f'  for i = 1, 5000 do requests[i] = wrk.format("GET", {paths}) end\n'
        "end\n"
        "request = function()\n"
        "  n = n % 5000 + 1\n"
        "  return requests[n]\n"
        "end\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        args = [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "5s",
            "-s",
            lua.name,
        ]
        out = subprocess.run([*args, base + "/"], capture_output=True, text=True, check=True)
    text = out.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])  # type: ignore[index]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", text)[1])  # type: ignore[index]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", text)[1])  # type: ignore[index]
    errors_match = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    errors = int(errors_match[1]) if errors_match else 0
    if socket_errors:
        errors += sum(int(g) for g in socket_errors.groups())
    return Result(name, path, rps, p50, p99, errors, "wrk")


async def _python(name: str, base: str, path: str, ids: int | None, connections: int, seconds: int) -> Result:
    latencies: list[float] = []
    errors = 0
    rng = random.Random(42)
    stop_at = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        while time.perf_counter() < stop_at:
            url = base + path.replace("{id}", str(rng.randint(1, ids or 1)))
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
            latencies.append((time.perf_counter() - started) * 1000)

    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        await asyncio.gather(*(worker(session) for _ in range(connections)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return Result(
        name,
        path,
        len(latencies) / elapsed,
        latencies[len(latencies) // 2],
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        errors,
        "aiohttp",
    )


def load(
    name: str, base: str, path: str, *, ids: int | None = None, connections: int = 32, seconds: int = 10
) -> Result:
    if shutil.which("wrk"):
        return _wrk(name, base, path, ids, connections, seconds)
    return asyncio.run(_python(name, base, path, ids, connections, seconds))


# One endpoint to load: its name, the gateway's URL, the path and how many campaign ids
# `{id}` in the path is drawn from.
Target = tuple[str, str, str, int | None]


def measure(
    plan: list[Target], *, connections: int, seconds: int, rounds: int, warm_up: int = 2
) -> list[Result]:
    """Each endpoint's median round, after a warm-up of `warm_up` seconds that reads every
    campaign the load asks for (wrk's 5,000 requests) at least once.

    Rounds interleave the endpoints, so that a burst of other work on the machine does not
    land on one endpoint alone."""
    for name, base, path, ids in plan:
        load(name, base, path, ids=ids, connections=connections, seconds=warm_up)
    runs: dict[str, list[Result]] = {name: [] for name, *_ in plan}
    for round_number in range(1, rounds + 1):
        for name, base, path, ids in plan:
            result = load(name, base, path, ids=ids, connections=connections, seconds=seconds)
            runs[name].append(result)
            print(
                f"  round {round_number}  {name:28} {result.requests_per_second:8,.0f} req/s  "
                f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms  errors {result.errors}",
                flush=True,
            )
    return [sorted(r, key=lambda r: r.requests_per_second)[len(r) // 2] for r in runs.values()]
