"""A token whose transfers call back into the vault cannot slip a call into a claim or a
payment."""

import pytest
from helpers import MAX_UINT256

INCOMING, OUTGOING = 1, 2


@pytest.fixture
def hook_token(deploy, vault, escrow, deployer, accounts):
    tok = deploy("HookToken", vault, sender=deployer)
    for account in accounts[1:6]:
        tok.mint(account, 1_000, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": account})
    return tok


@pytest.fixture
def campaign(escrow, hook_token, create_vault_campaign, alice, bob):
    c = create_vault_campaign(token=hook_token, goal=100)
    escrow.pledge(c.id, 60, {"from": alice})
    escrow.pledge(c.id, 40, {"from": bob})
    return c


@pytest.mark.parametrize("call", ["release", "object", "withdrawObjection", "refund"])
def test_a_hook_during_the_claim_is_refused(vault, hook_token, campaign, deployer, clock, decode_error, call):
    c = campaign
    hook_token.arm(INCOMING, vault, getattr(vault, call).encode_input(c.id), False, {"from": deployer})
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert hook_token.hookCalls() == 1
    assert not hook_token.lastOk()
    assert decode_error(hook_token.lastResult()) == ("ReentrancyGuardReentrantCall", ())
    assert tx.events["Collected"]["received"] == 100
    assert hook_token.balanceOf(vault) == 75


def test_a_hook_during_a_refund_is_refused(
    vault, hook_token, campaign, deployer, alice, bob, clock, decode_error
):
    c = campaign
    clock.at(c.deadline)
    vault.release(c.id)
    vault.object(c.id, {"from": alice})
    hook_token.arm(OUTGOING, vault, vault.refund.encode_input(c.id), False, {"from": deployer})
    vault.refund(c.id, {"from": bob})
    assert decode_error(hook_token.lastResult()) == ("ReentrancyGuardReentrantCall", ())
    assert hook_token.balanceOf(bob) == 1_000 - 40 + 30
