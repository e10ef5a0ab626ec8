"""The processes a benchmark runs: anvil and uvicorn gateways, on free ports, stopped on exit."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from web3 import Web3

from crowdfund.project import ROOT

ANVIL = ROOT / ".toolchain" / "bin" / "anvil"
SCRATCH_CACHE = ROOT / ".bench"  # seeded chains kept between runs (gitignored)


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
def process(
    args: list[str], env: dict[str, str] | None = None, stop_timeout: float = 20
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=stop_timeout)


@contextmanager
def anvil(*extra: str, stop_timeout: float = 20, start_timeout: float = 20) -> Iterator[tuple[str, Web3]]:
    """anvil on a free port with rich dev accounts; yields its URL and a Web3 on it."""
    port = free_port()
    args = [str(ANVIL), "--port", str(port), "--silent", "--balance", "1000000", *extra]
    with process(args, stop_timeout=stop_timeout):
        url = f"http://127.0.0.1:{port}"
        w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": 120}))
        deadline = time.monotonic() + start_timeout
        while not w3.is_connected():
            if time.monotonic() > deadline:
                raise TimeoutError("anvil did not start")
            time.sleep(0.1)
        yield url, w3


def gateway_args(port: int) -> list[str]:
    """One uvicorn worker serving the gateway, quiet (access logs would cost the gateway CPU)."""
    return [sys.executable, "-m", "uvicorn", "--factory", "crowdfund_api.http.app:create_app",
            "--port", str(port), "--log-level", "warning", "--no-access-log"]  # fmt: skip


@contextmanager
def gateway(env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A gateway with `env` added to this process's environment; yields its URL and process
    once /health answers 200 (its index has caught up)."""
    port = free_port()
    with process(gateway_args(port), env) as proc:
        url = f"http://127.0.0.1:{port}"
        wait_for(url + "/health", timeout=600)
        yield url, proc


def scratch_file(name: str) -> Path:
    SCRATCH_CACHE.mkdir(exist_ok=True)
    return SCRATCH_CACHE / name


# Limits on /events and on clients are the gateway's defence against abuse; a benchmark that
# opens a thousand streams from one address asks for generous ones (unknown names are ignored
# by the gateway's settings, so these are harmless where a limit does not exist).
# The load comes from one address: rate limits off (an empty value), streams enough for 1,000.
GENEROUS_LIMITS = {"SSE_MAX_CLIENTS": "2000", "RATE_LIMIT_TX": "", "RATE_LIMIT_EVENTS": ""}


def raise_open_files(wanted: int) -> int:
    """Lift this process's soft limit on open files toward `wanted` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return max(soft, target)
