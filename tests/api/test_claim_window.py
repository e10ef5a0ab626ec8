"""Claims to another address, and a campaign that expires unclaimed: the claim route takes
`to`, the state filter and words know `expired`, and its backers' refunds are built."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.gateway import gateway, wait_indexed
from test_transactions import ask, submit
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund.state import CLAIM_WINDOW

CLAIM_TO = "0x" + Web3.keccak(text="claimTo(uint256,address)")[:4].hex()


@pytest.fixture(scope="module")
def two_succeeded(w3: Web3, escrow: Escrow) -> tuple[int, int, int]:
    """Two campaigns past their deadline with their goal met, and that deadline."""
    creator, _, bob = w3.eth.accounts[:3]
    deadline = int(w3.eth.get_block("latest")["timestamp"] + DAY)
    ids = [
        escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri=f"ipfs://{n}")
        for n in "ab"
    ]
    for campaign_id in ids:
        escrow.pledge(bob, campaign_id, 2 * ETHER)
    w3.provider.make_request("evm_setNextBlockTimestamp", [deadline])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return ids[0], ids[1], deadline


@pytest.fixture(scope="module")
def api(w3: Web3, registry: Path, two_succeeded: tuple[int, int, int]) -> Iterator[httpx.Client]:
    with gateway(w3.provider.endpoint_uri, registry) as client:  # type: ignore[attr-defined]
        wait_indexed(client, w3.eth.block_number)
        yield client


def test_a_claim_to_another_address_pays_that_address(
    api: httpx.Client, w3: Web3, two_succeeded: tuple[int, int, int]
) -> None:
    claimed, _, _ = two_succeeded
    creator, carol = w3.eth.accounts[0], w3.eth.accounts[3]
    answer = ask(api, f"/campaigns/{claimed}/transactions/claim", sender=creator, to=carol)
    assert answer["action"] == "claim"
    assert answer["transaction"]["data"].startswith(CLAIM_TO)
    assert answer["description"] == f"claim the funds of campaign {claimed} to {carol}"
    before = w3.eth.get_balance(carol)
    submit(w3, answer)
    assert w3.eth.get_balance(carol) == before + 2 * ETHER
    wait_indexed(api, w3.eth.block_number)
    assert api.get(f"/campaigns/{claimed}").json()["state"] == "claimed"


def test_an_unclaimed_campaign_expires_and_its_backers_refund(
    api: httpx.Client, w3: Web3, escrow: Escrow, two_succeeded: tuple[int, int, int]
) -> None:
    _, expiring, deadline = two_succeeded
    creator, bob = w3.eth.accounts[0], w3.eth.accounts[2]
    closes = deadline + CLAIM_WINDOW
    w3.provider.make_request("evm_setNextBlockTimestamp", [closes])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    wait_indexed(api, w3.eth.block_number)

    assert api.get(f"/campaigns/{expiring}").json()["state"] == "expired"
    listed = api.get("/campaigns", params={"state": "expired"}).json()["items"]
    assert [item["id"] for item in listed] == [expiring]
    assert api.get("/campaigns", params={"state": "succeeded"}).json()["items"] == []

    refused = ask(api, f"/campaigns/{expiring}/transactions/claim", 409, sender=creator, to=bob)
    assert refused["rule"] == "ClaimWindowClosed"
    assert refused["values"] == {"id": str(expiring), "closedAt": str(closes)}
    assert f"the claim window of campaign {expiring} closed at" in refused["detail"]
    assert (
        ask(api, f"/campaigns/{expiring}/transactions/claim", 409, sender=creator)["rule"]
        == "ClaimWindowClosed"
    )

    refund = ask(api, f"/campaigns/{expiring}/transactions/refund", sender=bob)
    submit(w3, refund)
    assert escrow.pledge_of(expiring, bob) == 0
