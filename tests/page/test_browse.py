"""Reading without a wallet: the list and its filter, one campaign with its figures,
updates and history, descriptions the gateway could not verify; and the screenshots in
docs/."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from page_kit import TIMEZONE, Demo, Visit, goal_percent, percent
from playwright.sync_api import expect

from crowdfund.content import cid_of, uri_of
from crowdfund.demo import DAY, ETHER

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# What a slip in the page's code would print instead of a figure.
NOT_A_VALUE = re.compile(r"\b(null|undefined|NaN)\b")
# Whether every image a selector finds has arrived and decoded.
LOADED = "(s) => [...document.querySelectorAll(s)].every((img) => img.complete && img.naturalWidth > 0)"


def test_the_list_shows_each_campaign_with_its_progress(visit: Visit, demo: Demo) -> None:
    page = visit("/", wallet=False)
    garden = page.locator(f"[data-campaign-id='{demo.ids['Community garden']}']")
    # Title, summary and image come from the metadata document the gateway verified.
    expect(garden.get_by_role("heading", name="Community garden")).to_be_visible()
    expect(garden.locator(".summary")).to_have_text(
        "Raised beds, a water butt and a tool shed on the empty lot behind the school"
    )
    image = garden.locator(".card-cover img")
    expect(image).to_have_attribute("alt", "Community garden")
    expect(image).to_have_attribute("src", re.compile(r"^/content/bafkrei[a-z2-7]+$"))
    expect(image).to_have_attribute("loading", "lazy")
    expect(garden).to_contain_text("5 ETH pledged of 10 ETH goal")
    expect(garden).to_contain_text("50% of the goal")
    expect(garden).to_contain_text("2 backers")
    days = round((demo.escrow.campaign(demo.ids["Community garden"]).deadline - demo.now()) / DAY)
    expect(garden).to_contain_text(f"{days} days left")
    expect(garden.locator(".badge")).to_have_text("Active")
    assert garden.locator(".bar-goal progress").get_attribute("value") == "50"

    tools = page.locator(f"[data-campaign-id='{demo.ids['Makerspace tool library']}']")
    expect(tools).to_contain_text("400 DMT pledged of 1,000 DMT goal")
    expect(tools).to_contain_text("26.6% of the 1,500 DMT cap")  # of cap, too, where there is one
    zine = page.locator(f"[data-campaign-id='{demo.ids['Zine printing run']}']")
    expect(zine.locator(".badge")).to_have_text("Succeeded")
    expect(zine).to_contain_text("125% of the goal")
    expect(page.locator("#wallet")).to_have_text("No wallet: read-only")

    expect(page.locator("main")).not_to_contain_text(NOT_A_VALUE)
    for card in page.locator(".card").all():
        card.scroll_into_view_if_needed()  # the images load lazily, as they come into view
    # The images arrive, from the gateway's /content, each checked against its CID there.
    page.wait_for_function(LOADED, arg=".card-cover img")
    assert page.locator(".card-cover img").count() >= 3  # the garden, the tools, the zine
    page.evaluate("document.fonts.ready")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "list.png"), full_page=True)


def test_the_list_filters_by_state(visit: Visit, demo: Demo) -> None:
    page = visit("/", wallet=False)
    expect(page.locator(".card")).not_to_have_count(0)
    page.get_by_label("Show").select_option("failed")
    expect(page.get_by_role("heading", level=1)).to_have_text("Failed campaigns")
    expect(page.locator(".card").filter(has_text="Repair cafe tools")).to_have_count(1)
    expect(page.locator(".card .badge")).to_have_text(["Failed"] * page.locator(".card").count())
    assert page.url.endswith("#/?state=failed")
    page.get_by_label("Show").select_option("")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns")
    expect(page.locator(".card .badge:not([data-state=failed])").first).to_be_visible()
    assert page.url.endswith("#/")


def test_a_campaign_shows_its_figures_updates_and_history(visit: Visit, demo: Demo) -> None:
    garden_id = demo.ids["Community garden"]
    garden = demo.escrow.campaign(garden_id)
    page = visit("/", wallet=False)
    page.get_by_role("link", name="Community garden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community garden")
    assert page.url.endswith(f"#/campaigns/{garden_id}")
    numbers = page.locator(".numbers")
    expect(numbers.locator("[data-fact=pledged] dd")).to_have_text("5 ETH")
    expect(numbers.locator("[data-fact=goal] dd")).to_have_text("10 ETH")
    expect(numbers.locator("[data-fact=cap] dd")).to_have_text("No cap")
    expect(numbers.locator("[data-fact=backers] dd")).to_have_text("2 backers")
    assert goal_percent(page) == percent(garden.pledged, garden.goal) == 50.0
    # The deadline in the viewer's time zone (the browser's, not the machine's).
    deadline = datetime.fromtimestamp(garden.deadline, ZoneInfo(TIMEZONE))
    hour = deadline.strftime("%I").lstrip("0")
    shown = f"{deadline:%b} {deadline.day}, {deadline.year}, {hour}:{deadline:%M} {deadline:%p} {deadline:%Z}"
    expect(numbers.locator("[data-fact=deadline] dd")).to_have_text(shown)

    # The demo's update: its title, and its body and image from the gateway's /content.
    expect(page.locator(".update-list li")).to_have_count(1)
    expect(page.locator(".update-title")).to_have_text("The first beds are built")
    expect(page.locator(".update-body")).to_contain_text("Two of the twelve beds are built")
    picture = page.locator(".update-body img")
    expect(picture).to_have_attribute("src", re.compile(r"^/content/bafkrei[a-z2-7]+$"))
    picture.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=".update-body img")
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)  # newest first: bob's 2 ETH, then alice's 3 ETH
    expect(rows.nth(0)).to_contain_text("Pledged")
    expect(rows.nth(0)).to_contain_text("2 ETH")
    expect(rows.nth(1)).to_contain_text("3 ETH")
    expect(page.locator("#your-part")).to_contain_text("No wallet found in this browser")

    expect(page.locator("main")).not_to_contain_text(NOT_A_VALUE)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(SCREENSHOTS / "campaign.png"), full_page=True)


def test_a_description_the_gateway_cannot_verify_is_shown_as_its_link(visit: Visit, demo: Demo) -> None:
    creator = demo.accounts[0]

    uris: dict[int, str] = {}

    def create(uri: str) -> int:
        campaign_id = demo.escrow.create_campaign(
            creator, goal=ETHER, deadline=demo.now() + 5 * DAY, metadata_uri=uri
        )
        uris[campaign_id] = uri
        demo.retire(campaign_id)  # how its description is shown does not depend on its state
        return campaign_id

    elsewhere = create("https://garden.example/campaign.json")  # not a CID: never fetched
    missing = create(uri_of(cid_of(b'{"title": "Nowhere to be found"}')))  # no one holds it
    wrong = create(demo.publish(b'{"title": "A garden", "goal": "10 ETH"}'))  # not the schema
    demo.indexed()
    page = visit("/#/?state=cancelled", wallet=False)
    said = {
        elsewhere: (
            "unverified",
            "Described at a link this gateway does not verify: https://garden.example/campaign.json",
        ),
        missing: ("unavailable", "Loading the description…"),
        wrong: ("invalid", "This campaign’s description could not be verified:"),
    }
    for campaign_id, (status, words) in said.items():
        card = page.locator(f"[data-campaign-id='{campaign_id}']")
        expect(card.get_by_role("heading")).to_have_text(f"Campaign {campaign_id}")
        expect(card.locator(f".meta-note[data-status={status}]")).to_contain_text(words)
        expect(card.locator(".meta-note code")).to_have_text(uris[campaign_id])
        expect(card.locator("img")).to_have_count(0)
        expect(card.locator("a[href^=http]")).to_have_count(0)  # a list never leads to it
    expect(page.locator(f"[data-campaign-id='{missing}'] .cover-none")).to_have_text(
        "Loading the description…"
    )

    # On its own page an https link may be followed, by a click, in a new tab.
    page.goto(page.url.split("#")[0] + f"#/campaigns/{elsewhere}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Campaign {elsewhere}")
    link = page.locator(".meta-link a")
    expect(link).to_have_attribute("href", "https://garden.example/campaign.json")
    expect(link).to_have_attribute("rel", "noopener noreferrer nofollow")
    page.goto(page.url.split("#")[0] + "#/campaigns/999999")
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaign 999999 does not exist")


def test_the_list_pages_through_many_campaigns(visit: Visit, demo: Demo) -> None:
    # Upcoming ones, so that the other tests' lists (active, failed) stay short.
    opens = demo.now() + 10 * DAY
    for n in range(13):
        demo.escrow.create_campaign(
            demo.accounts[0],
            goal=ETHER,
            starts_at=opens,
            deadline=opens + DAY,
            metadata_uri=f"ipfs://more/{n}",
        )
    demo.indexed()
    page = visit("/#/?state=upcoming", wallet=False)
    expect(page.locator(".card")).to_have_count(12)
    expect(page.locator("#list-summary")).to_have_text("12 campaigns so far, newest first.")
    page.get_by_role("button", name="Show more campaigns").click()
    expect(page.locator(".card")).to_have_count(13)
    expect(page.locator("#list-summary")).to_have_text("13 campaigns, newest first.")
    expect(page.get_by_role("button", name="Show more campaigns")).to_be_hidden()
    ids = page.locator(".card").evaluate_all("cards => cards.map((c) => Number(c.dataset.campaignId))")
    assert ids == sorted(ids, reverse=True)
    expect(page.locator(".card").first).to_contain_text("Opens")


def test_a_campaign_whose_deadline_passes_changes_state_without_a_reload(visit: Visit, demo: Demo) -> None:
    uri = demo.describe("Bake sale", "An afternoon's bake sale.")
    # A fresh block first: anvil's clock runs on while no block is mined, and the deadline
    # must lie after the block that creates the campaign.
    demo.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    short = demo.escrow.create_campaign(
        demo.accounts[0], goal=ETHER, deadline=demo.now() + 8, metadata_uri=uri
    )
    demo.indexed()
    page = visit(f"/#/campaigns/{short}", wallet=False)
    expect(page.locator(".campaign-head .badge")).to_have_text("Active")
    time.sleep(8.5)
    demo.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]  # a block past the deadline
    demo.indexed()
    # No event marks a deadline: the page looks again when it is due.
    expect(page.locator(".campaign-head .badge")).to_have_text("Failed")
    expect(page.locator("#your-part")).to_contain_text("ended below its goal")


def test_a_description_published_late_appears_without_a_reload(visit: Visit, demo: Demo) -> None:
    document = b'{"title": "Late bloomers", "summary": "Published after the campaign was created"}'
    campaign_id = demo.escrow.create_campaign(
        demo.accounts[0], goal=ETHER, deadline=demo.now() + 5 * DAY, metadata_uri=uri_of(cid_of(document))
    )
    demo.retire(campaign_id)
    demo.indexed()
    page = visit(f"/#/campaigns/{campaign_id}", wallet=False)
    expect(page.locator(".meta-note[data-status=unavailable]")).to_contain_text("Loading the description…")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Campaign {campaign_id}")
    # The creator publishes it now; the page asks again while the gateway fetches.
    with httpx.Client(base_url=demo.gateway_url) as client:
        stored = client.post("/content", content=document, headers={"Content-Type": "application/json"})
        assert stored.status_code == 201
    expect(page.get_by_role("heading", level=1)).to_have_text("Late bloomers", timeout=30_000)
    expect(page.locator(".campaign-head .summary")).to_have_text("Published after the campaign was created")
    expect(page.locator(".meta-note")).to_have_count(0)
