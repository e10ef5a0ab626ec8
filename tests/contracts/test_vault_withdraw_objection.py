"""vault withdrawObjection: a backer takes its objection back while the campaign is not halted."""

import pytest
from helpers import ETHER, assert_event


@pytest.fixture
def released(vault, funded_vault, clock):
    clock.at(funded_vault.deadline)
    vault.release(funded_vault.id)
    return funded_vault


def test_withdrawing_takes_the_weight_back(vault, released, bob, carol):
    c = released
    vault.object(c.id, {"from": bob})
    vault.object(c.id, {"from": carol})
    tx = vault.withdrawObjection(c.id, {"from": bob})
    assert_event(
        tx, "ObjectionWithdrawn", emitter=vault, id=c.id, backer=bob, weight=3 * ETHER, objections=3 * ETHER
    )
    assert vault.objectionOf(c.id, bob) == 0
    assert vault.objectionOf(c.id, carol) == 3 * ETHER
    assert vault.getCampaign(c.id)["objections"] == 3 * ETHER


def test_a_withdrawn_objection_no_longer_counts_towards_a_halt(vault, released, alice, bob):
    c = released
    vault.object(c.id, {"from": bob})
    vault.withdrawObjection(c.id, {"from": bob})
    tx = vault.object(c.id, {"from": alice})  # 6 of 12: half, not more
    assert "Halted" not in tx.events
    assert vault.getCampaign(c.id)["haltedAt"] == 0


def test_objecting_again_after_withdrawing(vault, released, bob):
    c = released
    vault.object(c.id, {"from": bob})
    vault.withdrawObjection(c.id, {"from": bob})
    tx = vault.object(c.id, {"from": bob})
    assert_event(tx, "Objected", id=c.id, backer=bob, weight=3 * ETHER, objections=3 * ETHER)


def test_nothing_to_withdraw(vault, released, alice, outsider, assert_reverts):
    c = released
    with assert_reverts("NoObjection", c.id, alice):
        vault.withdrawObjection(c.id, {"from": alice})
    with assert_reverts("NoObjection", c.id, outsider):
        vault.withdrawObjection(c.id, {"from": outsider})
    vault.object(c.id, {"from": alice})
    vault.withdrawObjection(c.id, {"from": alice})
    with assert_reverts("NoObjection", c.id, alice):
        vault.withdrawObjection(c.id, {"from": alice})


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_withdrawing_stays_open_after_the_last_tranche_is_due(vault, released, bob, clock, offset):
    c = released
    vault.object(c.id, {"from": bob})
    clock.at(c.release_at[-1] + offset)
    tx = vault.withdrawObjection(c.id, {"from": bob})
    assert tx.events["ObjectionWithdrawn"]["objections"] == 0


def test_not_after_the_halt(vault, released, alice, bob, clock, assert_reverts):
    c = released
    vault.object(c.id, {"from": alice})
    halted_at = clock.of(vault.object(c.id, {"from": bob}))
    with assert_reverts("CampaignHalted", c.id, halted_at):
        vault.withdrawObjection(c.id, {"from": alice})
    assert vault.objectionOf(c.id, alice) == 6 * ETHER


def test_unknown_campaign(vault, create_campaign, alice, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.withdrawObjection(c.id, {"from": alice})
