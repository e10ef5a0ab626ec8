"""What a campaign's metadata link names, in the list and detail answers: verified documents
give their title, summary, image and metadata; other links are unverified; documents not yet
here are unavailable and never slow an answer down; documents that break the rules, and
sources that lie, are invalid and never break another campaign's answer."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chain import free_port
from support.gateway import Served, eventually, gateway, served, wait_indexed
from support.ipfs import FakeIpfs, fake_ipfs
from web3 import Web3

from crowdfund.content import cid_of
from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow

IPFS_TIMEOUT = 8.0
# An answer that waited for a fetch would take seconds; one that did not, milliseconds.
FAST = 1.0
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)


@pytest.fixture(scope="module")
def ipfs() -> Iterator[FakeIpfs]:
    with fake_ipfs() as fake:
        yield fake


@pytest.fixture(scope="module")
def site(w3: Web3, escrow: Escrow, registry: Path, ipfs: FakeIpfs) -> Iterator[Served]:
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with served(url, registry, IPFS_GATEWAY_URL=ipfs.url, IPFS_TIMEOUT=str(IPFS_TIMEOUT)) as running:
        yield running


def publish(api: httpx.Client, data: bytes, media_type: str = "application/json") -> str:
    stored = api.post("/content", content=data, headers={"Content-Type": media_type})
    assert stored.status_code in (200, 201), stored.text
    uri: str = stored.json()["uri"]
    return uri


def create(w3: Web3, escrow: Escrow, api: httpx.Client, metadata_uri: str) -> int:
    deadline = w3.eth.get_block("latest")["timestamp"] + 10 * DAY
    campaign_id = escrow.create_campaign(
        w3.eth.accounts[0], goal=ETHER, deadline=deadline, metadata_uri=metadata_uri
    )
    wait_indexed(api, w3.eth.block_number)
    return campaign_id


def listed(api: httpx.Client, campaign_id: int) -> dict[str, Any]:
    started = time.monotonic()
    page = api.get("/campaigns", params={"limit": 100})
    assert page.status_code == 200, page.text
    assert time.monotonic() - started < FAST
    item: dict[str, Any] = next(c for c in page.json()["items"] if c["id"] == campaign_id)
    return item


def settled(api: httpx.Client, campaign_id: int) -> dict[str, Any]:
    """The list item once its metadata is no longer on its way."""

    def known() -> dict[str, Any] | None:
        item = listed(api, campaign_id)
        return None if item["metadata_status"] == "unavailable" else item

    return eventually(known, timeout=30, what=f"campaign {campaign_id}'s metadata arriving")


def detail(api: httpx.Client, campaign_id: int) -> dict[str, Any]:
    answer = api.get(f"/campaigns/{campaign_id}")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


GARDEN = {
    "title": "A community garden",
    "summary": "Raised beds for the whole street",
    "story": "# Why\n\nBecause *tomatoes*.",
    "links": [{"label": "The plan", "url": "https://garden.example/plan"}],
    "tiers": [
        {"id": "seed", "title": "Seed", "description": "A thank-you card", "min_amount": "10000000000000000"},
        {
            "id": "bed",
            "title": "A bed of your own",
            "description": "Name a raised bed",
            "min_amount": str(5 * ETHER),
            "limit": 12,
            "delivery": "2027-05",
        },
    ],
}


def test_a_verified_document_gives_the_campaign_its_title_summary_image_and_metadata(
    site: Served, w3: Web3, escrow: Escrow
) -> None:
    api = site.client
    image = publish(api, PNG, "image/png")
    document = {**GARDEN, "image": image}
    campaign_id = create(w3, escrow, api, publish(api, json.dumps(document).encode()))

    item = settled(api, campaign_id)
    image_path = f"/content/{image.removeprefix('ipfs://')}"
    assert item["metadata_status"] == "verified"
    assert (item["title"], item["summary"], item["image"]) == (GARDEN["title"], GARDEN["summary"], image_path)
    served_image = api.get(item["image"])
    assert served_image.status_code == 200 and served_image.content == PNG
    assert served_image.headers["content-type"] == "image/png"

    body = detail(api, campaign_id)
    assert (body["metadata_status"], body["title"], body["image"]) == (
        "verified",
        GARDEN["title"],
        image_path,
    )
    expected_tiers = [
        {"limit": None, "delivery": None, **GARDEN["tiers"][0]},  # type: ignore[index]
        GARDEN["tiers"][1],  # type: ignore[index]
    ]
    assert body["metadata"] == {**document, "tiers": expected_tiers}

    # A backer's own page of campaigns shows the same.
    backer = w3.eth.accounts[1]
    escrow.pledge(backer, campaign_id, ETHER // 10)
    wait_indexed(api, w3.eth.block_number)
    pledges = api.get(f"/backers/{backer}/pledges").json()["items"]
    mine = next(p["campaign"] for p in pledges if p["campaign"]["id"] == campaign_id)
    assert (mine["metadata_status"], mine["title"], mine["image"]) == (
        "verified",
        GARDEN["title"],
        image_path,
    )


def test_an_https_link_is_unverified_and_never_fetched(
    site: Served, w3: Web3, escrow: Escrow, ipfs: FakeIpfs
) -> None:
    asked = len(ipfs.asked)
    campaign_id = create(w3, escrow, site.client, "https://garden.example/campaign.json")
    item = listed(site.client, campaign_id)
    assert (item["metadata_status"], item["title"], item["summary"], item["image"]) == (
        "unverified",
        None,
        None,
        None,
    )
    assert item["metadata_uri"] == "https://garden.example/campaign.json"
    assert detail(site.client, campaign_id)["metadata"] is None
    assert len(ipfs.asked) == asked


def test_a_document_that_breaks_the_schema_is_invalid_and_shows_nothing_of_it(
    site: Served, w3: Web3, escrow: Escrow
) -> None:
    api = site.client
    unknown_field = create(w3, escrow, api, publish(api, b'{"title": "Garden", "goal": "5 ETH"}'))
    an_image = create(w3, escrow, api, publish(api, PNG, "image/png"))
    for campaign_id in (unknown_field, an_image):
        item = settled(api, campaign_id)
        assert (item["metadata_status"], item["title"], item["image"]) == ("invalid", None, None)
        body = detail(api, campaign_id)
        assert body["metadata_status"] == "invalid" and body["metadata"] is None


def test_hostile_documents_are_invalid_and_never_break_another_campaigns_answer(
    site: Served, w3: Web3, escrow: Escrow, ipfs: FakeIpfs
) -> None:
    api = site.client
    honest = create(w3, escrow, api, publish(api, json.dumps(GARDEN).encode()))
    tiers = json.dumps({"title": "Ten thousand tiers", "tiers": [{"id": f"t{n}"} for n in range(10_000)]})
    hostile = {
        # Stored through POST /content, which takes any JSON object of up to 256 KiB.
        "10,000 tiers": publish(api, tiers.encode()),
        # Served by the IPFS gateway: POST /content refuses them outright.
        "huge story": "ipfs://" + ipfs.serve(json.dumps({"title": "Long", "story": "s" * 300_000}).encode()),
        "nested": "ipfs://"
        + ipfs.serve(b'{"title": "Deep", "story": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "past 2 MiB": "ipfs://" + ipfs.serve(b'{"title": "' + b"x" * 3 * 2**20 + b'"}'),
        "lying": "ipfs://"
        + ipfs.serve(b'{"title": "Send your ETH to 0xbad"}', cid=cid_of(b'{"title": "The real one"}')),
    }
    ids = {name: create(w3, escrow, api, uri) for name, uri in hostile.items()}
    for name, campaign_id in ids.items():
        item = settled(api, campaign_id)
        assert (item["metadata_status"], item["title"]) == ("invalid", None), name
        assert detail(api, campaign_id)["metadata"] is None, name
    assert settled(api, honest)["metadata_status"] == "verified"
    assert detail(api, honest)["metadata"]["title"] == GARDEN["title"]
    assert "Traceback" not in site.stderr()


def test_a_slow_ipfs_gateway_never_slows_an_answer(
    site: Served, w3: Web3, escrow: Escrow, ipfs: FakeIpfs
) -> None:
    slow = ipfs.serve(b'{"title": "Worth the wait"}', delay=4)
    campaign_id = create(w3, escrow, site.client, f"ipfs://{slow}")
    started = time.monotonic()
    assert listed(site.client, campaign_id)["metadata_status"] == "unavailable"
    assert detail(site.client, campaign_id)["metadata_status"] == "unavailable"
    assert time.monotonic() - started < FAST
    item = settled(site.client, campaign_id)
    assert (item["metadata_status"], item["title"]) == ("verified", "Worth the wait")
    assert ipfs.times_asked(slow) == 1  # one fetch, however many answers asked meanwhile


def test_a_document_nobody_has_is_asked_for_again_after_a_pause_and_shown_once_found(
    site: Served, w3: Web3, escrow: Escrow, ipfs: FakeIpfs
) -> None:
    later = b'{"title": "Published to IPFS later"}'
    cid = cid_of(later)
    campaign_id = create(w3, escrow, site.client, f"ipfs://{cid}")
    until = time.monotonic() + 3
    while time.monotonic() < until:
        assert listed(site.client, campaign_id)["metadata_status"] == "unavailable"
        time.sleep(0.1)
    # Not once per answer (about 30 of them), and not given up on: again after two seconds.
    assert 1 <= ipfs.times_asked(cid) <= 2
    ipfs.serve(later)
    item = settled(site.client, campaign_id)
    assert (item["metadata_status"], item["title"]) == ("verified", "Published to IPFS later")


def test_updates_carry_the_titles_of_their_documents(site: Served, w3: Web3, escrow: Escrow) -> None:
    api = site.client
    campaign_id = create(w3, escrow, api, publish(api, json.dumps(GARDEN).encode()))
    creator = w3.eth.accounts[0]
    news = publish(api, json.dumps({"title": "Seeds are in", "body": "We *planted*."}).encode())
    for uri in (news, "https://garden.example/news.json", publish(api, json.dumps(GARDEN).encode())):
        escrow.post_update(creator, campaign_id, uri)
    wait_indexed(api, w3.eth.block_number)

    def shown() -> list[tuple[str, str | None]] | None:
        updates = detail(api, campaign_id)["updates"]
        found = [(u["content_status"], u["title"]) for u in updates]
        return None if ("unavailable", None) in found else found

    # Oldest first: a verified update, a link shown as it is, a campaign document posted as
    # an update (not an update document).
    expected = [("verified", "Seeds are in"), ("unverified", None), ("invalid", None)]
    assert eventually(shown, timeout=30, what="the updates' documents") == expected
    newest_first = api.get(f"/campaigns/{campaign_id}/updates").json()["items"]
    assert [(u["content_status"], u["title"]) for u in newest_first] == expected[::-1]


def test_a_document_published_after_its_campaign_shows_without_a_restart(
    w3: Web3, escrow: Escrow, registry: Path
) -> None:
    """The IPFS gateway is down: the document is unavailable, and the answers say so at once.
    Published to this gateway, it is shown, in answers at the very block that had been answered
    (and cached) without it."""
    document = json.dumps({"title": "Published late", "summary": "after the campaign"}).encode()
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, IPFS_GATEWAY_URL=down) as api:
        campaign_id = create(w3, escrow, api, f"ipfs://{cid_of(document)}")
        before = api.get("/campaigns", params={"limit": 100}).json()
        for _ in range(3):
            item = listed(api, campaign_id)
            assert (item["metadata_status"], item["title"]) == ("unavailable", None)
            assert detail(api, campaign_id)["metadata"] is None
        publish(api, document)
        item = settled(api, campaign_id)
        assert (item["metadata_status"], item["title"], item["summary"]) == (
            "verified",
            "Published late",
            "after the campaign",
        )
        after = api.get("/campaigns", params={"limit": 100}).json()
        assert after["block"] == before["block"]  # no new block: the cached answer gave way
        assert detail(api, campaign_id)["metadata"]["title"] == "Published late"
