"""vault views: a campaign's creator, schedule, money, objections and halt; a backer's
objection and refund."""

from brownie import web3
from helpers import DAY, ETHER, MAX_AMOUNT, MAX_TRANCHES, RELEASE_WINDOW, ZERO_ADDRESS


def test_a_campaign_through_its_life(vault, escrow, funded_vault, creator, alice, bob, carol, clock):
    c = funded_vault
    assert vault.escrow() == escrow
    view = vault.getCampaign(c.id)
    assert (view["creator"], view["token"], view["deadline"]) == (creator, ZERO_ADDRESS, c.deadline)
    assert tuple(view["releaseAt"]) == c.release_at
    assert tuple(view["shareBps"]) == c.share_bps

    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})
    view = vault.getCampaign(c.id)
    assert (view["collected"], view["pledged"], view["received"]) == (True, 12 * ETHER, 12 * ETHER)
    assert (view["released"], view["paidTranches"], view["objections"]) == (3 * ETHER, 1, 6 * ETHER)
    assert (view["haltedAt"], view["refundable"], view["refunded"]) == (0, 0, 0)
    # tranche 1 is the next to pay: it may wait 180 days once due
    assert (view["releaseClosesAt"], view["lapsed"]) == (c.release_at[1] + RELEASE_WINDOW, False)
    assert vault.objectionOf(c.id, alice) == 6 * ETHER
    assert tuple(vault.refundOf(c.id, alice)) == (False, 0)

    halted_at = clock.of(vault.object(c.id, {"from": bob}))
    vault.refund(c.id, {"from": carol})
    view = vault.getCampaign(c.id)
    assert (view["haltedAt"], view["objections"], view["refundable"]) == (halted_at, 9 * ETHER, 9 * ETHER)
    assert view["refunded"] == 9 * ETHER // 4
    # halted before tranche 1 was due: nothing is left for the creator to release
    assert (view["releaseClosesAt"], view["lapsed"]) == (0, False)
    assert tuple(vault.refundOf(c.id, carol)) == (True, 9 * ETHER // 4)
    assert vault.objectionOf(c.id, carol) == 0


def test_a_full_schedule_spans_three_slots(vault, create_vault_campaign):
    offsets = tuple(i * DAY for i in range(MAX_TRANCHES))
    shares = (1_000,) * 9 + (500, 250, 250)
    c = create_vault_campaign(release_at=offsets, share_bps=shares)
    view = vault.getCampaign(c.id)
    assert tuple(view["releaseAt"]) == c.release_at
    assert tuple(view["shareBps"]) == shares


def test_unknown_campaign(vault, create_campaign, alice, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.objectionOf(c.id, alice)
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.refundOf(c.id, alice)


def test_totals_at_the_limit_are_kept_whole(vault, escrow, create_vault_campaign, alice, bob, clock):
    """The vault packs a campaign's total and its objections in 104 bits each: a campaign
    holding 2^104 - 1, the most the escrow lets a campaign hold, reads back to the unit."""
    for backer in (alice, bob):
        web3.provider.make_request("anvil_setBalance", [backer.address, hex(2**105)])
    c = create_vault_campaign(goal=MAX_AMOUNT)
    bobs = 2**102
    escrow.pledge(c.id, MAX_AMOUNT - bobs, {"from": alice, "value": MAX_AMOUNT - bobs})
    escrow.pledge(c.id, bobs, {"from": bob, "value": bobs})

    clock.at(c.deadline)
    vault.release(c.id)
    halted_at = clock.of(vault.object(c.id, {"from": alice}))  # three quarters object: halted
    view = vault.getCampaign(c.id)
    first = MAX_AMOUNT * 2_500 // 10_000
    assert (view["pledged"], view["received"], view["released"]) == (MAX_AMOUNT, MAX_AMOUNT, first)
    assert (view["objections"], view["haltedAt"]) == (MAX_AMOUNT - bobs, halted_at)
    assert view["refundable"] == MAX_AMOUNT - first
    assert vault.objectionOf(c.id, alice) == MAX_AMOUNT - bobs

    vault.refund(c.id, {"from": bob})
    bobs_refund = bobs * (MAX_AMOUNT - first) // MAX_AMOUNT
    assert tuple(vault.refundOf(c.id, bob)) == (True, bobs_refund)
    # An objector's record holds its weight and its refund side by side, both kept whole.
    vault.refund(c.id, {"from": alice})
    assert tuple(vault.refundOf(c.id, alice)) == (True, MAX_AMOUNT - first - bobs_refund)
    assert vault.objectionOf(c.id, alice) == MAX_AMOUNT - bobs
