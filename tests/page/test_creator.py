"""A creator starts a campaign from the page, posts an update, claims it once funded, and
cancels another."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from page_kit import Demo, Visit, local_input, status_of
from playwright.sync_api import expect
from support.gateway import gateway, wait_indexed
from web3 import Web3

from crowdfund.abi import escrow_abi
from crowdfund.demo import DAY, DEMO_CONTENT, ETHER

CREATE_JS = Path(__file__).resolve().parents[2] / "api" / "http" / "static" / "js" / "views" / "create.js"


def test_create_then_update_then_claim(visit: Visit, demo: Demo) -> None:
    erin, backer = demo.accounts[5], demo.accounts[2]
    uri = demo.describe("Tool shed roof", "Fix the leaking roof before winter.")
    page = visit("/", account=5)
    page.get_by_role("link", name="Start a campaign").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a campaign")
    page.get_by_text("Already published? Give its link instead").click()
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
    page.get_by_text("Already published? Give its link instead").click()
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


def test_a_creator_writes_the_description_and_the_page_publishes_it_first(visit: Visit, demo: Demo) -> None:
    cover = (DEMO_CONTENT / "garden-first-beds.png").read_bytes()
    page = visit("/#/new", account=5)
    uploads: list[str] = []
    page.on(
        "request", lambda r: uploads.append(r.headers["content-type"]) if r.url.endswith("/content") else None
    )
    page.get_by_label("Title", exact=True).fill("Seed library")
    page.get_by_label("Summary (optional)").fill("A shelf of seeds to borrow and bring back")
    page.get_by_label("Story (optional)").fill(
        "# Seeds\n\nSwap **seeds**, not plastic.\n\n<script>alert(1)</script>"
    )
    page.get_by_label("Image (optional)").set_input_files(
        files=[{"name": "cover.png", "mimeType": "image/png", "buffer": cover}]
    )
    page.get_by_role("button", name="Add a reward tier").click()
    expect(page.get_by_label("Tier 1: title")).to_be_focused()
    page.get_by_label("Tier 1: title").fill("A packet of seeds")
    page.get_by_label("Tier 1: least pledge").fill("0.05")
    page.get_by_label("Tier 1: what the backer gets").fill("Ten *tomato* seeds.")
    page.get_by_label("Tier 1: places (optional)").fill("10")
    page.get_by_label("Tier 1: delivery (optional)").fill("2027-04")
    page.get_by_label("Goal").fill("1")
    page.get_by_label("Deadline").fill(local_input(demo.now() + 5 * DAY))
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Seed library")
    assert uploads == ["image/png", "application/json"]  # the image first: the document names it
    campaign_id = int(re.search(r"#/campaigns/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    with httpx.Client(base_url=demo.gateway_url) as client:
        answer = client.get(f"/campaigns/{campaign_id}").json()
        assert answer["metadata_status"] == "verified" and answer["title"] == "Seed library"
        assert answer["metadata_uri"].startswith("ipfs://bafkrei")
        image = client.get(answer["image"])
        assert image.content == cover
    assert answer["metadata"]["tiers"] == [
        {
            "id": "a-packet-of-seeds",
            "title": "A packet of seeds",
            "description": "Ten *tomato* seeds.",
            "min_amount": str(ETHER // 20),
            "limit": 10,
            "delivery": "2027-04",
        }
    ]
    expect(page.locator(".story h3")).to_have_text("Seeds")
    expect(page.locator(".story")).to_contain_text("<script>alert(1)</script>")
    expect(page.locator("[data-tier=a-packet-of-seeds] .tier-places")).to_have_text("10 places left")
    image = page.locator(".campaign-cover img")
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    demo.escrow.cancel(demo.accounts[5], campaign_id)  # the active list stays the demo's


def test_the_description_is_checked_before_anything_is_sent(visit: Visit, demo: Demo) -> None:
    page = visit("/#/new", account=5)
    sent: list[str] = []
    # Nothing to the gateway: no upload, no transaction built.
    page.on(
        "request",
        lambda r: sent.append(r.url) if r.url.startswith(demo.gateway_url) and r.method == "POST" else None,
    )
    page.get_by_label("Goal").fill("1")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-title-error")).to_contain_text("Give the campaign a title")
    expect(page.get_by_label("Title", exact=True)).to_be_focused()

    page.get_by_label("Title", exact=True).fill("Right\u202etxt.exe")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-title-error")).to_contain_text("direction overrides")

    page.get_by_label("Title", exact=True).fill("A fine title")
    page.get_by_label("Image (optional)").set_input_files(
        files=[{"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": b"<svg onload='alert(1)'/>"}]
    )
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-image-error")).to_have_text(
        "logo.svg is not a PNG, JPEG or WebP image (SVG is refused: it can carry scripts)."
    )
    page.get_by_label("Image (optional)").set_input_files(
        files=[{"name": "huge.png", "mimeType": "image/png", "buffer": b"\x89PNG" + bytes(2 * 2**20)}]
    )
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#new-image-error")).to_contain_text("at most 2,097,152 (2 MiB)")
    page.get_by_label("Image (optional)").set_input_files(files=[])
    page.get_by_role("button", name="Add a reward tier").click()
    page.get_by_label("Tier 1: title").fill("A thing")
    page.get_by_label("Tier 1: least pledge").fill("0")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#tier-1-amount-error")).to_contain_text("above zero")
    page.get_by_label("Tier 1: least pledge").fill("1")
    page.get_by_label("Tier 1: places (optional)").fill("0")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#tier-1-limit-error")).to_contain_text("from 1 to 1,000,000")
    assert sent == []


def test_a_read_only_gateway_says_so_and_takes_a_link_instead(visit: Visit, demo: Demo) -> None:
    read_only = gateway(
        demo.rpc_url, demo.registry, CONTENT_UPLOADS="false", CONTENT_DIR=str(demo.content_dir)
    )
    with read_only as client:
        wait_indexed(client, demo.w3.eth.block_number)
        page = visit("/", account=5)
        try:
            page.goto(f"{str(client.base_url).rstrip('/')}/#/new")
            page.get_by_label("Title", exact=True).fill("Book swap")
            page.get_by_label("Goal").fill("1")
            page.get_by_label("Deadline").fill(local_input(demo.now() + 5 * DAY))
            page.get_by_role("button", name="Create campaign").click()
            link = page.get_by_label("Link to the campaign’s description")
            expect(page.locator("#new-uri-error")).to_contain_text("This gateway does not store content")
            expect(link).to_be_focused()
            assert "eth_sendTransaction" not in page.evaluate("window.testWallet.state.requests")

            link.fill(demo.describe("Book swap", "Bring one, take one"))
            page.get_by_role("button", name="Create campaign").click()
            expect(page.get_by_role("heading", level=1)).to_have_text("Book swap")
            campaign_id = int(re.search(r"#/campaigns/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
            demo.escrow.cancel(demo.accounts[5], campaign_id)  # the active list stays the demo's
        finally:
            page.close()  # its event stream would hold the gateway's shutdown open


def test_the_form_previews_the_description_as_the_page_will_show_it(visit: Visit, demo: Demo) -> None:
    page = visit("/#/new", account=5)
    page.get_by_label("Title", exact=True).fill("Street piano")
    page.get_by_label("Story (optional)").fill("## Why\n\nBecause *music*. <img src=x onerror=alert(1)>")
    page.get_by_label("Image (optional)").set_input_files(
        files=[
            {
                "name": "cover.png",
                "mimeType": "image/png",
                "buffer": (DEMO_CONTENT / "zine-printing-run.png").read_bytes(),
            }
        ]
    )
    page.get_by_role("button", name="Add a reward tier").click()
    page.get_by_label("Tier 1: title").fill("A tune of your choice")
    page.get_by_label("Tier 1: least pledge").fill("0.2")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("region", name="Preview")
    expect(preview.get_by_role("heading", level=2, name="Preview")).to_be_focused()
    expect(preview.locator(".preview-title")).to_have_text("Street piano")
    expect(preview.locator(".story h4")).to_have_text("Why")
    expect(preview.locator(".story em")).to_have_text("music")
    expect(preview.locator(".story")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(preview.locator(".tier-title")).to_have_text("A tune of your choice")
    expect(preview.locator(".tier-amount")).to_have_text("0.2 or more")
    page.wait_for_function("() => document.querySelector('.preview img')?.naturalWidth > 0")
    assert preview.locator("img").count() == 1  # the chosen image, and nothing from the story
