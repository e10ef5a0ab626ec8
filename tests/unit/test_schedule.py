"""Schedules as people write them, and tranche amounts as the vault counts them."""

from __future__ import annotations

import re

import pytest

from crowdfund.schedule import Tranche, call_arguments, parse_schedule, refundable, released, tranche_amounts
from crowdfund.units import UnitError, format_share, parse_share

DAY = 86_400
DEADLINE = 1_800_000_000  # 2027-01-15 08:00:00 UTC


def test_end_durations_after_the_deadline_and_dates_are_read() -> None:
    tranches = parse_schedule(
        "40%@end, 30%@+60d, 20.5%@2027-06-01, 9.5%@@1900000000", deadline=DEADLINE, now=0
    )
    assert tranches == (
        Tranche(DEADLINE, 4000),
        Tranche(DEADLINE + 60 * DAY, 3000),
        Tranche(1_811_808_000, 2050),  # 2027-06-01 00:00 UTC
        Tranche(1_900_000_000, 950),
    )


def test_a_first_tranche_at_the_deadline_is_sent_as_zero() -> None:
    tranches = parse_schedule("50%@end,50%@+1d", deadline=DEADLINE, now=0)
    assert call_arguments(tranches, DEADLINE) == ([0, DEADLINE + DAY], [5000, 5000])
    later = parse_schedule("100%@+1h", deadline=DEADLINE, now=0)
    assert call_arguments(later, DEADLINE) == ([DEADLINE + 3600], [10_000])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "is not a schedule"),
        ("50%@end,,50%@+1d", "is not a schedule"),
        ("50%@end,50%@+1d,", "is not a schedule"),
        ("101%@end", "add up to 101%, not 100%"),
        ("33.333%@end", "'33.333%' is not a share"),
        ("50%@end,50%@end", "tranche 2 would be due at"),
        ("50%@+1x,50%@+2d", "tranche 1: '+1x' is not a time after the deadline"),
        ("100%@1d", "write +1d for that long after the deadline"),
    ],
)
def test_what_the_vault_would_refuse_is_said_in_the_words_typed(text: str, said: str) -> None:
    with pytest.raises(UnitError, match=re.escape(said)):
        parse_schedule(text, deadline=DEADLINE, now=0)


def test_the_latest_tranche_is_five_years_after_the_deadline() -> None:
    assert parse_schedule("100%@+1826d", deadline=DEADLINE, now=0)[0].release_at == DEADLINE + 1826 * DAY
    with pytest.raises(UnitError, match="more than five years"):
        parse_schedule("100%@+1826d1s", deadline=DEADLINE, now=0)


def test_tranche_amounts_are_rounded_down_as_released_and_add_up_to_the_total() -> None:
    assert tranche_amounts(10, [3333, 3333, 3334]) == [3, 3, 4]
    assert tranche_amounts(3 * 10**18 + 1, [2500, 7500]) == [75 * 10**16, 225 * 10**16 + 1]
    assert sum(tranche_amounts(987_654_321, [1, 9998, 1])) == 987_654_321


def test_refunds_take_the_pledge_share_of_what_was_not_due_at_the_halt() -> None:
    tranches = (Tranche(100, 4000), Tranche(200, 3000), Tranche(300, 3000))
    assert refundable(1000, tranches, halted_at=150) == 600
    assert refundable(1000, tranches, halted_at=200) == 300  # a tranche due at the halt goes to the creator


def test_what_paid_tranches_released_is_counted_as_the_vault_pays_them() -> None:
    tranches = (Tranche(100, 3333), Tranche(200, 3333), Tranche(300, 3334))
    assert [released(10, tranches, paid) for paid in range(4)] == [0, 3, 6, 10]
    assert [released(10, tranches, paid) for paid in range(4)] == [
        0,
        *_cumulative(tranche_amounts(10, [3333, 3333, 3334])),
    ]


def _cumulative(amounts: list[int]) -> list[int]:
    return [sum(amounts[: i + 1]) for i in range(len(amounts))]


def test_shares_read_and_shown_in_percent() -> None:
    assert [parse_share(t) for t in ("40%", "33.33%", "0.5%", " 7 % ")] == [4000, 3333, 50, 700]
    assert [format_share(b) for b in (4000, 3333, 50, 10_000, 0)] == ["40%", "33.33%", "0.5%", "100%", "0%"]
