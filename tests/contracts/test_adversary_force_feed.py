"""ETH forced in by selfdestruct changes no campaign and no payout."""

from brownie import web3
from helpers import ETHER, State, deploy_raw, eth_balance


def test_forced_eth_changes_nothing(escrow, create_campaign, artifacts, creator, alice, bob, mallory, clock):
    won = create_campaign(goal=10 * ETHER)
    lost = create_campaign(goal=10 * ETHER, deadline=won.deadline)
    escrow.pledge(won.id, 10 * ETHER, {"from": alice, "value": 10 * ETHER})
    escrow.pledge(lost.id, 3 * ETHER, {"from": bob, "value": 3 * ETHER})
    before = [tuple(v) for v in escrow.getCampaigns(1, 2)]

    # 7 ether would "complete" the losing campaign if anything counted the balance
    feeder = deploy_raw(artifacts["ForceFeeder"], escrow.address, sender=mallory, value=7 * ETHER)

    assert web3.eth.get_code(feeder) == b""  # Cancun: the constructor's selfdestruct still deletes it
    assert eth_balance(escrow) == 20 * ETHER
    assert [tuple(v) for v in escrow.getCampaigns(1, 2)] == before

    clock.mine_at(won.deadline)
    assert escrow.stateOf(won.id) == State.Succeeded
    assert escrow.stateOf(lost.id) == State.Failed

    creator_before, bob_before = eth_balance(creator), eth_balance(bob)
    assert escrow.claim(won.id, {"from": creator}).events["Claimed"]["amount"] == 10 * ETHER
    assert escrow.refund(lost.id, {"from": bob}).events["Refunded"]["amount"] == 3 * ETHER
    assert eth_balance(creator) == creator_before + 10 * ETHER
    assert eth_balance(bob) == bob_before + 3 * ETHER
    assert eth_balance(escrow) == 7 * ETHER  # the forced ether stays, owed to nobody


def test_forced_eth_does_not_pay_for_pledges(
    escrow, create_campaign, artifacts, alice, mallory, assert_reverts
):
    deploy_raw(artifacts["ForceFeeder"], escrow.address, sender=mallory, value=5 * ETHER)
    c = create_campaign(goal=ETHER)
    with assert_reverts("WrongPaymentValue", ETHER, 0):
        escrow.pledge(c.id, ETHER, {"from": alice})
    escrow.pledge(c.id, ETHER, {"from": alice, "value": ETHER})
    assert escrow.getCampaign(c.id)["pledged"] == ETHER
    before = eth_balance(alice)
    escrow.unpledge(c.id, ETHER, {"from": alice})
    assert eth_balance(alice) == before + ETHER
    assert eth_balance(escrow) == 5 * ETHER
