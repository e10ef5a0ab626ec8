"""The documents that campaign and update links name, as the list and detail answers show
them: looked up in memory only, never waited for.

An answer never fetches: it shows what is known of a link now, and a link not yet known is
`unavailable` while one fetch of it starts in the background (from the content store, else
the IPFS gateway, each checked against the CID: services.content.verified). When a fetch
changes what a link shows, `generation` moves on; the routes put it in the keys of the
answers they cache, so an answer that said `unavailable` is not served again once the
document is here.

What the bytes of a CID are is a fact, kept while memory allows (byte-bounded, the least
recently shown dropped first, then simply fetched again from the store). Why a fetch failed
is not: an IPFS gateway that was down, slow, empty-handed or lying may do better later, so a
failure is remembered only until its retry time, which doubles with each failure in a row.
The first few retries come by themselves (an answer cached at an idle chain's block would
never ask again); later ones wait for an answer to show the link again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from crowdfund.content import Content, ContentMismatch, ContentRefused, cid_from_uri
from crowdfund.metadata import (
    CampaignMetadata,
    DocumentInvalid,
    UpdateDocument,
    campaign_metadata,
    update_document,
)

from ..node.ipfs import IpfsTooLarge
from ..node.reads import ENTRY_OVERHEAD, footprint
from .types import Found

log = logging.getLogger("crowdfund.gateway")

D = TypeVar("D")
Purpose = Literal["campaign", "update"]
Fetch = Callable[[str], Awaitable[Content]]

UNVERIFIED: Found[Any] = Found("unverified")
UNAVAILABLE: Found[Any] = Found("unavailable")
INVALID: Found[Any] = Found("invalid")

# How each kind of link's bytes are read.
READERS: dict[Purpose, Callable[[bytes], object]] = {
    "campaign": campaign_metadata,
    "update": update_document,
}
DEFAULT_BYTES = 16 * 2**20
FETCHES_AT_ONCE = 4
# Fetches waiting or under way; past it a link is asked for again at a later answer, so a
# page of 100 new campaigns (or a flood of them) never holds more than this many tasks.
FETCHES_QUEUED = 256
RETRY_FIRST = 2.0  # seconds after a first failure
RETRY_LIMIT = 300.0  # the longest a failure is believed
# Failures in a row after which a retry waits for an answer to show the link again: a link
# nobody looks at any more is not fetched every five minutes for ever.
TIMED_RETRIES = 6


@dataclass
class _Known:
    found: Found[Any]
    retry_at: float | None  # None: a fact about the CID's bytes, kept; else when to fetch again
    failures: int  # in a row


class Documents:
    def __init__(
        self,
        max_bytes: int = DEFAULT_BYTES,
        *,
        at_once: int = FETCHES_AT_ONCE,
        queued: int = FETCHES_QUEUED,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self.generation = 0  # moves on whenever what some link shows changes
        self.queued = queued
        self._clock = clock
        self._slots = asyncio.Semaphore(at_once)
        self._known: OrderedDict[tuple[Purpose, str], tuple[_Known, int]] = OrderedDict()
        self._fetching: dict[tuple[Purpose, str], asyncio.Task[None]] = {}
        self._retries: dict[tuple[Purpose, str], asyncio.TimerHandle] = {}

    def campaign(self, uri: str, fetch: Fetch) -> Found[CampaignMetadata]:
        """What a campaign's metadata link shows now; `fetch` gets the CID's checked bytes
        in the background when they are not known."""
        return self._look("campaign", uri, fetch)

    def update(self, uri: str, fetch: Fetch) -> Found[UpdateDocument]:
        return self._look("update", uri, fetch)

    def arrived(self, cid: str) -> None:
        """The CID's bytes were just stored (published): failures to find them are no longer
        believed, so the next answer that shows the link fetches them from the store."""
        for purpose in READERS:
            held = self._known.get((purpose, cid))
            if held is not None and held[0].retry_at is not None:
                self._forget((purpose, cid))
                self.generation += 1

    async def close(self) -> None:
        for retry in self._retries.values():
            retry.cancel()
        fetching = list(self._fetching.values())
        for task in fetching:
            task.cancel()
        await asyncio.gather(*fetching, return_exceptions=True)

    def _look(self, purpose: Purpose, uri: str, fetch: Fetch) -> Found[Any]:
        try:
            cid = cid_from_uri(uri)
        except ValueError:
            return UNVERIFIED  # an https:// or data: link, or an ipfs:// one that cannot be checked
        key = (purpose, cid)
        held = self._known.get(key)
        if held is None:
            self._start(key, fetch)
            return UNAVAILABLE
        self._known.move_to_end(key)
        known = held[0]
        if known.retry_at is not None and self._clock() >= known.retry_at:
            self._start(key, fetch)  # shown as before until the new fetch tells otherwise
        return known.found

    def _start(self, key: tuple[Purpose, str], fetch: Fetch) -> None:
        if key in self._fetching or len(self._fetching) >= self.queued:
            return
        task = asyncio.get_running_loop().create_task(self._fetch(key, fetch))
        self._fetching[key] = task
        task.add_done_callback(lambda _: self._fetching.pop(key, None))

    async def _fetch(self, key: tuple[Purpose, str], fetch: Fetch) -> None:
        purpose, cid = key
        async with self._slots:
            try:
                content = await fetch(cid)
            except ContentRefused:
                self._record(key, INVALID)  # the CID's own bytes: an image, too large
                return
            except (ContentMismatch, IpfsTooLarge) as exc:
                # The source lied or sent more than content may be: shown as such, but another
                # source (or this one, mended) may give the right bytes later.
                log.warning("the content of %s could not be used: %s", cid, exc)
                self._record(key, INVALID, retry=fetch)
                return
            except Exception as exc:  # noqa: BLE001 - not found, a source down or slow: not a fact
                log.info("the content of %s is not available yet: %s", cid, exc)
                self._record(key, UNAVAILABLE, retry=fetch)
                return
            try:
                # Up to 256 KiB checked against the schema: off the event loop.
                document = await asyncio.to_thread(READERS[purpose], content.data)
            except DocumentInvalid:
                self._record(key, INVALID)
                return
        self._record(key, Found("verified", document))

    def _record(self, key: tuple[Purpose, str], found: Found[Any], *, retry: Fetch | None = None) -> None:
        """Keep what a fetch found: a fact, or (with `retry`, how to fetch again) a failure."""
        held = self._known.get(key)
        shown = UNAVAILABLE if held is None else held[0].found
        failures = 0 if retry is None or held is None else held[0].failures + 1
        retry_at = None
        if retry is not None:
            delay = min(RETRY_FIRST * 2**failures, RETRY_LIMIT)
            retry_at = self._clock() + delay
        self._forget(key)
        if retry is not None and failures < TIMED_RETRIES:
            self._retries[key] = asyncio.get_running_loop().call_later(delay, self._start, key, retry)
        cost = ENTRY_OVERHEAD + footprint(key) + footprint(found)
        if cost <= self.max_bytes:
            self._known[key] = (_Known(found, retry_at, failures), cost)
            self.bytes += cost
            while self.bytes > self.max_bytes:
                self._forget(next(iter(self._known)))
        if found.status != shown.status:
            self.generation += 1

    def _forget(self, key: tuple[Purpose, str]) -> None:
        timed = self._retries.pop(key, None)
        if timed is not None:
            timed.cancel()
        held = self._known.pop(key, None)
        if held is not None:
            self.bytes -= held[1]
