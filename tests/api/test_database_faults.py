"""A database that cannot be used is a 503 on /health and on every answer that needs it,
never a 500, and the gateway recovers once it is usable again: a SQLite file made
read-only or deleted under it, a PostgreSQL server stopped and started again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from support.gateway import eventually, gateway, wait_indexed
from support.postgres import Cluster, fresh_database, postgres_cluster, unusable_reason
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow


def database_problem(api: httpx.Client) -> str | None:
    response = api.get("/health")
    if response.status_code != 503:
        return None
    assert response.headers["retry-after"] == "5"
    database = response.json()["components"]["database"]
    return str(database["detail"]) if database["status"] == "failing" else None


def pledges(api: httpx.Client) -> int:
    return len(api.get("/campaigns/1/pledges").json()["items"])


def make_read_only(path: Path) -> Callable[[], None]:
    """Make `path` read-only for the gateway; returns what makes it writable again. Root
    writes through a file's permissions, so as root the file is made immutable
    (chattr +i), which stops root too."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"running as root, and chattr +i is refused here: {done.stderr.strip()}")

        def mutable() -> None:
            subprocess.run(["chattr", "-i", str(path)], check=True)

        return mutable
    mode = path.stat().st_mode
    path.chmod(0o444)
    return lambda: path.chmod(mode)


def test_a_read_only_sqlite_file_is_reported_and_the_gateway_recovers_once_it_is_fixed(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    w3, escrow, registry = chain
    database = tmp_path / "index.sqlite"
    url = f"sqlite:///{database}"
    node = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(node, registry, DATABASE_URL=url) as api:
        wait_indexed(api, w3.eth.block_number)
    make_writable = make_read_only(database)
    try:
        # Started on a file it cannot write, SQLite opens every connection read-only, and
        # such a connection stays read-only after the file is fixed unless it is renewed.
        with gateway(node, registry, DATABASE_URL=url) as api:
            wait_indexed(api, w3.eth.block_number)
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            problem = eventually(lambda: database_problem(api), what="/health reporting the read-only file")
            assert "readonly" in problem
            assert api.get("/campaigns/1/pledges").status_code in (200, 503)  # never a 500

            make_writable()
            health = wait_indexed(api, w3.eth.block_number)
            assert health["components"]["database"] == {"status": "ok", "detail": None}
            assert pledges(api) == 2
    finally:
        make_writable()


def test_a_deleted_sqlite_file_is_created_afresh_and_rebuilt(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    w3, escrow, registry = chain
    database = tmp_path / "index.sqlite"
    node = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(node, registry, DATABASE_URL=f"sqlite:///{database}") as api:
        wait_indexed(api, w3.eth.block_number)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        head = w3.eth.block_number

        def rebuilt() -> bool:
            if not database.exists():
                return False
            with sqlite3.connect(database) as conn:
                try:
                    tip = conn.execute("SELECT value FROM meta WHERE key = 'tip_number'").fetchone()
                    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                except sqlite3.OperationalError:  # the tables are being created
                    return False
            return tip is not None and int(tip[0]) >= head and events == 3

        eventually(rebuilt, what="the index file created afresh and rebuilt from the chain")
        wait_indexed(api, head)
        assert pledges(api) == 2


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    reason = unusable_reason()
    if reason is not None:
        pytest.skip(reason)
    with postgres_cluster() as cluster:
        yield cluster


def test_postgresql_stopped_is_a_503_and_started_again_recovers(
    chain: tuple[Web3, Escrow, Path], cluster: Cluster
) -> None:
    w3, escrow, registry = chain
    url = fresh_database(cluster.url, f"index_{uuid.uuid4().hex[:12]}")
    with gateway(w3.provider.endpoint_uri, registry, DATABASE_URL=url) as api:  # type: ignore[attr-defined]
        wait_indexed(api, w3.eth.block_number)
        cluster.stop()
        try:
            eventually(lambda: database_problem(api), what="/health reporting the database down")
            paths = (
                "/campaigns",
                "/campaigns/1",
                "/campaigns/1/pledges",
                f"/backers/{w3.eth.accounts[1]}/pledges",
            )
            for path in paths:
                response = api.get(path)
                assert response.status_code == 503, (path, response.text)
                assert response.headers["retry-after"] == "5"
                assert "database" in response.json()["detail"]
        finally:
            cluster.start()
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        health = wait_indexed(api, w3.eth.block_number)
        assert health["components"]["database"]["status"] == "ok"
        assert pledges(api) == 2
