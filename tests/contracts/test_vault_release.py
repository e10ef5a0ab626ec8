"""vault release: anyone pays the creator every tranche that is due; the first call claims
the funds from the escrow under the escrow's own rules."""

import pytest
from helpers import CLAIM_WINDOW, DAY, ETHER, State, assert_event, assert_no_event, eth_balance

TOTAL = 12 * ETHER
QUARTER = 3 * ETHER


def test_first_release_claims_and_pays_the_first_tranche(
    vault, escrow, funded_vault, creator, outsider, clock
):
    c = funded_vault
    before = eth_balance(creator)
    clock.at(c.deadline)
    tx = vault.release(c.id, {"from": outsider})

    assert_event(tx, "Claimed", emitter=escrow, id=c.id, creator=vault, to=vault, amount=TOTAL)
    assert_event(tx, "Collected", emitter=vault, id=c.id, pledged=TOTAL, received=TOTAL)
    assert_event(tx, "Released", emitter=vault, id=c.id, creator=creator, amount=QUARTER, paidTranches=1)
    assert eth_balance(creator) == before + QUARTER
    assert eth_balance(vault) == TOTAL - QUARTER
    assert eth_balance(escrow) == 0
    assert escrow.stateOf(c.id) == State.Claimed
    view = vault.getCampaign(c.id)
    assert (view["collected"], view["pledged"], view["received"]) == (True, TOTAL, TOTAL)
    assert (view["released"], view["paidTranches"]) == (QUARTER, 1)


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_release_opens_exactly_at_the_deadline(vault, funded_vault, clock, assert_reverts, offset):
    c = funded_vault
    when = clock.at(c.deadline + offset)
    if offset < 0:
        with assert_reverts("CampaignNotEnded", c.id, c.deadline, when):
            vault.release(c.id)
    else:
        tx = vault.release(c.id)
        assert tx.events["Released"]["amount"] == QUARTER


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_each_tranche_is_due_exactly_at_its_time(vault, funded_vault, creator, clock, assert_reverts, offset):
    c = funded_vault
    clock.at(c.deadline)
    vault.release(c.id)
    second = c.release_at[1]
    clock.at(second + offset)
    if offset < 0:
        with assert_reverts("NothingToRelease", c.id, second):
            vault.release(c.id)
    else:
        before = eth_balance(creator)
        tx = vault.release(c.id)
        assert_event(tx, "Released", id=c.id, creator=creator, amount=QUARTER, paidTranches=2)
        assert eth_balance(creator) == before + QUARTER


def test_late_release_pays_every_tranche_due_at_once(vault, funded_vault, creator, clock, assert_reverts):
    c = funded_vault
    clock.at(c.release_at[2])
    before = eth_balance(creator)
    tx = vault.release(c.id)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=3 * QUARTER, paidTranches=3)
    assert eth_balance(creator) == before + 3 * QUARTER
    with assert_reverts("NothingToRelease", c.id, c.release_at[3]):
        vault.release(c.id)
    clock.at(c.release_at[3] + 5 * DAY)
    tx = vault.release(c.id)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=QUARTER, paidTranches=4)
    assert eth_balance(vault) == 0
    with assert_reverts("NothingToRelease", c.id, 0):
        vault.release(c.id)
    assert vault.getCampaign(c.id)["released"] == TOTAL


def test_rounding_leaves_nothing_behind(vault, escrow, create_vault_campaign, creator, alice, clock):
    c = create_vault_campaign(release_at=(0, DAY, 2 * DAY), share_bps=(3_333, 3_333, 3_334), goal=1_000)
    escrow.pledge(c.id, 1_001, {"from": alice, "value": 1_001})
    clock.at(c.deadline)
    amounts = [vault.release(c.id).events["Released"]["amount"]]
    for at in c.release_at[1:]:
        clock.at(at)
        amounts.append(vault.release(c.id).events["Released"]["amount"])
    # cumulative floor(1001 * shares / 10,000): 333, 667, 1001
    assert amounts == [333, 334, 334]
    assert eth_balance(vault) == 0


def test_a_first_tranche_after_the_deadline_claims_and_pays_nothing(
    vault, escrow, create_vault_campaign, creator, alice, clock, assert_reverts
):
    c = create_vault_campaign(release_at=(DAY, 2 * DAY), share_bps=(5_000, 5_000))
    escrow.pledge(c.id, 10 * ETHER, {"from": alice, "value": 10 * ETHER})
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=10 * ETHER, received=10 * ETHER)
    assert_no_event(tx, "Released")
    assert eth_balance(vault) == 10 * ETHER
    with assert_reverts("NothingToRelease", c.id, c.deadline + DAY):
        vault.release(c.id)
    clock.at(c.deadline + DAY)
    assert vault.release(c.id).events["Released"]["amount"] == 5 * ETHER


def test_the_escrows_rules_decide_before_success(
    vault, escrow, create_vault_campaign, creator, alice, clock, assert_reverts
):
    short = create_vault_campaign(goal=10 * ETHER)
    escrow.pledge(short.id, ETHER, {"from": alice, "value": ETHER})
    cancelled = create_vault_campaign(goal=ETHER, deadline=short.deadline)
    escrow.pledge(cancelled.id, ETHER, {"from": alice, "value": ETHER})
    vault.cancel(cancelled.id, {"from": creator})
    clock.at(short.deadline)
    with assert_reverts("GoalNotReached", short.id, 10 * ETHER, ETHER):
        vault.release(short.id)
    with assert_reverts("CampaignIsCancelled", cancelled.id):
        vault.release(cancelled.id)


@pytest.mark.parametrize("offset", [-1, 0])
def test_the_claim_must_come_within_the_escrows_window(
    vault, escrow, funded_vault, clock, assert_reverts, offset
):
    c = funded_vault
    closes = c.deadline + CLAIM_WINDOW
    clock.at(closes + offset)
    if offset == 0:
        with assert_reverts("ClaimWindowClosed", c.id, closes):
            vault.release(c.id)
        assert escrow.stateOf(c.id) == State.Expired
    else:
        tx = vault.release(c.id)
        # every tranche is due by then (the last one 90 days after the deadline)
        assert_event(tx, "Released", id=c.id, creator=c.creator, amount=TOTAL, paidTranches=4)


def test_token_campaign(vault, escrow, token, create_vault_campaign, creator, alice, clock):
    c = create_vault_campaign(token=token, goal=100, release_at=(0, DAY), share_bps=(4_000, 6_000))
    escrow.pledge(c.id, 150, {"from": alice})
    before = token.balanceOf(creator)
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=150, received=150)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=60, paidTranches=1)
    assert token.balanceOf(creator) == before + 60
    assert token.balanceOf(vault) == 90
    clock.at(c.deadline + DAY)
    vault.release(c.id)
    assert token.balanceOf(creator) == before + 150
    assert token.balanceOf(vault) == 0


def test_unknown_campaign(vault, create_campaign, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.release(c.id)


def test_the_vault_takes_eth_only_from_the_escrow(vault, alice, assert_reverts):
    with assert_reverts("PaymentNotFromEscrow", alice):
        alice.transfer(vault, 1)
    assert eth_balance(vault) == 0
