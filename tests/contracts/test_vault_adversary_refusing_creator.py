"""A creator that refuses ETH blocks only its own payments, never the backers' refunds."""

import pytest
from helpers import DAY, ETHER, RELEASE_WINDOW, URI, ZERO_ADDRESS, eth_balance

ACCEPT, REVERT, BURN_GAS = 0, 1, 2


@pytest.fixture
def receiver(deploy, mallory):
    return deploy("RefusingReceiver", sender=mallory)


@pytest.fixture
def campaign(vault, escrow, receiver, mallory, alice, bob, clock):
    """Created by the receiver contract; alice pledged 6 ether and bob 4; then the receiver
    refuses ETH."""
    deadline = clock.now() + 30 * DAY
    data = vault.createCampaign.encode_input(
        ZERO_ADDRESS, 10 * ETHER, 0, 0, deadline, URI, [0, deadline + DAY], [5_000, 5_000]
    )
    tx = receiver.act(vault, data, {"from": mallory})
    campaign_id = tx.events["VaultCampaignCreated"]["id"]
    assert vault.getCampaign(campaign_id)["creator"] == receiver
    escrow.pledge(campaign_id, 6 * ETHER, {"from": alice, "value": 6 * ETHER})
    escrow.pledge(campaign_id, 4 * ETHER, {"from": bob, "value": 4 * ETHER})
    receiver.setMode(REVERT, {"from": mallory})
    return campaign_id, deadline


@pytest.mark.parametrize("mode", [REVERT, BURN_GAS])
def test_backers_refund_although_the_creator_refuses(
    vault, escrow, campaign, receiver, mallory, alice, bob, clock, assert_reverts, mode
):
    campaign_id, deadline = campaign
    receiver.setMode(mode, {"from": mallory})
    clock.at(deadline)
    with assert_reverts("NoThanks" if mode == REVERT else "FailedCall"):
        vault.release(campaign_id, {"from": alice, "gas_limit": 1_000_000})
    vault.object(campaign_id, {"from": alice})  # before the claim: the escrow still holds it
    for backer, pledge in ((alice, 6 * ETHER), (bob, 4 * ETHER)):
        before = eth_balance(backer)
        vault.refund(campaign_id, {"from": backer})
        assert eth_balance(backer) == before + pledge // 2
    # the first tranche stays the creator's until it accepts it
    assert eth_balance(vault) == 5 * ETHER
    receiver.setMode(ACCEPT, {"from": mallory})
    vault.release(campaign_id, {"from": bob})
    assert eth_balance(receiver) == 5 * ETHER
    assert eth_balance(vault) == 0


def test_a_creator_that_refuses_has_its_tranches_paid_elsewhere(vault, campaign, receiver, mallory, clock):
    campaign_id, deadline = campaign
    clock.at(deadline)
    before = eth_balance(mallory)
    receiver.act(vault, vault.releaseTo.encode_input(campaign_id, mallory), {"from": mallory})
    assert eth_balance(mallory) == before + 5 * ETHER


def test_what_a_creator_that_refuses_is_owed_goes_back_to_the_backers(
    vault, escrow, campaign, receiver, mallory, alice, bob, clock, assert_reverts
):
    """Paid once, then refusing for good: its next tranche lapses when its window closes
    and the backers take back everything the vault holds."""
    campaign_id, deadline = campaign
    receiver.setMode(ACCEPT, {"from": mallory})
    clock.at(deadline)
    vault.release(campaign_id, {"from": alice})
    receiver.setMode(REVERT, {"from": mallory})
    clock.at(deadline + DAY)
    with assert_reverts("NoThanks"):
        vault.release(campaign_id, {"from": alice, "gas_limit": 1_000_000})
    clock.at(deadline + DAY + RELEASE_WINDOW)
    for backer, pledge in ((alice, 6 * ETHER), (bob, 4 * ETHER)):
        before = eth_balance(backer)
        vault.refund(campaign_id, {"from": backer})
        assert eth_balance(backer) == before + pledge // 2
    assert eth_balance(vault) == 0
