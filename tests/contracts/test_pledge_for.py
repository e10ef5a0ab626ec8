"""pledgeFor: one account pays, another is credited and alone controls the pledge."""

import pytest
from helpers import ETHER, ZERO_ADDRESS, assert_event, eth_balance


@pytest.fixture
def eth_campaign(create_campaign):
    return create_campaign(goal=10 * ETHER)


def test_payer_pays_and_backer_is_credited_in_eth(escrow, eth_campaign, alice, bob):
    alice_before, bob_before = eth_balance(alice), eth_balance(bob)
    tx = escrow.pledgeFor(eth_campaign.id, bob, 2 * ETHER, {"from": alice, "value": 2 * ETHER})

    assert_event(
        tx,
        "Pledged",
        emitter=escrow,
        id=eth_campaign.id,
        backer=bob,
        payer=alice,
        amount=2 * ETHER,
        newTotal=2 * ETHER,
    )
    assert eth_balance(alice) == alice_before - 2 * ETHER
    assert eth_balance(bob) == bob_before
    assert escrow.pledgeOf(eth_campaign.id, bob) == 2 * ETHER
    assert escrow.pledgeOf(eth_campaign.id, alice) == 0


def test_payer_pays_and_backer_is_credited_in_tokens(escrow, token, create_campaign, alice, outsider):
    c = create_campaign(token=token, goal=100)
    alice_before = token.balanceOf(alice)
    tx = escrow.pledgeFor(c.id, outsider, 40, {"from": alice})

    assert_event(tx, "Pledged", id=c.id, backer=outsider, payer=alice, amount=40, newTotal=40)
    assert token.balanceOf(alice) == alice_before - 40
    assert token.balanceOf(outsider) == 0
    assert escrow.pledgeOf(c.id, outsider) == 40


def test_credits_add_to_the_backers_own_pledge(escrow, eth_campaign, alice, bob, carol):
    escrow.pledge(eth_campaign.id, 1, {"from": bob, "value": 1})
    escrow.pledgeFor(eth_campaign.id, bob, 2, {"from": alice, "value": 2})
    tx = escrow.pledgeFor(eth_campaign.id, bob, 4, {"from": carol, "value": 4})
    assert_event(tx, "Pledged", id=eth_campaign.id, backer=bob, payer=carol, amount=4, newTotal=7)
    assert escrow.pledgeOf(eth_campaign.id, bob) == 7


def test_pledge_for_oneself_is_a_plain_pledge(escrow, eth_campaign, alice):
    tx = escrow.pledgeFor(eth_campaign.id, alice, 5, {"from": alice, "value": 5})
    assert_event(tx, "Pledged", id=eth_campaign.id, backer=alice, payer=alice, amount=5, newTotal=5)
    assert escrow.pledgeOf(eth_campaign.id, alice) == 5


def test_only_the_backer_can_unpledge_and_is_paid(escrow, eth_campaign, alice, bob, assert_reverts):
    escrow.pledgeFor(eth_campaign.id, bob, 3 * ETHER, {"from": alice, "value": 3 * ETHER})
    with assert_reverts("InsufficientPledge", eth_campaign.id, alice, 0, 1):
        escrow.unpledge(eth_campaign.id, 1, {"from": alice})

    alice_before, bob_before = eth_balance(alice), eth_balance(bob)
    escrow.unpledge(eth_campaign.id, 3 * ETHER, {"from": bob})
    assert eth_balance(bob) == bob_before + 3 * ETHER
    assert eth_balance(alice) == alice_before


def test_refund_goes_to_the_backer_not_the_payer(escrow, eth_campaign, creator, alice, bob, assert_reverts):
    escrow.pledgeFor(eth_campaign.id, bob, 3 * ETHER, {"from": alice, "value": 3 * ETHER})
    escrow.cancel(eth_campaign.id, {"from": creator})
    with assert_reverts("NothingToRefund", eth_campaign.id, alice):
        escrow.refund(eth_campaign.id, {"from": alice})
    bob_before = eth_balance(bob)
    tx = escrow.refund(eth_campaign.id, {"from": bob})
    assert_event(tx, "Refunded", id=eth_campaign.id, backer=bob, amount=3 * ETHER)
    assert eth_balance(bob) == bob_before + 3 * ETHER


