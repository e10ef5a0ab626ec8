"""A backer's pledge as the escrow's events move it: the one rule that the index's positions
and the reward tiers (crowdfund.tiers) both follow.

Events are named by the index's words for them (api/index/events.py): `pledged` (Pledged,
credited to the backer whoever paid), `unpledged` (Unpledged) and `refunded` (Refunded). A
claim pays the creator and leaves every pledge as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# The events that move a backer's pledge.
PLEDGE_KINDS = ("pledged", "unpledged", "refunded")


def pledge_after(held: int, kind: str, amount: int) -> int:
    """The pledge a backer holds after an event of `kind` moving `amount`, from `held`: a
    pledge adds its amount, an unpledge takes its amount away, a refund returns the whole
    pledge (leaving 0)."""
    if kind == "pledged":
        return held + amount
    if kind == "unpledged":
        return held - amount
    if kind == "refunded":
        return 0
    raise ValueError(f"{kind!r} does not move a pledge; only {', '.join(PLEDGE_KINDS)} do")


def pledges_after(events: Iterable[tuple[str, str, int]]) -> Iterator[tuple[str, int]]:
    """Each backer's pledge after each of its events, from (kind, backer, amount) in chain
    order."""
    held: dict[str, int] = {}
    for kind, backer, amount in events:
        pledge = held[backer] = pledge_after(held.get(backer, 0), kind, amount)
        yield backer, pledge
