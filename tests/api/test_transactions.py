"""POST …/transactions/…: unsigned transactions that a wallet signs as they are, and 409s
that name the escrow's rule and its values instead of a transaction that would revert."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from eth_account import Account
from support.gateway import wait_indexed
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import ETH, Escrow
from crowdfund.transactions import send

# anvil's well-known development key for its second account (alice).
ALICE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


def ask(api: httpx.Client, path: str, expected: int = 200, **body: Any) -> dict[str, Any]:
    response = api.post(path, json=body)
    assert response.status_code == expected, response.text
    answer: dict[str, Any] = response.json()
    return answer


def submit(w3: Web3, answer: dict[str, Any]) -> None:
    """Send an answered transaction from the node's unlocked account, as it stands."""
    tx = answer["transaction"]
    tx_hash = w3.eth.send_transaction(
        {"from": tx["from"], "to": tx["to"], "data": tx["data"], "value": int(tx["value"]),
         "gas": int(tx["gas"]), "chainId": tx["chain_id"]}
    )  # fmt: skip
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1


def test_an_eth_pledge_signed_by_a_wallet(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    alice = Account.from_key(ALICE_KEY)
    campaign = campaigns["active1"]
    before = escrow.pledge_of(campaign, alice.address)
    answer = ask(api, f"/campaigns/{campaign}/transactions/pledge", sender=alice.address, amount=str(ETHER))
    tx = answer["transaction"]
    assert answer["action"] == "pledge" and answer["allowance"] is None
    assert (tx["from"], tx["to"], tx["value"]) == (alice.address, escrow.address, str(ETHER))
    assert tx["chain_id"] == w3.eth.chain_id and int(tx["gas"]) > 21_000
    assert w3.eth.get_block(answer["block"]["number"])["hash"].to_0x_hex() == answer["block"]["hash"]

    # A wallet adds only its nonce and fees.
    signed = alice.sign_transaction(
        {"to": tx["to"], "data": tx["data"], "value": int(tx["value"]), "gas": int(tx["gas"]),
         "chainId": tx["chain_id"], "nonce": w3.eth.get_transaction_count(alice.address),
         "maxFeePerGas": 10**10, "maxPriorityFeePerGas": 10**9}
    )  # fmt: skip
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
    assert receipt["status"] == 1
    assert escrow.pledge_of(campaign, alice.address) == before + ETHER

    wait_indexed(api, receipt["blockNumber"])
    assert api.get(f"/campaigns/{campaign}").json()["pledged"] == str(escrow.campaign(campaign).pledged)


@pytest.mark.parametrize(
    ("campaign", "action", "who", "body", "rule", "values"),
    [
        ("failed", "pledge", 1, {"amount": "1"}, "PledgesClosed", {"id"}),
        ("active1", "pledge", 1, {"amount": "0"}, "ZeroAmount", set()),
        ("active2", "unpledge", 1, {"amount": "5"}, "InsufficientPledge", {"pledged", "requested"}),
        ("succeeded", "claim", 1, {}, "NotCreator", {"creator", "caller"}),
        ("succeeded", "claim", 0, {"to": "0x" + "00" * 20}, "InvalidRecipient", {"to"}),
        ("active1", "claim", 0, {}, "CampaignNotEnded", {"deadline", "now"}),
        ("cancelled", "cancel", 0, {}, "CampaignIsCancelled", {"id"}),
        ("active1", "refund", 1, {}, "RefundsNotOpen", {"state"}),
        ("failed", "update", 2, {"uri": "ipfs://x"}, "NotCreator", {"creator"}),
    ],
)
def test_a_transaction_that_would_revert_is_409_in_words(
    api: httpx.Client,
    w3: Web3,
    campaigns: dict[str, int],
    campaign: str,
    action: str,
    who: int,
    body: dict[str, str],
    rule: str,
    values: set[str],
) -> None:
    sender = w3.eth.accounts[who]
    answer = ask(api, f"/campaigns/{campaigns[campaign]}/transactions/{action}", 409, sender=sender, **body)
    assert answer["rule"] == rule
    assert values <= set(answer["values"])
    if "id" in answer["values"]:
        assert answer["values"]["id"] == str(campaigns[campaign])
        assert f"campaign {campaigns[campaign]}" in answer["detail"]


def test_the_409_carries_the_figures(api: httpx.Client, w3: Web3, campaigns: dict[str, int]) -> None:
    alice = w3.eth.accounts[1]
    answer = ask(
        api, f"/campaigns/{campaigns['active0']}/transactions/unpledge", 409, sender=alice, amount=str(ETHER)
    )
    assert answer["values"] == {
        "id": str(campaigns["active0"]), "backer": alice, "pledged": str(ETHER // 4), "requested": str(ETHER)
    }  # fmt: skip
    # The escrow's words in the campaign's own units; `values` keep base units.
    assert (
        answer["detail"]
        == f"{alice} has pledged 0.25 ETH to campaign {campaigns['active0']}, less than 1 ETH"
    )

    broke = ask(
        api, f"/campaigns/{campaigns['active1']}/transactions/pledge", 409, sender=alice, amount=str(10**30)
    )
    assert broke["rule"] == "InsufficientFunds" and broke["values"]["needed"] == str(10**30)
    assert f"holds {w3.eth.get_balance(alice) // ETHER}." in broke["detail"]
    assert (
        "less than the 1000000000000 ETH the transaction carries: send less, or add ETH first"
        in broke["detail"]
    )


def test_unknown_campaign_is_404_and_bad_bodies_are_422(api: httpx.Client, w3: Web3) -> None:
    alice = w3.eth.accounts[1]
    for action, body in [("pledge", {"amount": "1"}), ("claim", {}), ("refund", {})]:
        answer = ask(api, f"/campaigns/999/transactions/{action}", 404, sender=alice, **body)
        assert answer["detail"] == "campaign 999 does not exist"
    for body in [
        {"sender": "0x12", "amount": "1"},
        {"sender": alice, "amount": "1.5"},
        {"sender": alice, "amount": "-1"},
        {"sender": alice, "amount": str(2**256)},
        {"sender": alice, "amount": 1},
        {"sender": alice},
        {"sender": alice, "amount": "1", "extra": True},
    ]:
        response = api.post("/campaigns/1/transactions/pledge", json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"]
    assert api.post("/campaigns/1/transactions/pledge", content=b"{nope").status_code == 422
    assert api.post("/campaigns/1/transactions/steal", json={"sender": alice}).status_code == 404


def test_a_token_pledge_answers_the_approve_first(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    carol = w3.eth.accounts[3]
    campaign = campaigns["token"]
    path = f"/campaigns/{campaign}/transactions/pledge"
    amount = 5 * ETHER
    short = ask(api, path, 409, sender=carol, amount=str(amount))
    assert short["rule"] == "InsufficientTokenBalance" and short["values"]["balance"] == "0"

    token = escrow.campaign(campaign).token
    mint = Web3().eth.contract(
        abi=[{"name": "mint", "type": "function", "stateMutability": "nonpayable", "outputs": [],
              "inputs": [{"name": "a", "type": "address"}, {"name": "v", "type": "uint256"}]}]
    ).encode_abi("mint", args=[carol, amount])  # fmt: skip
    send(w3, carol, {"to": token, "data": mint})  # type: ignore[typeddict-item]

    approve = ask(api, path, sender=carol, amount=str(amount))
    assert approve["action"] == "approve" and approve["then"] == "pledge"
    assert approve["transaction"]["to"] == token and approve["transaction"]["value"] == "0"
    assert approve["allowance"] == {
        "token": token,
        "spender": escrow.address,
        "allowance": "0",
        "needed": str(amount),
        "sufficient": False,
    }
    submit(w3, approve)

    pledge = ask(api, path, sender=carol, amount=str(amount))
    assert pledge["action"] == "pledge" and pledge["allowance"]["sufficient"] is True
    assert pledge["transaction"]["to"] == escrow.address and pledge["transaction"]["value"] == "0"
    submit(w3, pledge)
    assert escrow.pledge_of(campaign, carol) == amount


def test_a_campaign_through_its_life(api: httpx.Client, w3: Web3, escrow: Escrow) -> None:
    creator, bob = w3.eth.accounts[0], w3.eth.accounts[2]
    deadline = w3.eth.get_block("latest")["timestamp"] + 3 * DAY
    created = ask(
        api, "/campaigns/transactions/create",
        sender=creator, goal=str(ETHER), deadline=deadline, metadata_uri="ipfs://life",
    )  # fmt: skip
    assert created["transaction"]["to"] == escrow.address
    submit(w3, created)
    campaign = escrow.campaign_count()

    submit(w3, ask(api, f"/campaigns/{campaign}/transactions/update", sender=creator, uri="ipfs://news-1"))
    submit(w3, ask(api, f"/campaigns/{campaign}/transactions/pledge", sender=bob, amount=str(ETHER // 2)))
    submit(w3, ask(api, f"/campaigns/{campaign}/transactions/unpledge", sender=bob, amount=str(ETHER // 4)))
    wait_indexed(api, w3.eth.block_number)
    body = api.get(f"/campaigns/{campaign}").json()
    assert body["metadata_uri"] == "ipfs://life" and body["token"]["address"] == ETH
    assert [u["uri"] for u in body["updates"]] == ["ipfs://news-1"]
    assert body["pledged"] == str(ETHER // 4) and body["backer_count"] == 1

    submit(w3, ask(api, f"/campaigns/{campaign}/transactions/cancel", sender=creator))
    submit(w3, ask(api, f"/campaigns/{campaign}/transactions/refund", sender=bob))
    assert escrow.pledge_of(campaign, bob) == 0
    wait_indexed(api, w3.eth.block_number)
    body = api.get(f"/campaigns/{campaign}").json()
    assert body["state"] == "cancelled" and body["pledged"] == "0" and body["backer_count"] == 0
