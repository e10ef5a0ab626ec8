"""A backer of a campaign that failed takes their pledge back."""

from __future__ import annotations

from page_kit import Demo, Visit, status_of
from playwright.sync_api import expect

from crowdfund.demo import ETHER


def test_a_failed_campaign_refunds_the_backer(visit: Visit, demo: Demo) -> None:
    cafe = demo.ids["Repair cafe tools"]
    carol = demo.accounts[3]
    assert demo.escrow.pledge_of(cafe, carol) == ETHER
    balance = demo.w3.eth.get_balance(carol)
    page = visit("/#/?state=failed", account=3)
    page.get_by_role("link", name="Repair cafe tools").click()
    expect(page.locator(".campaign-head .badge")).to_have_text("Failed")
    expect(page.locator("#your-part")).to_contain_text("ended below its goal")
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 1 ETH.")
    expect(page.get_by_label("Amount to pledge (ETH)")).to_have_count(0)  # pledges are closed

    page.get_by_role("button", name="Refund my 1 ETH").click()
    expect(status_of(page)).to_contain_text("Confirmed: Refund 1 ETH from “Repair cafe tools”")
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 0 ETH.")
    expect(page.get_by_role("button", name="Refund my 1 ETH")).to_have_count(0)
    first = page.locator("table.history tbody tr").first
    expect(first).to_contain_text("Refunded")
    expect(first).to_contain_text("1 ETH")
    # The campaign still shows what it ended with (1.5 ETH, 30% of its goal), not what the
    # refund left.
    figures = page.locator(".progress-figures")
    expect(figures).to_have_text("1.5 ETH raised of 5 ETH goal, 1 ETH since refunded")
    expect(page.locator(".bar-goal .bar-label")).to_have_text("30% of the goal")
    assert demo.escrow.pledge_of(cafe, carol) == 0
    assert demo.w3.eth.get_balance(carol) > balance + ETHER * 99 // 100  # less the gas
