"""The index, on SQLite and on PostgreSQL: reorgs roll it back, it resumes after a restart,
honours the confirmations setting, can run apart from several gateway replicas, and a
catch-up far behind (a bulk load) leaves the index that following the chain does."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import httpx
from support.chain import ROOT
from support.gateway import CROWDFUND, eventually, gateway, wait_indexed
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow


def history(api: httpx.Client) -> list[tuple[str, str, str]]:
    items = api.get("/campaigns/1/pledges", params={"limit": 100}).json()["items"]
    return [(i["kind"], i["backer"], i["amount"]) for i in items]


def rpc(w3: Web3, method: str, *params: object) -> object:
    return w3.provider.make_request(method, list(params))  # type: ignore[arg-type]


def test_a_reorg_of_depth_3_leaves_no_phantom_pledges(
    chain: tuple[Web3, Escrow, Path], database_url: str
) -> None:
    w3, escrow, registry = chain
    alice, bob, carol = w3.eth.accounts[1:4]
    with gateway(w3.provider.endpoint_uri, registry, DATABASE_URL=database_url) as api:  # type: ignore[attr-defined]
        for _ in range(3):
            escrow.pledge(bob, 1, ETHER // 2)
        wait_indexed(api, w3.eth.block_number)
        assert len(history(api)) == 4
        assert api.get("/campaigns", params={"backer": bob}).json()["items"][0]["id"] == 1

        # The last three blocks (bob's pledges) are replaced by a fork where carol pledges.
        head = w3.eth.block_number
        replacement = {"from": carol, "to": escrow.address, "value": hex(ETHER // 10),
                       "data": escrow.contract.encode_abi("pledge", args=[1, ETHER // 10])}  # fmt: skip
        answer = rpc(w3, "anvil_reorg", 3, [[replacement, 0]])
        assert "error" not in answer, answer  # type: ignore[operator]
        assert w3.eth.block_number == head
        new_head = w3.eth.get_block(head)["hash"].to_0x_hex()
        eventually(lambda: api.get("/health").json()["block"]["hash"] == new_head, what="following the fork")

        assert history(api) == [("pledged", carol, str(ETHER // 10)), ("pledged", alice, str(ETHER))]
        detail = api.get("/campaigns/1").json()
        assert detail["pledged"] == str(escrow.campaign(1).pledged) == str(ETHER + ETHER // 10)
        assert detail["backer_count"] == 2
        assert api.get("/campaigns", params={"backer": bob}).json()["items"] == []
        assert api.get(f"/backers/{bob}/pledges").json()["items"] == []
        assert api.get(f"/campaigns/1/backers/{bob}").json()["pledge"] == "0"
        carols = api.get(f"/backers/{carol}/pledges").json()["items"]
        assert [(i["campaign"]["id"], i["pledge"]) for i in carols] == [(1, str(ETHER // 10))]


def test_resumes_after_a_restart_and_honours_confirmations(
    chain: tuple[Web3, Escrow, Path], database_url: str
) -> None:
    w3, escrow, registry = chain
    bob = w3.eth.accounts[2]
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, DATABASE_URL=database_url) as api:
        wait_indexed(api, w3.eth.block_number)
        assert len(history(api)) == 1

    # Pledges while no gateway runs; the next one resumes from where the index stopped.
    for _ in range(3):
        escrow.pledge(bob, 1, ETHER // 4)
    head = w3.eth.block_number
    with gateway(url, registry, DATABASE_URL=database_url, CONFIRMATIONS="2") as api:
        health = wait_indexed(api, head - 2)
        assert health["indexed"] == head - 2 and health["confirmations"] == 2
        # The pledges in the last two blocks are not confirmed yet.
        assert len(history(api)) == 2
        assert api.get("/campaigns/1").json()["block"]["number"] == head - 2

        rpc(w3, "evm_mine")
        rpc(w3, "evm_mine")
        wait_indexed(api, head)
        assert len(history(api)) == 4
        assert api.get("/campaigns/1").json()["pledged"] == str(escrow.campaign(1).pledged)


def test_a_separate_indexer_feeds_several_replicas(
    chain: tuple[Web3, Escrow, Path], database_url: str
) -> None:
    w3, escrow, registry = chain
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    env = {"RPC_URL": url, "CROWDFUND_DEPLOYMENTS": str(registry), "DATABASE_URL": database_url,
           "POLL_INTERVAL": "0.2"}  # fmt: skip
    indexer = subprocess.Popen(
        [CROWDFUND, "index"], cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL
    )
    try:
        replica = {"DATABASE_URL": database_url, "RUN_INDEXER": "false"}
        with gateway(url, registry, **replica) as one, gateway(url, registry, **replica) as two:
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            head = w3.eth.block_number
            for api in (one, two):
                wait_indexed(api, head)
                assert api.get("/campaigns/1").json()["pledged"] == str(2 * ETHER)
                assert len(history(api)) == 2
    finally:
        indexer.terminate()
        indexer.wait(timeout=10)


def test_catch_up_once_from_the_command_line(chain: tuple[Web3, Escrow, Path], database_url: str) -> None:
    w3, _, registry = chain
    env = {"RPC_URL": w3.provider.endpoint_uri, "CROWDFUND_DEPLOYMENTS": str(registry),  # type: ignore[attr-defined]
           "DATABASE_URL": database_url}  # fmt: skip
    done = subprocess.run(
        [CROWDFUND, "index", "--once"], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"indexed up to block {w3.eth.block_number}" in done.stdout


def _index_once(w3: Web3, registry: Path, database: Path) -> None:
    env = {"RPC_URL": w3.provider.endpoint_uri, "CROWDFUND_DEPLOYMENTS": str(registry),  # type: ignore[attr-defined]
           "DATABASE_URL": f"sqlite:///{database}", "LOG_CHUNK": "1"}  # fmt: skip
    done = subprocess.run(
        [CROWDFUND, "index", "--once"], cwd=ROOT, env={**os.environ, **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def _contents(database: Path) -> list[object]:
    """The schema and every table's rows, in order."""
    with sqlite3.connect(database) as conn:
        objects = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = sorted(name for kind, name, _ in objects if kind == "table")
        return [objects, *(sorted(conn.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables)]


def test_a_catch_up_far_behind_leaves_the_index_that_following_the_chain_does(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    # One block a chunk: a catch-up over more than 8 blocks is written as a bulk load
    # (SQLite), while an indexer that looks every few blocks writes chunk by chunk.
    w3, escrow, registry = chain
    creator, alice, bob, carol = w3.eth.accounts[:4]
    deadline = w3.eth.get_block("latest")["timestamp"] + 10 * 86_400
    followed = tmp_path / "followed.sqlite"
    _index_once(w3, registry, followed)
    second = escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri="ipfs://c2")
    for round_ in range(4):
        escrow.pledge(bob, 1, ETHER // 4)
        escrow.pledge(carol, second, ETHER // 8)
        escrow.unpledge(bob, 1, ETHER // 8)
        escrow.post_update(creator, 1, f"ipfs://news-{round_}")
        _index_once(w3, registry, followed)
    escrow.cancel(creator, second)
    escrow.refund(carol, second)
    escrow.pledge(alice, 1, ETHER)
    _index_once(w3, registry, followed)

    caught_up = tmp_path / "caught-up.sqlite"
    _index_once(w3, registry, caught_up)

    assert w3.eth.block_number > 20
    assert _contents(caught_up) == _contents(followed)
