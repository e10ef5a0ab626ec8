"""Reorgs seen from an event stream: the `event: reorg` id is one a client may resume
from (a browser's EventSource sends it back as Last-Event-ID on its next connection); a
stream reading the index itself (a replica) is told of a reorg even when the new chain
is as long as the old one; and a Last-Event-ID from a block a reorg took is answered with
a refetch, not a silent resume on the other chain."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from support.chain import ROOT
from support.gateway import CROWDFUND, eventually, gateway, served, sse, wait_indexed
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow

END_OF_BLOCK = 2**31 - 1


def rpc(w3: Web3, method: str, *params: object) -> object:
    answer = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def test_the_stream_resumes_from_a_reorg_id(
    w3: Web3, registry: Path, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    alice, bob = w3.eth.accounts[1:3]
    with served(w3.provider.endpoint_uri, registry) as gateway:  # type: ignore[attr-defined]
        api = gateway.client
        snapshot = rpc(w3, "evm_snapshot")
        orphaned = escrow.pledge(alice, campaigns["active0"], 1111)
        wait_indexed(api, orphaned["blockNumber"])
        with api.stream("GET", "/events") as stream:
            assert stream.status_code == 200
            # The block of alice's pledge leaves the chain.
            rpc(w3, "evm_revert", snapshot)
            reorg = next(sse(stream))
        assert reorg["event"] == "reorg"
        assert reorg["data"]["block"] < orphaned["blockNumber"]
        assert reorg["id"] == f"{reorg['data']['block']}-{END_OF_BLOCK}-{reorg['data']['hash'][2:18]}"

        kept = escrow.pledge(bob, campaigns["active0"], 2222)
        with api.stream("GET", "/events", headers={"Last-Event-ID": reorg["id"]}) as stream:
            assert stream.status_code == 200
            event = next(sse(stream))
        assert event["event"] == "pledged"
        assert event["data"]["transaction_hash"] == kept["transactionHash"].to_0x_hex()
    assert "Traceback" not in gateway.stderr()


def _fork(w3: Web3, escrow: Escrow, depth: int, backer: str, amount: int) -> str:
    """Replace the last `depth` blocks by as many others, the first holding `backer`'s
    pledge to campaign 1; the new head's hash (the chain is as long as before)."""
    head = w3.eth.block_number
    replacement = {"from": backer, "to": escrow.address, "value": hex(amount),
                   "data": escrow.contract.encode_abi("pledge", args=[1, amount])}  # fmt: skip
    rpc(w3, "anvil_reorg", depth, [[replacement, 0]])
    assert w3.eth.block_number == head
    return w3.eth.get_block(head)["hash"].to_0x_hex()


def _following(api: Any, head_hash: str) -> None:
    eventually(lambda: api.get("/health").json()["block"]["hash"] == head_hash, what="following the fork")


def _events(stream: Any) -> Iterator[dict[str, Any]]:
    assert stream.status_code == 200
    return sse(stream)


def test_a_replica_stream_is_told_of_a_reorg_to_a_chain_as_long(
    chain: tuple[Web3, Escrow, Path], tmp_path: Path
) -> None:
    w3, escrow, registry = chain
    bob, carol = w3.eth.accounts[2:4]
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    database = f"sqlite:///{tmp_path}/shared.sqlite"
    env = {"RPC_URL": url, "CROWDFUND_DEPLOYMENTS": str(registry), "DATABASE_URL": database,
           "POLL_INTERVAL": "0.2"}  # fmt: skip
    indexer = subprocess.Popen(
        [CROWDFUND, "index"], cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.DEVNULL
    )
    try:
        # The replica indexes nothing: its streams read what the indexer wrote.
        with gateway(url, registry, DATABASE_URL=database, RUN_INDEXER="false") as api:
            wait_indexed(api, w3.eth.block_number)
            with api.stream("GET", "/events") as stream:
                events = _events(stream)
                pledges = [escrow.pledge(bob, 1, ETHER // 4) for _ in range(3)]
                sent = [next(events) for _ in pledges]
                assert [e["data"]["transaction_hash"] for e in sent] == [
                    p["transactionHash"].to_0x_hex() for p in pledges
                ]
                # Bob's three blocks leave the chain for three others, the first with carol's pledge.
                _following(api, _fork(w3, escrow, 3, carol, ETHER // 10))
                reorg, replayed = next(events), next(events)
        assert reorg["event"] == "reorg"
        assert reorg["data"]["block"] < pledges[0]["blockNumber"]
        assert replayed["event"] == "pledged" and replayed["data"]["backer"] == carol
        assert replayed["data"]["block_number"] == pledges[0]["blockNumber"]
    finally:
        indexer.terminate()
        indexer.wait(timeout=10)


def test_a_last_event_id_from_a_block_a_reorg_took_asks_for_a_refetch(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    bob, carol = w3.eth.accounts[2:4]
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        wait_indexed(api, w3.eth.block_number)
        with api.stream("GET", "/events") as stream:
            events = _events(stream)
            pledge = escrow.pledge(bob, 1, ETHER // 4)
            last = next(events)
        assert last["data"]["transaction_hash"] == pledge["transactionHash"].to_0x_hex()
        # While the client is away, bob's block is replaced by one with carol's pledge at
        # the same height and log index: resuming by position alone would skip it.
        _following(api, _fork(w3, escrow, 1, carol, ETHER // 10))
        with api.stream("GET", "/events", headers={"Last-Event-ID": last["id"]}) as stream:
            refetch = next(_events(stream))
        assert refetch["event"] == "refetch"
        assert refetch["data"]["block"] == w3.eth.block_number
        # An id sent before ids carried their block's hash still resumes (by position).
        block, log, _ = last["id"].split("-")
        assert api.get("/events", headers={"Last-Event-ID": f"{block}-{log}-zz"}).status_code == 422
        with api.stream("GET", "/events", headers={"Last-Event-ID": f"{int(block) - 1}-{log}"}) as stream:
            resumed = next(_events(stream))
        assert resumed["event"] == "pledged" and resumed["data"]["backer"] == carol


def test_a_stream_standing_after_a_block_without_events_sees_the_reorg_that_took_it(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    """The ids of `reorg` and `refetch` name a block that may hold no event: when a reorg
    takes that block, the index holds nothing of it any more, and that says it was taken."""
    w3, escrow, registry = chain
    bob, carol = w3.eth.accounts[2:4]
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        escrow.pledge(bob, 1, ETHER // 4)
        rpc(w3, "evm_mine")  # a block without events, where the stream will stand
        empty = w3.eth.get_block("latest")
        wait_indexed(api, empty["number"])
        standing = f"{empty['number']}-{END_OF_BLOCK}-{empty['hash'].hex()[:16]}"
        # Bob's block and the empty one are replaced, carol's pledge in the first, and the
        # chain grows on at once: the index takes the new blocks in one chunk, and holds
        # nothing of the one at the stream's height (no event, no chunk's end).
        _fork(w3, escrow, 2, carol, ETHER // 10)
        rpc(w3, "anvil_mine", hex(3))
        _following(api, w3.eth.get_block("latest")["hash"].to_0x_hex())
        with api.stream("GET", "/events", headers={"Last-Event-ID": standing}) as stream:
            told = next(_events(stream))
        assert told["event"] == "refetch" and told["data"]["block"] == w3.eth.block_number
