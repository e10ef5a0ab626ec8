"""Backers whose receive() reverts or burns all gas block nobody but themselves."""

import pytest
from helpers import CLAIM_WINDOW, ETHER, URI, ZERO_ADDRESS, State, eth_balance

ACCEPT, REVERT, BURN = 0, 1, 2


@pytest.fixture
def refusers(deploy, mallory):
    reverter = deploy("RefusingReceiver", sender=mallory)
    burner = deploy("RefusingReceiver", sender=mallory)
    return reverter, burner


def pledge_all(escrow, cid, refusers, alice, bob, mallory):
    """alice 4, bob 3, the reverter 2 and the burner 1 ether; then both refuse payment."""
    reverter, burner = refusers
    escrow.pledge(cid, 4 * ETHER, {"from": alice, "value": 4 * ETHER})
    escrow.pledge(cid, 3 * ETHER, {"from": bob, "value": 3 * ETHER})
    reverter.act(escrow, escrow.pledge.encode_input(cid, 2 * ETHER), {"from": mallory, "value": 2 * ETHER})
    burner.act(escrow, escrow.pledge.encode_input(cid, 1 * ETHER), {"from": mallory, "value": 1 * ETHER})
    reverter.setMode(REVERT, {"from": mallory})
    burner.setMode(BURN, {"from": mallory})


def test_others_still_refund_from_a_failed_campaign(
    escrow, create_campaign, refusers, alice, bob, mallory, clock, assert_reverts
):
    reverter, burner = refusers
    c = create_campaign(goal=100 * ETHER)
    pledge_all(escrow, c.id, refusers, alice, bob, mallory)
    clock.at(c.deadline)

    with assert_reverts("NoThanks"):
        reverter.act(escrow, escrow.refund.encode_input(c.id), {"from": mallory})
    with assert_reverts("FailedCall") as burnt:
        burner.act(escrow, escrow.refund.encode_input(c.id), {"from": mallory})
    assert burnt.gas_used > 11_000_000  # the receiver really burned (63/64 of) all the gas

    for backer, amount in ((alice, 4 * ETHER), (bob, 3 * ETHER)):
        before = eth_balance(backer)
        escrow.refund(c.id, {"from": backer})
        assert eth_balance(backer) == before + amount

    assert escrow.pledgeOf(c.id, reverter) == 2 * ETHER
    assert escrow.pledgeOf(c.id, burner) == 1 * ETHER
    assert escrow.getCampaign(c.id)["pledged"] == eth_balance(escrow) == 3 * ETHER

    # nothing was lost: once it accepts payment, the refuser gets its pledge
    reverter.setMode(ACCEPT, {"from": mallory})
    reverter.act(escrow, escrow.refund.encode_input(c.id), {"from": mallory})
    assert eth_balance(reverter) == 2 * ETHER
    assert eth_balance(escrow) == 1 * ETHER


def test_creator_still_claims_everything(
    escrow, create_campaign, refusers, creator, alice, bob, mallory, clock
):
    c = create_campaign(goal=10 * ETHER)
    pledge_all(escrow, c.id, refusers, alice, bob, mallory)
    clock.at(c.deadline)
    before = eth_balance(creator)
    tx = escrow.claim(c.id, {"from": creator})
    assert tx.events["Claimed"]["amount"] == 10 * ETHER
    assert eth_balance(creator) == before + 10 * ETHER
    assert eth_balance(escrow) == 0


def test_others_still_unpledge_and_refund_after_cancel(
    escrow, create_campaign, refusers, creator, alice, bob, mallory, assert_reverts
):
    reverter, burner = refusers
    c = create_campaign(goal=100 * ETHER)
    pledge_all(escrow, c.id, refusers, alice, bob, mallory)

    with assert_reverts("NoThanks"):
        reverter.act(escrow, escrow.unpledge.encode_input(c.id, ETHER), {"from": mallory})
    with assert_reverts("FailedCall"):
        burner.act(escrow, escrow.unpledge.encode_input(c.id, ETHER), {"from": mallory})
    before = eth_balance(alice)
    escrow.unpledge(c.id, ETHER, {"from": alice})
    assert eth_balance(alice) == before + ETHER

    escrow.cancel(c.id, {"from": creator})
    before = eth_balance(bob)
    escrow.refund(c.id, {"from": bob})
    assert eth_balance(bob) == before + 3 * ETHER
    assert escrow.getCampaign(c.id)["pledged"] == eth_balance(escrow) == 6 * ETHER


def test_creator_that_refuses_payment_locks_its_campaign_until_it_accepts(
    escrow, refusers, alice, mallory, clock, assert_reverts
):
    # docs/audit.md, known limitation 1: within the claim window nobody else can move a
    # succeeded campaign's money.
    reverter, _ = refusers
    t = clock.at(clock.now() + 1)
    tx = reverter.act(
        escrow, escrow.createCampaign.encode_input(ZERO_ADDRESS, ETHER, 0, 0, t + 100, URI), {"from": mallory}
    )
    cid = tx.events["CampaignCreated"]["id"]
    escrow.pledge(cid, ETHER, {"from": alice, "value": ETHER})
    reverter.setMode(REVERT, {"from": mallory})
    clock.at(t + 100)
    with assert_reverts("NoThanks"):
        reverter.act(escrow, escrow.claim.encode_input(cid), {"from": mallory})
    assert escrow.stateOf(cid) == State.Succeeded
    with assert_reverts("RefundsNotOpen", cid, State.Succeeded):
        escrow.refund(cid, {"from": alice})
    when = clock.at(t + 101)
    with assert_reverts("PledgesClosed", cid, t + 100, when):
        escrow.unpledge(cid, ETHER, {"from": alice})
    assert eth_balance(escrow) == ETHER
    reverter.setMode(ACCEPT, {"from": mallory})
    reverter.act(escrow, escrow.claim.encode_input(cid), {"from": mallory})
    assert eth_balance(reverter) == ETHER
    assert escrow.stateOf(cid) == State.Claimed


def test_creator_that_refuses_payment_claims_to_another_address_or_its_backers_refund(
    escrow, refusers, alice, bob, mallory, clock, assert_reverts
):
    # docs/audit.md, known limitation 1 (resolved): claimTo, or refunds once the window closes.
    reverter, _ = refusers
    t = clock.at(clock.now() + 1)
    cids = []
    for _ in range(2):
        tx = reverter.act(
            escrow,
            escrow.createCampaign.encode_input(ZERO_ADDRESS, ETHER, 0, 0, t + 100, URI),
            {"from": mallory},
        )
        cids.append(tx.events["CampaignCreated"]["id"])
    for cid in cids:
        escrow.pledge(cid, ETHER, {"from": alice, "value": ETHER})
    reverter.setMode(REVERT, {"from": mallory})
    clock.at(t + 100)
    before = eth_balance(bob)
    reverter.act(escrow, escrow.claimTo.encode_input(cids[0], bob), {"from": mallory})
    assert eth_balance(bob) == before + ETHER
    assert escrow.stateOf(cids[0]) == State.Claimed

    clock.at(t + 100 + CLAIM_WINDOW)
    with assert_reverts("ClaimWindowClosed", cids[1], t + 100 + CLAIM_WINDOW):
        reverter.act(escrow, escrow.claimTo.encode_input(cids[1], bob), {"from": mallory})
    before = eth_balance(alice)
    tx = escrow.refund(cids[1], {"from": alice})
    assert eth_balance(alice) == before + ETHER - tx.gas_used * tx.gas_price
    assert eth_balance(escrow) == 0
