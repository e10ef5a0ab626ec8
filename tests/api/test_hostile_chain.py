"""Chain data is hostile input. Anyone can create a campaign in any token contract and
with any link; such a campaign gets a defined answer, and every other campaign's answers
stay intact: tokens whose metadata is empty, megabytes long, garbage or burns all gas;
links of half a megabyte or not UTF-8; thousands of updates; times past year 9999."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from eth_abi.abi import encode
from support.chain import ROOT
from support.gateway import eventually, gateway, wait_indexed
from support.proxy import rpc_proxy
from web3 import Web3

from crowdfund.compiler import compile_files
from crowdfund.demo import DAY, ETHER, deploy_demo_token
from crowdfund.escrow import ETH, Escrow, encode_call
from crowdfund.transactions import send

HOSTILE_TOKEN = ROOT / "tests" / "api" / "solidity" / "HostileToken.sol"
MODES = {"empty": 1, "huge": 2, "burn": 3, "garbage": 4, "terminal": 5}


def _deadline(w3: Web3, days: float = 10) -> int:
    return int(w3.eth.get_block("latest")["timestamp"] + days * DAY)


@pytest.fixture(scope="module")
def hostile(w3: Web3, escrow: Escrow, campaigns: dict[str, int]) -> dict[str, tuple[int, str]]:
    """A campaign in each kind of hostile token, by kind: (campaign id, token address)."""
    creator = w3.eth.accounts[0]
    artifact = compile_files(Path(HOSTILE_TOKEN))["HostileToken"]
    made = {}
    for kind, mode in MODES.items():
        code = artifact["bytecode"] + encode(["uint256"], [mode]).hex()
        token = str(send(w3, creator, {"data": code})["contractAddress"])
        made[kind] = (
            escrow.create_campaign(creator, goal=100, deadline=_deadline(w3), metadata_uri=kind, token=token),
            token,
        )
    return made


def test_hostile_tokens_get_an_unknown_token_answer_and_spare_every_other_campaign(
    api: httpx.Client, w3: Web3, escrow: Escrow, hostile: dict[str, tuple[int, str]]
) -> None:
    honest = escrow.create_campaign(w3.eth.accounts[0], goal=ETHER, deadline=_deadline(w3), metadata_uri="ok")
    wait_indexed(api, w3.eth.block_number)

    listed = api.get("/campaigns", params={"limit": 100})
    assert listed.status_code == 200, listed.text
    by_id = {c["id"]: c for c in listed.json()["items"]}
    assert by_id[honest]["token"] == {"address": ETH, "symbol": "ETH", "decimals": 18}
    for kind, (campaign_id, token) in hostile.items():
        shown = api.get(f"/campaigns/{campaign_id}")
        assert shown.status_code == 200, (kind, shown.text)
        # Only the terminal-codes token gave a usable answer (decimals 6); its symbol is
        # not printable, so every one of them is named by its address.
        expected = {"address": token, "symbol": f"{token[:6]}…{token[-4:]}", "decimals": 0}
        if kind == "terminal":
            expected["decimals"] = 6
        assert shown.json()["token"] == expected, kind
        assert by_id[campaign_id]["token"] == expected, kind
        assert shown.json()["goal"] == "100"  # base units, whatever the token claims


def test_a_link_of_half_a_megabyte_is_served_cut_and_flagged(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator = w3.eth.accounts[0]
    link = "ipfs://" + "x" * 500_000
    long_one = escrow.create_campaign(creator, goal=ETHER, deadline=_deadline(w3), metadata_uri=link)
    escrow.post_update(creator, long_one, "https://" + "y" * 100_000)
    wait_indexed(api, w3.eth.block_number)

    shown = api.get(f"/campaigns/{long_one}").json()
    assert shown["metadata_uri"] == link[:2048] and shown["metadata_uri_truncated"] is True
    assert len(shown["updates"][0]["uri"]) == 2048 and shown["updates"][0]["uri_truncated"] is True
    listed = api.get("/campaigns", params={"limit": 100}).json()["items"]
    assert {c["id"]: c["metadata_uri_truncated"] for c in listed}[long_one] is True
    ordinary = api.get(f"/campaigns/{campaigns['active0']}").json()
    assert ordinary["metadata_uri"] == "ipfs://a0" and ordinary["metadata_uri_truncated"] is False


def test_a_link_that_is_not_utf8_does_not_stop_the_index(
    api: httpx.Client, w3: Web3, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator = w3.eth.accounts[0]
    # The escrow takes any bytes as a string: built by hand, since no encoder makes this.
    selector = encode_call("createCampaign", ETH, 1, 0, 0, 1, "")[:10]
    arguments = encode(
        ["address", "uint256", "uint256", "uint64", "uint64", "bytes"],
        [ETH, ETHER, 0, 0, _deadline(w3), b"ipfs://\xff\xfe\x00bad"],
    )
    send(w3, creator, {"to": escrow.address, "data": selector + arguments.hex()})
    after = escrow.create_campaign(creator, goal=ETHER, deadline=_deadline(w3), metadata_uri="after")
    wait_indexed(api, w3.eth.block_number, timeout=30)

    assert api.get(f"/campaigns/{after}").json()["metadata_uri"] == "after"
    odd = api.get(f"/campaigns/{after - 1}").json()
    assert odd["metadata_uri"] == "ipfs://\ufffd\ufffd\x00bad"


def test_updates_are_paged_and_a_campaign_carries_only_its_newest(
    api: httpx.Client, w3: Web3, escrow: Escrow
) -> None:
    creator = w3.eth.accounts[0]
    chatty = escrow.create_campaign(creator, goal=ETHER, deadline=_deadline(w3), metadata_uri="chatty")
    for n in range(25):
        escrow.post_update(creator, chatty, f"ipfs://update-{n}")
    wait_indexed(api, w3.eth.block_number)

    shown = api.get(f"/campaigns/{chatty}").json()
    assert shown["update_count"] == 25
    assert [u["uri"] for u in shown["updates"]] == [f"ipfs://update-{n}" for n in range(5, 25)]
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get(
            f"/campaigns/{chatty}/updates", params={"limit": 10, **({"cursor": cursor} if cursor else {})}
        )
        assert page.status_code == 200, page.text
        seen += [u["uri"] for u in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"ipfs://update-{n}" for n in reversed(range(25))]
    assert api.get("/campaigns/999999/updates").status_code == 404


@pytest.mark.parametrize(
    "path", ["/campaigns/1_0", "/campaigns/1.0", "/campaigns/+1", "/campaigns/%201", "/campaigns/\u0661",
             "/campaigns/1_0/pledges", "/campaigns/1e1/updates"],
)  # fmt: skip
def test_ids_are_plain_decimal_integers(api: httpx.Client, path: str) -> None:
    refused = api.get(path)
    assert refused.status_code == 422, (path, refused.text)
    assert "plain decimal integer" in refused.text


@pytest.mark.parametrize("limit", ["5.0", "+5", "5_0", " 5", "0x5"])
def test_limits_are_plain_decimal_integers(api: httpx.Client, limit: str) -> None:
    refused = api.get("/campaigns", params={"limit": limit})
    assert refused.status_code == 422, (limit, refused.text)


@pytest.mark.parametrize("field", ["starts_at", "deadline"])
@pytest.mark.parametrize("value", [253_402_300_800, 2**40, 2**64 - 1, 2**64])
def test_times_past_year_9999_are_refused_with_a_reason(
    api: httpx.Client, w3: Web3, field: str, value: int
) -> None:
    body = {
        "sender": w3.eth.accounts[0],
        "goal": "1",
        "metadata_uri": "x",
        "deadline": _deadline(w3),
        field: value,
    }
    refused = api.post("/campaigns/transactions/create", json=body)
    assert refused.status_code == 422, refused.text
    assert "less than or equal to 253402300799" in refused.text


@pytest.mark.parametrize("value", [1.0e9, "1900000000", True])
def test_times_are_json_integers(api: httpx.Client, w3: Web3, value: object) -> None:
    body = {"sender": w3.eth.accounts[0], "goal": "1", "metadata_uri": "x", "deadline": value}
    assert api.post("/campaigns/transactions/create", json=body).status_code == 422


def test_a_campaign_starting_after_year_9999_is_answered_not_500(
    api: httpx.Client, w3: Web3, escrow: Escrow
) -> None:
    creator, bob = w3.eth.accounts[0], w3.eth.accounts[2]
    starts = 300_000_000_000  # year 11476
    far = escrow.create_campaign(
        creator, goal=ETHER, starts_at=starts, deadline=starts + DAY, metadata_uri="far"
    )
    wait_indexed(api, w3.eth.block_number)

    shown = api.get(f"/campaigns/{far}")
    assert shown.status_code == 200 and shown.json()["state"] == "upcoming"
    refused = api.post(f"/campaigns/{far}/transactions/pledge", json={"sender": bob, "amount": "5"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "PledgesNotOpen" and "@300000000000" in refused.json()["detail"]
    assert api.get(f"/campaigns/{far}/backers/{bob}").status_code == 200
    cancelled = api.post(f"/campaigns/{far}/transactions/cancel", json={"sender": creator})
    assert cancelled.status_code == 200, cancelled.text


def test_a_node_fault_on_a_token_read_is_not_remembered(w3: Web3, escrow: Escrow, registry: Path) -> None:
    creator = w3.eth.accounts[0]
    token = deploy_demo_token(w3, creator)
    in_token = escrow.create_campaign(
        creator, goal=ETHER, deadline=_deadline(w3), metadata_uri="t", token=token
    )
    with rpc_proxy(w3.provider.endpoint_uri) as proxy:  # type: ignore[attr-defined]
        # A provider's rate limit, say: every eth_call fails with a JSON-RPC error that is
        # no revert of the token's code.
        proxy.spoil("eth_call", "error")
        with gateway(proxy.url, registry) as api:
            wait_indexed(api, w3.eth.block_number)
            refused = api.get("/campaigns", params={"token": token})
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"]
            proxy.heal()
            listed = api.get("/campaigns", params={"token": token})
            assert listed.status_code == 200, listed.text
            (item,) = listed.json()["items"]
            assert (item["id"], item["token"]["symbol"], item["token"]["decimals"]) == (in_token, "DMT", 18)


def test_an_escrow_address_without_code_is_a_503_that_says_so(w3: Web3, registry: Path) -> None:
    nobody = w3.eth.accounts[7]
    with gateway(w3.provider.endpoint_uri, registry, ESCROW_ADDRESS=nobody) as api:  # type: ignore[attr-defined]
        health = eventually(
            lambda: (r := api.get("/health")).status_code == 503 and "no contract" in r.text and r
        )
        assert nobody in health.text
        assert api.get("/campaigns").status_code == 503
