"""vault releaseTo: the creator has its tranches paid to another address, for a creator
that cannot receive at its own (a contract refusing ETH, an address a token refuses)."""

import pytest
from helpers import ETHER, RELEASE_WINDOW, ZERO_ADDRESS, assert_event, eth_balance

QUARTER = 3 * ETHER


def test_the_creator_has_its_due_tranches_paid_elsewhere(vault, funded_vault, creator, outsider, clock):
    c = funded_vault
    clock.at(c.release_at[1])
    before = (eth_balance(creator), eth_balance(outsider))
    tx = vault.releaseTo(c.id, outsider, {"from": creator})
    assert_event(tx, "Released", id=c.id, creator=outsider, amount=2 * QUARTER, paidTranches=2)
    assert (eth_balance(creator), eth_balance(outsider)) == (before[0], before[1] + 2 * QUARTER)


def test_only_the_creator(vault, funded_vault, creator, alice, clock, assert_reverts):
    c = funded_vault
    clock.at(c.deadline)
    with assert_reverts("NotCreator", c.id, creator, alice):
        vault.releaseTo(c.id, alice, {"from": alice})


@pytest.mark.parametrize("where", ["zero", "vault", "escrow"])
def test_never_where_nobody_could_take_it_out(
    vault, escrow, funded_vault, creator, clock, assert_reverts, where
):
    c = funded_vault
    to = {"zero": ZERO_ADDRESS, "vault": vault.address, "escrow": escrow.address}[where]
    clock.at(c.deadline)
    with assert_reverts("InvalidPayee", to):
        vault.releaseTo(c.id, to, {"from": creator})


def test_not_a_vault_campaign(vault, creator, assert_reverts):
    with assert_reverts("NotAVaultCampaign", 99):
        vault.releaseTo(99, creator, {"from": creator})


def test_the_release_window_holds_for_it_too(vault, funded_vault, creator, outsider, clock, assert_reverts):
    c = funded_vault
    clock.at(c.deadline)
    vault.release(c.id)
    closes = c.release_at[1] + RELEASE_WINDOW
    clock.at(closes)
    with assert_reverts("ReleaseWindowClosed", c.id, 1, closes):
        vault.releaseTo(c.id, outsider, {"from": creator})


def test_tokens_too(vault, escrow, token, create_vault_campaign, creator, alice, outsider, clock):
    c = create_vault_campaign(token=token, goal=100, release_at=(0, 1_000), share_bps=(2_000, 8_000))
    escrow.pledge(c.id, 100, {"from": alice})
    before = token.balanceOf(outsider)
    clock.at(c.deadline)
    vault.releaseTo(c.id, outsider, {"from": creator})
    assert token.balanceOf(outsider) == before + 20
