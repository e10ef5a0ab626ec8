"""ETH forced into the vault (selfdestruct) is never counted as anyone's."""

from helpers import ETHER, deploy_raw, eth_balance


def test_forced_eth_stays_out_of_the_books(vault, funded_vault, artifacts, mallory, creator, clock):
    c = funded_vault
    deploy_raw(artifacts["ForceFeeder"], vault.address, sender=mallory, value=ETHER)
    assert eth_balance(vault) == ETHER
    clock.at(c.deadline)
    tx = vault.release(c.id)
    assert tx.events["Collected"]["received"] == 12 * ETHER
    clock.at(c.release_at[-1])
    vault.release(c.id)
    assert vault.getCampaign(c.id)["released"] == 12 * ETHER
    assert eth_balance(vault) == ETHER
