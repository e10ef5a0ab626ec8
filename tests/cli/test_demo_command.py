"""`make run`'s steps through the package: `crowdfund deploy --if-missing` deploys once and
then has nothing to do; `crowdfund demo` seeds the demo campaigns once, on the local chain
only, with documents and images that a gateway started afterwards serves as verified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_support import Cli, Run, now, run_cli
from support.chain import anvil
from support.gateway import eventually, gateway, wait_indexed
from web3 import Web3

from crowdfund.content import cid_of
from crowdfund.demo import ETHER
from crowdfund.escrow import Escrow
from crowdfund.vault import Vault

TITLES = [
    "Zine printing run",
    "Repair cafe tools",
    "Neighbourhood bike workshop",
    "Community garden",
    "Open-air film night",
    "Makerspace tool library",
]


@pytest.fixture(scope="module")
def content_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gateway's content folder, which `crowdfund demo` fills."""
    return tmp_path_factory.mktemp("content")


@pytest.fixture(scope="module")
def seeded(cli: Cli, content_dir: Path) -> Run:
    return cli("demo", "--content-dir", str(content_dir))


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


def test_demo_seeds_every_state_once(w3: Web3, cli: Cli, seeded: Run, content_dir: Path) -> None:
    assert seeded.code == 0, seeded.text
    lines = seeded.out.splitlines()
    assert lines[0] == "seeding demo campaigns:"
    assert "  campaign 1: Zine printing run (Succeeded)" in lines
    assert (
        "  campaign 3: Neighbourhood bike workshop (Claimed), paid through the milestone vault: 40% at"
        in lines
    )
    assert "  campaign 4: Community garden (Active)" in lines
    assert "  campaign 4 posts an update: 'The first beds are built'" in lines
    assert any(line.startswith("  demo token DMT at 0x") for line in lines)
    assert lines[-1] == (
        f"  their documents and images (ipfs:// links) are in {content_dir}, where the gateway serves them"
    )

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


def test_the_demo_campaigns_show_their_documents_images_and_updates(
    w3: Web3, rpc_url: str, home: Path, seeded: Run, content_dir: Path
) -> None:
    assert seeded.code == 0, seeded.text
    with gateway(rpc_url, home / "deployments", CONTENT_DIR=str(content_dir)) as api:
        wait_indexed(api, w3.eth.block_number)

        def verified() -> list[dict[str, Any]] | None:
            items: list[dict[str, Any]] = api.get("/campaigns", params={"limit": 100}).json()["items"]
            return items if all(c["metadata_status"] == "verified" for c in items) else None

        items = eventually(verified, timeout=30, what="every demo campaign's document verified")
        assert [c["title"] for c in sorted(items, key=lambda c: c["id"])] == TITLES
        for item in items:
            assert item["metadata_uri"].startswith("ipfs://bafkrei") and item["summary"]
            image = api.get(item["image"])
            assert image.status_code == 200 and image.headers["content-type"] == "image/png"
            assert item["image"] == f"/content/{cid_of(image.content)}"
            assert len(image.content) < 30_000
            tiers = campaign(api, item["id"])["metadata"]["tiers"]
            assert 2 <= len(tiers) <= 4 and any(t["limit"] for t in tiers)
            assert campaign(api, item["id"])["metadata"]["story"].startswith("# ")

        # Tiers in the campaign's own units: DMT for the token campaign (its goal 1,000 DMT).
        tool_tiers = campaign(api, 6)["metadata"]["tiers"]
        assert [int(t["min_amount"]) for t in tool_tiers] == [10 * ETHER, 50 * ETHER, 200 * ETHER]

        def updates(campaign_id: int) -> list[tuple[str, str | None]] | None:
            found = [(u["content_status"], u["title"]) for u in campaign(api, campaign_id)["updates"]]
            return None if any(status == "unavailable" for status, _ in found) else found

        assert eventually(lambda: updates(1), what="the zine's update") == [
            ("verified", "The first copies are off the press")
        ]
        assert eventually(lambda: updates(4), what="the garden's update") == [
            ("verified", "The first beds are built")
        ]
        news = campaign(api, 1)["updates"][0]["uri"].removeprefix("ipfs://")
        picture = api.get(f"/content/{news}").json()["image"].removeprefix("ipfs://")
        assert api.get(f"/content/{picture}").headers["content-type"] == "image/png"


def campaign(api: httpx.Client, campaign_id: int) -> dict[str, Any]:
    answer = api.get(f"/campaigns/{campaign_id}")
    assert answer.status_code == 200, answer.text
    detail: dict[str, Any] = answer.json()
    return detail
