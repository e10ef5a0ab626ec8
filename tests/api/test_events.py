"""GET /events: escrow events stream to the client as the index takes them in."""

from __future__ import annotations

import httpx
from support.gateway import sse
from web3 import Web3

from crowdfund.escrow import Escrow


def test_a_new_pledge_arrives_on_the_stream(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    alice = w3.eth.accounts[1]
    with api.stream("GET", "/events") as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        receipt = escrow.pledge(alice, campaigns["active2"], 12345)
        event = next(sse(stream))
    assert event["event"] == "pledged"
    data = event["data"]
    assert data["transaction_hash"] == receipt["transactionHash"].to_0x_hex()
    assert (data["campaign_id"], data["backer"], data["amount"]) == (campaigns["active2"], alice, "12345")
    assert data["block_number"] == receipt["blockNumber"]
    assert event["id"] == f"{receipt['blockNumber']}-{data['log_index']}-{receipt['blockHash'].hex()[:16]}"


def test_last_event_id_resumes_from_the_start(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    with api.stream("GET", "/events", headers={"Last-Event-ID": "0-0"}) as stream:
        events = sse(stream)
        first, second = next(events), next(events)
    created = escrow.contract.events.CampaignCreated.get_logs(from_block=0)[0]
    assert first["event"] == "created" and first["data"]["campaign_id"] == created["args"]["id"]
    assert first["data"]["uri"] == created["args"]["metadataURI"]
    assert first["data"]["backer"] == created["args"]["creator"]
    assert second["event"] == "pledged"
    assert api.get("/events", headers={"Last-Event-ID": "yesterday"}).status_code == 422
    # Digits that are not ASCII ("²" passes str.isdigit() but not int()).
    assert api.get("/events", headers={"Last-Event-ID": b"\xb2-1"}).status_code == 422
