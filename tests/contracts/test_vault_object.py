"""vault object: backers of a succeeded campaign object with their pledges as weight; more
than half of the pledged total halts the campaign for good at that moment."""

import pytest
from helpers import CLAIM_WINDOW, DAY, ETHER, State, assert_event, assert_no_event, eth_balance

TOTAL = 12 * ETHER
QUARTER = 3 * ETHER


@pytest.fixture
def released(vault, funded_vault, clock):
    """funded_vault after its first release (claimed, tranche 0 paid)."""
    clock.at(funded_vault.deadline)
    vault.release(funded_vault.id)
    return funded_vault


def test_an_objection_weighs_the_backers_pledge(vault, released, alice, bob):
    c = released
    tx = vault.object(c.id, {"from": bob})
    assert_event(tx, "Objected", emitter=vault, id=c.id, backer=bob, weight=3 * ETHER, objections=3 * ETHER)
    assert_no_event(tx, "Halted")
    assert vault.objectionOf(c.id, bob) == 3 * ETHER
    assert vault.objectionOf(c.id, alice) == 0
    view = vault.getCampaign(c.id)
    assert (view["objections"], view["haltedAt"]) == (3 * ETHER, 0)


def test_more_than_half_halts(vault, released, alice, bob, clock):
    c = released
    vault.object(c.id, {"from": alice})  # 6 of 12: exactly half, not more
    assert vault.getCampaign(c.id)["haltedAt"] == 0
    when = clock.at(clock.now() + 10)
    tx = vault.object(c.id, {"from": bob})
    assert_event(tx, "Objected", id=c.id, backer=bob, weight=3 * ETHER, objections=9 * ETHER)
    assert_event(tx, "Halted", emitter=vault, id=c.id, haltedAt=when, objections=9 * ETHER, pledged=TOTAL)
    view = vault.getCampaign(c.id)
    assert (view["haltedAt"], view["objections"]) == (when, 9 * ETHER)
    # what the backers share: the three tranches not due at the halt
    assert view["refundable"] == 3 * QUARTER


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_the_threshold_is_more_than_half_to_the_wei(
    vault, escrow, create_vault_campaign, alice, bob, clock, delta
):
    c = create_vault_campaign()
    escrow.pledge(c.id, 6 * ETHER + delta, {"from": alice, "value": 6 * ETHER + delta})
    escrow.pledge(c.id, 6 * ETHER - delta, {"from": bob, "value": 6 * ETHER - delta})
    clock.at(c.deadline)
    vault.release(c.id)
    tx = vault.object(c.id, {"from": alice})
    assert ("Halted" in tx.events) == (delta > 0)
    assert (vault.getCampaign(c.id)["haltedAt"] != 0) == (delta > 0)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_tranches_due_at_the_halt_still_go_to_the_creator(
    vault, released, creator, alice, bob, clock, assert_reverts, offset
):
    c = released
    vault.object(c.id, {"from": alice})
    halted_at = clock.at(c.release_at[1] + offset)
    vault.object(c.id, {"from": bob})
    clock.at(c.release_at[3] + DAY)
    before = eth_balance(creator)
    if offset < 0:
        with assert_reverts("NothingToRelease", c.id, 0):
            vault.release(c.id)
        assert eth_balance(creator) == before
        assert vault.getCampaign(c.id)["refundable"] == 3 * QUARTER
    else:
        tx = vault.release(c.id)
        assert_event(tx, "Released", id=c.id, creator=creator, amount=QUARTER, paidTranches=2)
        assert eth_balance(creator) == before + QUARTER
        assert vault.getCampaign(c.id)["refundable"] == 2 * QUARTER
        with assert_reverts("NothingToRelease", c.id, 0):
            vault.release(c.id)
    assert vault.getCampaign(c.id)["haltedAt"] == halted_at


def test_objecting_before_the_claim(vault, escrow, funded_vault, creator, alice, bob, clock):
    c = funded_vault
    clock.at(c.deadline + 5)
    vault.object(c.id, {"from": alice})
    halted_at = clock.at(c.deadline + 10)
    tx = vault.object(c.id, {"from": bob})
    assert_event(tx, "Halted", id=c.id, haltedAt=halted_at, objections=9 * ETHER, pledged=TOTAL)
    assert escrow.stateOf(c.id) == State.Succeeded
    view = vault.getCampaign(c.id)
    assert (view["collected"], view["pledged"], view["refundable"]) == (False, TOTAL, 0)
    # the first tranche (due at the deadline, before the halt) still goes to the creator
    before = eth_balance(creator)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=TOTAL, received=TOTAL)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=QUARTER, paidTranches=1)
    assert eth_balance(creator) == before + QUARTER
    assert vault.getCampaign(c.id)["refundable"] == 3 * QUARTER


