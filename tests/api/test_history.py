"""A campaign's pledge history, one backer's standing in it, and every campaign a backer
is in: checked against the chain's own logs and views."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.gateway import wait_indexed
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund.transactions import send


def pages(api: httpx.Client, path: str, limit: int, **params: str) -> list[list[dict[str, Any]]]:
    found = []
    cursor = None
    while True:
        query: dict[str, Any] = {**params, "limit": limit}
        if cursor:
            query["cursor"] = cursor
        response = api.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        found.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return found


@pytest.fixture(scope="module")
def busy(w3: Web3, escrow: Escrow, campaigns: dict[str, int]) -> int:
    """A campaign with pledges, an unpledge and a pledge paid by someone else."""
    creator, alice, bob, carol = w3.eth.accounts[:4]
    deadline = w3.eth.get_block("latest")["timestamp"] + 10 * DAY
    campaign_id = escrow.create_campaign(
        creator, goal=2 * ETHER, deadline=deadline, metadata_uri="ipfs://busy"
    )
    for _ in range(3):
        escrow.pledge(alice, campaign_id, ETHER // 10)
    escrow.pledge(bob, campaign_id, ETHER // 2)
    escrow.unpledge(alice, campaign_id, ETHER // 20)
    data = escrow.contract.functions.pledgeFor(campaign_id, alice, ETHER // 5)._encode_transaction_data()
    send(w3, carol, {"to": escrow.address, "data": data, "value": ETHER // 5})  # type: ignore[typeddict-item]
    return campaign_id


def test_history_matches_the_chain_page_by_page(
    api: httpx.Client, w3: Web3, escrow: Escrow, busy: int
) -> None:
    wait_indexed(api, w3.eth.block_number)
    found = pages(api, f"/campaigns/{busy}/pledges", limit=2)
    assert [len(p) for p in found] == [2, 2, 2]
    entries = [e for page in found for e in page]

    logs = [
        *escrow.contract.events.Pledged.get_logs(argument_filters={"id": busy}, from_block=0),
        *escrow.contract.events.Unpledged.get_logs(argument_filters={"id": busy}, from_block=0),
    ]
    logs.sort(key=lambda log: (log["blockNumber"], log["logIndex"]), reverse=True)
    assert len(entries) == len(logs) == 6
    for entry, log in zip(entries, logs, strict=True):
        assert entry["kind"] == log["event"].lower()
        assert entry["backer"] == log["args"]["backer"]
        assert entry["amount"] == str(log["args"]["amount"])
        assert entry["transaction_hash"] == log["transactionHash"].to_0x_hex()
        assert entry["block_number"] == log["blockNumber"]
        assert entry["timestamp"] == w3.eth.get_block(log["blockNumber"])["timestamp"]
    carol = w3.eth.accounts[3]
    paid_by_carol = entries[0]
    assert paid_by_carol["kind"] == "pledged" and paid_by_carol["payer"] == carol
    assert paid_by_carol["backer"] == w3.eth.accounts[1]

    unpledges = api.get(f"/campaigns/{busy}/pledges", params={"kind": "unpledged"}).json()["items"]
    assert [e["amount"] for e in unpledges] == [str(ETHER // 20)]
    bobs = api.get(f"/campaigns/{busy}/pledges", params={"backer": w3.eth.accounts[2]}).json()["items"]
    assert [e["amount"] for e in bobs] == [str(ETHER // 2)]


def test_backer_standing_while_active(api: httpx.Client, w3: Web3, escrow: Escrow, busy: int) -> None:
    wait_indexed(api, w3.eth.block_number)
    alice, dave = w3.eth.accounts[1], w3.eth.accounts[4]
    body = api.get(f"/campaigns/{busy}/backers/{alice}").json()
    held = escrow.pledge_of(busy, alice, block=body["block"]["number"])
    assert body["pledge"] == str(held) == str(3 * ETHER // 10 - ETHER // 20 + ETHER // 5)
    assert body["state"] == "active"
    assert body["unpledge"] == {"allowed": True, "amount": str(held), "reason": None}
    assert body["refund"]["allowed"] is False
    assert "refunds open only when a campaign failed, was cancelled or expired" in body["refund"]["reason"]

    stranger = api.get(f"/campaigns/{busy}/backers/{dave}").json()
    assert stranger["pledge"] == "0" and stranger["unpledge"]["allowed"] is False
    assert api.get(f"/campaigns/999/backers/{dave}").status_code == 404


def test_every_campaign_a_backer_is_in(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int], busy: int
) -> None:
    wait_indexed(api, w3.eth.block_number)
    alice = w3.eth.accounts[1]
    found = pages(api, f"/backers/{alice}/pledges", limit=2)
    items = [item for page in found for item in page]
    assert [i["campaign"]["id"] for i in items] == [busy, campaigns["active0"], campaigns["failed"]]
    for item in items:
        assert item["pledge"] == str(escrow.pledge_of(item["campaign"]["id"], alice))
        assert item["refunded"] == "0"
    assert api.get(f"/backers/{w3.eth.accounts[5]}/pledges").json()["items"] == []


def test_refund_and_claim_enter_the_history(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator, alice = w3.eth.accounts[:2]
    escrow.refund(alice, campaigns["failed"])
    escrow.claim(creator, campaigns["succeeded"])
    wait_indexed(api, w3.eth.block_number)

    (refund, pledge) = api.get(f"/campaigns/{campaigns['failed']}/pledges").json()["items"]
    assert (refund["kind"], refund["amount"], refund["backer"]) == ("refunded", str(ETHER), alice)
    assert pledge["kind"] == "pledged"
    # Each entry says where the campaign's total stands after it.
    assert (pledge["new_total"], refund["new_total"]) == (str(ETHER), "0")
    claim = api.get(f"/campaigns/{campaigns['succeeded']}/pledges").json()["items"][0]
    assert (claim["kind"], claim["amount"], claim["backer"]) == ("claimed", str(2 * ETHER), creator)
    assert claim["new_total"] == str(2 * ETHER)  # a claim keeps the record

    failed = api.get(f"/campaigns/{campaigns['failed']}").json()
    assert failed["pledged"] == "0" and failed["backer_count"] == 0 and failed["state"] == "failed"
    # What it ended with stays answered beside what the refunds left.
    assert failed["raised"] == str(ETHER)
    listed = api.get("/campaigns", params={"state": "failed"}).json()["items"]
    assert [(c["id"], c["pledged"], c["raised"]) for c in listed] == [(campaigns["failed"], "0", str(ETHER))]
    succeeded = api.get(f"/campaigns/{campaigns['succeeded']}").json()
    assert succeeded["state"] == "claimed" and succeeded["claimed"] is True
    assert succeeded["pledged"] == str(2 * ETHER)

    standing = api.get(f"/campaigns/{campaigns['failed']}/backers/{alice}").json()
    assert standing["pledge"] == "0" and standing["refund"]["allowed"] is False
    mine = {i["campaign"]["id"]: i for i in api.get(f"/backers/{alice}/pledges").json()["items"]}
    assert mine[campaigns["failed"]]["refunded"] == str(ETHER)
    assert mine[campaigns["failed"]]["pledge"] == "0"


def test_history_errors(api: httpx.Client) -> None:
    assert api.get("/campaigns/999/pledges").status_code == 404
    assert api.get("/campaigns/1/pledges", params={"kind": "created"}).status_code == 422
    assert api.get("/campaigns/1/pledges", params={"cursor": "bm9wZQ"}).status_code == 422
    assert api.get("/backers/0x12/pledges").status_code == 422
