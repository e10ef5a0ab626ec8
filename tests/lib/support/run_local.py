"""`make run` in a test: tools/run_local.sh itself, on free ports, with its chain, index and
deployment registry in a temporary folder."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.chain import ROOT, free_port

READY = "Ctrl-C stops everything"


@contextmanager
def make_run(folder: Path, rpc_port: int, api_port: int | None = None) -> Iterator[str]:
    """Run tools/run_local.sh as `make run` does until its gateway starts (on `api_port`, or
    any free port); yields its output so far. Leaving stops it with Ctrl-C (SIGINT to its
    process group)."""
    log = folder / f"run-{time.monotonic_ns()}.log"
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.toolchain' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "RUN_PORT": str(rpc_port),
        "API_PORT": str(api_port or free_port()),
        "CHAIN_DIR": str(folder / "chain"),
        "CROWDFUND_DEPLOYMENTS": str(folder / "deployments"),
        "VENV": str(ROOT / ".venv"),
    }
    env.pop("RPC_URL", None)
    env.pop("DATABASE_URL", None)
    env.pop("CONTENT_DIR", None)  # beside the chain, in `folder`
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(ROOT / "tools" / "run_local.sh")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while READY not in log.read_text():
            assert proc.poll() is None, f"run_local.sh ended early:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"run_local.sh not ready after 120 s:\n{log.read_text()}"
            time.sleep(0.2)
        yield log.read_text()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
