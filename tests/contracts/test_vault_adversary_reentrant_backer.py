"""A contract backer re-entering the vault from receive() gains nothing."""

import pytest
from helpers import ETHER, eth_balance


@pytest.fixture
def attacker(deploy, vault, mallory):
    return deploy("ReentrantBacker", vault, sender=mallory)


@pytest.fixture
def halted(vault, escrow, create_vault_campaign, attacker, alice, mallory, clock):
    """The attacker (7 ether, pledged for it by alice) and alice (3 ether) back a campaign;
    the attacker's objection halts it after the first tranche."""
    c = create_vault_campaign()
    escrow.pledgeFor(c.id, attacker, 7 * ETHER, {"from": alice, "value": 7 * ETHER})
    escrow.pledge(c.id, 3 * ETHER, {"from": alice, "value": 3 * ETHER})
    clock.at(c.deadline)
    vault.release(c.id)
    attacker.act(vault.object.encode_input(c.id), {"from": mallory})
    assert vault.getCampaign(c.id)["haltedAt"] != 0
    return c


def attempts(attacker, decode_error):
    result = []
    for i in range(attacker.attemptCount()):
        ok, data = attacker.attempt(i)
        result.append((ok, None if ok else decode_error(data)))
    return result


@pytest.mark.parametrize("reentry", ["refund", "release", "object", "withdrawObjection"])
def test_reentering_from_a_refund_fails(vault, halted, attacker, alice, mallory, decode_error, reentry):
    c = halted
    attacker.arm(getattr(vault, reentry).encode_input(c.id), 1, {"from": mallory})
    attacker.act(vault.refund.encode_input(c.id), {"from": mallory})
    assert attempts(attacker, decode_error) == [(False, ("ReentrancyGuardReentrantCall", ()))]
    assert attacker.totalReceived() == 7 * ETHER * 3 // 4
    before = eth_balance(alice)
    vault.refund(c.id, {"from": alice})
    assert eth_balance(alice) == before + 3 * ETHER * 3 // 4
    assert eth_balance(vault) == 0


def test_a_refund_is_booked_before_it_pays(vault, halted, attacker, mallory):
    """What a backer's payout can see of the campaign already counts its refund: the vault
    writes what is left before the money leaves. Written after, a view read from the payout
    (the backer's own code, a token's hook) would find the refund not yet taken."""
    c = halted
    attacker.arm(vault.getCampaign.encode_input(c.id), 1, {"from": mallory})
    attacker.act(vault.refund.encode_input(c.id), {"from": mallory})
    ok, data = attacker.attempt(0)
    assert ok
    seen = vault.getCampaign.decode_output(data)
    mine = 7 * ETHER * 3 // 4
    assert seen["refunded"] == mine == vault.getCampaign(c.id)["refunded"]
