"""`crowdfund verify-answer` against a real gateway over HTTP on a real anvil deployment: its
answers verify, and a doctored one (a figure changed, the block of another, a proof node
altered), served from a small HTTP server of the test's own, is refused naming what is wrong."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_support import DAY, ETHER, Cli, deploy_token, dev, now
from support.gateway import gateway, wait_indexed
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.proofs import CAMPAIGN_FIELDS


@pytest.fixture(scope="module")
def campaigns(w3: Web3, escrow: Escrow) -> dict[str, int]:
    """An ETH campaign that two backers pledged to, and a capped token campaign that starts
    later, by another creator."""
    creator, alice, bob = dev(w3, 0), dev(w3, 1), dev(w3, 2)
    ids = {
        "eth": escrow.create_campaign(creator, goal=5 * ETHER, deadline=now(w3) + 10 * DAY, metadata_uri="e")
    }
    escrow.pledge(alice, ids["eth"], ETHER)
    escrow.pledge(bob, ids["eth"], 2 * ETHER)
    token = deploy_token(w3, "PRF", 18, {})
    ids["token"] = escrow.create_campaign(
        bob, goal=100 * ETHER, cap=250 * ETHER, starts_at=now(w3) + DAY, deadline=now(w3) + 20 * DAY,
        metadata_uri="t", token=token.address,
    )  # fmt: skip
    return ids


@pytest.fixture(scope="module")
def api(w3: Web3, home: Path, rpc_url: str, campaigns: dict[str, int]) -> Iterator[httpx.Client]:
    with gateway(rpc_url, home / "deployments") as client:
        wait_indexed(client, w3.eth.block_number)
        yield client


def url_of(api: httpx.Client, path: str) -> str:
    return f"{api.base_url}{path}"


@contextmanager
def serving(answer: dict[str, Any]) -> Iterator[str]:
    """`answer` as the only thing a local HTTP server says, whatever is asked: a gateway that
    lies. The URL given out asks about what the answer is about."""
    body = json.dumps(answer).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass  # quiet: the test's output is the command's

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        path = (
            f"/campaigns/{answer['campaign_id']}/backers/{answer['backer']}"
            if "backer" in answer
            else f"/campaigns/{answer['id']}"
        )
        yield f"http://127.0.0.1:{server.server_address[1]}{path}?proof=true"
    finally:
        server.shutdown()
        server.server_close()


def proved(api: httpx.Client, path: str) -> dict[str, Any]:
    response = api.get(path, params={"proof": "true"})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_campaign_s_answer_is_confirmed_figure_by_figure(
    cli: Cli, api: httpx.Client, campaigns: dict[str, int]
) -> None:
    said = cli("verify-answer", url_of(api, f"/campaigns/{campaigns['eth']}"))
    assert said.code == 0, said.text
    assert "  pledged: 3 ETH (confirmed)" in said.out
    assert "header: from your node" in said.out
    assert "(your deployment registry), proved in the block's state" in said.out
    assert said.out.splitlines()[-1].startswith("confirmed: every figure is the chain's at block ")

    document = cli("verify-answer", url_of(api, f"/campaigns/{campaigns['token']}"), "--json").json
    assert document["confirmed"] is True and document["failure"] is None
    figures = {f["name"]: f for f in document["figures"]}
    assert set(figures) == {*CAMPAIGN_FIELDS, "state"}
    assert figures["cap"]["chain"] == str(250 * ETHER) and figures["state"]["chain"] == "upcoming"
    assert all(f["confirmed"] for f in figures.values())
    assert len(document["slots"]) == 4


def test_a_backer_s_answer_is_confirmed_with_its_pledge(
    cli: Cli, api: httpx.Client, w3: Web3, campaigns: dict[str, int]
) -> None:
    said = cli("verify-answer", url_of(api, f"/campaigns/{campaigns['eth']}/backers/{dev(w3, 2)}"))
    assert said.code == 0, said.text
    assert "  pledge: 2 ETH (confirmed)" in said.out
    # A backer who never pledged: its slot is proved empty.
    said = cli("verify-answer", url_of(api, f"/campaigns/{campaigns['eth']}/backers/{dev(w3, 7)}"))
    assert said.code == 0, said.text
    assert "  pledge: 0 ETH (confirmed)" in said.out


def test_an_answer_with_one_figure_changed_is_refused_naming_it(
    cli: Cli, api: httpx.Client, w3: Web3, campaigns: dict[str, int]
) -> None:
    answer = proved(api, f"/campaigns/{campaigns['eth']}")
    answer["pledged"] = str(5 * ETHER)
    with serving(answer) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    assert said.out.splitlines()[-1] == (
        "NOT CONFIRMED: pledged: the answer says 5 ETH, the chain's storage says 3 ETH"
    )
    assert "  goal: 5 ETH (confirmed)" in said.out

    standing = proved(api, f"/campaigns/{campaigns['eth']}/backers/{dev(w3, 1)}")
    standing["pledge"] = str(ETHER // 2)
    with serving(standing) as url:
        document = cli("verify-answer", url, "--json")
    assert document.code == 1
    assert document.json["failure"] == "pledge: the answer says 0.5 ETH, the chain's storage says 1 ETH"


def test_a_proof_for_another_block_is_refused(
    cli: Cli, api: httpx.Client, w3: Web3, campaigns: dict[str, int]
) -> None:
    answer = proved(api, f"/campaigns/{campaigns['eth']}")
    number = answer["block"]["number"]
    earlier = w3.eth.get_block(number - 2)

    # The block's number changed, its hash kept: the header of that number is another block.
    renumbered = copy.deepcopy(answer)
    renumbered["block"]["number"] = renumbered["proof"]["block"]["number"] = number - 2
    with serving(renumbered) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    assert said.out.splitlines()[-1].startswith(
        f"NOT CONFIRMED: the header does not match: your node's block {number - 2:,} is "
    )

    # Another block named whole: its header is genuine, but the proof was not taken there.
    moved = copy.deepcopy(answer)
    moved["block"] = moved["proof"]["block"] = {
        "number": number - 2,
        "hash": "0x" + bytes(earlier["hash"]).hex(),
    }
    with serving(moved) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    assert (
        f"NOT CONFIRMED: the account proof does not hold against the state root of block {number - 2:,}: "
        in said.out
    )


@pytest.mark.parametrize("part", ["account_proof", "storage"])
def test_a_proof_with_a_node_altered_is_refused(
    cli: Cli, api: httpx.Client, campaigns: dict[str, int], part: str
) -> None:
    answer = proved(api, f"/campaigns/{campaigns['eth']}")
    nodes = (
        answer["proof"]["account_proof"]
        if part == "account_proof"
        else answer["proof"]["storage"][0]["proof"]
    )
    node = bytearray(bytes.fromhex(nodes[-1][2:]))
    node[-1] ^= 0x01  # the last byte of the leaf: the value it holds
    nodes[-1] = "0x" + node.hex()
    with serving(answer) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    expected = (
        "NOT CONFIRMED: the account proof does not hold against the state root"
        if part == "account_proof"
        else "NOT CONFIRMED: the storage proof of slot 0x"
    )
    assert said.out.splitlines()[-1].startswith(expected), said.out
    assert "a node is missing or was altered" in said.out


def test_a_url_that_is_no_web_address_is_a_usage_error(cli: Cli) -> None:
    said = cli("verify-answer", "campaigns/1")
    assert said.code == 2
    assert "is not an http:// or https:// address" in said.err


def test_a_proof_of_another_contract_or_a_state_not_the_chain_s_is_refused(
    cli: Cli, api: httpx.Client, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    answer = proved(api, f"/campaigns/{campaigns['token']}")
    elsewhere = copy.deepcopy(answer)
    elsewhere["proof"]["address"] = answer["token"]["address"]
    with serving(elsewhere) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    assert said.out.splitlines()[-1] == (
        f"NOT CONFIRMED: the proof is of the contract {answer['token']['address']}, not of the escrow "
        f"{escrow.address} (your deployment registry)"
    )

    # The state is the escrow's rule applied to the proved words at the header's time.
    early = copy.deepcopy(answer)
    early["state"] = "active"
    with serving(early) as url:
        said = cli("verify-answer", url)
    assert said.code == 1, said.text
    assert said.out.splitlines()[-1] == (
        "NOT CONFIRMED: state: the answer says active, the chain's storage says upcoming"
    )


def test_an_answer_about_another_campaign_than_asked_is_refused(
    cli: Cli, api: httpx.Client, campaigns: dict[str, int]
) -> None:
    answer = proved(api, f"/campaigns/{campaigns['token']}")
    with serving(answer) as url:
        said = cli(
            "verify-answer", url.replace(f"/campaigns/{campaigns['token']}", f"/campaigns/{campaigns['eth']}")
        )
    assert said.code == 1, said.text
    assert said.out.splitlines()[-1] == (
        f"NOT CONFIRMED: the answer is about campaign {campaigns['token']}, not campaign "
        f"{campaigns['eth']} as asked"
    )
