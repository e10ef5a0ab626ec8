"""The README's "Run a campaign" session is true when typed after `make run`: each command
in it, run against a fresh `make run`, prints what the README shows, up to what differs
from run to run (hashes, times, durations)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from support.chain import ROOT, free_port
from support.gateway import CROWDFUND
from support.run_local import make_run

README = ROOT / "README.md"

# What differs between two runs of the same session, replaced before comparing.
VARYING = [
    (re.compile(r"0x[0-9a-fA-F]{64}|0x[0-9a-fA-F]+\.\.\."), "<hash>"),  # transaction hashes
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC"), "<time>"),
    (re.compile(r"\b\d+[dhms]( \d+[dhms])? left\b"), "<left>"),
    # The deadline is call data, and a zero byte in it costs 12 gas less than another.
    (re.compile(r"gas used [\d,]+"), "gas used <gas>"),
    (re.compile(r"\s+"), " "),  # table columns take the widths of their values
]


def session(readme: str) -> list[tuple[str, list[str]]]:
    """The commands of the README's "Run a campaign" console block, each with its output."""
    section = readme.split("## Run a campaign", 1)[1]
    block = section.split("```console\n", 1)[1].split("```", 1)[0]
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif line.strip():
            steps[-1][1].append(line)
    return steps


# A progress line shown only while a transaction waits for its block: whether it appears
# depends on how fast the chain mines, so the README leaves it out.
PENDING = re.compile(r"^tx 0x[0-9a-f]{64}: pending \(\d+ s\)$")


def shape(line: str) -> str:
    for pattern, placeholder in VARYING:
        line = pattern.sub(placeholder, line)
    return line.strip()


def test_the_readme_session_runs_as_written_after_make_run(tmp_path: Path) -> None:
    steps = session(README.read_text())
    assert [command.split()[1] for command, _ in steps] == ["create", "pledge", "claim", "status"]
    port = free_port()
    with make_run(tmp_path, port):
        env = {**os.environ, "RPC_URL": f"http://127.0.0.1:{port}",
               "CROWDFUND_DEPLOYMENTS": str(tmp_path / "deployments")}  # fmt: skip
        for command, shown in steps:
            args = command.split()[1:]
            done = subprocess.run(
                [CROWDFUND, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                timeout=120,
            )  # fmt: skip
            printed = [line for line in done.stdout.splitlines() if not PENDING.match(line)]
            assert [shape(line) for line in printed] == [shape(line) for line in shown], (
                f"`{command}` printed:\n" + "\n".join(printed)
            )
