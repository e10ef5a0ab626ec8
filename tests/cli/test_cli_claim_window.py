"""`crowdfund claim ID --to ADDRESS`, and a campaign that expires unclaimed: status shows
Expired, claims are refused in words and backers refund."""

from __future__ import annotations

import re

from cli_support import DAY, ETHER, Cli, advance, created_id, dev
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.state import CLAIM_WINDOW, State
from crowdfund.units import format_time


def test_claim_to_pays_the_address_given(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    creator, carol = dev(w3, 0), dev(w3, 3)
    campaign_id = created_id(
        cli("create", "--goal", "1", "--deadline", "1d", "--metadata", "ipfs://to", "--json")
    )
    assert cli("pledge", str(campaign_id), "2", "--account", "dev1").code == 0
    advance(w3, DAY + 1)

    not_an_address = cli("claim", str(campaign_id), "--to", "carol")
    assert not_an_address.code != 0 and "is not an Ethereum address" in not_an_address.err
    zero = cli("claim", str(campaign_id), "--to", "0x" + "00" * 20)
    assert zero.code == 1 and f"a claim cannot be paid to 0x{'00' * 20}" in zero.err

    before = w3.eth.get_balance(carol)
    claimed = cli("claim", str(campaign_id), "--to", carol.lower(), "--json")
    assert claimed.code == 0, claimed.text
    assert claimed.json["to"] == carol and claimed.json["campaign"]["state"] == "claimed"
    assert w3.eth.get_balance(carol) == before + 2 * ETHER
    assert escrow.campaign(campaign_id).state is State.CLAIMED
    assert escrow.campaign(campaign_id).creator == creator


def test_an_unclaimed_campaign_expires_and_its_backers_refund(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    alice = dev(w3, 1)
    campaign_id = created_id(
        cli("create", "--goal", "1", "--deadline", "1d", "--metadata", "ipfs://x", "--json")
    )
    assert cli("pledge", str(campaign_id), "1.5", "--account", "dev1").code == 0
    deadline = escrow.campaign(campaign_id).deadline
    advance(w3, DAY + CLAIM_WINDOW + 1)
    assert escrow.campaign(campaign_id).state is State.EXPIRED

    table = cli("status")
    rows = {
        line.split()[0]: re.split(r"\s{2,}", line.strip()) for line in table.out.splitlines() if line.strip()
    }
    assert rows[str(campaign_id)][1] == "Expired"
    one = cli("status", str(campaign_id))
    assert "Expired, ended, not claimed in 180 days: refunds open" in one.out

    late = cli("claim", str(campaign_id))
    assert late.code == 1
    closed = format_time(deadline + CLAIM_WINDOW)
    assert f"the claim window of campaign {campaign_id} closed at {closed}" in late.err

    before = w3.eth.get_balance(alice)
    refunded = cli("refund", str(campaign_id), "--account", "dev1", "--json")
    assert refunded.code == 0, refunded.text
    assert refunded.json["amount"] == str(15 * ETHER // 10)
    assert escrow.pledge_of(campaign_id, alice) == 0
    assert w3.eth.get_balance(alice) > before
