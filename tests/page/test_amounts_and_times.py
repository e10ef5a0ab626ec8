"""The page's own unit conversions, run in the browser: BigInt base units, never floats."""

from __future__ import annotations

import pytest
from page_kit import Visit

MAX_UINT256 = 2**256 - 1


def units(visit: Visit, expression: str) -> object:
    page = visit("/", wallet=False)
    return page.evaluate(f"import('/static/js/units.js').then((u) => {expression})")


@pytest.mark.parametrize(
    ("text", "decimals", "base"),
    [
        ("1.5", 18, 15 * 10**17),
        ("0.000000000000000001", 18, 1),
        (" 2_500 ", 6, 2_500_000_000),
        (".5", 2, 50),
        ("7", 0, 7),
        (str(MAX_UINT256), 0, MAX_UINT256),
    ],
)
def test_amounts_parse_to_exact_base_units(visit: Visit, text: str, decimals: int, base: int) -> None:
    assert units(visit, f"u.parseUnits({text!r}, {decimals}).toString()") == str(base)


def test_amounts_format_exactly_and_round_trip(visit: Visit) -> None:
    shown = units(
        visit,
        f"""[u.formatUnits('{MAX_UINT256}', 18), u.formatUnits('1500000000000000000000', 18),
            u.formatUnits('1', 18), u.formatUnits('123456789', 18, 4), u.formatUnits('0', 6),
            u.parseUnits(u.formatUnits('{MAX_UINT256}', 18).replaceAll(',', ''), 18).toString()]""",
    )
    whole = f"{MAX_UINT256 // 10**18:,}"
    fraction = str(MAX_UINT256 % 10**18).rjust(18, "0").rstrip("0")
    assert shown == [f"{whole}.{fraction}", "1,500", "0.000000000000000001", "~0", "0", str(MAX_UINT256)]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.2.3", "is not an amount"),
        ("abc", "is not an amount"),
        ("-1", "is not an amount"),
        ("0.001", "at most 2 decimal places"),
    ],
)
def test_what_is_not_an_amount_is_said(visit: Visit, text: str, reason: str) -> None:
    message = units(
        visit, f"(() => {{ try {{ u.parseUnits({text!r}, 2); }} catch (e) {{ return e.message; }} }})()"
    )
    assert isinstance(message, str) and reason in message


def test_durations_and_percentages(visit: Visit) -> None:
    got = units(
        visit,
        "[u.formatDuration(30 * 86400 - 5), u.formatDuration(8 * 86400 + 11 * 3600),"
        " u.formatDuration(2 * 86400 + 3 * 3600), u.formatDuration(5400), u.formatDuration(59),"
        " u.percentOf('1', '3'), u.percentOf('250', '200'), u.percentOf('5', '0')]",
    )
    assert got == [
        "30 days",
        "8 days",
        "2 days 3 hours",
        "1 hour 30 minutes",
        "less than a minute",
        33.3,
        125,
        0,
    ]
