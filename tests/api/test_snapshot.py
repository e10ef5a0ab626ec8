"""The gateway's public contract, pinned: its OpenAPI document and a recorded set of answers.

A change to the gateway's code that leaves these two files as they are has changed nothing
a client can see. Re-record them (`CROWDFUND_RECORD_SNAPSHOTS=1 pytest tests/api/test_snapshot.py`)
only when a change to the answers is intended, and say in the commit why the answers changed.

Only what differs from one run to the next on a fresh anvil is replaced by a placeholder:
block hashes and timestamps (anvil's clock is the wall clock), and what follows from them.
Everything else, addresses and gas included, is compared literally.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import ETH, Escrow
from crowdfund.transactions import send

SNAPSHOTS = Path(__file__).parent / "snapshots"
RECORDING = os.environ.get("CROWDFUND_RECORD_SNAPSHOTS") == "1"
DIFF_LINES = 120  # of a mismatch's unified diff shown; the rest is summarised in one line

# Keys whose values come from the wall clock or from a block hash, and so differ between runs.
# Transaction hashes too, now and then: the fixture's campaigns carry deadlines from the clock,
# and a zero byte in one makes its calldata cheaper, which moves the base fee and so the fees,
# and the hash, of every later transaction.
VOLATILE = {
    "hash": "<hash>",
    "transaction_hash": "<hash>",
    "timestamp": "<timestamp>",
    "starts_at": "<timestamp>",
    "deadline": "<timestamp>",
    "now": "<timestamp>",
}
# Times formatted into messages, as crowdfund.units.format_time writes them.
FORMATTED_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC")

# A campaign created by the recorded create: a start fixed far ahead keeps its calldata the
# same on every run (a deadline counted from now would not be).
LATER_START = 4_102_444_800  # 2100-01-01 00:00:00 UTC


def normalised(value: Any, key: str | None = None) -> Any:
    """`value` with what varies between runs replaced by placeholders, found by key name."""
    if isinstance(value, dict):
        return {k: normalised(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v, key) for v in value]
    if key in VOLATILE and value is not None:
        return VOLATILE[key]
    if key == "seconds_left" and value != 0:
        return "<seconds>"  # deadline minus the head's timestamp: both from the clock
    if isinstance(value, str):
        return FORMATTED_TIME.sub("<time>", value)
    return value


def pretty(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def matches_snapshot(name: str, document: Any) -> None:
    """Compare `document` with snapshots/`name`, or write it there when recording."""
    path = SNAPSHOTS / name
    live = pretty(document)
    if RECORDING:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(live)
        pytest.fail(
            f"recorded {path}; run again without CROWDFUND_RECORD_SNAPSHOTS to compare", pytrace=False
        )
    if not path.exists():
        pytest.fail(f"{path} is missing: record it with CROWDFUND_RECORD_SNAPSHOTS=1")
    recorded = path.read_text()
    if live == recorded:
        return
    diff = list(
        difflib.unified_diff(
            recorded.splitlines(), live.splitlines(), f"recorded {name}", f"live {name}", lineterm=""
        )
    )
    shown = "\n".join(diff[:DIFF_LINES])
    if len(diff) > DIFF_LINES:
        shown += f"\n… {len(diff) - DIFF_LINES} more lines of diff"
    pytest.fail(
        f"the live {name} differs from the recorded {path}:\n{shown}\n"
        "If the change is intended, re-record with CROWDFUND_RECORD_SNAPSHOTS=1 and say why in the commit.",
        pytrace=False,
    )


class Recording:
    """Requests sent to the gateway over HTTP, each kept with its status and normalised answer."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self.answers: list[dict[str, Any]] = []

    def get(self, path: str, **params: str | int) -> Any:
        return self._keep(self.api.get(path, params=params))

    def post(self, path: str, body: Any) -> Any:
        response = (
            self.api.post(path, content=body, headers={"content-type": "application/json"})
            if isinstance(body, bytes)
            else self.api.post(path, json=body)
        )
        return self._keep(response, body.decode() if isinstance(body, bytes) else body)

    def _keep(self, response: httpx.Response, body: Any = None) -> Any:
        answer = response.json()
        request = f"{response.request.method} {response.request.url.raw_path.decode()}"
        entry: dict[str, Any] = {"request": request}
        if body is not None:
            entry["body"] = body
        self.answers.append({**entry, "status": response.status_code, "answer": normalised(answer)})
        return answer


def test_the_openapi_document_is_unchanged(api: httpx.Client) -> None:
    response = api.get("/openapi.json")
    assert response.status_code == 200
    matches_snapshot("openapi.json", response.json())


