"""How long the background loops wait between looks: the poll interval while all is well,
doubling after each failure up to BACKOFF_LIMIT, so that a faulty node or database is
neither hammered nor left alone for long."""

from __future__ import annotations

import asyncio
import contextlib

# The longest pause between two looks after failures: as long as a 503's default Retry-After.
BACKOFF_LIMIT = 5.0


def backoff(poll_interval: float, failures: int) -> float:
    """Seconds to wait before the next look after `failures` failed ones in a row."""
    return min(poll_interval * 2.0 ** min(failures, 16), max(poll_interval, BACKOFF_LIMIT))


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less when `stop` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
