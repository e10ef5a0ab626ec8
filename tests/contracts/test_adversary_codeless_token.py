"""An address without code is refused as a token (no silent no-op transfers)."""

import pytest
from brownie import web3
from helpers import DAY, URI, deploy_raw


def test_account_address_is_refused(escrow, creator, alice, clock, assert_reverts):
    with assert_reverts("TokenHasNoCode", alice):
        escrow.createCampaign(alice, 1, 0, 0, clock.now() + DAY, URI, {"from": creator})
    assert escrow.campaignCount() == 0


@pytest.mark.parametrize("address", ["0x0000000000000000000000000000000000000001", "0x" + "ab" * 20])
def test_precompile_and_unused_addresses_are_refused(escrow, creator, clock, assert_reverts, address):
    with assert_reverts("TokenHasNoCode", address):
        escrow.createCampaign(address, 1, 0, 0, clock.now() + DAY, URI, {"from": creator})


def test_self_destructed_contract_is_refused(escrow, artifacts, creator, mallory, clock, assert_reverts):
    gone = deploy_raw(artifacts["ForceFeeder"], mallory.address, sender=mallory)
    assert web3.eth.get_code(gone) == b""
    with assert_reverts("TokenHasNoCode", gone):
        escrow.createCampaign(gone, 1, 0, 0, clock.now() + DAY, URI, {"from": creator})
