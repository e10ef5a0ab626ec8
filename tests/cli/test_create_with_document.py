"""`crowdfund create --metadata campaign.json` and `crowdfund update ID update.json` against a
live gateway: a local document is checked, published with its local image, and linked by its
CID; a document the schema refuses, or whose image is missing, stops everything before
anything is published or sent; a dry run names the links and publishes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cli_support import Cli, Run, created_id
from support.gateway import eventually, gateway
from web3 import Web3

from crowdfund.content import cid_of
from crowdfund.escrow import Escrow
from crowdfund.networks import display_url

# A PNG as the content rules tell it: its signature and IHDR.
COVER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17) + b"raised beds"
GARDEN: dict[str, Any] = {
    "title": "Community garden",
    "summary": "Raised beds for the school",
    "story": "# Why\n\nBecause *tomatoes*.",
    "image": "cover.png",
    "tiers": [{"id": "seed", "title": "Seed", "description": "A card", "min_amount": "10000000000000000"}],
}


@pytest.fixture(scope="module")
def api(rpc_url: str, home: Path, escrow: Escrow) -> Iterator[httpx.Client]:
    with gateway(rpc_url, home / "deployments") as client:
        yield client


def create_with(cli: Cli, api: httpx.Client, path: Path, *options: str) -> Run:
    """`crowdfund create` of a 5 ETH, 30-day campaign described by the document at `path`."""
    return cli(
        "create", "--goal", "5ether", "--deadline", "30d", "--metadata", str(path),
        "--gateway", str(api.base_url), *options,
    )  # fmt: skip


def write_document(folder: Path, document: dict[str, Any], name: str = "campaign.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(document))
    return path


def test_a_local_document_is_published_with_its_image_and_linked_by_its_cid(
    api: httpx.Client, cli: Cli, escrow: Escrow, w3: Web3, tmp_path: Path
) -> None:
    (tmp_path / "cover.png").write_bytes(COVER)
    path = write_document(tmp_path, GARDEN)
    created = create_with(cli, api, path, "--json")
    campaign_id = created_id(created)
    link = created.json["metadata_uri"]
    assert escrow.metadata_uri(campaign_id, 0, w3.eth.block_number) == link
    cid = link.removeprefix("ipfs://")
    assert [p["file"] for p in created.json["published"]] == [str(tmp_path / "cover.png"), str(path)]

    served = api.get(f"/content/{cid}")
    assert served.status_code == 200 and cid_of(served.content) == cid
    document = served.json()
    assert document == {**GARDEN, "image": f"ipfs://{cid_of(COVER)}"}
    image = api.get(f"/content/{document['image'].removeprefix('ipfs://')}")
    assert image.content == COVER and image.headers["content-type"] == "image/png"

    # What the gateway then shows a backer.
    def shown() -> dict[str, Any] | None:
        answer = api.get(f"/campaigns/{campaign_id}")
        return answer.json() if answer.status_code == 200 and answer.json()["title"] else None

    campaign = eventually(shown, what="the campaign's verified title")
    assert campaign["metadata_status"] == "verified" and campaign["image"] == f"/content/{cid_of(COVER)}"


def test_a_document_without_a_local_image_is_published_as_written(
    api: httpx.Client, cli: Cli, tmp_path: Path
) -> None:
    path = write_document(tmp_path, {"title": "Repair cafe", "summary": "Tools to mend things"})
    created = cli(
        "create", "--goal", "1ether", "--deadline", "10d", "--metadata", str(path),
        "--gateway", str(api.base_url),
    )  # fmt: skip
    assert created.code == 0, created.text
    # The same link `crowdfund publish` gives the file: its bytes, unchanged.
    assert f"ipfs://{cid_of(path.read_bytes())}" in created.out
    assert api.get(f"/content/{cid_of(path.read_bytes())}").content == path.read_bytes()


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ({**GARDEN, "tiers": [{**GARDEN["tiers"][0], "min_amount": "-1"}]}, '$.tiers[0].min_amount: is "-1"'),
        ({**GARDEN, "goal": "5ether"}, '$: has the unknown field "goal"'),
        ({**GARDEN, "title": "x" * 121}, "$.title: is 121 characters long"),
    ],
)
def test_an_invalid_document_is_refused_before_anything_is_published_or_sent(
    api: httpx.Client, cli: Cli, w3: Web3, tmp_path: Path, document: dict[str, Any], said: str
) -> None:
    (tmp_path / "cover.png").write_bytes(COVER + b"unpublished")
    path = write_document(tmp_path, document)
    block = w3.eth.block_number
    refused = create_with(cli, api, path, "--json")
    assert refused.code == 2, refused.text
    assert f"{path}: {said}" in refused.err and refused.json["error"]["kind"] == "usage"
    assert w3.eth.block_number == block  # nothing sent
    assert api.get(f"/content/{cid_of(COVER + b'unpublished')}").status_code == 404  # nothing published


def test_a_missing_image_file_is_said_to_be(api: httpx.Client, cli: Cli, w3: Web3, tmp_path: Path) -> None:
    path = write_document(tmp_path, {**GARDEN, "image": "photos/cover.png"})
    block = w3.eth.block_number
    refused = create_with(cli, api, path)
    assert refused.code == 2
    missing = tmp_path / "photos" / "cover.png"
    assert f"{path}: $.image names 'photos/cover.png' ({missing}): no such file" in refused.err
    assert w3.eth.block_number == block


def test_an_image_that_is_not_an_image_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "cover.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    path = write_document(tmp_path, {**GARDEN, "image": "cover.svg"})
    refused = cli("create", "--goal", "5ether", "--deadline", "30d", "--metadata", str(path))
    assert refused.code == 2 and "$.image names 'cover.svg', which is refused: SVG is refused" in refused.err


def test_a_missing_document_is_a_wrong_command_line(cli: Cli, tmp_path: Path) -> None:
    refused = cli("create", "--goal", "5ether", "--deadline", "30d", "--metadata", str(tmp_path / "no.json"))
    assert refused.code == 2 and f"{tmp_path / 'no.json'}: no such file" in refused.err


def test_a_dry_run_names_the_links_and_publishes_nothing(
    api: httpx.Client, cli: Cli, w3: Web3, tmp_path: Path
) -> None:
    cover = COVER + b"dry"
    (tmp_path / "cover.png").write_bytes(cover)
    path = write_document(tmp_path, GARDEN)
    block = w3.eth.block_number
    dry = create_with(cli, api, path, "--dry-run")
    assert dry.code == 0, dry.text
    would = [line for line in dry.out.splitlines() if line.startswith("would publish")]
    where = display_url(str(api.base_url).rstrip("/"))
    assert would[0] == (
        f"would publish {tmp_path / 'cover.png'} (image/png, {len(cover):,} bytes) to {where} "
        f"as ipfs://{cid_of(cover)}"
    )
    document_cid = would[1].rsplit("ipfs://", 1)[1]
    assert f"metadata ipfs://{document_cid} ({path})" in dry.out
    assert "would send createCampaign" in dry.out
    assert api.get(f"/content/{cid_of(cover)}").status_code == 404
    assert api.get(f"/content/{document_cid}").status_code == 404
    assert w3.eth.block_number == block

    published = create_with(cli, api, path, "--json")
    assert published.json["metadata_uri"] == f"ipfs://{document_cid}"  # the link the dry run named


def test_an_update_document_is_published_and_anchored_by_its_cid(
    api: httpx.Client, cli: Cli, escrow: Escrow, w3: Web3, tmp_path: Path
) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "1ether", "--deadline", "5d", "--metadata", "x", "--json")
    )
    photo = COVER + b"first beds"
    (tmp_path / "beds.png").write_bytes(photo)
    path = write_document(
        tmp_path, {"title": "The first beds", "body": "Built *today*.", "image": "beds.png"}
    )
    updated = cli("update", str(campaign_id), str(path), "--gateway", str(api.base_url), "--json")
    assert updated.code == 0, updated.text
    link = updated.json["uri"]
    assert escrow.updates(campaign_id, 0, w3.eth.block_number) == [link]
    document = api.get(f"/content/{link.removeprefix('ipfs://')}").json()
    assert document == {
        "title": "The first beds",
        "body": "Built *today*.",
        "image": f"ipfs://{cid_of(photo)}",
    }
    assert api.get(f"/content/{cid_of(photo)}").content == photo

    # An update document needs a body (which may be empty).
    wrong = write_document(tmp_path, {"title": "News"}, "wrong.json")
    refused = cli("update", str(campaign_id), str(wrong), "--gateway", str(api.base_url))
    assert refused.code == 2 and "lacks 'body', which is required" in refused.err
