"""A campaign's state and how funded it reads, on every boundary of the escrow's rule."""

from __future__ import annotations

from typing import Any

import pytest

from crowdfund.state import (
    CLAIM_WINDOW,
    REFUNDABLE,
    State,
    above_goal,
    goal_reached,
    percent_funded,
    state_at,
)

STARTS, DEADLINE = 1_000, 2_000


def campaign(**changes: Any) -> dict[str, Any]:
    fields = {"claimed": False, "cancelled": False, "starts_at": STARTS, "deadline": DEADLINE}
    return fields | {"goal_reached": False} | changes


@pytest.mark.parametrize(
    ("now", "short_of_goal", "at_goal"),
    [
        (STARTS - 1, State.UPCOMING, State.UPCOMING),
        (STARTS, State.ACTIVE, State.ACTIVE),
        (DEADLINE - 1, State.ACTIVE, State.ACTIVE),
        (DEADLINE, State.FAILED, State.SUCCEEDED),
        (DEADLINE + CLAIM_WINDOW - 1, State.FAILED, State.SUCCEEDED),
        (DEADLINE + CLAIM_WINDOW, State.FAILED, State.EXPIRED),
        (DEADLINE + CLAIM_WINDOW + 1, State.FAILED, State.EXPIRED),
        (DEADLINE + 10**9, State.FAILED, State.EXPIRED),
    ],
)
def test_a_campaign_opens_at_its_start_and_ends_at_its_deadline(
    now: int, short_of_goal: State, at_goal: State
) -> None:
    assert state_at(campaign(goal_reached=False), now) is short_of_goal
    assert state_at(campaign(goal_reached=True), now) is at_goal


def test_the_claim_window_is_180_days() -> None:
    assert CLAIM_WINDOW == 180 * 86_400


def test_refunds_are_open_in_failed_cancelled_and_expired_campaigns_only() -> None:
    assert REFUNDABLE == {State.FAILED, State.CANCELLED, State.EXPIRED}


@pytest.mark.parametrize("now", [STARTS - 1, STARTS, DEADLINE - 1, DEADLINE, DEADLINE + CLAIM_WINDOW])
def test_claimed_wins_over_cancelled_and_cancelled_over_the_clock(now: int) -> None:
    assert state_at(campaign(claimed=True, cancelled=True, goal_reached=True), now) is State.CLAIMED
    assert state_at(campaign(cancelled=True, goal_reached=True), now) is State.CANCELLED


def test_the_goal_is_reached_exactly_at_the_goal_and_not_one_below() -> None:
    assert goal_reached(100, 100)
    assert goal_reached(101, 100)
    assert not goal_reached(99, 100)


@pytest.mark.parametrize(
    ("pledged", "goal", "percent"),
    [
        (0, 100_000, 0.0),
        (99_999, 100_000, 99.99),
        (100_000, 100_000, 100.0),
        (150_000, 100_000, 150.0),
        (2, 3, 66.66),  # rounded down, not to 66.67
        (1, 10**18, 0.0),
        (2**256 - 2, 2**256 - 1, 99.99),
        (2**256 - 1, 2**256 - 1, 100.0),
        (2**255, 2**254, 200.0),
        (5, 0, 0.0),
    ],
)
def test_percent_funded_rounds_down_to_two_decimals(pledged: int, goal: int, percent: float) -> None:
    assert percent_funded(pledged, goal) == percent


@pytest.mark.parametrize("goal", [3, 7, 100_000, 10**18 + 1, 2**256 - 1])
def test_a_campaign_one_unit_short_of_its_goal_never_reads_100_percent(goal: int) -> None:
    assert percent_funded(goal - 1, goal) < 100.0
    assert percent_funded(goal, goal) == 100.0


@pytest.mark.parametrize(
    ("pledge", "pledged", "goal", "free"),
    [
        (50, 150, 100, 50),  # exactly the surplus
        (80, 150, 100, 50),  # more than the surplus: only the surplus
        (30, 150, 100, 30),  # less than the surplus: all of it
        (50, 100, 100, 0),  # exactly at the goal: nothing
        (50, 90, 100, 0),  # below the goal: nothing, never negative
    ],
)
def test_only_what_lies_above_the_goal_can_be_taken_back(
    pledge: int, pledged: int, goal: int, free: int
) -> None:
    assert above_goal(pledge, pledged, goal) == free


def test_states_are_named_in_the_escrows_order() -> None:
    assert [s.word for s in State] == [
        "upcoming",
        "active",
        "succeeded",
        "failed",
        "cancelled",
        "claimed",
        "expired",
    ]
    assert State(6) is State.EXPIRED and State.EXPIRED.title == "Expired"
    assert State.SUCCEEDED.title == "Succeeded"
    assert State(4) is State.CANCELLED
