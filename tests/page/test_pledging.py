"""A backer pledges from their own wallet, adds to the pledge, takes part of it back, and
pledges in a token (approve, then pledge); the figures follow without a reload."""

from __future__ import annotations

from page_kit import Demo, Visit, goal_percent, percent, short, status_of
from playwright.sync_api import expect

from crowdfund.demo import ETHER


def test_list_then_campaign_then_connect_then_pledge_moves_the_bar(visit: Visit, demo: Demo) -> None:
    garden_id = demo.ids["Community garden"]
    dave = demo.accounts[4]
    goal, before = demo.escrow.campaign(garden_id).goal, demo.escrow.campaign(garden_id).pledged
    page = visit("/#/?state=active", account=4)
    page.get_by_role("link", name="Community garden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community garden")
    assert goal_percent(page) == percent(before, goal)

    page.locator("#your-part").get_by_role("button", name="Connect wallet").click()
    expect(page.locator("#account")).to_have_text(short(dave))
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 0 ETH.")

    page.get_by_label("Amount to pledge (ETH)").fill("1.5")
    # The wallet's prompt stays open, then mining is held: each step can be seen.
    page.evaluate("window.testWallet.holdNext()")
    demo.w3.provider.make_request("evm_setAutomine", [False])  # type: ignore[arg-type]
    try:
        page.get_by_role("button", name="Pledge", exact=True).click()
        status = status_of(page)
        expect(status).to_have_text(
            "Waiting for your wallet: Pledge 1.5 ETH to “Community garden”: confirm it in your wallet."
        )
        expect(page.get_by_role("button", name="Pledge", exact=True)).to_be_disabled()
        page.evaluate("window.testWallet.release()")
        expect(status).to_contain_text("Pending: Pledge 1.5 ETH to “Community garden”: sent")
        tx_hash = status.locator("code").inner_text()
        assert demo.w3.eth.get_transaction(tx_hash)["from"] == dave
    finally:
        demo.w3.provider.make_request("evm_setAutomine", [True])  # type: ignore[arg-type]
        demo.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    expect(status).to_contain_text("Confirmed: Pledge 1.5 ETH to “Community garden”: done in block")
    expect(status.locator("code")).to_have_text(tx_hash)

    after = before + 3 * ETHER // 2
    assert demo.escrow.pledge_of(garden_id, dave) == 3 * ETHER // 2
    assert demo.escrow.campaign(garden_id).pledged == after
    expect(page.locator(".numbers .bar-goal progress")).to_have_attribute(
        "data-percent", f"{percent(after, goal):g}"
    )
    assert goal_percent(page) > percent(before, goal)
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 1.5 ETH.")
    first = page.locator("table.history tbody tr").first
    expect(first).to_contain_text("Pledged")
    expect(first).to_contain_text("1.5 ETH")
    expect(first).to_contain_text(short(dave))


def test_a_backer_adds_to_a_pledge_and_takes_part_back(visit: Visit, demo: Demo) -> None:
    bike = demo.ids["Bike repair stand"]
    grace = demo.accounts[6]
    page = visit(f"/#/campaigns/{bike}", account=6)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_label("Amount to pledge (ETH)").fill("0.75")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(status_of(page)).to_contain_text("Confirmed")
    page.get_by_label("Add to your pledge (ETH)").fill("0.25")
    page.get_by_role("button", name="Pledge more").click()
    expect(status_of(page)).to_contain_text("Confirmed: Pledge 0.25 ETH")
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 1 ETH.")
    assert demo.escrow.pledge_of(bike, grace) == ETHER

    expect(page.locator("[data-action=unpledge] .help")).to_have_text("You can take back up to 1 ETH now.")
    page.get_by_label("Amount to take back (ETH)").fill("0.4")
    page.get_by_role("button", name="Take back").click()
    expect(status_of(page)).to_contain_text("Confirmed: Take 0.4 ETH back from “Bike repair stand”")
    expect(page.locator("#your-pledge")).to_have_text("Your pledge: 0.6 ETH.")
    expect(page.locator("table.history tbody tr").first).to_contain_text("Took back")
    assert demo.escrow.pledge_of(bike, grace) == 6 * ETHER // 10


def test_a_token_pledge_approves_then_pledges(visit: Visit, demo: Demo) -> None:
    tools = demo.ids["Makerspace tool library"]
    heidi = demo.accounts[7]
    demo.mint(heidi, 100 * ETHER)
    before = demo.escrow.campaign(tools).pledged
    page = visit(f"/#/campaigns/{tools}", account=7)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_label("Amount to pledge (DMT)").fill("40")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(status_of(page)).to_contain_text("Confirmed: Pledge 40 DMT to “Makerspace tool library”")
    assert demo.escrow.pledge_of(tools, heidi) == 40 * ETHER
    assert demo.escrow.campaign(tools).pledged == before + 40 * ETHER
    expect(page.locator("[data-fact=pledged] dd")).to_have_text("440 DMT")
    sent = page.evaluate("window.testWallet.state.requests.filter((m) => m === 'eth_sendTransaction').length")
    assert sent == 2  # the approve, then the pledge


def test_a_refusal_reads_in_whole_tokens_and_says_what_to_change(visit: Visit, demo: Demo) -> None:
    tools = demo.ids["Makerspace tool library"]
    ivan = demo.accounts[8]  # holds the 1,000 DMT every dev account is given
    page = visit(f"/#/campaigns/{tools}", account=8)
    page.get_by_role("button", name="Connect wallet").first.click()
    page.get_by_label("Amount to pledge (DMT)").fill("1001")
    page.get_by_role("button", name="Pledge", exact=True).click()
    expect(status_of(page)).to_contain_text(
        f"{ivan} holds 1000 DMT, less than the 1001 DMT pledged: "
        "pledge at most 1000 DMT, or get more DMT first"
    )
    expect(status_of(page)).not_to_contain_text("base units")
    assert demo.escrow.pledge_of(tools, ivan) == 0
