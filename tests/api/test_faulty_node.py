"""A faulty node cannot take the gateway down: malformed answers, answers past
RPC_ANSWER_LIMIT, a node that stops advancing, and a node swapped for another chain are
503s while they last, leave the index as it was, and the gateway recovers by itself. The
node is a real anvil behind a proxy that spoils chosen answers (support/proxy.py)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chain import ROOT, anvil
from support.gateway import CROWDFUND, eventually, gateway, served, wait_indexed
from support.memory import peak_rss, reset_peak_rss, rss
from support.proxy import RpcProxy
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow


def unavailable(api: httpx.Client, path: str = "/health") -> dict[str, object] | None:
    response = api.get(path)
    if response.status_code != 503:
        return None
    assert response.headers["retry-after"] == "5"
    body: dict[str, object] = response.json()
    return body


def problem(body: dict[str, object], component: str = "node") -> str:
    """Why /health says `component` is failing (and that it says so)."""
    components = body["components"]
    assert isinstance(components, dict)
    assert components[component]["status"] == "failing"
    return str(components[component]["detail"])


def pledges(api: httpx.Client) -> int:
    return len(api.get("/campaigns/1/pledges").json()["items"])


def indexed_events(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])


def heal_and_index_the_pledge(proxy: RpcProxy, api: httpx.Client, w3: Web3, database: Path) -> None:
    """Once the node answers well again, the pledge made while it did not is indexed."""
    proxy.heal()
    wait_indexed(api, w3.eth.block_number)
    assert pledges(api) == 2
    assert indexed_events(database) == 3


def seen_more(proxy: RpcProxy, method: str, more: int) -> None:
    """Wait until the proxy has answered `method` `more` times more than now."""
    target = proxy.count(method) + more
    eventually(lambda: proxy.count(method) >= target, what=f"{more} more {method} requests")


@pytest.mark.parametrize("how", ["null", "garbage", "number", "drop"])
def test_a_malformed_block_number_is_a_503_and_the_gateway_recovers(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, how: str
) -> None:
    w3, escrow, registry = chain
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        proxy.spoil("eth_blockNumber", how)  # type: ignore[arg-type]
        body = eventually(lambda: unavailable(api), what="/health saying the node is faulty")
        if how != "drop":
            assert "eth_blockNumber" in problem(body)
        assert unavailable(api, "/campaigns") is not None
        assert api.get("/health/live").status_code == 200

        proxy.heal()
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        health = wait_indexed(api, w3.eth.block_number)
        assert health["status"] == "ok"
        assert pledges(api) == 2


def test_a_replica_follows_again_after_a_null_block_number(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, tmp_path: Path
) -> None:
    # The index is written by `crowdfund index` straight from the node; the replica reads
    # the tip from the database, and its follower alone talks to the spoiling proxy.
    w3, escrow, registry = chain
    database = f"sqlite:///{tmp_path}/index.sqlite"
    env = {"RPC_URL": w3.provider.endpoint_uri, "CROWDFUND_DEPLOYMENTS": str(registry),  # type: ignore[attr-defined]
           "DATABASE_URL": database, "POLL_INTERVAL": "0.2"}  # fmt: skip
    indexer = subprocess.Popen(
        [CROWDFUND, "index"], cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL
    )
    try:
        with gateway(proxy.url, registry, DATABASE_URL=database, RUN_INDEXER="false") as api:
            wait_indexed(api, w3.eth.block_number)
            proxy.spoil("eth_blockNumber", "null")
            seen_more(proxy, "eth_blockNumber", 3)
            proxy.heal()
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            assert wait_indexed(api, w3.eth.block_number)["role"] == "replica"
            assert pledges(api) == 2
    finally:
        indexer.terminate()
        indexer.wait(timeout=10)


@pytest.mark.parametrize("how", ["null", "empty", "garbage"])
def test_malformed_blocks_never_roll_the_index_back(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, tmp_path: Path, how: str
) -> None:
    # A node that answers null, or a block without its fields, for blocks below its own
    # head is faulty: the blocks the index holds are not gone, and forgetting them would
    # empty the index.
    w3, escrow, registry = chain
    database = tmp_path / "index.sqlite"
    with gateway(proxy.url, registry, DATABASE_URL=f"sqlite:///{database}") as api:
        wait_indexed(api, w3.eth.block_number)
        held = indexed_events(database)
        assert held == 2  # created, pledged
        proxy.spoil("eth_getBlockByNumber", how)  # type: ignore[arg-type]
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        seen_more(proxy, "eth_getBlockByNumber", 5)
        assert indexed_events(database) == held
        body = eventually(lambda: unavailable(api), what="/health saying indexing is paused")
        assert "block" in problem(body, "index")
        heal_and_index_the_pledge(proxy, api, w3, database)


def test_logs_answered_with_an_object_lose_no_event(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy
) -> None:
    # `{}` instead of a list of logs: read as "no events", the pledge would be skipped for good.
    w3, escrow, registry = chain
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        proxy.spoil("eth_getLogs", "empty")
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        seen_more(proxy, "eth_getLogs", 1)
        proxy.heal()
        wait_indexed(api, w3.eth.block_number)
        assert pledges(api) == 2


def test_a_head_that_stops_moving_is_reported(chain: tuple[Web3, Escrow, Path]) -> None:
    w3, _, registry = chain
    mining = threading.Event()

    def mine() -> None:
        while not mining.wait(0.3):
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]

    miner = threading.Thread(target=mine)
    miner.start()
    try:
        with gateway(w3.provider.endpoint_uri, registry, STALL_AFTER="3") as api:  # type: ignore[attr-defined]
            eventually(
                lambda: api.get("/health").status_code == 200, what="a healthy gateway while blocks come"
            )
            mining.set()
            miner.join()
            body = eventually(lambda: unavailable(api), what="/health noticing the head stands still")
            assert "STALL_AFTER" in problem(body)
            assert unavailable(api, "/campaigns") is not None
            w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
            eventually(lambda: api.get("/health").status_code == 200, what="recovery once the head moves")
    finally:
        mining.set()
        miner.join()


def test_a_node_on_another_chain_is_refused_and_the_index_kept(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, tmp_path: Path
) -> None:
    w3, escrow, registry = chain
    database = tmp_path / "index.sqlite"
    alice = w3.eth.accounts[1]
    with anvil(None, "--chain-id", "4242") as other:
        other.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        with gateway(proxy.url, registry, DATABASE_URL=f"sqlite:///{database}") as api:
            health = wait_indexed(api, w3.eth.block_number)
            assert health["chain_id"] == 31337
            held = indexed_events(database)

            proxy.upstream = other.provider.endpoint_uri  # type: ignore[attr-defined]
            body = eventually(lambda: unavailable(api), what="/health refusing the other chain")
            expected = "wrong chain: the node serves chain 4242, the index holds chain 31337"
            assert problem(body).startswith(expected)
            assert body["chain_id"] == 31337
            for path in ("/campaigns", "/campaigns/1", "/campaigns/1/pledges"):
                response = api.get(path)
                assert response.status_code == 503 and expected in response.json()["detail"], path
            refused = api.post("/campaigns/1/transactions/pledge", json={"sender": alice, "amount": "1"})
            assert refused.status_code == 503 and expected in refused.json()["detail"]
            seen_more(proxy, "eth_chainId", 5)
            assert indexed_events(database) == held
            with sqlite3.connect(database) as conn:
                assert conn.execute("SELECT value FROM meta WHERE key = 'chain_id'").fetchone() == ("31337",)

            proxy.upstream = w3.provider.endpoint_uri  # type: ignore[attr-defined]
            escrow.pledge(w3.eth.accounts[2], 1, ETHER)
            health = wait_indexed(api, w3.eth.block_number)
            assert health["chain_id"] == 31337
            assert pledges(api) == 2
            transaction = api.post("/campaigns/1/transactions/pledge", json={"sender": alice, "amount": "1"})
            assert transaction.status_code == 200 and transaction.json()["transaction"]["chain_id"] == 31337


def _latest_block_as(answer: object) -> Any:
    """A reply to eth_getBlockByNumber("latest"), the head a transaction is simulated on."""
    return lambda params: {"result": answer} if params and params[0] == "latest" else None


@pytest.mark.parametrize(
    "method, reply",
    [
        ("eth_getBlockByNumber", _latest_block_as("0x00")),
        ("eth_getBlockByNumber", _latest_block_as({"number": "0xzz", "hash": "0x" + "ab" * 32})),
        ("eth_getBlockByNumber", _latest_block_as({"number": "0x5"})),
        ("eth_getBalance", lambda params: {"result": "0xzz"}),
        ("eth_estimateGas", lambda params: {"result": "0xzz"}),
        ("eth_estimateGas", lambda params: {"result": ["0x5208"]}),
        ("eth_estimateGas", lambda params: {"result": "0x" + "f" * 50_000_000}),  # 50 MB
    ],
    ids=[
        "block-0x00",
        "block-number-0xzz",
        "block-without-hash",
        "balance-0xzz",
        "gas-0xzz",
        "gas-list",
        "gas-50MB",
    ],
)
def test_a_malformed_answer_to_a_transaction_build_is_a_503(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, method: str, reply: Any
) -> None:
    w3, _, registry = chain
    pledge = {"sender": w3.eth.accounts[2], "amount": str(ETHER)}
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        proxy.reply(method, reply)
        refused = api.post("/campaigns/1/transactions/pledge", json=pledge)
        assert refused.status_code == 503, refused.text
        assert refused.headers["retry-after"] == "5"
        assert method in refused.json()["detail"] or "block latest" in refused.json()["detail"]

        proxy.heal()
        built = api.post("/campaigns/1/transactions/pledge", json=pledge)
        assert built.status_code == 200, built.text


ANSWER_LIMIT = 32 * 2**20  # RPC_ANSWER_LIMIT's default


@pytest.mark.parametrize("how", ["huge", "endless"])
def test_an_answer_past_the_limit_is_a_503_and_the_gateway_holds_none_of_it(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, how: str
) -> None:
    # 100 MB of valid JSON, or a result that never ends, both sent chunked: only counting
    # while they arrive can stop them. Read whole, the 100 MB alone grew the gateway by
    # nearly three times that (289 MiB measured: the body, its copy, the string parsed).
    w3, _, registry = chain
    with served(proxy.url, registry) as running:
        api, pid = running.client, running.process.pid
        wait_indexed(api, w3.eth.block_number)
        proxy.spoil("eth_call", how)  # type: ignore[arg-type]
        reset_peak_rss(pid)
        before = rss(pid)
        refused = api.get("/campaigns/1")
        grown = peak_rss(pid) - before
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        assert "eth_call" in refused.json()["detail"] and "RPC_ANSWER_LIMIT" in refused.json()["detail"]
        # It hung up at the limit (the rest: what the kernel's buffers took meanwhile).
        assert proxy.flooded < ANSWER_LIMIT + 16 * 2**20
        assert grown < ANSWER_LIMIT + 32 * 2**20, f"the gateway grew by {grown / 2**20:.0f} MiB"
        # Everything that does not need that answer still answers.
        assert api.get("/campaigns").status_code == 200
        assert api.get("/health").status_code == 200

        proxy.heal()
        answered = api.get("/campaigns/1")  # the failure was not kept
        assert answered.status_code == 200 and answered.json()["id"] == 1


def test_the_indexer_survives_logs_past_the_limit_and_catches_up(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, tmp_path: Path
) -> None:
    # The new block's logs alone pass the limit: no smaller range is left to ask for, so
    # indexing pauses as for any faulty answer, and resumes where it stopped.
    w3, escrow, registry = chain
    database = tmp_path / "index.sqlite"
    with gateway(proxy.url, registry, DATABASE_URL=f"sqlite:///{database}") as api:
        wait_indexed(api, w3.eth.block_number)
        proxy.spoil("eth_getLogs", "endless")
        escrow.pledge(w3.eth.accounts[2], 1, ETHER)
        body = eventually(lambda: unavailable(api), what="/health saying indexing is paused")
        assert "eth_getLogs" in problem(body, "index") and "RPC_ANSWER_LIMIT" in problem(body, "index")
        assert api.get("/campaigns/1").status_code == 200  # from what is indexed
        assert indexed_events(database) == 2
        heal_and_index_the_pledge(proxy, api, w3, database)


def test_blocks_whose_logs_pass_the_limit_together_are_read_in_parts(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    # 150 pledges, a block each, make an eth_getLogs answer of about 100 KB over the whole
    # range: past a limit of 64 KiB, it is asked again for fewer blocks, and no event is lost.
    w3, escrow, registry = chain
    for _ in range(150):
        escrow.pledge(w3.eth.accounts[2], 1, ETHER // 100)
    database = tmp_path / "index.sqlite"
    with served(
        w3.provider.endpoint_uri,  # type: ignore[attr-defined]
        registry,
        DATABASE_URL=f"sqlite:///{database}",
        RPC_ANSWER_LIMIT=str(64 * 2**10),
    ) as running:
        wait_indexed(running.client, w3.eth.block_number)
        assert indexed_events(database) == 152  # created, and 151 pledges
        assert "eth_getLogs refused" in running.stderr() and "RPC_ANSWER_LIMIT" in running.stderr()


def test_a_node_that_takes_small_batches_only_is_read_in_smaller_ones(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, tmp_path: Path
) -> None:
    # geth refuses a batch of more than 1,000 requests (erigon of more than 100) as a whole;
    # the indexer asks for the headers of every block with logs in one batch. 60 pledges, a
    # block each, behind a node that takes batches of 8: they are read in smaller batches.
    w3, escrow, registry = chain
    for _ in range(60):
        escrow.pledge(w3.eth.accounts[2], 1, ETHER // 100)
    proxy.batch_limit = 8
    database = tmp_path / "index.sqlite"
    with gateway(proxy.url, registry, DATABASE_URL=f"sqlite:///{database}") as api:
        wait_indexed(api, w3.eth.block_number)
        assert indexed_events(database) == 62  # created, and 61 pledges
        assert proxy.refused_batches > 0
        refused = proxy.refused_batches
        # Learned: later reads keep to it.
        escrow.pledge(w3.eth.accounts[2], 1, ETHER // 100)
        wait_indexed(api, w3.eth.block_number)
        assert indexed_events(database) == 63 and proxy.refused_batches == refused
