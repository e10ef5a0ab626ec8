"""A real gateway for the tests: uvicorn in a subprocess, reached over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from support.chain import ROOT, free_port, wait_for_port

T = TypeVar("T")

# The `crowdfund` command of the environment running the tests.
CROWDFUND = str(Path(sys.executable).with_name("crowdfund"))


@dataclass
class Served:
    """A running gateway: a client for it, its process, and what it wrote to stderr so far."""

    client: httpx.Client
    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path
    stopped_with: str | None = None  # its whole stderr, once it has stopped

    def stderr(self) -> str:
        if self.stopped_with is not None:
            return self.stopped_with
        return self.stderr_path.read_text(errors="replace")


@contextmanager
def served(rpc_url: str, deployments: Path, **env: str) -> Iterator[Served]:
    """The gateway as `crowdfund serve` runs it; the index is a fresh SQLite file unless
    DATABASE_URL is given, and the content store a fresh folder unless CONTENT_DIR is."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="crowdfund-index-") as scratch:
        settings = {
            "RPC_URL": rpc_url,
            "CROWDFUND_DEPLOYMENTS": str(deployments),
            "DATABASE_URL": f"sqlite:///{scratch}/index.sqlite",
            "CONTENT_DIR": f"{scratch}/content",
            "POLL_INTERVAL": "0.2",
            # The suite is one client making many requests: no rate limits, except where a
            # test sets them.
            "RATE_LIMIT_TX": "",
            "RATE_LIMIT_EVENTS": "",
            "RATE_LIMIT_CONTENT": "",
            **env,
        }
        stderr_path = Path(scratch) / "stderr.log"
        with stderr_path.open("wb") as stderr:
            proc = subprocess.Popen(
                [CROWDFUND, "serve", "--port", str(port), "--log-level", "warning"],
                cwd=ROOT,
                env={**os.environ, **settings},
                stderr=stderr,
            )
        running: Served | None = None
        try:
            wait_for_port(port, timeout=20)
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
                running = Served(client, proc, port, stderr_path)
                yield running
        finally:
            proc.terminate()
            proc.wait(timeout=10)
            logged = stderr_path.read_text(errors="replace")
            if running is not None:
                running.stopped_with = logged
            # Shown with the test's output, as when the gateway wrote to the test's stderr.
            sys.stderr.write(logged)


@contextmanager
def gateway(rpc_url: str, deployments: Path, **env: str) -> Iterator[httpx.Client]:
    """The gateway as `crowdfund serve` runs it, reached through an httpx client."""
    with served(rpc_url, deployments, **env) as running:
        yield running.client


def sse(stream: httpx.Response) -> Iterator[dict[str, Any]]:
    """Events from a text/event-stream body; keep-alive comments are skipped."""
    event: dict[str, Any] = {}
    for line in stream.iter_lines():
        if not line:
            if "data" in event:
                event["data"] = json.loads(event["data"])
                yield event
            event = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            event[name] = value.removeprefix(" ")


def refused_stream(client: httpx.Client, path: str = "/events", **headers: str) -> httpx.Response | None:
    """The answer to opening an event stream when it is refused (read whole); None when the
    stream opened (then it is closed unread, rather than read for ever)."""
    with client.stream("GET", path, headers=headers) as response:
        if response.status_code == 200:
            return None
        response.read()
        return response


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