def test_only_a_succeeded_campaign(
    vault, escrow, create_vault_campaign, creator, alice, clock, assert_reverts
):
    active = create_vault_campaign(goal=ETHER)
    escrow.pledge(active.id, ETHER, {"from": alice, "value": ETHER})
    with assert_reverts("CampaignNotSucceeded", active.id, State.Active):
        vault.object(active.id, {"from": alice})
    failed = create_vault_campaign(goal=10 * ETHER, deadline=active.deadline)
    escrow.pledge(failed.id, ETHER, {"from": alice, "value": ETHER})
    cancelled = create_vault_campaign(goal=ETHER, deadline=active.deadline)
    escrow.pledge(cancelled.id, ETHER, {"from": alice, "value": ETHER})
    vault.cancel(cancelled.id, {"from": creator})
    clock.at(active.deadline)
    with assert_reverts("CampaignNotSucceeded", failed.id, State.Failed):
        vault.object(failed.id, {"from": alice})
    with assert_reverts("CampaignNotSucceeded", cancelled.id, State.Cancelled):
        vault.object(cancelled.id, {"from": alice})
    vault.object(active.id, {"from": alice})  # now succeeded


def test_not_once_the_escrow_has_expired_it(
    vault, escrow, create_vault_campaign, alice, clock, assert_reverts
):
    # a schedule running past the claim window: objections would still be open by the clock
    c = create_vault_campaign(release_at=(0, 400 * DAY), share_bps=(5_000, 5_000), goal=ETHER)
    escrow.pledge(c.id, ETHER, {"from": alice, "value": ETHER})
    clock.at(c.deadline + CLAIM_WINDOW)
    with assert_reverts("CampaignNotSucceeded", c.id, State.Expired):
        vault.object(c.id, {"from": alice})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_only_while_a_tranche_is_still_to_come(vault, released, bob, clock, assert_reverts, offset):
    c = released
    last = c.release_at[-1]
    clock.at(last + offset)
    if offset < 0:
        assert vault.object(c.id, {"from": bob}).events["Objected"]["weight"] == 3 * ETHER
    else:
        with assert_reverts("NoTrancheToCome", c.id, last):
            vault.object(c.id, {"from": bob})


def test_only_backers(vault, escrow, released, outsider, creator, assert_reverts):
    c = released
    with assert_reverts("NotABacker", c.id, outsider):
        vault.object(c.id, {"from": outsider})
    with assert_reverts("NotABacker", c.id, creator):
        vault.object(c.id, {"from": creator})


def test_a_backer_who_took_its_pledge_back_before_the_deadline(
    vault, escrow, create_vault_campaign, alice, bob, clock, assert_reverts
):
    c = create_vault_campaign(goal=ETHER)
    escrow.pledge(c.id, 2 * ETHER, {"from": alice, "value": 2 * ETHER})
    escrow.pledge(c.id, ETHER, {"from": bob, "value": ETHER})
    escrow.unpledge(c.id, ETHER, {"from": bob})
    clock.at(c.deadline)
    vault.release(c.id)
    with assert_reverts("NotABacker", c.id, bob):
        vault.object(c.id, {"from": bob})
    assert vault.getCampaign(c.id)["objections"] == 0


def test_a_backer_objects_once(vault, released, bob, assert_reverts):
    c = released
    vault.object(c.id, {"from": bob})
    with assert_reverts("AlreadyObjected", c.id, bob):
        vault.object(c.id, {"from": bob})
    assert vault.getCampaign(c.id)["objections"] == 3 * ETHER


def test_halted_for_good(vault, released, alice, bob, carol, clock, assert_reverts):
    c = released
    vault.object(c.id, {"from": alice})
    halted_at = clock.of(vault.object(c.id, {"from": bob}))
    with assert_reverts("CampaignHalted", c.id, halted_at):
        vault.object(c.id, {"from": carol})
    with assert_reverts("CampaignHalted", c.id, halted_at):
        vault.withdrawObjection(c.id, {"from": bob})
    assert vault.getCampaign(c.id)["objections"] == 9 * ETHER


def test_unknown_campaign(vault, create_campaign, alice, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.object(c.id, {"from": alice})
    with assert_reverts("NotAVaultCampaign", 999):
        vault.object(999, {"from": alice})


def test_objecting_to_a_token_campaign_before_the_claim(
    vault, escrow, token, create_vault_campaign, creator, alice, bob, clock
):
    c = create_vault_campaign(token=token, goal=100, release_at=(0, 1_000), share_bps=(5_000, 5_000))
    escrow.pledge(c.id, 70, {"from": alice})
    escrow.pledge(c.id, 30, {"from": bob})
    clock.at(c.deadline + 1)
    tx = vault.object(c.id, {"from": alice})
    assert_event(tx, "Halted", id=c.id, haltedAt=c.deadline + 1, objections=70, pledged=100)
    before = token.balanceOf(creator)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=100, received=100)
    assert token.balanceOf(creator) == before + 50
    assert vault.refund(c.id, {"from": bob}).events["RefundPaid"]["amount"] == 15
