"""A contract backer re-entering unpledge / refund / claim from receive() gains nothing."""

import pytest
from helpers import ETHER, URI, ZERO_ADDRESS, State, eth_balance


@pytest.fixture
def attacker(deploy, escrow, mallory):
    return deploy("ReentrantBacker", escrow, sender=mallory)


@pytest.fixture
def campaign(escrow, create_campaign, alice, attacker, mallory):
    """100 ether goal; alice pledged 5 ether and the attacker 10 ether."""
    c = create_campaign(goal=100 * ETHER)
    escrow.pledge(c.id, 5 * ETHER, {"from": alice, "value": 5 * ETHER})
    attacker.act(escrow.pledge.encode_input(c.id, 10 * ETHER), {"from": mallory, "value": 10 * ETHER})
    assert escrow.pledgeOf(c.id, attacker) == 10 * ETHER
    return c


def attempts(attacker, decode_error):
    """What each re-entry returned, innermost first."""
    result = []
    for i in range(attacker.attemptCount()):
        ok, data = attacker.attempt(i)
        result.append((ok, None if ok else decode_error(data)))
    return result


def test_reentering_unpledge_only_moves_its_own_pledge(
    escrow, campaign, attacker, alice, mallory, decode_error
):
    attacker.arm(escrow.unpledge.encode_input(campaign.id, 4 * ETHER), 2, {"from": mallory})
    attacker.act(escrow.unpledge.encode_input(campaign.id, 4 * ETHER), {"from": mallory})

    # outer unpledge 4, first re-entry unpledges another 4 (its own money, legitimately),
    # the second finds only 2 left
    assert attempts(attacker, decode_error) == [
        (False, ("InsufficientPledge", (campaign.id, attacker.address.lower(), 2 * ETHER, 4 * ETHER))),
        (True, None),
    ]
    assert attacker.totalReceived() == 8 * ETHER
    assert eth_balance(attacker) == 8 * ETHER
    assert escrow.pledgeOf(campaign.id, attacker) == 2 * ETHER
    assert escrow.getCampaign(campaign.id)["pledged"] == 7 * ETHER
    assert eth_balance(escrow) == 7 * ETHER

    before = eth_balance(alice)
    escrow.unpledge(campaign.id, 5 * ETHER, {"from": alice})
    assert eth_balance(alice) == before + 5 * ETHER
    assert eth_balance(escrow) == 2 * ETHER


def test_reentering_unpledge_for_everything_twice_fails(escrow, campaign, attacker, mallory, decode_error):
    attacker.arm(escrow.unpledge.encode_input(campaign.id, 10 * ETHER), 1, {"from": mallory})
    attacker.act(escrow.unpledge.encode_input(campaign.id, 10 * ETHER), {"from": mallory})
    assert attempts(attacker, decode_error) == [
        (False, ("InsufficientPledge", (campaign.id, attacker.address.lower(), 0, 10 * ETHER))),
    ]
    assert eth_balance(attacker) == 10 * ETHER
    assert eth_balance(escrow) == 5 * ETHER
    assert escrow.getCampaign(campaign.id)["pledged"] == 5 * ETHER


def test_reentering_refund_gets_nothing_more(
    escrow, campaign, attacker, creator, alice, mallory, decode_error
):
    escrow.cancel(campaign.id, {"from": creator})
    attacker.arm(escrow.refund.encode_input(campaign.id), 3, {"from": mallory})
    attacker.act(escrow.refund.encode_input(campaign.id), {"from": mallory})

    assert attempts(attacker, decode_error) == [
        (False, ("NothingToRefund", (campaign.id, attacker.address.lower()))),
    ]
    assert eth_balance(attacker) == 10 * ETHER
    assert escrow.pledgeOf(campaign.id, attacker) == 0
    assert eth_balance(escrow) == 5 * ETHER

    before = eth_balance(alice)
    escrow.refund(campaign.id, {"from": alice})
    assert eth_balance(alice) == before + 5 * ETHER
    assert eth_balance(escrow) == 0


