"""claimTo: the creator takes a successful campaign's total to another address."""

import pytest
from helpers import ETHER, ZERO_ADDRESS, State, assert_event, eth_balance


@pytest.fixture
def funded(escrow, create_campaign, alice, bob):
    """An ETH campaign with 12 ether pledged on a 10 ether goal."""
    c = create_campaign(goal=10 * ETHER)
    escrow.pledge(c.id, 7 * ETHER, {"from": alice, "value": 7 * ETHER})
    escrow.pledge(c.id, 5 * ETHER, {"from": bob, "value": 5 * ETHER})
    return c


def test_the_recipient_receives_the_whole_total_and_the_event_names_it(escrow, funded, creator, carol, clock):
    creator_before, carol_before = eth_balance(creator), eth_balance(carol)
    clock.at(funded.deadline)
    tx = escrow.claimTo(funded.id, carol, {"from": creator})

    assert_event(tx, "Claimed", emitter=escrow, id=funded.id, creator=creator, to=carol, amount=12 * ETHER)
    assert eth_balance(carol) == carol_before + 12 * ETHER
    assert eth_balance(creator) == creator_before - tx.gas_used * tx.gas_price
    assert eth_balance(escrow) == 0
    view = escrow.getCampaign(funded.id)
    assert (view["state"], view["claimed"], view["pledged"]) == (State.Claimed, True, 12 * ETHER)


def test_token_claim_to(escrow, token, create_campaign, creator, alice, carol, clock):
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 100, {"from": alice})
    creator_before, carol_before = token.balanceOf(creator), token.balanceOf(carol)
    clock.at(c.deadline)
    tx = escrow.claimTo(c.id, carol, {"from": creator})
    assert_event(tx, "Claimed", id=c.id, creator=creator, to=carol, amount=100)
    assert_event(tx, "Transfer", emitter=token, **{"from": escrow, "to": carol, "value": 100})
    assert token.balanceOf(carol) == carol_before + 100
    assert token.balanceOf(escrow) == 0
    assert token.balanceOf(creator) == creator_before


def test_claim_to_the_creator_is_a_plain_claim(escrow, funded, creator, clock):
    clock.at(funded.deadline)
    tx = escrow.claimTo(funded.id, creator, {"from": creator})
    assert_event(tx, "Claimed", id=funded.id, creator=creator, to=creator, amount=12 * ETHER)


def test_the_zero_address_is_refused_before_anything_else(
    escrow, funded, creator, alice, clock, assert_reverts
):
    clock.at(funded.deadline)
    with assert_reverts("InvalidRecipient", ZERO_ADDRESS):
        escrow.claimTo(funded.id, ZERO_ADDRESS, {"from": creator})
    with assert_reverts("InvalidRecipient", ZERO_ADDRESS):
        escrow.claimTo(funded.id + 1, ZERO_ADDRESS, {"from": alice})
    assert escrow.stateOf(funded.id) == State.Succeeded


def test_the_escrow_itself_is_refused_as_recipient(
    escrow, token, create_campaign, creator, alice, clock, assert_reverts
):
    # Tokens paid to the escrow would be held by nobody's pledge, lost for good.
    c = create_campaign(token=token, goal=100)
    escrow.pledge(c.id, 100, {"from": alice})
    clock.at(c.deadline)
    with assert_reverts("InvalidRecipient", escrow.address):
        escrow.claimTo(c.id, escrow, {"from": creator})
    assert token.balanceOf(escrow) == 100
    assert escrow.stateOf(c.id) == State.Succeeded


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_claim_to_opens_exactly_at_deadline(escrow, funded, creator, carol, clock, assert_reverts, offset):
    when = clock.at(funded.deadline + offset)
    if offset < 0:
        with assert_reverts("CampaignNotEnded", funded.id, funded.deadline, when):
            escrow.claimTo(funded.id, carol, {"from": creator})
        assert eth_balance(escrow) == 12 * ETHER
    else:
        tx = escrow.claimTo(funded.id, carol, {"from": creator})
        assert clock.of(tx) == when
        assert tx.events["Claimed"]["to"] == carol


def test_same_checks_as_claim(escrow, funded, create_campaign, creator, alice, carol, clock, assert_reverts):
    short = create_campaign(goal=10 * ETHER, deadline=funded.deadline)
    escrow.pledge(short.id, 1, {"from": alice, "value": 1})
    clock.at(funded.deadline)
    with assert_reverts("NotCreator", funded.id, creator, alice):
        escrow.claimTo(funded.id, alice, {"from": alice})
    with assert_reverts("GoalNotReached", short.id, 10 * ETHER, 1):
        escrow.claimTo(short.id, carol, {"from": creator})
    with assert_reverts("CampaignNotFound", short.id + 1):
        escrow.claimTo(short.id + 1, carol, {"from": creator})
    escrow.claimTo(funded.id, carol, {"from": creator})
    with assert_reverts("AlreadyClaimed", funded.id):
        escrow.claimTo(funded.id, carol, {"from": creator})
    with assert_reverts("AlreadyClaimed", funded.id):
        escrow.claim(funded.id, {"from": creator})


def test_a_cancelled_campaign_cannot_be_claimed_to_anyone(
    escrow, funded, creator, carol, clock, assert_reverts
):
    escrow.cancel(funded.id, {"from": creator})
    clock.at(funded.deadline)
    with assert_reverts("CampaignIsCancelled", funded.id):
        escrow.claimTo(funded.id, carol, {"from": creator})


def test_after_claim_to_backers_cannot_refund(escrow, funded, creator, alice, carol, clock, assert_reverts):
    clock.at(funded.deadline)
    escrow.claimTo(funded.id, carol, {"from": creator})
    with assert_reverts("RefundsNotOpen", funded.id, State.Claimed):
        escrow.refund(funded.id, {"from": alice})
