"""`make run`'s steps through the package: `crowdfund deploy --if-missing` deploys once and
then has nothing to do; `crowdfund demo` seeds the demo campaigns once, on the local chain
only."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Cli, now, run_cli
from support.chain import anvil
from web3 import Web3

from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow
from crowdfund.vault import Vault


def test_deploy_if_missing_deploys_once_then_has_nothing_to_do(w3: Web3, cli: Cli, home: Path) -> None:
    record_file = home / "deployments" / f"{w3.eth.chain_id}.json"

    first = cli("deploy", "--if-missing")
    assert first.code == 0, first.text
    record = json.loads(record_file.read_text())
    assert f"escrow deployed at {record['address']}" in first.out

    blocks = w3.eth.block_number
    again = cli("deploy", "--if-missing")
    assert again.code == 0, again.text
    expected = (
        f"escrow already deployed on chain 31337 at {record['address']}, milestone vault at "
        f"{record['vault_address']}; nothing to do"
    )
    assert again.out.strip() == expected
    assert json.loads(record_file.read_text()) == record
    assert w3.eth.block_number == blocks  # nothing sent


def test_demo_seeds_every_state_once(w3: Web3, cli: Cli) -> None:
    seeded = cli("demo")
    assert seeded.code == 0, seeded.text
    lines = seeded.out.splitlines()
    assert lines[0] == "seeding demo campaigns:"
    assert "  campaign 1: Zine printing run (Succeeded)" in lines
    assert (
        "  campaign 3: Neighbourhood bike workshop (Claimed), paid through the milestone vault: 40% at"
        in lines
    )
    assert "  campaign 4: Community garden (Active)" in lines
    assert any(line.startswith("  demo token DMT at 0x") for line in lines)

    escrow = Escrow.from_registry(w3)
    states = [c.state.name for c in escrow.campaigns(1, 100)]
    assert states == ["SUCCEEDED", "FAILED", "CLAIMED", "ACTIVE", "CANCELLED", "ACTIVE"]
    # The milestone campaign: its first tranche (due at the deadline) paid, two to come.
    bikes = Vault.from_registry(w3).campaign(3)
    assert bikes.creator == w3.eth.accounts[0] and bikes.collected
    assert [t.share_bps for t in bikes.tranches] == [4000, 3000, 3000]
    assert bikes.paid_tranches == 1
    assert (bikes.received, bikes.released) == (35 * ETHER // 10, 14 * ETHER // 10)  # 40% of 3.5 ETH
    assert bikes.tranches[1].release_at > now(w3)

    again = cli("demo")
    assert again.code == 0, again.text
    assert again.out.strip() == "the escrow already holds 6 campaigns; no demo seeding needed"
    assert escrow.campaign_count() == 6


def test_demo_refuses_any_chain_but_the_local_one(home: Path) -> None:
    with anvil(None, "--chain-id", "1337") as other:
        url: str = other.provider.endpoint_uri  # type: ignore[attr-defined]
        refused = run_cli("demo", "--rpc-url", url)
        assert refused.code == 1
        assert "only for the local development chain (chain id 31337); this is chain 1337" in refused.err
        assert other.eth.block_number == 0
