"""A campaign's whole life in ETH, driven through the command line, checked on chain."""

from __future__ import annotations

import os
import pty
import re
import subprocess

from cli_support import DAY, ETHER, Cli, advance, created_id, dev, now
from support.gateway import CROWDFUND
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.state import State
from crowdfund.units import format_time


def gas_cost(w3: Web3, tx_hash: str) -> int:
    receipt = w3.eth.get_transaction_receipt(tx_hash)  # type: ignore[arg-type]
    return int(receipt["gasUsed"]) * int(receipt["effectiveGasPrice"])


def test_create_pledge_unpledge_then_claim(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    creator, alice, bob, carol = (dev(w3, i) for i in range(4))
    start = now(w3)

    made = cli(
        "create",
        "--goal",
        "5ether",
        "--cap",
        "8",
        "--deadline",
        "10d",
        "--metadata",
        "ipfs://garden",
        "--json",
    )
    campaign_id = created_id(made)
    campaign = escrow.campaign(campaign_id)
    assert (campaign.creator, campaign.goal, campaign.cap, campaign.state) == (
        creator,
        5 * ETHER,
        8 * ETHER,
        State.ACTIVE,
    )
    assert start + 10 * DAY <= campaign.deadline <= start + 10 * DAY + 5

    assert cli("pledge", str(campaign_id), "3", "--account", "dev1").code == 0
    assert cli("pledge", str(campaign_id), "2.5ether", "--account", "dev2").code == 0
    pledged = cli("pledge", str(campaign_id), "500000000000000000wei", "--account", "dev3", "--for", alice)
    assert pledged.code == 0, pledged.text
    assert f"{alice} has now pledged 3.5 ETH to campaign {campaign_id}" in pledged.out
    assert escrow.pledge_of(campaign_id, alice) == 35 * ETHER // 10
    assert escrow.pledge_of(campaign_id, carol) == 0  # carol paid, alice was credited

    taken_back = cli("unpledge", str(campaign_id), "1", "--account", "dev2")
    assert taken_back.code == 0, taken_back.text
    assert escrow.pledge_of(campaign_id, bob) == 15 * ETHER // 10
    assert escrow.campaign(campaign_id).pledged == 5 * ETHER

    table = cli("status")
    assert table.code == 0
    rows = {
        cells[0]: cells for cells in (re.split(r"\s{2,}", line.strip()) for line in table.out.splitlines())
    }
    assert rows["ID"] == ["ID", "STATE", "GOAL", "PLEDGED", "FUNDED", "TIME LEFT"]
    assert rows[str(campaign_id)][:5] == [str(campaign_id), "Active", "5 ETH", "5 ETH", "100%"]
    assert rows[str(campaign_id)][5] in ("10d left", "9d 23h left")

    one = cli("status", str(campaign_id), "--json")
    backers = {b["address"]: int(b["pledged"]) for b in one.json["campaign"]["backers"]}
    assert backers == {alice: 35 * ETHER // 10, bob: 15 * ETHER // 10}
    assert one.json["campaign"]["metadata_uri"] == "ipfs://garden"

    advance(w3, 10 * DAY)
    before = w3.eth.get_balance(creator)
    claimed = cli("claim", str(campaign_id), "--json")
    assert claimed.code == 0, claimed.text
    assert claimed.json["campaign"]["state"] == "claimed"
    paid = w3.eth.get_balance(creator) - before + gas_cost(w3, claimed.json["transactions"][0]["hash"])
    assert paid == 5 * ETHER
    assert escrow.campaign(campaign_id).state is State.CLAIMED


def test_failed_campaign_refunds_each_backer(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    alice = dev(w3, 1)
    campaign_id = created_id(
        cli("create", "--goal", "10", "--deadline", "1d", "--metadata", "ipfs://f", "--json")
    )
    assert cli("pledge", str(campaign_id), "1.25", "--account", "dev1").code == 0
    advance(w3, DAY + 1)
    assert escrow.campaign(campaign_id).state is State.FAILED

    not_a_backer = cli("refund", str(campaign_id), "--account", "dev2")
    assert not_a_backer.code == 1
    assert f"{dev(w3, 2)} holds no pledge in campaign {campaign_id}" in not_a_backer.err

    before = w3.eth.get_balance(alice)
    refunded = cli("refund", str(campaign_id), "--account", "dev1", "--json")
    assert refunded.code == 0, refunded.text
    assert refunded.json["amount"] == str(125 * ETHER // 100)
    back = w3.eth.get_balance(alice) - before + gas_cost(w3, refunded.json["transactions"][0]["hash"])
    assert back == 125 * ETHER // 100
    assert escrow.pledge_of(campaign_id, alice) == 0

    again = cli("refund", str(campaign_id), "--account", "dev1")
    assert again.code == 1 and "holds no pledge" in again.err


def test_cancel_opens_refunds_and_closes_pledges(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "3", "--deadline", "20d", "--metadata", "ipfs://c", "--json")
    )
    assert cli("pledge", str(campaign_id), "1", "--account", "dev1").code == 0

    not_creator = cli("cancel", str(campaign_id), "--account", "dev1")
    assert not_creator.code == 1
    assert (
        f"only the creator {dev(w3, 0)} of campaign {campaign_id} may do this, not {dev(w3, 1)}"
        in not_creator.err
    )
    assert escrow.campaign(campaign_id).state is State.ACTIVE

    assert cli("cancel", str(campaign_id)).code == 0
    assert escrow.campaign(campaign_id).state is State.CANCELLED

    late = cli("pledge", str(campaign_id), "1", "--account", "dev2")
    assert late.code == 1 and f"campaign {campaign_id} was cancelled by its creator" in late.err
    assert cli("refund", str(campaign_id), "--account", "dev1").code == 0
    assert escrow.pledge_of(campaign_id, dev(w3, 1)) == 0


def test_update_is_anchored_on_chain(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "1", "--deadline", "5d", "--metadata", "ipfs://u", "--json")
    )

    posted = cli("update", str(campaign_id), "ipfs://update-1")

    assert posted.code == 0, posted.text
    head = w3.eth.block_number
    assert escrow.updates(campaign_id, 0, head) == ["ipfs://update-1"]
    assert "update    ipfs://update-1" in cli("status", str(campaign_id)).out
    assert cli("update", str(campaign_id), "ipfs://not-mine", "--account", "dev1").code == 1
    assert escrow.updates(campaign_id, 0, w3.eth.block_number) == ["ipfs://update-1"]


def test_rules_refuse_in_words_with_their_values(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "2", "--cap", "3", "--deadline", "1d", "--metadata", "ipfs://r", "--json")
    )
    deadline = escrow.campaign(campaign_id).deadline
    assert cli("pledge", str(campaign_id), "1", "--account", "dev1").code == 0

    over_cap = cli("pledge", str(campaign_id), "2.5", "--account", "dev2", "--json")
    assert over_cap.code == 1
    assert over_cap.json["error"]["rule"] == "CapExceeded"
    assert "accepts at most 3 ETH in all; this pledge would take it to 3.5 ETH" in over_cap.err
    assert over_cap.json["error"]["args"]["cap"] == str(3 * ETHER)

    too_much = cli("unpledge", str(campaign_id), "2", "--account", "dev1")
    assert (
        too_much.code == 1 and f"has pledged 1 ETH to campaign {campaign_id}, less than 2 ETH" in too_much.err
    )

    early_claim = cli("claim", str(campaign_id))
    assert (
        early_claim.code == 1
        and f"campaign {campaign_id} runs until {format_time(deadline)}" in early_claim.err
    )

    advance(w3, DAY + 1)
    closed = cli("pledge", str(campaign_id), "1", "--account", "dev2")
    assert closed.code == 1
    assert f"campaign {campaign_id} closed for pledges at {format_time(deadline)}" in closed.err
    assert escrow.pledge_of(campaign_id, dev(w3, 2)) == 0

    failed_claim = cli("claim", str(campaign_id))
    assert (
        failed_claim.code == 1
        and f"campaign {campaign_id} ended with 1 ETH of its goal 2 ETH" in failed_claim.err
    )

    unknown = cli("refund", "4242")
    assert unknown.code == 1 and "campaign 4242 does not exist" in unknown.err


def test_create_with_dates_and_a_later_start(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    upcoming = cli(
        "create", "--goal", "1", "--start", "2d", "--deadline", "30d", "--metadata", "ipfs://later", "--json"
    )
    campaign = escrow.campaign(created_id(upcoming))
    assert campaign.state is State.UPCOMING
    assert campaign.deadline - campaign.starts_at == 30 * DAY  # a duration counts from the start

    early = cli("pledge", str(campaign.id), "1", "--account", "dev1")
    assert (
        early.code == 1
        and f"campaign {campaign.id} opens for pledges at {format_time(campaign.starts_at)}" in early.err
    )

    dated = cli(
        "create",
        "--goal",
        "1",
        "--deadline",
        format_time(now(w3) + 3 * DAY)[:10],
        "--metadata",
        "x",
        "--json",
    )
    assert escrow.campaign(created_id(dated)).deadline % DAY == 0  # midnight UTC

    past = cli("create", "--goal", "1", "--start", "2020-01-01", "--deadline", "2d", "--metadata", "x")
    assert past.code == 1 and "the start 2020-01-01 00:00:00 UTC is in the past" in past.err


def test_cancel_asks_first_on_a_terminal(w3: Web3, cli: Cli, escrow: Escrow, rpc_url: str) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "3", "--deadline", "20d", "--metadata", "ipfs://ask", "--json")
    )

    def cancel_at_a_terminal(answer: str) -> str:
        """`crowdfund cancel` with a terminal on stdin that answers `answer`."""
        controller, terminal = pty.openpty()
        proc = subprocess.Popen(
            [CROWDFUND, "cancel", str(campaign_id), "--rpc-url", rpc_url],
            stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        os.close(terminal)
        os.write(controller, f"{answer}\n".encode())
        said, _ = proc.communicate(timeout=60)
        os.close(controller)
        return said

    kept = cancel_at_a_terminal("n")
    assert f"campaign {campaign_id} was not cancelled" in kept
    assert escrow.campaign(campaign_id).state is State.ACTIVE
    assert f"campaign {campaign_id} cancelled" in cancel_at_a_terminal("y")
    assert escrow.campaign(campaign_id).state is State.CANCELLED
