"""pledge: ETH and token pledges, the pledge window, payment checks and the cap."""

import pytest
from helpers import DAY, ETHER, MAX_AMOUNT, State, assert_event, eth_balance


@pytest.fixture
def eth_campaign(create_campaign):
    return create_campaign(goal=10 * ETHER)


@pytest.fixture
def token_campaign(create_campaign, token):
    return create_campaign(token=token, goal=1_000)


def test_eth_pledge_moves_exactly_the_amount(escrow, eth_campaign, alice):
    before = eth_balance(alice)
    tx = escrow.pledge(eth_campaign.id, 3 * ETHER, {"from": alice, "value": 3 * ETHER})

    assert_event(
        tx,
        "Pledged",
        emitter=escrow,
        id=eth_campaign.id,
        backer=alice,
        payer=alice,
        amount=3 * ETHER,
        newTotal=3 * ETHER,
    )
    assert eth_balance(alice) == before - 3 * ETHER  # gas is free on the dev chain
    assert eth_balance(escrow) == 3 * ETHER
    assert escrow.pledgeOf(eth_campaign.id, alice) == 3 * ETHER
    assert escrow.getCampaign(eth_campaign.id)["pledged"] == 3 * ETHER


def test_pledges_add_up_per_backer_and_per_campaign(escrow, create_campaign, alice, bob):
    one, two = create_campaign(), create_campaign()
    escrow.pledge(one.id, 1, {"from": alice, "value": 1})
    escrow.pledge(one.id, 2, {"from": alice, "value": 2})
    tx = escrow.pledge(one.id, 4, {"from": bob, "value": 4})
    escrow.pledge(two.id, 8, {"from": alice, "value": 8})

    assert_event(tx, "Pledged", id=one.id, backer=bob, payer=bob, amount=4, newTotal=7)
    assert escrow.pledgeOf(one.id, alice) == 3
    assert escrow.pledgeOf(one.id, bob) == 4
    assert escrow.pledgeOf(two.id, alice) == 8
    assert escrow.pledgeOf(two.id, bob) == 0
    assert [c["pledged"] for c in escrow.getCampaigns(1, 2)] == [7, 8]
    assert eth_balance(escrow) == 15


def test_token_pledge_pulls_the_tokens(escrow, token, token_campaign, alice):
    before = token.balanceOf(alice)
    tx = escrow.pledge(token_campaign.id, 600, {"from": alice})

    assert_event(
        tx,
        "Pledged",
        emitter=escrow,
        id=token_campaign.id,
        backer=alice,
        payer=alice,
        amount=600,
        newTotal=600,
    )
    assert_event(tx, "Transfer", emitter=token, **{"from": alice, "to": escrow, "value": 600})
    assert token.balanceOf(alice) == before - 600
    assert token.balanceOf(escrow) == 600
    assert escrow.pledgeOf(token_campaign.id, alice) == 600
    assert eth_balance(escrow) == 0


def test_pledges_beyond_the_goal_are_accepted_without_cap(escrow, eth_campaign, alice, bob):
    escrow.pledge(eth_campaign.id, 10 * ETHER, {"from": alice, "value": 10 * ETHER})
    tx = escrow.pledge(eth_campaign.id, 5 * ETHER, {"from": bob, "value": 5 * ETHER})
    assert tx.events["Pledged"]["newTotal"] == 15 * ETHER
    assert escrow.stateOf(eth_campaign.id) == State.Active


@pytest.mark.parametrize("value", [0, 2, 4])
def test_eth_value_must_equal_the_amount(escrow, eth_campaign, alice, assert_reverts, value):
    with assert_reverts("WrongPaymentValue", 3, value):
        escrow.pledge(eth_campaign.id, 3, {"from": alice, "value": value})
    assert escrow.pledgeOf(eth_campaign.id, alice) == 0
    assert eth_balance(escrow) == 0


def test_eth_sent_to_a_token_campaign_is_refused(escrow, token, token_campaign, alice, assert_reverts):
    with assert_reverts("WrongPaymentValue", 0, 5):
        escrow.pledge(token_campaign.id, 5, {"from": alice, "value": 5})
    assert token.balanceOf(escrow) == 0
    assert eth_balance(escrow) == 0


