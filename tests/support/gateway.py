"""A real gateway for the tests: uvicorn in a subprocess, reached over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from support.chain import ROOT, free_port, wait_for_port


@contextmanager
def gateway(rpc_url: str, deployments: Path, **env: str) -> Iterator[httpx.Client]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "RPC_URL": rpc_url, "CROWDFUND_DEPLOYMENTS": str(deployments), **env},
    )
    try:
        wait_for_port(port, timeout=20)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=10)