def test_reentering_refund_after_deadline_of_failed_campaign(
    escrow, campaign, attacker, mallory, clock, decode_error
):
    clock.at(campaign.deadline)
    attacker.arm(escrow.refund.encode_input(campaign.id), 1, {"from": mallory})
    attacker.act(escrow.refund.encode_input(campaign.id), {"from": mallory})
    assert attempts(attacker, decode_error) == [
        (False, ("NothingToRefund", (campaign.id, attacker.address.lower()))),
    ]
    assert eth_balance(attacker) == 10 * ETHER
    assert eth_balance(escrow) == 5 * ETHER


@pytest.fixture
def attacker_campaign(escrow, attacker, mallory, alice, bob, create_campaign, clock):
    """The attacker created a 6 ether campaign that alice funded; bob backs another one."""
    t = clock.at(clock.now() + 1)
    tx = attacker.act(
        escrow.createCampaign.encode_input(ZERO_ADDRESS, 6 * ETHER, 0, 0, t + 1000, URI), {"from": mallory}
    )
    cid = tx.events["CampaignCreated"]["id"]
    escrow.pledge(cid, 6 * ETHER, {"from": alice, "value": 6 * ETHER})
    other = create_campaign(goal=ETHER, deadline=t + 1000)
    escrow.pledge(other.id, 3 * ETHER, {"from": bob, "value": 3 * ETHER})
    clock.at(t + 1000)
    return cid, other


def test_reentering_claim_is_refused(escrow, attacker, attacker_campaign, mallory, decode_error):
    cid, other = attacker_campaign
    attacker.arm(escrow.claim.encode_input(cid), 1, {"from": mallory})
    attacker.act(escrow.claim.encode_input(cid), {"from": mallory})

    assert attempts(attacker, decode_error) == [(False, ("AlreadyClaimed", (cid,)))]
    assert eth_balance(attacker) == 6 * ETHER
    assert eth_balance(escrow) == 3 * ETHER
    assert escrow.stateOf(cid) == State.Claimed


def test_reentering_refund_from_claim_is_refused(escrow, attacker, attacker_campaign, mallory, decode_error):
    cid, other = attacker_campaign
    attacker.arm(escrow.refund.encode_input(cid), 1, {"from": mallory})
    attacker.act(escrow.claim.encode_input(cid), {"from": mallory})

    # the claim is booked before the payment, so the campaign already reads as Claimed
    assert attempts(attacker, decode_error) == [(False, ("RefundsNotOpen", (cid, State.Claimed)))]
    assert eth_balance(attacker) == 6 * ETHER
    assert eth_balance(escrow) == 3 * ETHER


def test_reentering_another_campaign_only_moves_its_own_money(
    escrow, create_campaign, campaign, attacker, creator, mallory, decode_error
):
    other = create_campaign(goal=ETHER)
    attacker.act(escrow.pledge.encode_input(other.id, 2 * ETHER), {"from": mallory, "value": 2 * ETHER})
    escrow.cancel(other.id, {"from": creator})
    attacker.arm(escrow.refund.encode_input(other.id), 1, {"from": mallory})
    attacker.act(escrow.unpledge.encode_input(campaign.id, 10 * ETHER), {"from": mallory})

    assert attempts(attacker, decode_error) == [(True, None)]
    assert eth_balance(attacker) == 12 * ETHER
    assert escrow.pledgeOf(campaign.id, attacker) == escrow.pledgeOf(other.id, attacker) == 0
    assert eth_balance(escrow) == 5 * ETHER


def test_a_refund_has_written_the_total_before_it_pays(escrow, campaign, attacker, creator, mallory):
    """What a backer's payout can see of the campaign already counts its refund: the total is
    written before the money leaves. Written after, anything run from the payout (the
    backer's own code, or a second backer refunding from it) would find the total overstated."""
    escrow.cancel(campaign.id, {"from": creator})
    attacker.arm(escrow.getCampaign.encode_input(campaign.id), 1, {"from": mallory})
    attacker.act(escrow.refund.encode_input(campaign.id), {"from": mallory})
    ok, data = attacker.attempt(0)
    assert ok
    seen = escrow.getCampaign.decode_output(data)
    assert seen["pledged"] == 5 * ETHER  # alice's pledge alone, during the attacker's payout
