"""A campaign's state and how funded it is: the escrow's rules, written once for Python.

`RULES` is CrowdfundEscrow._state as data, in the contract's order: the first rule that
holds decides. `state_at` evaluates it in Python; the index compiles the same table to SQL
(`api/index/queries.py`, `state_clause`), so that a list filtered by state in the database
agrees with the state of each campaign it returns. A test checks the two on every boundary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any


class State(IntEnum):
    """The escrow's `State` enum, in its order (the ABI carries the number)."""

    UPCOMING = 0
    ACTIVE = 1
    SUCCEEDED = 2
    FAILED = 3
    CANCELLED = 4
    CLAIMED = 5
    EXPIRED = 6

    @property
    def word(self) -> str:
        """`active`: how the gateway and the page name it."""
        return self.name.lower()

    @property
    def title(self) -> str:
        """`Active`: how people read it in sentences and tables."""
        return self.name.capitalize()


@dataclass(frozen=True)
class Flag:
    """Holds when the campaign's boolean `field` is set."""

    field: str


@dataclass(frozen=True)
class Unset:
    """Holds when the campaign's boolean `field` is not set."""

    field: str


@dataclass(frozen=True)
class NowBefore:
    """Holds while the block time is before the campaign's timestamp `field`, plus `later`
    seconds."""

    field: str
    later: int = 0


@dataclass(frozen=True)
class Otherwise:
    """Always holds: the last rule."""


Condition = Flag | Unset | NowBefore | Otherwise

# CrowdfundEscrow.CLAIM_WINDOW: a succeeded campaign may be claimed until deadline + this,
# that second excluded; from then on it is Expired and its backers may refund.
CLAIM_WINDOW = 180 * 86_400

# CrowdfundEscrow._state: claimed, cancelled, before the start, before the deadline, short
# of the goal, then the claim window decides. `goal_reached` is pledged >= goal (the index
# stores it as a column).
RULES: tuple[tuple[State, Condition], ...] = (
    (State.CLAIMED, Flag("claimed")),
    (State.CANCELLED, Flag("cancelled")),
    (State.UPCOMING, NowBefore("starts_at")),
    (State.ACTIVE, NowBefore("deadline")),
    (State.FAILED, Unset("goal_reached")),
    (State.SUCCEEDED, NowBefore("deadline", CLAIM_WINDOW)),
    (State.EXPIRED, Otherwise()),
)

# Where backers may take their whole pledge back (CrowdfundEscrow.refund).
REFUNDABLE = frozenset({State.FAILED, State.CANCELLED, State.EXPIRED})


def _holds(condition: Condition, fields: Mapping[str, Any], now: int) -> bool:
    if isinstance(condition, Flag):
        return bool(fields[condition.field])
    if isinstance(condition, Unset):
        return not fields[condition.field]
    if isinstance(condition, NowBefore):
        return now < int(fields[condition.field]) + condition.later
    return True


def state_at(fields: Mapping[str, Any], now: int) -> State:
    """The state of a campaign whose fields are `claimed`, `cancelled`, `starts_at`,
    `deadline` and `goal_reached`, at block time `now`."""
    for state, condition in RULES:
        if _holds(condition, fields, now):
            return state
    raise AssertionError("the last rule always holds")


def goal_reached(pledged: int, goal: int) -> bool:
    return pledged >= goal


def percent_funded(pledged: int, goal: int) -> float:
    """pledged/goal in percent with two decimals, rounded down in integers: a campaign short
    of its goal never reads 100 (99,999 of 100,000 is 99.99)."""
    if goal <= 0:
        return 0.0
    return pledged * 10_000 // goal / 100


def above_goal(pledge: int, pledged: int, goal: int) -> int:
    """How much of a backer's `pledge` lies above the goal of a campaign holding `pledged`:
    in its last 24 hours a campaign that reached its goal lets backers take back only
    that much (the escrow's GoalLocked rule)."""
    return max(0, min(pledge, pledged - goal))
