"""A campaign in a 6-decimal ERC-20 token: amounts in whole tokens, the allowance taken
care of (permit or approval), claims and refunds in the token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cli_support import DAY, Cli, advance, created_id, deploy_token, dev, nonce
from web3 import Web3

from crowdfund.compiler import compile_files
from crowdfund.escrow import Escrow
from crowdfund.state import State
from crowdfund.transactions import send

USD = 10**6  # one token in base units


@pytest.fixture(scope="module")
def token(w3: Web3) -> Any:
    return deploy_token(w3, "TUSD", 6, {dev(w3, i): 1_000 * USD for i in (1, 2, 3)})


def test_token_campaign_life_with_permit_and_approval(w3: Web3, cli: Cli, escrow: Escrow, token: Any) -> None:
    creator, alice, bob = dev(w3, 0), dev(w3, 1), dev(w3, 2)
    made = cli(
        "create", "--goal", "500", "--cap", "800", "--deadline", "7d", "--token", token.address,
        "--metadata", "ipfs://tools", "--json",
    )  # fmt: skip
    campaign_id = created_id(made)
    campaign = escrow.campaign(campaign_id)
    assert (campaign.token, campaign.goal, campaign.cap) == (token.address, 500 * USD, 800 * USD)
    assert made.json["campaign"]["token"] == {"address": token.address, "symbol": "TUSD", "decimals": 6}

    # alice: the token has EIP-2612 permits, so one transaction and no approval left behind.
    alice_nonce = nonce(w3, alice)
    with_permit = cli("pledge", str(campaign_id), "250", "--account", "dev1", "--json")
    assert with_permit.code == 0, with_permit.text
    assert with_permit.json["allowance_step"] == "permit"
    assert nonce(w3, alice) == alice_nonce + 1
    assert token.functions.balanceOf(alice).call() == 750 * USD
    assert token.functions.allowance(alice, escrow.address).call() == 0
    assert escrow.pledge_of(campaign_id, alice) == 250 * USD

    # bob: asked for an approval instead; it says so and approves exactly the amount.
    bob_nonce = nonce(w3, bob)
    approved = cli("pledge", str(campaign_id), "260.5TUSD", "--account", "dev2", "--no-permit")
    assert approved.code == 0, approved.text
    assert "approving the escrow to take 260.5 TUSD" in approved.out
    assert nonce(w3, bob) == bob_nonce + 2
    assert token.functions.allowance(bob, escrow.address).call() == 0
    assert escrow.pledge_of(campaign_id, bob) == 2605 * USD // 10

    assert escrow.campaign(campaign_id).pledged == 5105 * USD // 10
    advance(w3, 7 * DAY)
    claimed = cli("claim", str(campaign_id))
    assert claimed.code == 0, claimed.text
    assert "paid 510.5 TUSD to the creator" in claimed.out
    assert token.functions.balanceOf(creator).call() == 5105 * USD // 10
    assert escrow.campaign(campaign_id).state is State.CLAIMED


def test_an_existing_allowance_is_used_and_symbols_name_tokens(
    w3: Web3, cli: Cli, escrow: Escrow, token: Any
) -> None:
    carol = dev(w3, 3)
    by_symbol = cli(
        "create", "--goal", "100", "--deadline", "1d", "--token", "tusd", "--metadata", "ipfs://s", "--json"
    )
    campaign_id = created_id(by_symbol)
    assert escrow.campaign(campaign_id).token == token.address

    w3.eth.send_transaction(
        {
            "from": carol,
            "to": token.address,
            "data": token.functions.approve(escrow.address, 50 * USD)._encode_transaction_data(),
        }
    )
    carol_nonce = nonce(w3, carol)
    pledged = cli("pledge", str(campaign_id), "40", "--account", "dev3", "--json")
    assert pledged.code == 0, pledged.text
    assert pledged.json["allowance_step"] == "existing-allowance"
    assert nonce(w3, carol) == carol_nonce + 1
    assert token.functions.allowance(carol, escrow.address).call() == 10 * USD

    advance(w3, DAY + 1)
    refunded = cli("refund", str(campaign_id), "--account", "dev3")
    assert refunded.code == 0, refunded.text
    assert "refunded 40 TUSD" in refunded.out
    assert token.functions.balanceOf(carol).call() == 1_000 * USD


def test_refusals_cost_no_approval(w3: Web3, cli: Cli, escrow: Escrow, token: Any) -> None:
    bob = dev(w3, 2)
    campaign_id = created_id(
        cli(
            "create",
            "--goal",
            "10",
            "--cap",
            "20",
            "--deadline",
            "3d",
            "--token",
            "TUSD",
            "--metadata",
            "x",
            "--json",
        )
    )
    bob_nonce = nonce(w3, bob)

    over_cap = cli("pledge", str(campaign_id), "25", "--account", "dev2", "--no-permit")
    assert over_cap.code == 1
    # The escrow's rule in the campaign's units; --json keeps base units.
    said = f"campaign {campaign_id} accepts at most 20 TUSD in all; this pledge would take it to 25 TUSD"
    assert said in over_cap.err

    too_poor = cli("pledge", str(campaign_id), "5000", "--account", "dev2")
    assert too_poor.code == 1
    assert f"{bob} holds " in too_poor.err and "less than the 5000 TUSD to pledge" in too_poor.err

    in_ether = cli("pledge", str(campaign_id), "1ether", "--account", "dev2")
    assert in_ether.code == 2
    assert "counts in TUSD, not ETH" in in_ether.err

    too_fine = cli("pledge", str(campaign_id), "0.0000001", "--account", "dev2")
    assert too_fine.code == 2 and "at most 6 decimal places" in too_fine.err

    assert nonce(w3, bob) == bob_nonce
    assert token.functions.allowance(bob, escrow.address).call() == 0
    assert escrow.pledge_of(campaign_id, bob) == 0


def test_unknown_token_symbol_is_a_usage_error(cli: Cli, escrow: Escrow) -> None:
    unknown = cli("create", "--goal", "1", "--deadline", "1d", "--token", "NOPE", "--metadata", "x")
    assert unknown.code == 2
    assert "no campaign on this escrow uses a token called 'NOPE' yet" in unknown.err


def test_tokens_with_old_style_metadata_still_show(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    artifact = compile_files(Path(__file__).with_name("solidity") / "Bytes32SymbolToken.sol")[
        "Bytes32SymbolToken"
    ]
    old = send(w3, dev(w3, 0), {"data": artifact["bytecode"]})["contractAddress"]

    made = cli("create", "--goal", "100", "--deadline", "1d", "--token", old, "--metadata", "x", "--json")

    campaign_id = created_id(made)
    assert made.json["campaign"]["token"] == {"address": old, "symbol": "OLD", "decimals": 0}
    assert escrow.campaign(campaign_id).goal == 100  # no decimals: whole base units
    assert "100 OLD" in cli("status", str(campaign_id)).out


def test_node_accounts_sign_permits_for_large_amounts(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    alice = dev(w3, 1)
    token = deploy_token(w3, "BIG", 18, {alice: 10**6 * 10**18})
    campaign_id = created_id(
        cli(
            "create",
            "--goal",
            "500000",
            "--deadline",
            "2d",
            "--token",
            token.address,
            "--metadata",
            "x",
            "--json",
        )
    )

    pledged = cli("pledge", str(campaign_id), "250000", "--account", "dev1", "--json")

    assert pledged.code == 0, pledged.text
    assert pledged.json["allowance_step"] == "permit"
    assert escrow.pledge_of(campaign_id, alice) == 250_000 * 10**18


def test_a_token_with_hostile_answers_is_shown_by_address_and_refused_in_words(
    w3: Web3, cli: Cli, escrow: Escrow
) -> None:
    artifact = compile_files(Path(__file__).with_name("solidity") / "OddToken.sol")["OddToken"]
    odd = str(send(w3, dev(w3, 0), {"data": artifact["bytecode"]})["contractAddress"])
    chosen = cli("create", "--goal", "100", "--deadline", "1d", "--token", odd, "--metadata", "x")
    assert chosen.code == 1 and "does not answer as an ERC-20 token" in chosen.err
    # Anyone may still create one directly; every listing and the campaign itself must show.
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + DAY
    campaign_id = escrow.create_campaign(dev(w3, 0), goal=100, deadline=deadline, metadata_uri="x", token=odd)

    listed = cli("status", "--json")
    assert listed.code == 0, listed.err
    shown = next(c for c in listed.json["campaigns"] if c["id"] == campaign_id)
    assert shown["token"] == {"address": odd, "symbol": f"{odd[:6]}…{odd[-4:]}", "decimals": 0}
    assert cli("status", str(campaign_id)).code == 0
    pledged = cli("pledge", str(campaign_id), "5wei", "--account", "dev1")
    assert pledged.code == 1
    assert f"the token {odd} refused to tell" in pledged.err and "Traceback" not in pledged.err
