"""Several processes with the indexer on share one index: exactly one indexes, the others
serve what it writes, and when it dies another takes over within seconds. On PostgreSQL
(an advisory lock), on one SQLite file (a file lock beside it), and with `crowdfund index`
taking part like a gateway."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import uuid
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from support.chain import ROOT
from support.gateway import CROWDFUND, eventually, gateway, served, wait_indexed
from support.postgres import fresh_database, unusable_reason
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow

# How soon another process must index after the leader died.
TAKEOVER = 10


def role(api: httpx.Client) -> str | None:
    try:
        response = api.get("/health")
    except httpx.TransportError:
        return None
    return str(response.json()["role"]) if response.status_code == 200 else None


def took_over(api: httpx.Client, head: int, who: str) -> None:
    """Wait until `api` leads and has indexed `head`: at most TAKEOVER seconds."""
    eventually(
        lambda: role(api) == "indexer" and api.get("/health").json()["indexed"] >= head,
        timeout=TAKEOVER,
        what=f"{who} taking over",
    )


def roles(apis: list[httpx.Client]) -> list[str] | None:
    """Each gateway's role, once every one of them is healthy."""
    seen = [role(api) for api in apis]
    return None if None in seen else [str(r) for r in seen]


def pledged(api: httpx.Client) -> str:
    return str(api.get("/campaigns/1").json()["pledged"])


def test_three_gateways_on_postgresql_one_indexes_and_another_takes_over(
    chain: tuple[Web3, Escrow, Path], postgres_url: str | None
) -> None:
    if postgres_url is None:
        pytest.skip(unusable_reason() or "PostgreSQL did not start")
    w3, escrow, registry = chain
    node = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    url = fresh_database(postgres_url, f"index_{uuid.uuid4().hex[:12]}")
    with ExitStack() as stack:
        started = [stack.enter_context(served(node, registry, DATABASE_URL=url)) for _ in range(3)]
        apis = [running.client for running in started]
        found = eventually(lambda: roles(apis), what="every gateway healthy")
        assert sorted(found) == ["indexer", "standby", "standby"]

        for n in range(2, 4):
            escrow.pledge(w3.eth.accounts[n], 1, ETHER)
            for api in apis:
                wait_indexed(api, w3.eth.block_number)
                assert pledged(api) == str(n * ETHER)

        leader = found.index("indexer")
        started[leader].process.send_signal(signal.SIGKILL)
        started[leader].process.wait(timeout=10)
        survivors = [api for i, api in enumerate(apis) if i != leader]
        escrow.pledge(w3.eth.accounts[4], 1, ETHER)
        head = w3.eth.block_number

        def taken_over() -> list[str] | None:
            now = roles(survivors)
            if now is None or sorted(now) != ["indexer", "standby"]:
                return None
            return now if all(api.get("/health").json()["indexed"] >= head for api in survivors) else None

        eventually(taken_over, timeout=TAKEOVER, what="another gateway indexing the new block")
        for api in survivors:
            assert pledged(api) == str(4 * ETHER)


def test_a_second_gateway_on_one_sqlite_file_stands_by(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    w3, escrow, registry = chain
    node = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    url = f"sqlite:///{tmp_path}/index.sqlite"
    with served(node, registry, DATABASE_URL=url) as running:
        first, first_process = running.client, running.process
        eventually(lambda: role(first) == "indexer", what="the first gateway indexing")
        with gateway(node, registry, DATABASE_URL=url) as second:
            eventually(lambda: role(second) == "standby", what="the second gateway standing by")
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            wait_indexed(second, w3.eth.block_number)
            assert pledged(second) == str(2 * ETHER)

            # The indexer alone is refused while a gateway indexes the file.
            env = {**os.environ, "RPC_URL": node, "CROWDFUND_DEPLOYMENTS": str(registry), "DATABASE_URL": url}
            once = subprocess.run(
                [CROWDFUND, "index", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
            )
            assert once.returncode != 0
            assert "another process indexes this database" in once.stdout + once.stderr
            assert str(first_process.pid) in once.stdout + once.stderr

            first_process.send_signal(signal.SIGKILL)
            first_process.wait(timeout=10)
            escrow.pledge(w3.eth.accounts[3], 1, ETHER)
            took_over(second, w3.eth.block_number, "the second gateway")
            assert pledged(second) == str(3 * ETHER)


def test_crowdfund_index_takes_part_in_the_lead(chain: tuple[Web3, Escrow, Path], database_url: str) -> None:
    w3, escrow, registry = chain
    node = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    settings = {"RPC_URL": node, "CROWDFUND_DEPLOYMENTS": str(registry), "DATABASE_URL": database_url,
                "POLL_INTERVAL": "0.2"}  # fmt: skip
    env = {**os.environ, **settings}
    indexer = subprocess.Popen([CROWDFUND, "index"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    said: list[str] = []
    assert indexer.stderr is not None
    reader = threading.Thread(target=lambda: said.extend(indexer.stderr or []), daemon=True)
    reader.start()
    try:
        # It leads before any gateway starts.
        eventually(
            lambda: any("this process indexes now" in line for line in said), what="the indexer leading"
        )
        with gateway(node, registry, DATABASE_URL=database_url) as api:
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            assert wait_indexed(api, w3.eth.block_number)["role"] == "standby"
            indexer.send_signal(signal.SIGKILL)
            indexer.wait(timeout=10)
            escrow.pledge(w3.eth.accounts[3], 1, ETHER)
            took_over(api, w3.eth.block_number, "the gateway, from `crowdfund index`")
            assert pledged(api) == str(3 * ETHER)
    finally:
        indexer.kill()
        indexer.wait(timeout=10)
