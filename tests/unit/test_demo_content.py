"""The demo's documents are what a backer expects of a campaign (a story, an image, two to four
reward tiers, one of them limited, amounts in the campaign's units) and pass the schema as
`crowdfund create --metadata` reads them; the committed images are the ones
tools/demo_images.py draws, so every demo link is the same on every machine."""

from __future__ import annotations

import importlib.util

import pytest
from support.chain import ROOT

from crowdfund.content import cid_from_uri, kind_of
from crowdfund.demo import DEMO_CONTENT, ETHER
from crowdfund.metadata import campaign_metadata, update_document
from crowdfund.publication import prepare

_spec = importlib.util.spec_from_file_location("demo_images", ROOT / "tools" / "demo_images.py")
assert _spec is not None and _spec.loader is not None
demo_images = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(demo_images)

UPDATES = {"zine-first-copies", "garden-first-beds"}
CAMPAIGNS = sorted(p.stem for p in DEMO_CONTENT.glob("*.json") if p.stem not in UPDATES)
# The demo's goals (crowdfund.demo), in the campaign's units: ETH, or DMT for the tool library.
GOALS = {
    "zine-printing-run": 2 * ETHER,
    "repair-cafe-tools": 5 * ETHER,
    "neighbourhood-bike-workshop": 3 * ETHER,
    "community-garden": 10 * ETHER,
    "open-air-film-night": 3 * ETHER,
    "makerspace-tool-library": 1_000 * ETHER,
}


def test_every_demo_campaign_has_a_document() -> None:
    assert CAMPAIGNS == sorted(GOALS)


@pytest.mark.parametrize("name", CAMPAIGNS)
def test_a_demo_document_tells_its_story_with_an_image_and_tiers(name: str) -> None:
    publication = prepare(DEMO_CONTENT / f"{name}.json", "campaign")
    document = campaign_metadata(publication.document.content.data)
    assert document.summary and document.story and document.story.startswith("# ")
    assert publication.image is not None and document.image_cid == publication.image.content.cid
    assert 2 <= len(document.tiers) <= 4
    assert [t for t in document.tiers if t.limit is not None], "no limited tier"
    amounts = [t.min_amount for t in document.tiers]
    # Cheapest first, each below the goal: a backer can hold any tier without funding it all.
    assert amounts == sorted(amounts) and amounts[-1] < GOALS[name]


@pytest.mark.parametrize("name", sorted(UPDATES))
def test_a_demo_update_is_an_update_document_with_an_image(name: str) -> None:
    publication = prepare(DEMO_CONTENT / f"{name}.json", "update")
    update = update_document(publication.document.content.data)
    assert update.title and update.body
    assert publication.image is not None and cid_from_uri(update.image or "") == publication.image.content.cid


def test_the_images_are_the_ones_the_tool_draws_and_small() -> None:
    committed = sorted(p.stem for p in DEMO_CONTENT.glob("*.png"))
    assert committed == sorted(demo_images.DRAWINGS)
    for name, (background, draw) in demo_images.DRAWINGS.items():
        canvas = demo_images.Canvas(background)
        draw(canvas)
        data = (DEMO_CONTENT / f"{name}.png").read_bytes()
        assert canvas.png() == data, f"{name}.png is not what tools/demo_images.py draws: run it"
        assert kind_of(data) == "png" and len(data) < 30_000
