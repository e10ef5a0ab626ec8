"""What scripts rely on: exit codes, --json documents, --dry-run sending nothing, and the
installed `crowdfund` command itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import DAY, Cli, advance, created_id, dev, nonce, run_cli
from eth_abi.abi import encode
from support.chain import ROOT, anvil
from web3 import Web3

from crowdfund.escrow import ETH, Escrow, encode_call
from crowdfund.state import State
from crowdfund.transactions import send

CROWDFUND = Path(sys.executable).with_name("crowdfund")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["fly"], "invalid choice: 'fly'"),
        (["pledge", "one", "1ether"], "'one' is not a campaign id"),
        (["pledge", "0", "1ether"], "'0' is not a campaign id"),
        (["pledge", "1"], "the following arguments are required: amount"),
        (["pledge", "1", "1", "--for", "0x1234"], "'0x1234' is not an Ethereum address"),
        (["create", "--goal", "1", "--metadata", "x"], "the following arguments are required: --deadline"),
        (["pledge", "1", "1", "--confirmations", "0"], "'0' is not a whole number of at least 1"),
    ],
)
def test_wrong_command_lines_exit_2_before_touching_the_chain(args: list[str], says: str) -> None:
    wrong = run_cli(*args)
    assert wrong.code == 2
    assert says in wrong.err


def test_values_that_do_not_parse_exit_2(cli: Cli, escrow: Escrow) -> None:
    for args, says in (
        (["create", "--goal", "five", "--deadline", "1d", "--metadata", "x"], "'five' is not an amount"),
        (
            ["create", "--goal", "5", "--deadline", "Christmas", "--metadata", "x"],
            "'Christmas' is not a date",
        ),
        (
            ["create", "--goal", "5", "--deadline", "1d", "--token", "0xabc", "--metadata", "x"],
            "neither an address",
        ),
        (["pledge", "1", "1", "--account", "dev99"], "unlocked development accounts (dev0 to dev9)"),
        (["pledge", "1", "1", "--account", "nobody"], "no keystore account 'nobody'"),
        (["pledge", "1", "1", "--account", "nobody"], "anvil's accounts dev0 to dev9 need none"),
    ):
        wrong = cli(*args)
        assert (wrong.code, says in wrong.err) == (2, True), wrong.text


def test_json_documents_parse_and_carry_amounts_as_decimal_strings(
    w3: Web3, cli: Cli, escrow: Escrow
) -> None:
    made = cli("create", "--goal", "2.5", "--deadline", "2d", "--metadata", "ipfs://j", "--json")
    campaign_id = created_id(made)
    assert made.json["campaign"]["goal"] == "2500000000000000000"
    assert made.json["chain_id"] == w3.eth.chain_id and made.json["escrow"] == escrow.address

    pledged = cli("pledge", str(campaign_id), "1", "--account", "dev1", "--json").json
    assert pledged["pledge_of_backer"] == str(10**18)
    (tx,) = pledged["transactions"]
    assert w3.eth.get_transaction_receipt(tx["hash"])["gasUsed"] == tx["gas_used"]

    assert cli("unpledge", str(campaign_id), "0.5", "--account", "dev1", "--json").json[
        "pledge_of_backer"
    ] == str(10**18 // 2)
    assert cli("update", str(campaign_id), "ipfs://news", "--json").json["uri"] == "ipfs://news"
    listed = cli("status", "--json").json
    assert campaign_id in [c["id"] for c in listed["campaigns"]]
    assert listed["block"] <= w3.eth.block_number
    one = cli("status", str(campaign_id), "--json").json["campaign"]
    assert (one["pledged"], one["updates"]) == (
        str(10**18 // 2),
        [{"uri": "ipfs://news", "uri_truncated": False}],
    )
    advance(w3, 2 * DAY)
    assert (
        cli("refund", str(campaign_id), "--account", "dev1", "--json").json["campaign"]["state"] == "failed"
    )

    refused = cli("claim", str(campaign_id), "--json")
    assert refused.code == 1
    assert refused.json["error"]["rule"] == "GoalNotReached"
    assert refused.json["error"]["args"]["goal"] == "2500000000000000000"


def test_dry_run_of_each_command_sends_nothing(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "1", "--deadline", "3d", "--metadata", "ipfs://dry", "--json")
    )
    assert cli("pledge", str(campaign_id), "1", "--account", "dev1").code == 0
    nonces = {i: nonce(w3, dev(w3, i)) for i in (0, 1)}
    count, before = escrow.campaign_count(), escrow.campaign(campaign_id)

    for args in (
        ["create", "--goal", "1", "--deadline", "3d", "--metadata", "x"],
        ["pledge", str(campaign_id), "0.5", "--account", "dev1"],
        ["unpledge", str(campaign_id), "0.5", "--account", "dev1"],
        ["cancel", str(campaign_id)],
        ["update", str(campaign_id), "ipfs://u"],
    ):
        dry = cli(*args, "--dry-run", "--json")
        assert dry.code == 0, dry.text
        assert dry.json["dry_run"] is True and dry.json["transactions"][0]["simulated"] is True

    assert {i: nonce(w3, dev(w3, i)) for i in (0, 1)} == nonces
    assert (escrow.campaign_count(), escrow.campaign(campaign_id)) == (count, before)

    # A dry run still applies the rules: a pledge the escrow would refuse is refused.
    advance(w3, 3 * DAY)
    assert escrow.campaign(campaign_id).state is State.SUCCEEDED
    refused = cli("pledge", str(campaign_id), "1", "--account", "dev1", "--dry-run")
    assert refused.code == 1 and "closed for pledges" in refused.err
    shown = cli("claim", str(campaign_id), "--dry-run")
    assert shown.code == 0 and f"would send claim({campaign_id})" in shown.out
    assert escrow.campaign(campaign_id).state is State.SUCCEEDED


def test_the_installed_command(rpc_url: str, escrow: Escrow, home: Path) -> None:
    env = {**os.environ, "CROWDFUND_DEPLOYMENTS": str(home / "deployments"), "HOME": str(home)}

    def crowdfund(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CROWDFUND), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    helped = crowdfund("--help")
    assert helped.returncode == 0 and "pledge" in helped.stdout and "Exit codes" in helped.stdout
    for command in (
        "deploy",
        "create",
        "pledge",
        "unpledge",
        "claim",
        "refund",
        "cancel",
        "update",
        "status",
    ):
        assert run_cli(command, "--help").code == 0
    for action in ("list", "new", "import"):
        assert run_cli("accounts", action, "--help").code == 0

    assert crowdfund("pledge").returncode == 2

    made = crowdfund(
        "create", "--goal", "1", "--deadline", "1d", "--metadata", "ipfs://sub", "--rpc-url", rpc_url
    )
    assert made.returncode == 0, made.stderr
    # Progress goes to stderr, one line per change when not on a terminal.
    assert "tx 0x" in made.stderr and "1/1 confirmations" in made.stderr

    listed = crowdfund("status", "--json", "--rpc-url", rpc_url)
    assert listed.returncode == 0
    assert json.loads(listed.stdout)["campaigns"]


def test_waits_for_confirmations_and_shows_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path))
    with anvil(None, "--block-time", "1") as w3:
        url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
        deployed = run_cli("deploy", "--confirmations", "2", "--rpc-url", url, "--json")

        assert deployed.code == 0, deployed.text
        assert "1/2 confirmations" in deployed.err and "2/2 confirmations" in deployed.err
        assert w3.eth.block_number >= deployed.json["deployment"]["block"] + 1


def test_status_shows_hostile_links_bounded_and_escaped(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    creator = w3.eth.accounts[0]
    deadline = int(w3.eth.get_block("latest")["timestamp"]) + 2 * DAY
    # Any bytes are a valid string to the escrow: not UTF-8, with a terminal escape code.
    selector = encode_call("createCampaign", ETH, 1, 0, 0, 1, "")[:10]
    arguments = encode(
        ["address", "uint256", "uint256", "uint64", "uint64", "bytes"],
        [ETH, 10**18, 0, 0, deadline, b"ipfs://\xff\x1b[2J"],
    )
    send(w3, creator, {"to": escrow.address, "data": selector + arguments.hex()})
    odd = escrow.campaign_count()
    long_one = escrow.create_campaign(creator, goal=10**18, deadline=deadline, metadata_uri="y" * 100_000)

    shown = cli("status", str(odd))
    assert shown.code == 0, shown.text
    assert "ipfs://\ufffd\\x1b[2J" in shown.out and "\x1b" not in shown.out
    as_json = cli("status", str(long_one), "--json").json["campaign"]
    assert as_json["metadata_uri"] == "y" * 2048 and as_json["metadata_uri_truncated"] is True
    assert len(cli("status", str(long_one)).out) < 5_000
