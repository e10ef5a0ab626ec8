"""What the page says at each wallet step that does not end in a transaction: a rule that
refuses it, the user saying no, the wrong chain, no wallet at all."""

from __future__ import annotations

from page_kit import Demo, Visit, short, status_of
from playwright.sync_api import expect

from crowdfund.demo import ETHER
from crowdfund.units import ETHER as ETH
from crowdfund.units import format_amount


def test_a_pledge_refused_by_a_rule_shows_the_gateways_reason(visit: Visit, demo: Demo) -> None:
    bike = demo.ids["Bike repair stand"]
    before = demo.escrow.campaign(bike).pledged
    over = 2 * ETHER - before + ETHER // 10  # a tenth of an ETH over the 2 ETH cap
    page = visit(f"/#/campaigns/{bike}", account=8)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_label("Amount to pledge (ETH)").fill(format_amount(over, ETH).removesuffix(" ETH"))
    page.get_by_role("button", name="Pledge", exact=True).click()
    status = status_of(page)
    expect(status).to_have_attribute("data-state", "refused")
    # In the campaign's own units, not base units.
    expect(status).to_have_text(
        f"Refused: the escrow would refuse this: campaign {bike} accepts at most 2 ETH in all; "
        "this pledge would take it to 2.1 ETH."
    )
    assert "eth_sendTransaction" not in page.evaluate("window.testWallet.state.requests")
    assert demo.escrow.campaign(bike).pledged == before


def test_rejecting_in_the_wallet_is_said_and_nothing_is_sent(visit: Visit, demo: Demo) -> None:
    garden = demo.ids["Community garden"]
    ivan = demo.accounts[8]
    page = visit(f"/#/campaigns/{garden}", account=8)
    page.get_by_role("button", name="Connect wallet").first.click()
    expect(page.locator("#account")).to_have_text(short(ivan))
    page.evaluate("window.testWallet.rejectNext()")
    page.get_by_label("Amount to pledge (ETH)").fill("1")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(status_of(page)).to_have_text(
        "Rejected in your wallet: You rejected the request in your wallet; nothing was sent."
    )
    assert demo.escrow.pledge_of(garden, ivan) == 0
    # The form keeps the amount, so trying again is one click.
    expect(page.get_by_label("Amount to pledge (ETH)")).to_have_value("1")


def test_rejecting_the_connection_is_said(visit: Visit, demo: Demo) -> None:
    page = visit("/", account=8)
    page.evaluate("window.testWallet.rejectNext()")
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#wallet-status")).to_have_text(
        "You rejected the request in your wallet; nothing was sent."
    )
    expect(page.locator("#wallet").get_by_role("button", name="Connect wallet")).to_be_visible()


def test_a_wallet_on_another_chain_is_asked_to_switch(visit: Visit, demo: Demo) -> None:
    chain_id = demo.w3.eth.chain_id
    page = visit(f"/#/campaigns/{demo.ids['Community garden']}", account=8, wallet_chain=1)
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#your-part")).to_contain_text(
        f"Your wallet is on chain 1; this escrow lives on chain {chain_id}."
    )
    page.locator("#your-part").get_by_role("button", name=f"Switch to chain {chain_id}").click()
    expect(page.locator("#account")).to_have_text(short(demo.accounts[8]))
    expect(page.get_by_label("Amount to pledge (ETH)")).to_be_visible()


def test_a_wallet_that_does_not_know_the_chain_is_told_to_add_it(visit: Visit, demo: Demo) -> None:
    chain_id = demo.w3.eth.chain_id
    page = visit("/", account=8, wallet_chain=1, known_chains=[1])
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    page.locator("#wallet").get_by_role("button", name=f"Switch to chain {chain_id}").click()
    expect(page.locator("#wallet-status")).to_have_text(
        f"Your wallet does not know chain {chain_id}: add that network to the wallet, then switch to it."
    )


def test_a_connected_wallet_is_remembered_after_a_reload(visit: Visit, demo: Demo) -> None:
    page = visit("/", account=8)
    page.locator("#wallet").get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#account")).to_have_text(short(demo.accounts[8]))
    page.reload()
    expect(page.locator("#account")).to_have_text(short(demo.accounts[8]))