def test_the_recorded_answers_are_unchanged(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    accounts = list(w3.eth.accounts)
    creator, alice, bob, carol = accounts[:4]
    stranger = accounts[9]  # has sent nothing: its ETH balance is still anvil's round 10,000
    ids = campaigns
    token = escrow.campaign(ids["token"]).token
    record = Recording(api)

    # Reads first: the one state change below (a token mint for the approve) comes after them.
    record.get("/health")
    record.get("/health/live")
    record.get("/campaigns")
    record.get("/campaigns", state="active")
    record.get("/campaigns", state="succeeded")
    record.get("/campaigns", creator=creator)
    record.get("/campaigns", token=token)
    record.get("/campaigns", token=ETH, state="cancelled")
    record.get("/campaigns", backer=alice)
    first = record.get("/campaigns", limit=2)
    while first.get("next_cursor"):
        first = record.get("/campaigns", limit=2, cursor=first["next_cursor"])
    record.get("/campaigns", limit=0)
    record.get("/campaigns", state="sleeping")
    record.get("/campaigns", cursor="not-a-cursor")
    for campaign in ids.values():
        record.get(f"/campaigns/{campaign}")
    record.get("/campaigns/999")
    record.get("/campaigns/abc")
    record.get("/campaigns/0")
    for campaign in ids.values():
        record.get(f"/campaigns/{campaign}/pledges")
    record.get(f"/campaigns/{ids['failed']}/pledges", kind="pledged")
    record.get(f"/campaigns/{ids['failed']}/pledges", kind="refunded")
    record.get(f"/campaigns/{ids['failed']}/pledges", kind="pledge")
    record.get(f"/campaigns/{ids['active0']}/pledges", backer=alice)
    record.get(f"/campaigns/{ids['active0']}/pledges", backer=bob)
    record.get(f"/campaigns/{ids['token']}/pledges", limit=1)
    record.get("/campaigns/999/pledges")
    for name, backer in [
        ("failed", alice),
        ("failed", bob),
        ("succeeded", bob),
        ("succeeded", alice),
        ("active0", alice),
        ("active0", stranger),
        ("cancelled", alice),
        ("token", bob),
    ]:
        record.get(f"/campaigns/{ids[name]}/backers/{backer}")
    record.get(f"/campaigns/999/backers/{alice}")
    record.get(f"/campaigns/{ids['failed']}/backers/0x12")
    # The fixture's links are not ipfs:// CIDs: no tiers, and the status says why.
    record.get(f"/campaigns/{ids['active0']}/tiers")
    record.get("/campaigns/999/tiers")
    record.get("/campaigns/abc/tiers")
    for backer in (alice, bob, stranger):
        record.get(f"/backers/{backer}/pledges")
    record.get(f"/backers/{bob}/pledges", limit=1)
    record.get("/backers/0xnot-an-address/pledges")

    # Transactions: the gateway simulates and answers; nothing is sent.
    def action(name: str, verb: str, body: Any) -> None:
        record.post(f"/campaigns/{ids[name]}/transactions/{verb}", body)

    later = {"starts_at": LATER_START, "deadline": LATER_START + 30 * DAY}
    for create in [
        {"sender": creator, "goal": str(ETHER), "metadata_uri": "ipfs://later", **later},
        {"sender": alice, "goal": str(ETHER), "cap": str(3 * ETHER), "token": token,
         "metadata_uri": "ipfs://later-token", **later},
        {"sender": creator, "goal": "0", "metadata_uri": "ipfs://zero", **later},
        {"sender": creator, "goal": str(2 * ETHER), "cap": str(ETHER), "metadata_uri": "ipfs://capped",
         **later},
        {"sender": creator, "goal": "-1", "metadata_uri": "ipfs://negative", **later},
    ]:  # fmt: skip
        record.post("/campaigns/transactions/create", create)
    action("active1", "pledge", {"sender": alice, "amount": str(ETHER)})
    action("active1", "pledge", {"sender": alice, "amount": str(ETHER), "backer": carol})
    action("active1", "pledge", {"sender": alice, "amount": "0"})
    action("active1", "pledge", {"sender": stranger, "amount": str(10**30)})
    action("failed", "pledge", {"sender": alice, "amount": "1"})
    action("cancelled", "pledge", {"sender": alice, "amount": "1"})
    action("token", "pledge", {"sender": bob, "amount": str(5 * ETHER)})
    action("active0", "unpledge", {"sender": alice, "amount": str(ETHER // 8)})
    action("active0", "unpledge", {"sender": alice, "amount": str(ETHER)})
    action("succeeded", "claim", {"sender": creator})
    action("succeeded", "claim", {"sender": bob})
    action("active1", "claim", {"sender": creator})
    action("failed", "refund", {"sender": alice})
    action("active1", "refund", {"sender": alice})
    action("cancelled", "refund", {"sender": alice})
    action("active2", "cancel", {"sender": creator})
    action("cancelled", "cancel", {"sender": creator})
    action("active2", "update", {"sender": creator, "uri": "ipfs://news-1"})
    action("failed", "update", {"sender": bob, "uri": "ipfs://x"})
    record.post("/campaigns/999/transactions/claim", {"sender": alice})
    action("active1", "pledge", {"sender": "0x12", "amount": "1"})
    action("active1", "pledge", {"sender": alice, "amount": "1.5"})
    action("active1", "pledge", {"sender": alice, "amount": "1", "extra": True})
    action("active1", "pledge", b"{nope")
    action("active1", "steal", {"sender": alice})

    # A token pledge whose allowance falls short is answered with the token's approve.
    mint = Web3().eth.contract(
        abi=[{"name": "mint", "type": "function", "stateMutability": "nonpayable", "outputs": [],
              "inputs": [{"name": "a", "type": "address"}, {"name": "v", "type": "uint256"}]}]
    ).encode_abi("mint", args=[carol, 5 * ETHER])  # fmt: skip
    send(w3, carol, {"to": token, "data": mint})
    action("token", "pledge", {"sender": carol, "amount": str(5 * ETHER)})

    matches_snapshot("answers.json", record.answers)
