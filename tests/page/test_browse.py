"""Reading without a wallet: the list and its filter, one campaign with its figures,
updates and history, metadata and its fallback; and the screenshots in docs/."""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from page_kit import TIMEZONE, Demo, Visit, goal_percent, percent
from playwright.sync_api import expect

from crowdfund.demo import DAY, ETHER

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# What a slip in the page's code would print instead of a figure.
NOT_A_VALUE = re.compile(r"\b(null|undefined|NaN)\b")


def test_the_list_shows_each_campaign_with_its_progress(visit: Visit, demo: Demo) -> None:
    page = visit("/", wallet=False)
    garden = page.locator(f"[data-campaign-id='{demo.ids['Community garden']}']")
    # Title and summary come from the metadata document (ipfs:// through IPFS_GATEWAY).
    expect(garden.get_by_role("heading", name="Community garden")).to_be_visible()
    expect(garden).to_contain_text("Raised beds, a water butt")
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

    # The demo's update, "The first beds are built", by its link.
    (update,) = demo.escrow.updates(garden_id, 0, demo.w3.eth.block_number)
    expect(page.locator(".update-list li")).to_have_count(1)
    expect(page.locator(".update-list a")).to_have_text(update)
    rows = page.locator("table.history tbody tr")
    expect(rows).to_have_count(2)  # newest first: bob's 2 ETH, then alice's 3 ETH
    expect(rows.nth(0)).to_contain_text("Pledged")
    expect(rows.nth(0)).to_contain_text("2 ETH")
    expect(rows.nth(1)).to_contain_text("3 ETH")
    expect(page.locator("#your-part")).to_contain_text("No wallet found in this browser")

    expect(page.locator("main")).not_to_contain_text(NOT_A_VALUE)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(SCREENSHOTS / "campaign.png"), full_page=True)


def test_a_metadata_link_that_does_not_resolve_is_shown_as_it_is(visit: Visit, demo: Demo) -> None:
    creator = demo.accounts[0]
    unresolved = demo.escrow.create_campaign(
        creator, goal=ETHER, deadline=demo.now() + 5 * DAY, metadata_uri="ipfs://bafymissing/campaign.json"
    )
    plain = demo.escrow.create_campaign(
        creator, goal=ETHER, deadline=demo.now() + 5 * DAY, metadata_uri="ar://not-a-web-address"
    )
    demo.indexed()
    page = visit(f"/#/campaigns/{unresolved}", wallet=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("ipfs://bafymissing/campaign.json")
    page.goto(page.url.replace(f"/campaigns/{unresolved}", f"/campaigns/{plain}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("ar://not-a-web-address")
    page.goto(page.url.replace(f"/campaigns/{plain}", "/campaigns/999999"))
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
    uri = demo.metadata.publish("/meta/short.json", "Bake sale", "An afternoon's bake sale.")
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
