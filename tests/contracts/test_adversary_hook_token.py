"""A token whose transfer hooks re-enter the escrow (pledge, unpledge, refund) is stopped."""

import pytest
from helpers import MAX_UINT256

INCOMING, OUTGOING = 1, 2


@pytest.fixture(scope="module")
def hook_token(deploy, escrow, deployer, alice, bob):
    tok = deploy("HookToken", escrow, sender=deployer)
    for who in (alice, bob):
        tok.mint(who, 10_000, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": who})
    return tok


@pytest.fixture
def campaign(create_campaign, hook_token):
    return create_campaign(token=hook_token, goal=5_000)


@pytest.fixture
def token_backer(escrow, hook_token, campaign, deployer):
    """The token contract itself holds a 300 pledge, so its hooks can try to move it."""
    hook_token.mint(hook_token, 1_000, {"from": deployer})
    hook_token.execute(hook_token, hook_token.approve.encode_input(escrow, MAX_UINT256), {"from": deployer})
    hook_token.execute(escrow, escrow.pledge.encode_input(campaign.id, 300), {"from": deployer})
    assert escrow.pledgeOf(campaign.id, hook_token) == 300
    return hook_token


def last_hook(hook_token, decode_error):
    assert hook_token.hookCalls() == 1
    return (hook_token.lastOk(), decode_error(hook_token.lastResult()))


def test_reentering_pledge_during_transfer_from_is_blocked(escrow, hook_token, campaign, alice, decode_error):
    hook_token.arm(INCOMING, escrow, escrow.pledge.encode_input(campaign.id, 1), False, {"from": alice})
    escrow.pledge(campaign.id, 1_000, {"from": alice})

    assert last_hook(hook_token, decode_error) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert escrow.pledgeOf(campaign.id, alice) == 1_000
    assert escrow.pledgeOf(campaign.id, hook_token) == 0
    assert escrow.getCampaign(campaign.id)["pledged"] == hook_token.balanceOf(escrow) == 1_000


def test_a_hook_that_fails_the_transfer_fails_the_pledge(escrow, hook_token, campaign, alice, assert_reverts):
    hook_token.arm(INCOMING, escrow, escrow.pledge.encode_input(campaign.id, 1), True, {"from": alice})
    with assert_reverts("ReentrancyGuardReentrantCall"):
        escrow.pledge(campaign.id, 1_000, {"from": alice})
    assert escrow.pledgeOf(campaign.id, alice) == 0
    assert hook_token.balanceOf(escrow) == 0


def test_reentering_unpledge_during_transfer_from_is_blocked(
    escrow, hook_token, campaign, token_backer, alice, decode_error
):
    # Taking tokens out between the escrow's two balance reads would make this pledge look
    # smaller; the guard on payouts refuses the nested unpledge instead.
    hook_token.arm(INCOMING, escrow, escrow.unpledge.encode_input(campaign.id, 300), False, {"from": alice})
    escrow.pledge(campaign.id, 1_000, {"from": alice})

    assert last_hook(hook_token, decode_error) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert escrow.pledgeOf(campaign.id, hook_token) == 300
    assert escrow.pledgeOf(campaign.id, alice) == 1_000
    assert escrow.getCampaign(campaign.id)["pledged"] == hook_token.balanceOf(escrow) == 1_300


def test_reentering_unpledge_during_a_payout_is_blocked(
    escrow, hook_token, campaign, token_backer, alice, decode_error
):
    escrow.pledge(campaign.id, 1_000, {"from": alice})
    hook_token.arm(OUTGOING, escrow, escrow.unpledge.encode_input(campaign.id, 300), False, {"from": alice})
    escrow.unpledge(campaign.id, 400, {"from": alice})

    assert last_hook(hook_token, decode_error) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert hook_token.balanceOf(alice) == 10_000 - 600
    assert escrow.pledgeOf(campaign.id, alice) == 600
    assert escrow.pledgeOf(campaign.id, hook_token) == 300
    assert escrow.getCampaign(campaign.id)["pledged"] == hook_token.balanceOf(escrow) == 900


def test_reentering_refund_during_a_refund_is_blocked(
    escrow, hook_token, campaign, token_backer, creator, alice, deployer, decode_error
):
    escrow.pledge(campaign.id, 1_000, {"from": alice})
    escrow.cancel(campaign.id, {"from": creator})
    hook_token.arm(OUTGOING, escrow, escrow.refund.encode_input(campaign.id), False, {"from": alice})
    escrow.refund(campaign.id, {"from": alice})

    assert last_hook(hook_token, decode_error) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert hook_token.balanceOf(alice) == 10_000
    assert escrow.pledgeOf(campaign.id, hook_token) == 300
    assert escrow.getCampaign(campaign.id)["pledged"] == hook_token.balanceOf(escrow) == 300

    # the token's own pledge is still refundable, once and in full
    hook_token.execute(escrow, escrow.refund.encode_input(campaign.id), {"from": deployer})
    assert hook_token.balanceOf(hook_token) == 1_000
    assert hook_token.balanceOf(escrow) == 0
    assert escrow.getCampaign(campaign.id)["pledged"] == 0


def test_reentering_pledge_during_a_claim_is_blocked(
    escrow, hook_token, create_campaign, creator, alice, clock, decode_error
):
    c = create_campaign(token=hook_token, goal=1_000)
    escrow.pledge(c.id, 1_000, {"from": alice})
    other = create_campaign(token=hook_token, goal=1_000)
    hook_token.arm(OUTGOING, escrow, escrow.pledge.encode_input(other.id, 1), False, {"from": alice})
    clock.at(c.deadline)
    escrow.claim(c.id, {"from": creator})

    assert last_hook(hook_token, decode_error) == (False, ("ReentrancyGuardReentrantCall", ()))
    assert hook_token.balanceOf(creator) == 1_000
    assert escrow.getCampaign(other.id)["pledged"] == 0
    assert hook_token.balanceOf(escrow) == 0
