"""A real gateway for the tests: uvicorn in a subprocess, reached over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

from support.chain import ROOT, free_port, wait_for_port

T = TypeVar("T")

# The `crowdfund` command of the environment running the tests.
CROWDFUND = str(Path(sys.executable).with_name("crowdfund"))


@contextmanager
def gateway(rpc_url: str, deployments: Path, **env: str) -> Iterator[httpx.Client]:
    """The gateway as `crowdfund serve` runs it; the index is a fresh SQLite file unless
    DATABASE_URL is given."""
    with gateway_process(rpc_url, deployments, **env) as (client, _):
        yield client


@contextmanager
def gateway_process(
    rpc_url: str, deployments: Path, **env: str
) -> Iterator[tuple[httpx.Client, subprocess.Popen[bytes]]]:
    """`gateway`, with its process, for tests that kill it."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="crowdfund-index-") as scratch:
        settings = {
            "RPC_URL": rpc_url,
            "CROWDFUND_DEPLOYMENTS": str(deployments),
            "DATABASE_URL": f"sqlite:///{scratch}/index.sqlite",
            "POLL_INTERVAL": "0.2",
            **env,
        }
        proc = subprocess.Popen(
            [CROWDFUND, "serve", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT,
            env={**os.environ, **settings},
        )
        try:
            wait_for_port(port, timeout=20)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
                yield client, proc
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def eventually(check: Callable[[], T | None], timeout: float = 60, what: str = "the condition") -> T:
    """Poll `check` until it returns something other than None (or False); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout} s")
        time.sleep(0.1)


def wait_indexed(api: httpx.Client, block: int, timeout: float = 60) -> dict[str, object]:
    """Wait until the gateway answers at `block` or later; returns its /health body."""

    def caught_up() -> dict[str, object] | None:
        response = api.get("/health")
        if response.status_code != 200:
            return None
        body: dict[str, object] = response.json()
        indexed = body["indexed"]
        return body if isinstance(indexed, int) and indexed >= block else None

    return eventually(caught_up, timeout, f"indexing up to block {block}")
