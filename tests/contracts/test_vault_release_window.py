"""vault release window: a tranche not released within 180 days of falling due lapses, and
what the creator could still have been paid goes back to the backers, so that no money
stays in the vault for good (a creator that cannot receive, or that walked away)."""

import pytest
from helpers import DAY, ETHER, RELEASE_WINDOW, assert_event, eth_balance

TOTAL = 12 * ETHER
QUARTER = 3 * ETHER
PLEDGES = {"alice": 6 * ETHER, "bob": 3 * ETHER, "carol": 3 * ETHER}


@pytest.fixture
def released_once(vault, funded_vault, clock):
    """funded_vault claimed at its deadline, tranche 0 paid; tranches 1-3 (9 ether) unpaid."""
    c = funded_vault
    clock.at(c.deadline)
    vault.release(c.id)
    return c


@pytest.mark.parametrize("offset", [-1, 0])
def test_a_due_tranche_is_released_until_its_window_closes(
    vault, released_once, creator, clock, assert_reverts, offset
):
    c = released_once
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.at(closes + offset)
    if offset < 0:
        before = eth_balance(creator)
        tx = vault.release(c.id)  # tranches 1 to 3 are all due by then
        assert_event(tx, "Released", id=c.id, creator=creator, amount=3 * QUARTER, paidTranches=4)
        assert eth_balance(creator) == before + 3 * QUARTER
        return
    with assert_reverts("ReleaseWindowClosed", c.id, 1, closes):
        vault.release(c.id)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_refunds_open_when_the_window_closes(vault, released_once, alice, clock, assert_reverts, offset):
    c = released_once
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.mine_at(closes - 1)
    assert (vault.getCampaign(c.id)["lapsed"], vault.getCampaign(c.id)["refundable"]) == (False, 0)
    clock.at(closes + offset)
    if offset < 0:
        with assert_reverts("NotRefundable", c.id):
            vault.refund(c.id, {"from": alice})
        return
    tx = vault.refund(c.id, {"from": alice})
    assert_event(tx, "ReleaseLapsed", id=c.id, tranche=1, closedAt=closes, amount=3 * QUARTER)
    assert_event(tx, "RefundPaid", id=c.id, backer=alice, pledge=6 * ETHER, amount=6 * ETHER * 3 // 4)


def test_everything_not_released_goes_back_and_nothing_stays(
    vault, released_once, creator, alice, bob, carol, clock, assert_reverts
):
    c = released_once
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.mine_at(closes)
    view = vault.getCampaign(c.id)
    # lapsed before anyone records it: the views and the refunds agree from that second on
    assert (view["lapsed"], view["releaseClosesAt"], view["refundable"], view["refunded"]) == (
        True,
        closes,
        3 * QUARTER,
        0,
    )
    for backer, pledge in ((alice, 6 * ETHER), (bob, 3 * ETHER), (carol, 3 * ETHER)):
        before = eth_balance(backer)
        vault.refund(c.id, {"from": backer})
        assert eth_balance(backer) == before + pledge * 3 // 4
        assert tuple(vault.refundOf(c.id, backer)) == (True, pledge * 3 // 4)
    assert eth_balance(vault) == 0
    view = vault.getCampaign(c.id)
    assert (view["refundable"], view["refunded"], view["released"]) == (3 * QUARTER, 3 * QUARTER, QUARTER)
    with assert_reverts("ReleaseWindowClosed", c.id, 1, closes):
        vault.release(c.id, {"from": creator})
    with assert_reverts("AlreadyRefunded", c.id, alice):
        vault.refund(c.id, {"from": alice})


def test_objections_close_once_a_lapse_is_recorded(
    vault, escrow, create_vault_campaign, alice, bob, clock, assert_reverts
):
    c = create_vault_campaign(release_at=(0, 30 * DAY, 400 * DAY), share_bps=(2_000, 3_000, 5_000))
    escrow.pledge(c.id, 6 * ETHER, {"from": alice, "value": 6 * ETHER})
    escrow.pledge(c.id, 4 * ETHER, {"from": bob, "value": 4 * ETHER})
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": bob})
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.at(closes)
    vault.refund(c.id, {"from": alice})
    for action in (vault.object, vault.withdrawObjection):
        with assert_reverts("ReleaseWindowClosed", c.id, 1, closes):
            action(c.id, {"from": bob})


def test_a_halt_after_the_window_closed_gives_the_backers_the_same(
    vault, escrow, create_vault_campaign, alice, bob, clock
):
    """An objection after the lapse, before anyone recorded it, halts the campaign: the tranche
    that lapsed goes back to the backers all the same, beside the tranches the halt stops."""
    c = create_vault_campaign(release_at=(0, 30 * DAY, 400 * DAY), share_bps=(2_000, 3_000, 5_000))
    escrow.pledge(c.id, 6 * ETHER, {"from": alice, "value": 6 * ETHER})
    escrow.pledge(c.id, 4 * ETHER, {"from": bob, "value": 4 * ETHER})
    clock.at(c.deadline)
    vault.release(c.id)  # 2 ether paid
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.at(closes)
    vault.object(c.id, {"from": alice})  # halts: 6 of 10
    tx = vault.refund(c.id, {"from": bob})
    assert_event(tx, "ReleaseLapsed", id=c.id, tranche=1, closedAt=closes, amount=3 * ETHER)
    # 4/10 of the halted 5 ether and 4/10 of the lapsed 3 ether: its share of the 8 not released
    assert_event(tx, "RefundPaid", id=c.id, backer=bob, pledge=4 * ETHER, amount=2 * ETHER + 12 * ETHER // 10)
    vault.refund(c.id, {"from": alice})
    assert eth_balance(vault) == 0


def test_tranches_due_at_a_halt_lapse_to_every_backer(
    vault, released_once, creator, alice, bob, carol, clock, assert_reverts
):
    """Halted while tranche 1 was due and unpaid: the backers share tranches 2 and 3 at once;
    tranche 1 stays the creator's for its window, then every backer takes its part of it too,
    those who had refunded already included."""
    c = released_once
    clock.at(c.release_at[1] + 1)
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    first = vault.refund(c.id, {"from": carol}).events["RefundPaid"]["amount"]
    assert first == 3 * ETHER * 2 * QUARTER // TOTAL
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.at(closes)
    with assert_reverts("ReleaseWindowClosed", c.id, 1, closes):
        vault.release(c.id)
    clock.at(closes + 1)
    tx = vault.refund(c.id, {"from": alice})
    assert_event(tx, "ReleaseLapsed", id=c.id, tranche=1, closedAt=closes, amount=QUARTER)
    both = 6 * ETHER * 2 * QUARTER // TOTAL + 6 * ETHER * QUARTER // TOTAL
    assert_event(tx, "RefundPaid", id=c.id, backer=alice, pledge=6 * ETHER, amount=both)
    second = vault.refund(c.id, {"from": carol}).events["RefundPaid"]["amount"]
    assert second == 3 * ETHER * QUARTER // TOTAL
    vault.refund(c.id, {"from": bob})
    assert eth_balance(vault) == 0
    assert tuple(vault.refundOf(c.id, carol)) == (True, first + second)
    with assert_reverts("AlreadyRefunded", c.id, carol):
        vault.refund(c.id, {"from": carol})
    view = vault.getCampaign(c.id)
    assert (view["refundable"], view["refunded"], view["lapsed"]) == (3 * QUARTER, 3 * QUARTER, True)


def test_a_halt_with_nothing_owed_to_the_creator_never_lapses(vault, released_once, alice, bob, clock):
    c = released_once
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})  # halted before tranche 1 was due
    clock.mine_at(c.release_at[3] + RELEASE_WINDOW)
    view = vault.getCampaign(c.id)
    assert (view["releaseClosesAt"], view["lapsed"], view["refundable"]) == (0, False, 3 * QUARTER)
    assert "ReleaseLapsed" not in vault.refund(c.id, {"from": alice}).events


def test_a_schedule_paid_in_time_leaves_nothing_to_lapse(vault, released_once, alice, clock, assert_reverts):
    c = released_once
    clock.at(c.release_at[3])
    vault.release(c.id)
    clock.mine_at(c.release_at[3] + 2 * RELEASE_WINDOW)
    assert (vault.getCampaign(c.id)["releaseClosesAt"], vault.getCampaign(c.id)["lapsed"]) == (0, False)
    with assert_reverts("NotRefundable", c.id):
        vault.refund(c.id, {"from": alice})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_a_tranche_due_at_the_halts_own_second_is_owed_and_can_lapse(
    vault, released_once, alice, bob, carol, clock, offset
):
    """Halted one second before tranche 1 falls due, at its second, or one after: from its
    second on the tranche is the creator's, so it has a window and can lapse."""
    c = released_once
    vault.object(c.id, {"from": alice})
    clock.at(c.release_at[1] + offset)
    vault.object(c.id, {"from": bob})  # 9 of 12 ether: halted
    closes = c.release_at[1] + RELEASE_WINDOW
    assert vault.getCampaign(c.id)["releaseClosesAt"] == (0 if offset < 0 else closes)
    clock.at(closes)
    tx = vault.refund(c.id, {"from": carol})
    if offset < 0:  # tranches 1 to 3 were the backers' from the halt on
        assert "ReleaseLapsed" not in tx.events
        assert tx.events["RefundPaid"]["amount"] == 3 * ETHER * 3 * QUARTER // TOTAL
        return
    # tranches 2 and 3 from the halt, tranche 1 once it lapsed
    assert_event(tx, "ReleaseLapsed", id=c.id, tranche=1, closedAt=closes, amount=QUARTER)
    assert (
        tx.events["RefundPaid"]["amount"] == 3 * ETHER * 2 * QUARTER // TOTAL + 3 * ETHER * QUARTER // TOTAL
    )
