"""A campaign paid in tranches through the milestone vault: its schedule on the page, a
backer's objection and its withdrawal, a release anyone may send, a halt and the vault's
refund, and a creator asking for tranches in the create form; and the screenshot of the
schedule in docs/."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from page_kit import Demo, Visit, local_input, status_of
from playwright.sync_api import Page, expect

from crowdfund.demo import DAY, ETHER
from crowdfund.schedule import RELEASE_WINDOW, Tranche

BIKES = "Neighbourhood bike workshop"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def eth(wei: int) -> str:
    """Wei as the page writes an ETH amount (no trailing zeros)."""
    whole, fraction = divmod(wei, ETHER)
    return f"{whole:,}" + (f".{fraction:018d}".rstrip("0") if fraction else "") + " ETH"


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tranches(page: Page) -> list[str]:
    return page.locator("ol.tranches > li").evaluate_all("items => items.map((i) => i.dataset.status)")


def halves_campaign(demo: Demo, name: str, title: str, summary: str) -> int:
    """A milestone campaign paying half at its deadline and half 30 days later, backed by
    ivan (3 ETH) and judy (1 ETH), left just after its deadline."""
    creator, ivan, judy = demo.accounts[0], demo.accounts[8], demo.accounts[9]
    uri = demo.describe(title, summary)
    demo.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]  # a fresh clock
    deadline = demo.now() + 3600
    halves = (Tranche(deadline, 5000), Tranche(deadline + 30 * DAY, 5000))
    campaign_id = demo.vault.create_campaign(creator, halves, goal=ETHER, deadline=deadline, metadata_uri=uri)
    demo.escrow.pledge(ivan, campaign_id, 3 * ETHER)
    demo.escrow.pledge(judy, campaign_id, ETHER)
    demo.travel(2 * 3600)
    return campaign_id


def test_the_demo_milestone_campaign_shows_its_schedule_with_one_tranche_paid(
    visit: Visit, demo: Demo
) -> None:
    bikes = demo.ids[BIKES]
    chain = demo.vault.campaign(bikes)
    amounts = chain.amounts(chain.received)
    page = visit("/#/?state=claimed", wallet=False)
    card = page.locator(f"[data-campaign-id='{bikes}']")
    expect(card.locator(".card-tranches")).to_have_text("Paid in tranches: 1 of 3 paid")
    card.get_by_role("link", name=BIKES).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BIKES)
    expect(page.locator(".campaign-head .badge")).to_have_text("Claimed")
    expect(page.get_by_role("heading", level=2, name="Milestones")).to_be_visible()

    rows = page.locator("section.milestones ol.tranches > li")
    expect(rows).to_have_count(3)
    expect(rows.locator(".tranche-status")).to_have_text(["Paid", "Upcoming", "Upcoming"])
    expect(rows.locator(".tranche-share")).to_have_text(["40%", "30%", "30%"])
    expect(rows.locator(".tranche-amount")).to_have_text([eth(a) for a in amounts])
    assert amounts == [14 * ETHER // 10, 105 * ETHER // 100, 105 * ETHER // 100]  # of 3.5 ETH
    # Each date is the chain's, in the viewer's zone; the first falls at the deadline.
    stamps = rows.locator("time").evaluate_all("times => times.map((t) => t.getAttribute('datetime'))")
    assert stamps == [iso(t.release_at) for t in chain.tranches]
    expect(rows.first).to_contain_text("At the deadline")

    expect(page.locator("[data-fact=released] dd")).to_have_text(eth(chain.released))
    expect(page.locator("[data-fact=unreleased] dd")).to_have_text(eth(chain.received - chain.released))
    assert chain.paid_tranches == 1 and chain.halted_at == 0
    expect(page.locator("[data-fact=halted]")).to_have_count(0)
    expect(page.locator("[data-fact=creator] dd")).to_contain_text("paid in tranches by the milestone vault")
    expect(page.locator("#your-part")).to_contain_text("the milestone vault holds the funds")
    # The history names who claimed: the vault, which the escrow knows as the creator.
    expect(page.locator("tr[data-kind=claimed] td").nth(1)).to_have_text("Collected by the milestone vault")
    page.evaluate("document.fonts.ready")
    page.locator("section.milestones").screenshot(path=str(SCREENSHOTS / "milestones.png"))


def test_a_backer_objects_to_the_rest_of_the_schedule_then_withdraws(visit: Visit, demo: Demo) -> None:
    bikes, bob = demo.ids[BIKES], demo.accounts[2]
    pledged = demo.escrow.campaign(bikes).pledged
    assert demo.escrow.pledge_of(bikes, bob) == ETHER and demo.vault.objection_of(bikes, bob) == 0
    page = visit(f"/#/campaigns/{bikes}", account=2)
    page.get_by_role("button", name="Connect wallet").first.click()
    objecting = page.get_by_role("button", name="Object to the rest of the schedule")
    # What it means is said beside it, and read out with it.
    expect(objecting).to_have_accessible_description(
        "If backers holding more than half of the pledged total object, the campaign halts for good: "
        "no tranche due after that is paid, and each backer can take back its share of those."
    )
    objecting.click()
    expect(status_of(page)).to_contain_text(f"Confirmed: Object to the rest of the schedule of “{BIKES}”")
    expect(page.locator("#your-objection")).to_have_text(
        "You object to the rest of the schedule, with your pledge of 1 ETH."
    )
    assert demo.vault.objection_of(bikes, bob) == ETHER
    share = ETHER * 10_000 // pledged  # 28.57% of 3.5 ETH: not enough to halt
    expect(page.locator("[data-fact=objections] dd")).to_have_text(
        f"{share // 100}.{share % 100:02d}% of the pledged total"
    )
    assert demo.vault.campaign(bikes).halted_at == 0
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(["Paid", "Upcoming", "Upcoming"])

    page.get_by_role("button", name="Withdraw my objection").click()
    expect(status_of(page)).to_contain_text(f"Confirmed: Withdraw your objection to “{BIKES}”")
    expect(page.locator("#your-objection")).to_have_count(0)
    expect(objecting).to_be_visible()
    expect(page.locator("[data-fact=objections] dd")).to_have_text("0% of the pledged total")
    assert demo.vault.objection_of(bikes, bob) == 0


def test_a_due_tranche_is_released_and_a_halt_opens_the_vaults_refunds(visit: Visit, demo: Demo) -> None:
    ivan, judy = demo.accounts[8], demo.accounts[9]
    ovens = halves_campaign(demo, "ovens", "Bakery ovens", "Two ovens for the co-op bakery.")
    demo.indexed()

    page = visit(f"/#/campaigns/{ovens}", account=9)
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(["Due now", "Upcoming"])
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_role("button", name="Release due tranches").click()
    expect(status_of(page)).to_contain_text("Confirmed: Release the due tranches of “Bakery ovens”")
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(["Paid", "Upcoming"])
    expect(page.get_by_role("button", name="Release due tranches")).to_have_count(0)
    assert demo.vault.campaign(ovens).released == 2 * ETHER

    # Ivan holds three quarters of the pledged total: his objection halts the rest, and the
    # page follows the vault's events without a reload.
    demo.vault.object(ivan, ovens)
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(
        ["Paid", "Halted: the backers’ to refund"]
    )
    expect(page.locator("[data-fact=halted]")).to_be_visible()
    expect(page.locator("#your-part")).to_contain_text("no tranche due after the halt is paid")
    # Judy pledged a quarter: a quarter of the unreleased 2 ETH, from the vault.
    before = demo.w3.eth.get_balance(judy)
    page.get_by_role("button", name="Refund my 0.5 ETH").click()
    expect(status_of(page)).to_contain_text("Confirmed: Refund 0.5 ETH from “Bakery ovens”")
    assert demo.vault.refund_of(ovens, judy) == (True, ETHER // 2)
    assert demo.w3.eth.get_balance(judy) > before + ETHER // 2 * 99 // 100  # less the gas
    expect(page.locator("[data-fact=vault-refunded] dd")).to_have_text("0.5 ETH of 2 ETH")


@pytest.mark.moves_clock_far
def test_a_tranche_left_unreleased_lapses_back_to_the_backers(visit: Visit, demo: Demo) -> None:
    judy = demo.accounts[9]
    kiln = halves_campaign(demo, "kiln", "Pottery kiln", "A kiln for the pottery club.")
    demo.vault.release(judy, kiln)  # 2 ETH to the creator; the second half stays unreleased
    demo.travel(30 * DAY + RELEASE_WINDOW)
    demo.indexed()

    page = visit(f"/#/campaigns/{kiln}", account=9)
    lapsed = "Lapsed: not released in time, the backers’ to refund"
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(["Paid", lapsed])
    expect(page.locator("#your-part")).to_contain_text("waited unreleased for 180 days")
    page.get_by_role("button", name="Connect wallet").first.click()
    expect(page.get_by_role("button", name="Release due tranches")).to_have_count(0)
    # Judy pledged a quarter: a quarter of the 2 ETH the vault did not release.
    page.get_by_role("button", name="Refund my 0.5 ETH").click()
    expect(status_of(page)).to_contain_text("Confirmed: Refund 0.5 ETH from “Pottery kiln”")
    assert demo.vault.refund_of(kiln, judy) == (True, ETHER // 2)
    refunded = " You took back 0.5 ETH from the milestone vault."
    expect(page.locator("#your-vault-refund")).to_have_text(refunded)
    expect(page.locator("[data-fact=vault-refunded] dd")).to_have_text("0.5 ETH of 2 ETH")
    # The history tells what the vault did, the lapse its first refund recorded included.
    expect(page.locator("tr[data-kind=lapsed] td").nth(1)).to_have_text(
        "A tranche lapsed unreleased: back to the backers"
    )
    expect(page.locator("tr[data-kind=vault_refunded] td").nth(1)).to_have_text("Refunded by the vault")
    expect(page.locator("tr[data-kind=released] td").nth(3)).to_have_text("2 ETH")


def test_a_creator_asks_for_tranches_and_the_vault_holds_that_schedule(visit: Visit, demo: Demo) -> None:
    heidi = demo.accounts[7]
    uri = demo.describe("Choir risers", "Risers for the community choir.")
    page = visit("/#/new", account=7)
    page.get_by_text("Already published? Give its link instead").click()
    page.get_by_label("Link to the campaign’s description").fill(uri)
    page.get_by_label("Goal").fill("2")
    page.get_by_label("Deadline").fill(local_input(demo.now() + 5 * DAY))
    schedule = page.get_by_role("group", name="Pay me in tranches (optional)")
    schedule.get_by_role("button", name="Add a tranche").click()
    expect(page.get_by_label("Tranche 1: share (%)")).to_be_focused()
    page.get_by_label("Tranche 1: share (%)").fill("25")
    expect(page.get_by_label("Tranche 1: days after the deadline")).to_have_value("0")
    schedule.get_by_role("button", name="Add a tranche").click()
    page.get_by_label("Tranche 2: share (%)").fill("75%")
    page.get_by_label("Tranche 2: days after the deadline").fill("90")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choir risers")
    expect(status_of(page)).to_contain_text("Confirmed: Create the campaign (ETH, paid in 2 tranches)")
    campaign_id = int(re.search(r"#/campaigns/(\d+)$", page.url).group(1))  # type: ignore[union-attr]
    created = demo.escrow.campaign(campaign_id)
    assert (created.creator, created.goal) == (demo.vault.address, 2 * ETHER)
    held = demo.vault.campaign(campaign_id)
    assert held.creator == heidi
    assert held.tranches == (Tranche(created.deadline, 2500), Tranche(created.deadline + 90 * DAY, 7500))
    expect(page.locator("ol.tranches .tranche-status")).to_have_text(["Upcoming", "Upcoming"])
    expect(page.locator("ol.tranches .tranche-share")).to_have_text(["25%", "75%"])
    # The real creator, not the vault, is the one the page offers the creator's tools.
    expect(page.locator("#your-part h3")).to_have_text("You created this campaign")


def test_shares_not_adding_up_to_100_percent_are_named_and_nothing_is_sent(visit: Visit, demo: Demo) -> None:
    built: list[str] = []
    page = visit("/#/new", account=7)
    page.on("request", lambda request: built.append(request.url) if "/transactions/" in request.url else None)
    page.get_by_text("Already published? Give its link instead").click()
    page.get_by_label("Link to the campaign’s description").fill("https://example.org/c.json")
    page.get_by_label("Goal").fill("1")
    for n, share in ((1, "40"), (2, "50")):
        page.get_by_role("button", name="Add a tranche").click()
        page.get_by_label(f"Tranche {n}: share (%)").fill(share)
    page.get_by_label("Tranche 2: days after the deadline").fill("30")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#schedule-error")).to_have_text("The shares add up to 90%, not 100%.")
    expect(page.get_by_label("Tranche 1: share (%)")).to_be_focused()
    expect(page.get_by_label("Tranche 1: share (%)")).to_have_attribute("aria-invalid", "true")

    # Out of order is named on its row.
    page.get_by_label("Tranche 2: share (%)").fill("60")
    page.get_by_label("Tranche 2: days after the deadline").fill("0")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.locator("#tranche-2-days-error")).to_have_text(
        "Tranche 2 must fall due after tranche 1 (0 days)."
    )
    assert built == []
    assert "eth_sendTransaction" not in page.evaluate("window.testWallet.state.requests")
