"""After a reorg the stream's `event: reorg` id is one a client may resume from: a
browser's EventSource sends it back as Last-Event-ID on its next connection."""

from __future__ import annotations

from pathlib import Path

from support.gateway import served, sse, wait_indexed
from web3 import Web3

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
        assert reorg["id"] == f"{reorg['data']['block']}-{END_OF_BLOCK}"

        kept = escrow.pledge(bob, campaigns["active0"], 2222)
        with api.stream("GET", "/events", headers={"Last-Event-ID": reorg["id"]}) as stream:
            assert stream.status_code == 200
            event = next(sse(stream))
        assert event["event"] == "pledged"
        assert event["data"]["transaction_hash"] == kept["transactionHash"].to_0x_hex()
    assert "Traceback" not in gateway.stderr()
