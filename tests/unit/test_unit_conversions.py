"""Amounts, durations and times convert both ways without loss (beyond tests/cli/test_units.py)."""

from __future__ import annotations

import pytest

from crowdfund.units import (
    ETHER,
    Currency,
    UnitError,
    format_amount,
    format_duration,
    format_time,
    is_duration,
    parse_amount,
    parse_duration,
    parse_time,
)

USDC = Currency("USDC", 6, "0x" + "11" * 20)
WHOLE = Currency("PTS", 0, "0x" + "22" * 20)


@pytest.mark.parametrize("currency", [ETHER, USDC, WHOLE])
@pytest.mark.parametrize("amount", [0, 1, 9, 10, 999_999, 10**6, 10**6 + 1, 10**18 - 1, 10**18, 2**256 - 1])
def test_a_printed_amount_reads_back_as_the_same_base_units(amount: int, currency: Currency) -> None:
    printed = format_amount(amount, currency)
    assert printed.endswith(f" {currency.symbol}")
    assert parse_amount(printed, currency) == amount


def test_negative_amounts_print_with_a_sign() -> None:
    assert format_amount(-1_500_000, USDC) == "-1.5 USDC"


@pytest.mark.parametrize(
    ("text", "currency", "base_units"),
    [
        ("1.", ETHER, 10**18),
        ("1.500000000000000000000", ETHER, 15 * 10**17),  # trailing zeros are not finer
        ("1.5 Ether", ETHER, 15 * 10**17),
        ("2 GWEI", ETHER, 2 * 10**9),
        ("0.000001usdc", USDC, 1),
        ("7", WHOLE, 7),
    ],
)
def test_amounts_at_the_edges_of_the_notation(text: str, currency: Currency, base_units: int) -> None:
    assert parse_amount(text, currency) == base_units


@pytest.mark.parametrize(
    ("text", "currency"),
    [("0.0000001", USDC), ("1gwei", USDC), ("0.5", WHOLE), ("1..5", ETHER), ("1e18", ETHER)],
)
def test_amounts_finer_than_the_currency_or_not_numbers_are_refused(text: str, currency: Currency) -> None:
    with pytest.raises(UnitError):
        parse_amount(text, currency)


@pytest.mark.parametrize(
    ("seconds", "printed"),
    [(0, "0s"), (59, "59s"), (60, "1m"), (3_599, "59m 59s"), (3_600, "1h"), (3_601, "1h"), (86_400, "1d")],
)
def test_durations_print_their_two_largest_units_without_zeros(seconds: int, printed: str) -> None:
    assert format_duration(seconds) == printed


def test_durations_read_regardless_of_spaces_and_case() -> None:
    assert parse_duration("1D 12H") == 36 * 3_600
    assert parse_duration("45s") == 45
    assert is_duration("2w 3d") and not is_duration("2 weeks") and not is_duration("")


@pytest.mark.parametrize(
    "text",
    [
        "@-5",
        "@",
        "tomorrow",
        "2026-13-01",
        "",
        "@²",
    ],
)
def test_times_that_are_not_dates_are_refused(text: str) -> None:
    with pytest.raises(UnitError, match="not a date"):
        parse_time(text, now=0)


def test_a_time_prints_in_utc_and_reads_back() -> None:
    assert format_time(0) == "1970-01-01 00:00:00 UTC"
    printed = format_time(1_798_156_799)
    assert printed == "2026-12-24 23:59:59 UTC"
    assert parse_time(printed.removesuffix(" UTC").replace(" ", "T"), now=0) == 1_798_156_799


def test_a_time_beyond_year_9999_prints_as_a_unix_time_that_reads_back() -> None:
    far = 2**64 - 1
    assert format_time(far) == f"@{far}"
    assert parse_time(format_time(far), now=0) == far


@pytest.mark.parametrize(
    "read",
    [
        lambda digits: parse_duration(f"{digits}d"),
        lambda digits: parse_time(f"@{digits}", now=0),
        lambda digits: parse_time(f"{digits}d", now=0),
        lambda digits: parse_amount(digits, ETHER),
    ],
)
def test_thousands_of_digits_are_refused_in_words(read) -> None:  # type: ignore[no-untyped-def]
    # Python itself refuses to read integers of over 4,300 digits, with an error of its own.
    with pytest.raises(UnitError):
        read("9" * 5_000)