def test_zero_amount_is_refused(escrow, eth_campaign, token_campaign, alice, assert_reverts):
    with assert_reverts("ZeroAmount"):
        escrow.pledge(eth_campaign.id, 0, {"from": alice})
    with assert_reverts("ZeroAmount"):
        escrow.pledge(token_campaign.id, 0, {"from": alice})


def test_cap_can_be_reached_exactly_but_not_passed(escrow, create_campaign, alice, bob, assert_reverts):
    c = create_campaign(goal=50, cap=100)
    escrow.pledge(c.id, 60, {"from": alice, "value": 60})
    with assert_reverts("CapExceeded", c.id, 100, 101):
        escrow.pledge(c.id, 41, {"from": bob, "value": 41})
    tx = escrow.pledge(c.id, 40, {"from": bob, "value": 40})
    assert tx.events["Pledged"]["newTotal"] == 100
    with assert_reverts("CapExceeded", c.id, 100, 101):
        escrow.pledge(c.id, 1, {"from": bob, "value": 1})


def test_cap_exceeded_by_a_single_pledge_reports_the_amount(
    escrow, create_campaign, alice, bob, assert_reverts
):
    # When the amount alone is above the cap, `wouldBe` is the amount, not pledged + amount
    # (which could overflow for token amounts): see the report.
    c = create_campaign(goal=50, cap=100)
    escrow.pledge(c.id, 30, {"from": alice, "value": 30})
    with assert_reverts("CapExceeded", c.id, 100, 101):
        escrow.pledge(c.id, 101, {"from": bob, "value": 101})


def test_a_pledge_of_exactly_the_cap_on_top_of_others_reports_the_total_it_would_make(
    escrow, create_campaign, alice, bob, assert_reverts
):
    # The amount alone reaches the cap without passing it: what is reported is the total.
    c = create_campaign(goal=50, cap=100)
    escrow.pledge(c.id, 30, {"from": alice, "value": 30})
    with assert_reverts("CapExceeded", c.id, 100, 130):
        escrow.pledge(c.id, 100, {"from": bob, "value": 100})


def test_uncapped_campaign_is_limited_to_max_amount(
    escrow, create_campaign, token, deployer, alice, bob, assert_reverts
):
    c = create_campaign(token=token, goal=1)
    token.mint(alice, MAX_AMOUNT, {"from": deployer})
    with assert_reverts("CapExceeded", c.id, MAX_AMOUNT, MAX_AMOUNT + 1):
        escrow.pledge(c.id, MAX_AMOUNT + 1, {"from": alice})
    with assert_reverts("CapExceeded", c.id, MAX_AMOUNT, 2**256 - 1):
        escrow.pledge(c.id, 2**256 - 1, {"from": alice})
    escrow.pledge(c.id, MAX_AMOUNT - 1, {"from": alice})
    with assert_reverts("CapExceeded", c.id, MAX_AMOUNT, MAX_AMOUNT + 1):
        escrow.pledge(c.id, 2, {"from": bob})
    tx = escrow.pledge(c.id, 1, {"from": bob})
    assert tx.events["Pledged"]["newTotal"] == MAX_AMOUNT
    assert escrow.getCampaign(c.id)["pledged"] == MAX_AMOUNT


