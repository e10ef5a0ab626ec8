"""Human amounts, durations and dates <-> the integers the chain uses: the one place
that converts units."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


class UnitError(ValueError):
    """Text that does not read as an amount, a duration or a date; the message says why."""


@dataclass(frozen=True)
class Currency:
    """What a campaign counts in: ETH (the zero address) or an ERC-20 token."""

    symbol: str
    decimals: int
    address: str = ZERO_ADDRESS

    @property
    def is_eth(self) -> bool:
        return self.address == ZERO_ADDRESS


ETHER = Currency("ETH", 18)

# Units that only make sense for ETH itself; a token's amounts use its own decimals.
_ETH_UNITS = {"ether": 18, "eth": 18, "gwei": 9}
# [0-9], not \d: \d also matches digits of other scripts ("١٢", "²"), which are not amounts.
_AMOUNT = re.compile(
    r"^\s*(?P<number>[0-9][0-9_]*(?:\.[0-9]*)?|\.[0-9]+)\s*(?P<unit>[A-Za-z][A-Za-z0-9]*)?\s*$"
)


def parse_amount(text: str, currency: Currency) -> int:
    """Read `1.5ether`, `250` (whole units of `currency`), `250DMT` or `1000wei` (base
    units of any currency) and return base units."""
    match = _AMOUNT.match(text) if len(text) <= 200 else None  # 2^256 has 78 digits
    if not match:
        raise UnitError(
            f"{text!r} is not an amount: write a number with an optional unit, like 1.5 or 250wei"
        )
    number, unit = match["number"].replace("_", ""), (match["unit"] or "").lower()
    if unit == "wei":
        decimals = 0
    elif not unit or unit == currency.symbol.lower():
        decimals = currency.decimals
    elif unit in _ETH_UNITS:
        if not currency.is_eth:
            raise UnitError(
                f"{text!r}: this campaign counts in {currency.symbol}, not ETH; "
                f"write the amount in {currency.symbol} (like 250) or in base units (like 250wei)"
            )
        decimals = _ETH_UNITS[unit]
    else:
        raise UnitError(
            f"{text!r}: unknown unit {match['unit']!r}; use {currency.symbol}, wei"
            + (", gwei or ether" if currency.is_eth else "")
        )
    # Exact digit arithmetic: a float or a default Decimal context would round large amounts.
    whole, _, fraction = number.partition(".")
    fraction = fraction.rstrip("0")
    if len(fraction) > decimals:
        what = "base units (wei) are whole numbers" if decimals == 0 else f"at most {decimals} decimal places"
        raise UnitError(f"{text!r} is finer than {currency.symbol} allows: {what}")
    scale: int = 10**decimals
    return int(whole or "0") * scale + int(fraction.ljust(decimals, "0") or "0")


def format_amount(amount: int, currency: Currency) -> str:
    """Base units as `1.5 ETH`, with no trailing zeros and no rounding."""
    whole, fraction = divmod(abs(amount), 10**currency.decimals)
    text = str(whole)
    if fraction:
        text += "." + str(fraction).rjust(currency.decimals, "0").rstrip("0")
    return f"{'-' if amount < 0 else ''}{text} {currency.symbol}"


_DURATION_UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
# Digits are bounded: Python refuses to read integers of over 4,300 digits (an error, not
# a message), and no duration or moment on chain needs more than twenty.
_DURATION = re.compile(r"^(?:[0-9]{1,20}[wdhms])+$")


def parse_duration(text: str) -> int:
    """Read `30d`, `12h`, `1d12h`, `90m`, `2w` or `45s` and return seconds."""
    compact = text.replace(" ", "").lower()
    if not _DURATION.match(compact):
        raise UnitError(f"{text!r} is not a duration: write it like 30d, 12h, 1d12h, 90m or 2w")
    return sum(int(n) * _DURATION_UNITS[u] for n, u in re.findall(r"([0-9]+)([wdhms])", compact))


def is_duration(text: str) -> bool:
    return bool(_DURATION.match(text.replace(" ", "").lower()))


def parse_time(text: str, *, now: int, base: int | None = None) -> int:
    """A moment as a unix timestamp: `2026-12-24` (midnight UTC), `2026-12-24T18:00`
    (UTC unless an offset like +01:00 is given), `@1798156800`, `now`, or a duration
    like `30d`, counted from `base` (default: `now`, the chain's clock)."""
    text = text.strip()
    if text.lower() == "now":
        return now
    if is_duration(text):
        return (now if base is None else base) + parse_duration(text)
    if text.startswith("@") and text[1:].isascii() and text[1:].isdigit() and len(text) <= 21:
        return int(text[1:])
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise UnitError(
            f"{text!r} is not a date: write 2026-12-24, 2026-12-24T18:00 (UTC), "
            "2026-12-24T18:00+01:00, @<unix time> or a duration like 30d"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def format_time(ts: int) -> str:
    """`2026-12-24 18:00:00 UTC`; a moment beyond year 9999 (the escrow takes any uint64)
    as `@<unix time>`, the form parse_time reads back."""
    # Also used by crowdfund.errors for revert messages, so that one output never shows
    # one moment two ways.
    try:
        return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (ValueError, OverflowError, OSError):
        return f"@{ts}"


def format_duration(seconds: int) -> str:
    """`29d 23h`, `3h 12m`, `45s`: the two largest units, for time left and the like."""
    seconds = max(0, seconds)
    parts: list[tuple[int, str]] = []
    for unit in "dhms":
        count, seconds = divmod(seconds, _DURATION_UNITS[unit])
        if count or parts:
            parts.append((count, unit))
        if len(parts) == 2:
            break
    return " ".join(f"{count}{unit}" for count, unit in parts if count) or "0s"


# Shares of a whole in basis points, as the milestone vault counts them.
BPS = 10_000
_SHARE = re.compile(r"^\s*(?P<whole>[0-9]{1,3})(?:\.(?P<fraction>[0-9]{1,2}))?\s*%\s*$")


def parse_share(text: str) -> int:
    """`40%` or `33.33%` as basis points (4000, 3333)."""
    match = _SHARE.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a share: write a percentage like 40% or 33.33%")
    return int(match["whole"]) * 100 + int((match["fraction"] or "0").ljust(2, "0"))


def format_share(bps: int) -> str:
    """Basis points as `40%` or `33.33%`."""
    whole, fraction = divmod(bps, 100)
    return f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") + "%"
