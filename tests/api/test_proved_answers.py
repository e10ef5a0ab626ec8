"""proof=true on a campaign's and a backer's answer: the EIP-1186 proof of exactly the slots
behind the figures, at the answer's block, cached apart from the plain answer; a node that
serves no eth_getProof is a 501 in words, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from support.gateway import gateway, wait_indexed
from support.proxy import RpcProxy
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.proofs import slot_of_pledge, slots_of_campaign


def answer(api: httpx.Client, path: str, **params: str) -> dict[str, Any]:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_campaign_s_proof_holds_its_four_slots_at_the_answer_s_block(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    campaign_id = campaigns["token"]
    plain = answer(api, f"/campaigns/{campaign_id}")
    body = answer(api, f"/campaigns/{campaign_id}", proof="true")
    assert "proof" not in plain
    assert "proof" not in answer(api, f"/campaigns/{campaign_id}")  # a cache key of its own
    proof = body["proof"]
    assert proof["block"] == body["block"]
    assert proof["address"] == escrow.address
    assert [int(s["key"], 16) for s in proof["storage"]] == list(slots_of_campaign(campaign_id))
    number = body["block"]["number"]
    # The values the node gave are the words eth_getStorageAt reads at that block.
    for slot in proof["storage"]:
        stored = w3.eth.get_storage_at(escrow.address, int(slot["key"], 16), number)  # type: ignore[arg-type]
        assert int(slot["value"], 16) == int.from_bytes(stored, "big")
    assert proof["storage_hash"].startswith("0x") and proof["account_proof"]
    # Everything else is the plain answer's, at the same block (nothing is mined meanwhile).
    assert body["block"] == plain["block"]
    assert {k: v for k, v in body.items() if k != "proof"} == plain


def test_a_backer_s_proof_adds_its_pledge_slot(
    api: httpx.Client, w3: Web3, campaigns: dict[str, int]
) -> None:
    alice = w3.eth.accounts[1]
    campaign_id = campaigns["active0"]
    body = answer(api, f"/campaigns/{campaign_id}/backers/{alice}", proof="true")
    keys = [int(s["key"], 16) for s in body["proof"]["storage"]]
    assert keys == [*slots_of_campaign(campaign_id), slot_of_pledge(campaign_id, alice)]
    assert int(body["proof"]["storage"][4]["value"], 16) == int(body["pledge"])
    assert "proof" not in answer(api, f"/campaigns/{campaign_id}/backers/{alice}")


def test_no_proof_for_a_campaign_that_does_not_exist(api: httpx.Client) -> None:
    response = api.get("/campaigns/999", params={"proof": "true"})
    assert response.status_code == 404
    assert response.json() == {"detail": "campaign 999 does not exist"}


def test_a_node_without_eth_get_proof_is_a_501_in_words(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy
) -> None:
    w3, _, registry = chain
    proxy.reply(
        "eth_getProof",
        lambda _: {
            "error": {"code": -32601, "message": "the method eth_getProof does not exist/is not available"}
        },
    )
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        for path in ("/campaigns/1", f"/campaigns/1/backers/{w3.eth.accounts[1]}"):
            response = api.get(path, params={"proof": "true"})
            assert response.status_code == 501, response.text
            assert response.json()["detail"].startswith("the node does not serve eth_getProof (EIP-1186)")
            assert "ask without proof=true" in response.json()["detail"]
            assert api.get(path).status_code == 200  # the answers themselves still come


def test_a_node_that_takes_no_block_hash_for_eth_get_proof_is_asked_by_number(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy
) -> None:
    w3, escrow, registry = chain
    by_number: list[str] = []

    def before_eip_1898(params: list[Any]) -> dict[str, Any] | None:
        if isinstance(params[2], dict):
            return {"error": {"code": -32602, "message": "invalid argument 2: hex string without 0x prefix"}}
        by_number.append(params[2])
        return None  # by number: the node's own answer

    proxy.reply("eth_getProof", before_eip_1898)
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        body = answer(api, "/campaigns/1", proof="true")
    assert by_number == [hex(body["block"]["number"])]
    assert body["proof"]["block"] == body["block"]
    assert body["proof"]["address"] == escrow.address
    assert [int(s["key"], 16) for s in body["proof"]["storage"]] == list(slots_of_campaign(1))
