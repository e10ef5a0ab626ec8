"""Amounts, durations and dates as users type them, read exactly."""

from __future__ import annotations

import pytest

from crowdfund.units import (
    ETHER,
    Currency,
    UnitError,
    format_amount,
    format_duration,
    parse_amount,
    parse_duration,
    parse_time,
)

USDC = Currency("USDC", 6, "0x" + "11" * 20)


@pytest.mark.parametrize(
    ("text", "currency", "base_units"),
    [
        ("1.5ether", ETHER, 1_500_000_000_000_000_000),
        ("1.5 ETH", ETHER, 1_500_000_000_000_000_000),
        ("2", ETHER, 2 * 10**18),
        ("3gwei", ETHER, 3_000_000_000),
        ("1000wei", ETHER, 1000),
        (".25", ETHER, 25 * 10**16),
        ("250", USDC, 250_000_000),
        ("250usdc", USDC, 250_000_000),
        ("0.000001", USDC, 1),
        ("250wei", USDC, 250),
        ("1_000_000", USDC, 10**12),
        # More digits than a float holds: no rounding anywhere.
        (
            "123456789012345678901234567890.123456789012345678",
            ETHER,
            123456789012345678901234567890123456789012345678,
        ),
    ],
)
def test_amounts_in_human_units_become_exact_base_units(
    text: str, currency: Currency, base_units: int
) -> None:
    assert parse_amount(text, currency) == base_units


@pytest.mark.parametrize(
    ("text", "currency", "says"),
    [
        ("1.5ether", USDC, "counts in USDC, not ETH"),
        ("1.0000001", USDC, "at most 6 decimal places"),
        ("1.5wei", ETHER, "whole numbers"),
        ("5 dollars", ETHER, "unknown unit 'dollars'"),
        ("-1", ETHER, "not an amount"),
        ("", ETHER, "not an amount"),
    ],
)
def test_amounts_that_cannot_be_meant_are_refused_with_the_reason(
    text: str, currency: Currency, says: str
) -> None:
    with pytest.raises(UnitError, match=says):
        parse_amount(text, currency)


def test_amounts_print_without_trailing_zeros_or_rounding() -> None:
    assert format_amount(1_500_000_000_000_000_000, ETHER) == "1.5 ETH"
    assert format_amount(1, ETHER) == "0.000000000000000001 ETH"
    assert format_amount(250_000_000, USDC) == "250 USDC"
    assert format_amount(0, USDC) == "0 USDC"


def test_durations() -> None:
    assert parse_duration("30d") == 30 * 86_400
    assert parse_duration("1d12h") == 36 * 3_600
    assert parse_duration("2w") == 14 * 86_400
    assert parse_duration("90m") == 5_400
    with pytest.raises(UnitError, match="like 30d"):
        parse_duration("30")
    assert format_duration(29 * 86_400 + 23 * 3_600 + 59) == "29d 23h"
    assert format_duration(3_600 + 120) == "1h 2m"
    assert format_duration(-5) == "0s"


def test_dates_are_utc_unless_they_say_otherwise() -> None:
    assert parse_time("2026-12-24", now=0) == 1_798_070_400  # midnight UTC
    assert parse_time("2026-12-24T18:00", now=0) == 1_798_070_400 + 18 * 3_600
    assert parse_time("2026-12-24T18:00+01:00", now=0) == 1_798_070_400 + 17 * 3_600
    assert parse_time("@1798070400", now=0) == 1_798_070_400
    assert parse_time("now", now=42) == 42
    assert parse_time("30d", now=100) == 100 + 30 * 86_400
    assert parse_time("30d", now=100, base=1_000) == 1_000 + 30 * 86_400
    with pytest.raises(UnitError, match="not a date"):
        parse_time("24/12/2026", now=0)