def test_zero_backer_is_refused(escrow, eth_campaign, alice, assert_reverts):
    with assert_reverts("InvalidBacker", ZERO_ADDRESS):
        escrow.pledgeFor(eth_campaign.id, ZERO_ADDRESS, 1, {"from": alice, "value": 1})
    # checked before anything else, even the campaign's existence
    with assert_reverts("InvalidBacker", ZERO_ADDRESS):
        escrow.pledgeFor(99, ZERO_ADDRESS, 1, {"from": alice})


def test_the_escrow_itself_is_refused_as_backer(
    escrow, token, create_campaign, eth_campaign, alice, assert_reverts
):
    # The escrow never calls unpledge or refund, so a pledge credited to it would be stuck.
    with assert_reverts("InvalidBacker", escrow.address):
        escrow.pledgeFor(eth_campaign.id, escrow, 1, {"from": alice, "value": 1})
    tok = create_campaign(token=token, goal=10)
    with assert_reverts("InvalidBacker", escrow.address):
        escrow.pledgeFor(tok.id, escrow, 5, {"from": alice})
    with assert_reverts("InvalidBacker", escrow.address):
        escrow.pledgeFor(99, escrow, 1, {"from": alice})
    assert escrow.pledgeOf(eth_campaign.id, escrow) == 0
    assert escrow.pledgeOf(tok.id, escrow) == 0


def test_same_checks_as_pledge(
    escrow, eth_campaign, token, create_campaign, alice, bob, clock, assert_reverts
):
    tok = create_campaign(token=token, goal=10, cap=10)
    with assert_reverts("WrongPaymentValue", 5, 4):
        escrow.pledgeFor(eth_campaign.id, bob, 5, {"from": alice, "value": 4})
    with assert_reverts("WrongPaymentValue", 0, 1):
        escrow.pledgeFor(tok.id, bob, 5, {"from": alice, "value": 1})
    with assert_reverts("ZeroAmount"):
        escrow.pledgeFor(tok.id, bob, 0, {"from": alice})
    with assert_reverts("CapExceeded", tok.id, 10, 11):
        escrow.pledgeFor(tok.id, bob, 11, {"from": alice})
    with assert_reverts("CampaignNotFound", 3):
        escrow.pledgeFor(3, bob, 1, {"from": alice, "value": 1})
    clock.at(eth_campaign.deadline)
    with assert_reverts("PledgesClosed", eth_campaign.id, eth_campaign.deadline, eth_campaign.deadline):
        escrow.pledgeFor(eth_campaign.id, bob, 1, {"from": alice, "value": 1})
    assert escrow.pledgeOf(eth_campaign.id, bob) == escrow.pledgeOf(tok.id, bob) == 0


def test_payer_is_the_direct_caller_not_the_transaction_origin(escrow, eth_campaign, deploy, alice, bob):
    wallet = deploy("RefusingReceiver", sender=alice)  # accepts payments: a plain contract wallet
    tx = wallet.act(
        escrow, escrow.pledgeFor.encode_input(eth_campaign.id, bob, 3), {"from": alice, "value": 3}
    )
    assert_event(
        tx, "Pledged", emitter=escrow, id=eth_campaign.id, backer=bob, payer=wallet, amount=3, newTotal=3
    )
    tx = wallet.act(escrow, escrow.pledge.encode_input(eth_campaign.id, 2), {"from": alice, "value": 2})
    assert_event(tx, "Pledged", id=eth_campaign.id, backer=wallet, payer=wallet, amount=2, newTotal=5)
    assert escrow.pledgeOf(eth_campaign.id, alice) == 0
