"""A milestone campaign's schedule: when each tranche is due and its share, read from what
people write (`40%@end,30%@+60d,30%@+120d`) and counted as the milestone vault counts it.

The vault checks every schedule itself (MilestoneVault.createCampaign); the checks here say
the same in the words of what was typed, before anything is simulated or sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crowdfund.units import (
    BPS,
    UnitError,
    format_share,
    format_time,
    is_duration,
    parse_duration,
    parse_share,
    parse_time,
)

# MilestoneVault.MAX_TRANCHES and MAX_RELEASE_DELAY (five years of 365.25 days, rounded down).
MAX_TRANCHES = 12
MAX_RELEASE_DELAY = 1826 * 86_400
# MilestoneVault.RELEASE_WINDOW: a tranche not released within it once due lapses.
RELEASE_WINDOW = 180 * 86_400


@dataclass(frozen=True)
class Tranche:
    """One payment to the creator: due at `release_at` (a unix time), `share_bps` of the
    funds the vault received."""

    release_at: int
    share_bps: int


def parse_schedule(text: str, *, deadline: int, now: int) -> tuple[Tranche, ...]:
    """`SHARE@WHEN,...`: SHARE a percentage (40%, 33.33%); WHEN `end` (the deadline), `+60d`
    (a duration after the deadline) or a date (2027-06-01, 2027-06-01T12:00, @<unix time>)."""
    entries = [entry.strip() for entry in text.split(",")]
    if not text.strip() or not all(entries):
        raise UnitError(f"{text!r} is not a schedule: write tranches like 40%@end,30%@+60d,30%@+120d")
    tranches = []
    for position, entry in enumerate(entries, start=1):
        share, at, when = entry.partition("@")
        if not at or not when.strip():
            raise UnitError(
                f"tranche {position} ({entry!r}) has no due time: write it like {_example_share(share)}@+60d"
            )
        tranches.append(
            Tranche(_due(when.strip(), position, deadline=deadline, now=now), _share(share, position))
        )
    check(tranches, deadline)
    return tuple(tranches)


def _example_share(text: str) -> str:
    """The share as a hint writes it: `40` becomes `40%`, a share that is not a number `40%`."""
    number = text.strip().removesuffix("%").strip()
    return f"{number}%" if number.replace(".", "", 1).isdigit() else "40%"


def _share(text: str, position: int) -> int:
    try:
        return parse_share(text)
    except UnitError as exc:
        raise UnitError(f"tranche {position}: {exc}") from None


def _due(when: str, position: int, *, deadline: int, now: int) -> int:
    if when.lower() == "end":
        return deadline
    if when.startswith("+"):
        try:
            return deadline + parse_duration(when[1:])
        except UnitError:
            raise UnitError(
                f"tranche {position}: {when!r} is not a time after the deadline: write +60d, +12w or +1d12h"
            ) from None
    if is_duration(when):  # from now, from the start? after the deadline is the only reading
        raise UnitError(
            f"tranche {position}: {when!r} counts from what? write +{when} for that long after the deadline"
        )
    try:
        return parse_time(when, now=now)
    except UnitError:
        raise UnitError(
            f"tranche {position}: {when!r} is not a due time: write end (the deadline), +60d (after the "
            "deadline), a date like 2027-06-01 or 2027-06-01T12:00 (UTC), or @<unix time>"
        ) from None


def check(tranches: Sequence[Tranche], deadline: int) -> None:
    """The vault's rules for a schedule, in words (UnitError): 1 to 12 tranches, each share
    above zero, adding up to 100%, each due after the one before, the first at the deadline
    or later, the last at most five years after it."""
    if not 1 <= len(tranches) <= MAX_TRANCHES:
        raise UnitError(f"a schedule has 1 to {MAX_TRANCHES} tranches, not {len(tranches)}")
    latest = deadline + MAX_RELEASE_DELAY
    previous: int | None = None
    for position, tranche in enumerate(tranches, start=1):
        if tranche.share_bps == 0:
            raise UnitError(f"tranche {position} has a share of 0%")
        if tranche.release_at < deadline:
            raise UnitError(
                f"tranche {position} would be due at {format_time(tranche.release_at)}, before the "
                f"deadline {format_time(deadline)}: the creator is paid only after it"
            )
        if previous is not None and tranche.release_at <= previous:
            raise UnitError(
                f"tranche {position} would be due at {format_time(tranche.release_at)}, not after "
                f"tranche {position - 1} ({format_time(previous)}): list them in order"
            )
        if tranche.release_at > latest:
            raise UnitError(
                f"tranche {position} would be due at {format_time(tranche.release_at)}, more than five "
                f"years (1826 days) after the deadline: the latest is {format_time(latest)}"
            )
        previous = tranche.release_at
    total = sum(t.share_bps for t in tranches)
    if total != BPS:
        raise UnitError(f"the shares add up to {format_share(total)}, not 100%")


def call_arguments(tranches: Sequence[Tranche], deadline: int) -> tuple[list[int], list[int]]:
    """createCampaign's `releaseAt` and `shareBps`: a first tranche due at the deadline is
    written 0, which the vault reads as the deadline (the one a start of `now` yields is
    known only in the block)."""
    release_at = [t.release_at for t in tranches]
    if release_at[0] == deadline:
        release_at[0] = 0
    return release_at, [t.share_bps for t in tranches]


def tranche_amounts(total: int, shares: Sequence[int]) -> list[int]:
    """What each tranche of `total` pays, as the vault pays it: each release is the due
    shares' part of the total, rounded down, less what was released before, so the
    amounts add up to `total` exactly."""
    amounts, cumulative, paid = [], 0, 0
    for share in shares:
        cumulative += share
        due = total * cumulative // BPS
        amounts.append(due - paid)
        paid = due
    return amounts


def released(received: int, tranches: Sequence[Tranche], paid: int) -> int:
    """What the first `paid` tranches of `received` paid the creator in all."""
    return received * sum(t.share_bps for t in tranches[:paid]) // BPS


def refundable(received: int, tranches: Sequence[Tranche], halted_at: int) -> int:
    """What the backers of a halted campaign share: what the vault received less the
    tranches due at the halt (MilestoneVault._refundable)."""
    due_bps = sum(t.share_bps for t in tranches if t.release_at <= halted_at)
    return received - received * due_bps // BPS
