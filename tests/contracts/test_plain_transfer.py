"""The escrow has no receive or fallback: plain ETH and unknown calls revert."""

from helpers import ETHER, eth_balance


def test_plain_eth_is_refused(escrow, alice, assert_reverts):
    before = eth_balance(alice)
    with assert_reverts(None):
        alice.transfer(escrow, ETHER)
    assert eth_balance(escrow) == 0
    assert eth_balance(alice) == before


def test_unknown_selector_is_refused(escrow, alice, assert_reverts):
    with assert_reverts(None):
        alice.transfer(escrow, 0, data="0xdeadbeef")
    with assert_reverts(None):
        alice.transfer(escrow, ETHER, data="0xdeadbeef")
    assert eth_balance(escrow) == 0


def test_eth_with_a_non_payable_function_is_refused(escrow, create_campaign, creator, assert_reverts):
    c = create_campaign(goal=ETHER)
    with assert_reverts(None):
        creator.transfer(escrow, 1, data=escrow.cancel.encode_input(c.id))
    assert eth_balance(escrow) == 0
