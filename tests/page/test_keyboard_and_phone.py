"""Keyboard only, a phone-sized screen, and a label on every field."""

from __future__ import annotations

from page_kit import Demo, Visit, short, status_of
from playwright.sync_api import Page, expect

from crowdfund.demo import ETHER

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.id || el.outerHTML)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def tab_to(page: Page, check: str, limit: int = 40) -> None:
    """Press Tab until `check` (a JS expression over document.activeElement) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => Boolean({check}))(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {check}")


def test_a_pledge_by_keyboard_alone(visit: Visit, demo: Demo) -> None:
    garden = demo.ids["Community garden"]
    judy = demo.accounts[9]
    page = visit("/#/?state=active", account=9)
    expect(page.locator(".card")).not_to_have_count(0)
    tab_to(page, "el.textContent === 'Community garden' && el.tagName === 'A'")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Community garden")
    expect(heading).to_be_focused()  # the new view's heading takes the focus
    tab_to(page, "el.id === 'panel-connect'")
    page.keyboard.press("Enter")
    expect(page.locator("#account")).to_have_text(short(judy))
    # The connect button is gone once connected: the focus moves on to the amount field.
    expect(page.get_by_label("Amount to pledge (ETH)")).to_be_focused()
    page.keyboard.type("0.5")
    page.keyboard.press("Enter")
    expect(status_of(page)).to_contain_text("Confirmed: Pledge 0.5 ETH")
    assert demo.escrow.pledge_of(garden, judy) == ETHER // 2


def test_a_phone_sized_screen_scrolls_only_up_and_down(visit: Visit, demo: Demo) -> None:
    page = visit("/", account=9, phone=True)
    expect(page.locator(".card")).not_to_have_count(0)
    assert page.evaluate(OVERFLOW) <= 0
    page.goto(page.url.split("#")[0] + f"#/campaigns/{demo.ids['Makerspace tool library']}")
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.get_by_label("Amount to pledge (DMT)")).to_be_visible()
    expect(page.locator("table.history tbody tr")).not_to_have_count(0)
    assert page.evaluate(OVERFLOW) <= 0  # the history table scrolls inside its own box
    box = page.get_by_label("Amount to pledge (DMT)").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.goto(page.url.split("#")[0] + "#/new")
    expect(page.get_by_label("Deadline")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0


def test_every_field_has_a_label(visit: Visit, demo: Demo) -> None:
    page = visit(f"/#/campaigns/{demo.ids['Bike repair stand']}", account=0)  # the creator: every tool
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.get_by_label("Post an update: its link")).to_be_visible()
    assert page.evaluate(UNLABELLED) == []
    for path in ("#/", "#/new"):
        page.goto(page.url.split("#")[0] + path)
        expect(page.locator("main input, main select").first).to_be_visible()
        assert page.evaluate(UNLABELLED) == []
