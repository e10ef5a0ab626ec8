"""vault cancel and postUpdate: forwarded to the escrow for the campaign's creator only."""

import pytest
from helpers import ETHER, State, assert_event, eth_balance

UPDATE = "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


@pytest.mark.parametrize("offset", [-1, 0])
def test_the_creator_cancels_before_the_deadline(
    vault, escrow, funded_vault, creator, alice, clock, assert_reverts, offset
):
    c = funded_vault
    when = clock.at(c.deadline + offset)
    if offset == 0:
        with assert_reverts("CampaignEnded", c.id, c.deadline, when):
            vault.cancel(c.id, {"from": creator})
        return
    tx = vault.cancel(c.id, {"from": creator})
    assert_event(tx, "Cancelled", emitter=escrow, id=c.id)
    assert escrow.stateOf(c.id) == State.Cancelled
    # backers refund in the escrow, as for any campaign
    before = eth_balance(alice)
    escrow.refund(c.id, {"from": alice})
    assert eth_balance(alice) == before + 6 * ETHER


def test_only_the_creator_cancels(vault, escrow, funded_vault, creator, alice, assert_reverts):
    c = funded_vault
    with assert_reverts("NotCreator", c.id, creator, alice):
        vault.cancel(c.id, {"from": alice})
    # nor can anyone cancel it in the escrow directly: its creator there is the vault
    with assert_reverts("NotCreator", c.id, vault, creator):
        escrow.cancel(c.id, {"from": creator})
    assert escrow.stateOf(c.id) == State.Active


def test_the_creator_posts_updates(vault, escrow, funded_vault, creator, alice, assert_reverts):
    c = funded_vault
    tx = vault.postUpdate(c.id, UPDATE, {"from": creator})
    assert_event(tx, "CampaignUpdated", emitter=escrow, id=c.id, uri=UPDATE)
    with assert_reverts("NotCreator", c.id, creator, alice):
        vault.postUpdate(c.id, UPDATE, {"from": alice})


def test_unknown_campaign(vault, create_campaign, creator, assert_reverts):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.cancel(c.id, {"from": creator})
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.postUpdate(c.id, UPDATE, {"from": creator})
