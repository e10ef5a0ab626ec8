"""A contract creator's code runs when the vault pays it a tranche: what it can read of the
campaign then already counts the payment, and re-entering the vault fails."""

import pytest
from helpers import DAY, ETHER, URI, ZERO_ADDRESS


@pytest.fixture
def creator(deploy, vault, mallory):
    """A contract that creates campaigns through the vault and, when armed, calls the vault
    from its receive()."""
    return deploy("ReentrantBacker", vault, sender=mallory)


@pytest.fixture
def campaign(vault, escrow, creator, mallory, alice, clock):
    """Created by the contract, in two halves (at the deadline, a day after); alice pledged
    10 ether; the deadline is the next block's time."""
    deadline = clock.now() + 30 * DAY
    data = vault.createCampaign.encode_input(
        ZERO_ADDRESS, 10 * ETHER, 0, 0, deadline, URI, [0, deadline + DAY], [5_000, 5_000]
    )
    campaign_id = creator.act(data, {"from": mallory}).events["VaultCampaignCreated"]["id"]
    escrow.pledge(campaign_id, 10 * ETHER, {"from": alice, "value": 10 * ETHER})
    clock.at(deadline)
    return campaign_id


def test_a_release_is_booked_before_it_pays(vault, campaign, creator, alice, mallory):
    """Written after the payment, the paid tranches would read as not yet paid from the
    creator's own code (or a token's hook) while it is paid."""
    creator.arm(vault.getCampaign.encode_input(campaign), 1, {"from": mallory})
    vault.release(campaign, {"from": alice})
    ok, data = creator.attempt(0)
    assert ok
    seen = vault.getCampaign.decode_output(data)
    assert (seen["paidTranches"], seen["released"]) == (1, 5 * ETHER)
    assert creator.totalReceived() == 5 * ETHER


def test_re_entering_release_from_the_payment_fails(vault, campaign, creator, alice, mallory, decode_error):
    creator.arm(vault.release.encode_input(campaign), 1, {"from": mallory})
    vault.release(campaign, {"from": alice})
    ok, data = creator.attempt(0)
    assert (ok, decode_error(data)) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert creator.totalReceived() == 5 * ETHER
