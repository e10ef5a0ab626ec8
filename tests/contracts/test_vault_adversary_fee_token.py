"""A token that starts taking a fee after the pledges: the vault counts what it received, so
releases and refunds never promise more than it holds and nothing is left behind."""

import pytest
from helpers import MAX_UINT256, assert_event

UNIT = 10**18


@pytest.fixture
def fee_token(deploy, escrow, deployer, accounts):
    tok = deploy("FeeSwitchToken", sender=deployer)
    for account in accounts[1:6]:
        tok.mint(account, 1_000 * UNIT, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": account})
    return tok


@pytest.fixture
def campaign(escrow, fee_token, create_vault_campaign, creator, alice, bob, carol):
    """1,000 tokens pledged with no fee (alice 500, bob 300, carol 200); then a 10% fee."""
    c = create_vault_campaign(token=fee_token, goal=1_000 * UNIT)
    for backer, amount in ((alice, 500), (bob, 300), (carol, 200)):
        escrow.pledge(c.id, amount * UNIT, {"from": backer})
    fee_token.setFeeBps(1_000, {"from": creator})
    return c


def test_releases_are_shares_of_what_arrived(vault, escrow, fee_token, campaign, creator, clock):
    c = campaign
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=1_000 * UNIT, received=900 * UNIT)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=225 * UNIT, paidTranches=1)
    assert fee_token.balanceOf(vault) == 675 * UNIT
    view = vault.getCampaign(c.id)
    assert (view["pledged"], view["received"], view["released"]) == (1_000 * UNIT, 900 * UNIT, 225 * UNIT)
    clock.at(c.release_at[-1])
    vault.release(c.id)
    assert fee_token.balanceOf(vault) == 0
    assert vault.getCampaign(c.id)["released"] == 900 * UNIT


def test_refunds_are_shares_of_what_arrived(vault, fee_token, campaign, creator, alice, bob, carol, clock):
    c = campaign
    clock.at(c.deadline)
    vault.release(c.id)  # 225 of the 900 received
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    view = vault.getCampaign(c.id)
    assert view["refundable"] == 675 * UNIT
    refunds = []
    for backer, pledge in ((alice, 500), (bob, 300), (carol, 200)):
        tx = vault.refund(c.id, {"from": backer})
        refunds.append(tx.events["RefundPaid"]["amount"])
        assert refunds[-1] == pledge * UNIT * 675 // 1_000
    assert sum(refunds) == 675 * UNIT  # never more than the unreleased share
    assert fee_token.balanceOf(vault) == 0  # released + refunded + held == received


def test_a_token_that_delivers_nothing(vault, escrow, fee_token, campaign, creator, alice, bob, clock):
    c = campaign
    fee_token.setFeeBps(10_000, {"from": creator})
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert_event(tx, "Collected", id=c.id, pledged=1_000 * UNIT, received=0)
    assert_event(tx, "Released", id=c.id, creator=creator, amount=0, paidTranches=1)
    vault.object(c.id, {"from": alice})
    vault.object(c.id, {"from": bob})
    assert vault.refund(c.id, {"from": alice}).events["RefundPaid"]["amount"] == 0
