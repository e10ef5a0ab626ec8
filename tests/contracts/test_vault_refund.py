"""vault refund: once halted, each backer takes back its pledge times the unreleased share,
once; the last one takes exactly what is left."""

import pytest
from helpers import CLAIM_WINDOW, ETHER, State, assert_event, eth_balance

TOTAL = 12 * ETHER
QUARTER = 3 * ETHER


@pytest.fixture
def halted(vault, funded_vault, alice, bob, clock):
    """funded_vault claimed with tranche 0 paid, then halted by alice and bob (9 of 12 ether):
    9 ether (three tranches) are left for the backers."""
    c = funded_vault
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    return c


def test_each_backer_takes_its_share_of_what_was_not_released(vault, halted, alice, bob, carol):
    c = halted
    paid = {}
    for backer, pledge in ((alice, 6 * ETHER), (carol, 3 * ETHER), (bob, 3 * ETHER)):
        before = eth_balance(backer)
        tx = vault.refund(c.id, {"from": backer})
        amount = pledge * 3 // 4
        assert_event(tx, "RefundPaid", emitter=vault, id=c.id, backer=backer, pledge=pledge, amount=amount)
        assert eth_balance(backer) == before + amount
        assert tuple(vault.refundOf(c.id, backer)) == (True, amount)
        paid[backer] = amount
    assert eth_balance(vault) == 0
    view = vault.getCampaign(c.id)
    assert (view["refundable"], view["refunded"]) == (9 * ETHER, 9 * ETHER)


def test_refunds_open_only_after_a_halt(vault, funded_vault, alice, clock, assert_reverts):
    c = funded_vault
    with assert_reverts("NotRefundable", c.id):
        vault.refund(c.id, {"from": alice})
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})  # half: no halt
    with assert_reverts("NotRefundable", c.id):
        vault.refund(c.id, {"from": alice})


def test_once(vault, halted, alice, assert_reverts):
    c = halted
    vault.refund(c.id, {"from": alice})
    before = eth_balance(alice)
    with assert_reverts("AlreadyRefunded", c.id, alice):
        vault.refund(c.id, {"from": alice})
    assert eth_balance(alice) == before


def test_only_backers(vault, halted, outsider, creator, assert_reverts):
    c = halted
    with assert_reverts("NotABacker", c.id, outsider):
        vault.refund(c.id, {"from": outsider})
    with assert_reverts("NotABacker", c.id, creator):
        vault.refund(c.id, {"from": creator})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_halt_time_decides_the_share(vault, funded_vault, creator, alice, bob, clock, offset):
    c = funded_vault
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})
    clock.at(c.release_at[1] + offset)
    vault.object(c.id, {"from": bob})
    left = 3 * QUARTER if offset < 0 else 2 * QUARTER
    assert vault.refund(c.id, {"from": alice}).events["RefundPaid"]["amount"] == 6 * ETHER * left // TOTAL


def test_rounding_dust_goes_to_the_last_backer(
    vault, escrow, create_vault_campaign, alice, bob, carol, clock
):
    c = create_vault_campaign(release_at=(0, 10), share_bps=(5_000, 5_000), goal=3)
    for backer in (alice, bob, carol):
        escrow.pledge(c.id, 1, {"from": backer, "value": 1})
    clock.at(c.deadline)
    vault.release(c.id)  # floor(3 * 50%) = 1 wei to the creator
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    assert vault.getCampaign(c.id)["refundable"] == 2
    amounts = [vault.refund(c.id, {"from": b}).events["RefundPaid"]["amount"] for b in (alice, bob, carol)]
    # 1 * 2 / 3 -> 0; then 1 * 2 / 2 -> 1; then the last takes what is left
    assert amounts == [0, 1, 1]
    assert eth_balance(vault) == 0
    assert tuple(vault.refundOf(c.id, alice)) == (True, 0)


def test_the_first_refund_claims_from_the_escrow(vault, escrow, funded_vault, creator, alice, bob, clock):
    c = funded_vault
    clock.at(c.deadline + 100)
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    tx = vault.refund(c.id, {"from": bob})
    assert_event(tx, "Claimed", emitter=escrow, id=c.id, creator=vault, to=vault, amount=TOTAL)
    assert_event(tx, "Collected", id=c.id, pledged=TOTAL, received=TOTAL)
    assert_event(tx, "RefundPaid", id=c.id, backer=bob, pledge=3 * ETHER, amount=3 * ETHER * 3 // 4)
    # the tranche due at the deadline, before the halt, is still the creator's
    before = eth_balance(creator)
    vault.release(c.id)
    assert eth_balance(creator) == before + QUARTER


@pytest.mark.parametrize("offset", [-1, 0])
def test_a_halted_campaign_nobody_claimed_in_time_refunds_in_full_in_the_escrow(
    vault, escrow, funded_vault, alice, bob, clock, assert_reverts, offset
):
    c = funded_vault
    clock.at(c.deadline + 100)
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    closes = c.deadline + CLAIM_WINDOW
    clock.at(closes + offset)
    if offset < 0:
        assert vault.refund(c.id, {"from": alice}).events["RefundPaid"]["amount"] == 6 * ETHER * 3 // 4
        return
    with assert_reverts("ClaimWindowClosed", c.id, closes):
        vault.refund(c.id, {"from": alice})
    assert escrow.stateOf(c.id) == State.Expired
    before = eth_balance(alice)
    escrow.refund(c.id, {"from": alice})
    assert eth_balance(alice) == before + 6 * ETHER


def test_token_refund(vault, escrow, token, create_vault_campaign, alice, bob, clock):
    c = create_vault_campaign(token=token, goal=100, release_at=(0, 1_000), share_bps=(2_000, 8_000))
    escrow.pledge(c.id, 60, {"from": alice})
    escrow.pledge(c.id, 40, {"from": bob})
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})
    before = token.balanceOf(alice)
    tx = vault.refund(c.id, {"from": alice})
    assert_event(tx, "RefundPaid", id=c.id, backer=alice, pledge=60, amount=48)
    assert token.balanceOf(alice) == before + 48
    vault.refund(c.id, {"from": bob})
    assert token.balanceOf(vault) == 0


def test_unknown_campaign(vault, create_campaign, alice, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.refund(c.id, {"from": alice})
