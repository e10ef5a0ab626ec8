"""Which reward tier each backer holds: an open rule anyone can replay from a campaign's
pledge events (each backer's pledge after each, crowdfund.pledges) and its metadata
document's tiers (docs/tiers.md states it in words).

The escrow knows nothing of tiers, so a limit is kept by this rule alone: anyone may pledge
any amount, and a sold-out tier only means a place in line for it.

- A backer reaches a tier at the event at which its pledge last rose from below the tier's
  `min_amount` to at least it; dropping below forgets that moment, and reaching it again
  later counts from that later event.
- Tiers are given out from the highest `min_amount` down (equal ones in the document's
  order). A tier's candidates are the backers whose pledge reaches it now and who hold no
  tier given out before it, in the order they reached it; the first `limit` of them (all,
  when it has none) hold it, the others are in line for it and remain candidates for the
  tiers after it.

The work is O(events + backers x tiers) and one sort of each tier's candidates: each event
is looked at once, and each backer once per tier.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .metadata import Tier


@dataclass(frozen=True)
class TierPlaces:
    """One tier as the rule gives it out: who holds it and who waits for it, each in order."""

    tier: Tier
    holders: tuple[str, ...]  # in the order they reached it
    in_line: tuple[str, ...]  # waiting for a place, next first (none when it has no limit)

    @property
    def places_left(self) -> int | None:
        """None for a tier without a limit."""
        return None if self.tier.limit is None else self.tier.limit - len(self.holders)

    @property
    def sold_out(self) -> bool:
        return self.places_left == 0


def assign(tiers: Sequence[Tier], pledges: Iterable[tuple[str, int]]) -> tuple[TierPlaces, ...]:
    """Every tier's holders and line, in the document's order, from each backer's pledge
    after each of its events (backer, pledge) in chain order (block, log index)."""
    # Per backer, since when it has reached each level it still reaches: (moment, level)
    # pairs, both increasing. The pair (m_i, l_i) says that every amount above l_{i-1} up to
    # l_i was reached at event m_i (l_0 = 0). A rise pushes a pair; a fall takes off the
    # levels above the new pledge, the moment of what it still reaches kept. Each pair is
    # pushed and taken off once: O(events) in all.
    reached: dict[str, list[tuple[int, int]]] = {}
    for moment, (backer, pledge) in enumerate(pledges):
        levels = reached.setdefault(backer, [])
        top = levels[-1][1] if levels else 0
        if pledge > top:
            levels.append((moment, pledge))
        elif pledge < top:
            since = moment
            while levels and levels[-1][1] > pledge:
                since = levels.pop()[0]
            if pledge > (levels[-1][1] if levels else 0):
                levels.append((since, pledge))

    # Given out from the highest min_amount down; equal ones in the document's order.
    order = sorted(range(len(tiers)), key=lambda i: (-tiers[i].min_amount, i))
    # When each backer reached each tier it reaches now: its levels walked upwards beside
    # the tiers' amounts, lowest first.
    candidates: list[list[tuple[int, str]]] = [[] for _ in tiers]
    upwards = order[::-1]
    amounts = [tiers[index].min_amount for index in upwards]
    for backer, levels in reached.items():
        if not levels:
            continue
        reaches = bisect_right(amounts, levels[-1][1])
        if len(levels) == 1:  # the common case: it never fell back, one moment for every tier
            entry = (levels[0][0], backer)
            for index in upwards[:reaches]:
                candidates[index].append(entry)
            continue
        step = 0
        for index, amount in zip(upwards[:reaches], amounts, strict=False):
            while levels[step][1] < amount:
                step += 1
            candidates[index].append((levels[step][0], backer))

    placed: set[str] = set()
    places: list[TierPlaces | None] = [None] * len(tiers)
    for index in order:
        tier = tiers[index]
        # A moment is one event, one backer: no two candidates share it.
        waiting = [backer for _, backer in sorted(candidates[index]) if backer not in placed]
        limit = len(waiting) if tier.limit is None else tier.limit
        holders = tuple(waiting[:limit])
        placed.update(holders)
        places[index] = TierPlaces(tier, holders, tuple(waiting[limit:]))
    return tuple(p for p in places if p is not None)
