"""A creator starts a campaign from the page, posts an update, claims it once funded, and
cancels another."""

from __future__ import annotations

import re
from pathlib import Path

from page_kit import Demo, Visit, local_input, status_of
from playwright.sync_api import expect
from web3 import Web3

from crowdfund.abi import escrow_abi
from crowdfund.demo import DAY, ETHER

CREATE_JS = Path(__file__).resolve().parents[2] / "api" / "http" / "static" / "js" / "views" / "create.js"


def test_create_then_update_then_claim(visit: Visit, demo: Demo) -> None:
    erin, backer = demo.accounts[5], demo.accounts[2]
    uri = demo.describe("Tool shed roof", "Fix the leaking roof before winter.")
    page = visit("/", account=5)
    page.get_by_role("link", name="Start a campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a campaign")
    page.get_by_label("Link to the campaign’s description").fill(uri)
    page.get_by_label("Goal").fill("1")
    page.get_by_label("Deadline").fill(local_input(demo.now() + 2 * 3600))
    page.get_by_role("button", name="Create campaign").click()

    # The wallet connects, signs, and the page moves to the new campaign.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Tool shed roof")
    campaign_id = int(re.search(r"#/campaigns/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    expect(status_of(page)).to_contain_text("Confirmed: Create the campaign (ETH)")
    created = demo.escrow.campaign(campaign_id)
    assert (created.creator, created.goal, created.cap) == (erin, ETHER, 0)
    expect(page.locator("#your-part h3")).to_have_text("You created this campaign")

    # Someone else pledges: the figures follow the event stream, without a reload.
    demo.escrow.pledge(backer, campaign_id, ETHER)
    expect(page.locator("[data-fact=pledged] dd")).to_have_text("1 ETH")
    expect(page.locator("[data-fact=backers] dd")).to_have_text("1 backer")

    page.get_by_label("Post an update: its link").fill("https://example.org/roof/day-1.html")
    page.get_by_role("button", name="Post update").click()
    expect(status_of(page)).to_contain_text("Confirmed: Post the update")
    expect(page.locator(".update-list a")).to_have_text("https://example.org/roof/day-1.html")

    demo.travel(3 * 3600)
    demo.indexed()
    page.reload()  # time passing on the chain is no event: a person reloads, or comes back later
    expect(page.locator(".campaign-head .badge")).to_have_text("Succeeded")
    balance = demo.w3.eth.get_balance(erin)
    page.get_by_role("button", name="Claim 1 ETH").click()
    expect(status_of(page)).to_contain_text("Confirmed: Claim 1 ETH from “Tool shed roof”")
    expect(page.locator(".campaign-head .badge")).to_have_text("Claimed")
    expect(page.get_by_role("button", name="Claim 1 ETH")).to_have_count(0)
    assert demo.escrow.campaign(campaign_id).claimed
    assert demo.w3.eth.get_balance(erin) > balance + ETHER * 99 // 100


def test_a_creator_cancels_after_confirming(visit: Visit, demo: Demo) -> None:
    creator = demo.accounts[0]
    uri = demo.describe("School mural", "Paint for the schoolyard wall.")
    campaign_id = demo.escrow.create_campaign(
        creator, goal=ETHER, deadline=demo.now() + 9 * DAY, metadata_uri=uri
    )
    demo.indexed()
    page = visit(f"/#/campaigns/{campaign_id}", account=0)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_role("button", name="Cancel this campaign…").click()
    confirm = page.get_by_role("button", name="Yes, cancel the campaign")
    expect(confirm).to_be_focused()
    confirm.click()
    expect(status_of(page)).to_contain_text("Confirmed: Cancel “School mural”")
    expect(page.locator(".campaign-head .badge")).to_have_text("Cancelled")
    assert demo.escrow.campaign(campaign_id).cancelled


def test_the_create_form_says_what_is_wrong_before_asking_the_wallet(visit: Visit, demo: Demo) -> None:
    page = visit("/#/new", account=5)
    page.get_by_label("Link to the campaign’s description").fill("https://example.org/c.json")
    page.get_by_label("Goal").fill("1.5.0")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-goal-error")).to_contain_text("is not an amount")
    expect(page.get_by_label("Goal")).to_be_focused()
    page.get_by_label("Goal").fill("2")
    page.get_by_label("Cap (optional)").fill("1")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-cap-error")).to_have_text("The cap must be at least the goal.")
    assert "eth_sendTransaction" not in page.evaluate("window.testWallet.state.requests")


def test_the_page_knows_the_created_event_by_its_abi_topic() -> None:
    (event,) = (e for e in escrow_abi() if e.get("type") == "event" and e["name"] == "CampaignCreated")
    signature = f"CampaignCreated({','.join(i['type'] for i in event['inputs'])})"
    topic = Web3.keccak(text=signature).to_0x_hex()
    assert f"CAMPAIGN_CREATED = '{topic}'" in CREATE_JS.read_text()
