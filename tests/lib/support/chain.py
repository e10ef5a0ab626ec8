"""A real anvil for the Python-side tests: started per test module on a free port."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from web3 import Web3

ROOT = Path(__file__).resolve().parents[3]
ANVIL = ROOT / ".toolchain" / "bin" / "anvil"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(port):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


@contextmanager
def anvil(port: int | None = None, *args: str) -> Iterator[Web3]:
    """Run anvil on `port` (a free one by default) and yield a Web3 connected to it."""
    port = port or free_port()
    # Refuse a taken port: the tests would otherwise talk to whatever node holds it.
    if listening(port):
        raise RuntimeError(f"port {port} is already taken; stop what listens there and run the tests again")
    proc = subprocess.Popen(
        [str(ANVIL), "--port", str(port), "--silent", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 10}))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