def test_cap_above_max_amount_is_limited_to_max_amount(
    escrow, create_campaign, token, deployer, alice, assert_reverts
):
    c = create_campaign(token=token, goal=1, cap=MAX_AMOUNT + 5)
    token.mint(alice, MAX_AMOUNT, {"from": deployer})
    with assert_reverts("CapExceeded", c.id, MAX_AMOUNT, MAX_AMOUNT + 1):
        escrow.pledge(c.id, MAX_AMOUNT + 1, {"from": alice})
    escrow.pledge(c.id, MAX_AMOUNT, {"from": alice})
    assert escrow.pledgeOf(c.id, alice) == MAX_AMOUNT


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_pledges_open_exactly_at_start(escrow, create_campaign, alice, clock, assert_reverts, offset):
    t = clock.now() + 10
    c = create_campaign(starts_at=t + 100, at=t)
    clock.at(c.starts_at + offset)
    if offset < 0:
        with assert_reverts("PledgesNotOpen", c.id, c.starts_at, c.starts_at - 1):
            escrow.pledge(c.id, 1, {"from": alice, "value": 1})
        assert escrow.pledgeOf(c.id, alice) == 0
    else:
        tx = escrow.pledge(c.id, 1, {"from": alice, "value": 1})
        assert clock.of(tx) == c.starts_at + offset
        assert escrow.pledgeOf(c.id, alice) == 1


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_pledges_close_exactly_at_deadline(
    escrow, eth_campaign, token, create_campaign, alice, clock, assert_reverts, offset
):
    tok = create_campaign(token=token, goal=5, deadline=eth_campaign.deadline)
    when = eth_campaign.deadline + offset
    if offset < 0:
        clock.at(when)
        escrow.pledge(eth_campaign.id, 1, {"from": alice, "value": 1})
        clock.at(when)  # same second: the last one of the window
        escrow.pledge(tok.id, 1, {"from": alice})
        assert escrow.pledgeOf(eth_campaign.id, alice) == escrow.pledgeOf(tok.id, alice) == 1
    else:
        clock.at(when)
        with assert_reverts("PledgesClosed", eth_campaign.id, eth_campaign.deadline, when):
            escrow.pledge(eth_campaign.id, 1, {"from": alice, "value": 1})
        clock.at(when)
        with assert_reverts("PledgesClosed", tok.id, tok.deadline, when):
            escrow.pledge(tok.id, 1, {"from": alice})


def test_token_pledge_without_allowance_fails_in_the_token(
    escrow, token, token_campaign, outsider, deployer, assert_reverts
):
    token.mint(outsider, 100, {"from": deployer})
    with assert_reverts("ERC20InsufficientAllowance", escrow, 0, 100):
        escrow.pledge(token_campaign.id, 100, {"from": outsider})
    token.approve(escrow, 150, {"from": outsider})
    with assert_reverts("ERC20InsufficientBalance", outsider, 100, 101):
        escrow.pledge(token_campaign.id, 101, {"from": outsider})
    escrow.pledge(token_campaign.id, 100, {"from": outsider})
    assert token.allowance(outsider, escrow) == 50
    assert token.balanceOf(escrow) == 100


def test_cancelled_campaign_takes_no_pledges(escrow, eth_campaign, creator, alice, clock, assert_reverts):
    escrow.cancel(eth_campaign.id, {"from": creator})
    with assert_reverts("CampaignIsCancelled", eth_campaign.id):
        escrow.pledge(eth_campaign.id, 1, {"from": alice, "value": 1})
    clock.at(eth_campaign.deadline + 1)
    with assert_reverts("CampaignIsCancelled", eth_campaign.id):
        escrow.pledge(eth_campaign.id, 1, {"from": alice, "value": 1})


def test_cancelled_upcoming_campaign_reports_cancellation_first(
    escrow, create_campaign, creator, alice, clock, assert_reverts
):
    c = create_campaign(starts_at=clock.now() + DAY)
    escrow.cancel(c.id, {"from": creator})
    with assert_reverts("CampaignIsCancelled", c.id):
        escrow.pledge(c.id, 1, {"from": alice, "value": 1})


def test_claimed_campaign_takes_no_pledges(escrow, eth_campaign, creator, alice, clock, assert_reverts):
    escrow.pledge(eth_campaign.id, 10 * ETHER, {"from": alice, "value": 10 * ETHER})
    clock.at(eth_campaign.deadline)
    escrow.claim(eth_campaign.id, {"from": creator})
    clock.at(eth_campaign.deadline + 5)
    with assert_reverts("PledgesClosed", eth_campaign.id, eth_campaign.deadline, eth_campaign.deadline + 5):
        escrow.pledge(eth_campaign.id, 1, {"from": alice, "value": 1})


def test_unknown_campaign(escrow, token, eth_campaign, alice, assert_reverts):
    with assert_reverts("CampaignNotFound", 2):
        escrow.pledge(2, 1, {"from": alice, "value": 1})
    with assert_reverts("CampaignNotFound", 0):
        escrow.pledge(0, 0, {"from": alice})


def test_unknown_campaign_with_mismatched_value_reports_the_value_first(escrow, alice, assert_reverts):
    # An unknown id reads as an ETH campaign, so the payment check comes before existence.
    with assert_reverts("WrongPaymentValue", 1, 0):
        escrow.pledge(7, 1, {"from": alice})
