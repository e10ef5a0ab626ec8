"""Chain data is hostile input: a campaign in a token whose answers make no sense is shown
by the token's address with no decimals, its pledges are refused in words."""

from __future__ import annotations

from pathlib import Path

import httpx
from support.chain import ROOT
from support.gateway import wait_indexed
from web3 import Web3

from crowdfund import artifacts
from crowdfund.compiler import compile_files
from crowdfund.demo import DAY
from crowdfund.escrow import Escrow
from crowdfund.transactions import send

ODD_TOKEN = ROOT / "tests" / "cli" / "solidity" / "OddToken.sol"


def test_a_token_with_hostile_answers_does_not_break_the_answers(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator, bob = w3.eth.accounts[0], w3.eth.accounts[2]
    artifact = compile_files(Path(ODD_TOKEN))["OddToken"]
    odd = str(send(w3, creator, {"data": artifact["bytecode"]})["contractAddress"])
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + DAY
    campaign_id = escrow.create_campaign(creator, goal=100, deadline=deadline, metadata_uri="x", token=odd)
    wait_indexed(api, w3.eth.block_number)

    shown = api.get(f"/campaigns/{campaign_id}")
    assert shown.status_code == 200, shown.text
    assert shown.json()["token"] == {"address": odd, "symbol": f"{odd[:6]}…{odd[-4:]}", "decimals": 0}
    listed = api.get("/campaigns", params={"limit": 100})
    assert listed.status_code == 200 and campaign_id in {c["id"] for c in listed.json()["items"]}

    refused = api.post(f"/campaigns/{campaign_id}/transactions/pledge", json={"sender": bob, "amount": "5"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "TokenRefused" and odd in refused.json()["detail"]


def test_a_token_calling_itself_eth_is_shown_by_its_address(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator = w3.eth.accounts[0]
    artifact = artifacts.load(artifacts.DEMO_TOKEN)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + DAY
    shown = {}
    # Plain, lower case, and Cyrillic letters that look like ETH on a page.
    for symbol in ("ETH", "eth", "\u0415\u0422\u041d"):
        data = factory.constructor("Worthless", symbol, 18).data_in_transaction
        token = str(send(w3, creator, {"data": data})["contractAddress"])
        campaign_id = escrow.create_campaign(
            creator, goal=100, deadline=deadline, metadata_uri="x", token=token
        )
        shown[campaign_id] = token
    wait_indexed(api, w3.eth.block_number)

    for campaign_id, token in shown.items():
        answer = api.get(f"/campaigns/{campaign_id}")
        assert answer.status_code == 200, answer.text
        assert answer.json()["token"] == {
            "address": token,
            "symbol": f"{token[:6]}…{token[-4:]}",
            "decimals": 18,
        }
