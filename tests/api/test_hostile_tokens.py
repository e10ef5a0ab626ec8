"""Chain data is hostile input: a campaign in a token whose answers make no sense is shown
by the token's address with no decimals, its pledges are refused in words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chain import ROOT
from support.gateway import gateway, wait_indexed
from support.proxy import RpcProxy
from web3 import Web3

from crowdfund import artifacts, erc20
from crowdfund.compiler import compile_files
from crowdfund.demo import DAY, deploy_demo_token
from crowdfund.escrow import ETH, Escrow
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


SYMBOL, DECIMALS = erc20.encode_call("symbol"), erc20.encode_call("decimals")


def _failing(token: str, failures: dict[str, dict[str, object]]) -> Any:
    """A reply to eth_call: `failures[selector]` as the node's error for calls of `token`."""

    def reply(params: list[Any]) -> dict[str, Any] | None:
        call = params[0] if params and isinstance(params[0], dict) else {}
        if str(call.get("to", "")).lower() != token.lower():
            return None
        error = failures.get(str(call.get("data", "")))
        return None if error is None else {"error": error}

    return reply


def test_a_token_failing_in_geths_words_is_an_unknown_token_and_spares_the_page(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy
) -> None:
    w3, escrow, registry = chain
    creator = w3.eth.accounts[0]
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + DAY
    hostile, odd, fine = (deploy_demo_token(w3, creator) for _ in range(3))
    ids = {
        token: escrow.create_campaign(creator, goal=100, deadline=deadline, metadata_uri="x", token=token)
        for token in (hostile, odd, fine)
    }
    # As geth words a token whose code fails: no revert, no code 3.
    proxy.reply(
        "eth_call",
        _failing(
            hostile,
            {
                SYMBOL: {"code": -32000, "message": "return data out of bounds"},
                DECIMALS: {"code": -32000, "message": "gas uint64 overflow"},
            },
        ),
    )
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        shown = api.get(f"/campaigns/{ids[hostile]}")
        assert shown.status_code == 200, shown.text
        unknown = {"address": hostile, "symbol": f"{hostile[:6]}…{hostile[-4:]}", "decimals": 0}
        assert shown.json()["token"] == unknown

        # A wording no node is known to use, from a node that runs other calls at that block.
        proxy.reply("eth_call", _failing(odd, {SYMBOL: {"code": -32000, "message": "vm: a new wording"}}))
        listed = api.get("/campaigns", params={"limit": 50})
        assert listed.status_code == 200, listed.text
        tokens = {item["id"]: item["token"] for item in listed.json()["items"]}
        assert tokens[ids[hostile]] == unknown
        assert tokens[ids[odd]] == {"address": odd, "symbol": f"{odd[:6]}…{odd[-4:]}", "decimals": 18}
        assert tokens[ids[fine]] == {"address": fine, "symbol": "DMT", "decimals": 18}
        assert tokens[1] == {"address": ETH, "symbol": "ETH", "decimals": 18}

        # Remembered as the token's answers, like every failure of a token's own code: at a
        # later block, with the node answering every call again, the token is not asked.
        asked: list[str] = []
        proxy.heal()
        proxy.reply("eth_call", lambda params: asked.append(str(params[0].get("to", "")).lower()))
        w3.provider.make_request("evm_mine", [])  # type: ignore[operator]
        wait_indexed(api, w3.eth.block_number)
        again = api.get(f"/campaigns/{ids[hostile]}")
        assert again.status_code == 200 and again.json()["token"] == unknown
        assert api.get("/campaigns", params={"limit": 50}).status_code == 200
        assert hostile.lower() not in asked


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32000, "message": "header not found"},
        {"code": -32005, "message": "daily request count exceeded"},
        {"code": 429, "message": "Too Many Requests"},
        {"code": -32000, "message": "request timed out"},
    ],
    ids=["header-not-found", "limit-32005", "429", "timeout"],
)
def test_a_node_in_trouble_reading_a_token_is_a_503_and_never_remembered(
    chain: tuple[Web3, Escrow, Path], proxy: RpcProxy, error: dict[str, object]
) -> None:
    w3, escrow, registry = chain
    creator = w3.eth.accounts[0]
    token = deploy_demo_token(w3, creator)
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + DAY
    campaign_id = escrow.create_campaign(creator, goal=100, deadline=deadline, metadata_uri="x", token=token)
    proxy.reply("eth_call", _failing(token, {SYMBOL: error}))
    with gateway(proxy.url, registry) as api:
        wait_indexed(api, w3.eth.block_number)
        refused = api.get(f"/campaigns/{campaign_id}")
        assert refused.status_code == 503, refused.text
        assert (
            refused.headers["retry-after"] and "the node failed to read a token" in refused.json()["detail"]
        )
        proxy.heal()
        shown = api.get(f"/campaigns/{campaign_id}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["token"] == {"address": token, "symbol": "DMT", "decimals": 18}
