"""GET /events: a server-sent event stream of the escrow's events as they are indexed.

The stream is written here rather than by FastAPI's generator support: a client hanging
up at the wrong moment made that one fail with a traceback, and here a failing index ends
the stream quietly (the client resumes with Last-Event-ID) instead of breaking it."""

from __future__ import annotations

import json
import logging
import re
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import StreamingResponse

from ...gateway import Gateway
from ...index import queries
from ...index.follower import MOVES_KEPT
from ...index.types import Tip, TipMove
from .. import render, schemas
from ..dependencies import GatewayDep, PinnedDep
from ..ratelimit import rate_limited
from .campaigns import UNAVAILABLE

router = APIRouter(tags=["events"])
log = logging.getLogger(__name__)

BATCH = 200  # events read from the index per query
WAIT = 15.0  # seconds between looks at the index when no new block arrives, and between keep-alives
END_OF_BLOCK = 2**31 - 1  # a log index past any real one: "after the whole block"
HASH_DIGITS = 16  # hex digits of the block hash in an event id
_HASH_DIGITS = re.compile(f"[0-9a-f]{{{HASH_DIGITS}}}")
BLOCKS_KEPT = 64  # blocks a stream remembers sending from, to go back to after a reorg
SLICE = 16 * 2**10  # bytes of a block's rendered events sent at once
PROBLEM = {"$ref": "#/components/schemas/Problem"}


class Resume(NamedTuple):
    """Where a Last-Event-ID says the client stands: after `position`, in the block whose
    hash begins with `hash` (None for ids sent before they carried it)."""

    position: tuple[int, int]
    hash: str | None


async def resume_after(
    last_event_id: Annotated[str | None, Header(description="resume after this event id")] = None,
) -> Resume | None:
    """The position in Last-Event-ID; checked before the stream starts, so that a bad one
    is a 422 rather than a broken stream. Every id the stream sends is accepted, the
    `block-2147483647-hash` of `reorg` and `refetch` included, and so are the
    `block-logindex` ids sent before ids carried their block's hash."""
    if last_event_id is None:
        return None
    parts = last_event_id.split("-")
    block, log = (parts + ["", ""])[:2]
    hash_ = parts[2] if len(parts) == 3 else None
    # isascii(): str.isdigit() also accepts digits such as "²" that int() refuses.
    ascii_digits = last_event_id.isascii() and block.isdigit() and log.isdigit()
    well_formed = len(parts) == 2 or (len(parts) == 3 and _HASH_DIGITS.fullmatch(parts[2]) is not None)
    if not (ascii_digits and well_formed and len(block) < 19 and len(log) <= 10 and int(log) <= END_OF_BLOCK):
        raise HTTPException(422, f"Last-Event-ID {last_event_id!r} is not one this stream sent")
    return Resume((int(block), int(log)), hash_)


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


def _short(block_hash: str | None) -> str | None:
    """The part of a block hash an event id carries: enough to tell two blocks of one
    height apart (a reorg's), short enough for every id."""
    return None if block_hash is None else block_hash[2 : 2 + HASH_DIGITS].lower()


def _event(kind: str, position: tuple[int, int], block_hash: str | None, data: str) -> bytes:
    id_ = (
        f"{position[0]}-{position[1]}"
        if block_hash is None
        else f"{position[0]}-{position[1]}-{_short(block_hash)}"
    )
    return format_sse_event(event=kind, id=id_, data_str=data)


class _Place:
    """Where a stream stands, and the blocks it sent events from with their hashes, newest
    last: after a reorg it goes back to the newest of them the index still holds, and
    tells the client so (`event: reorg`), or, holding none, asks it to read everything
    again (`event: refetch`)."""

    def __init__(self, position: tuple[int, int], short_hash: str | None) -> None:
        self.position = position
        self.sent: deque[tuple[int, str | None]] = deque([(position[0], short_hash)], maxlen=BLOCKS_KEPT)

    def advance(self, position: tuple[int, int], block_hash: str) -> None:
        self.position = position
        if self.sent[-1][0] != position[0]:
            self.sent.append((position[0], _short(block_hash)))

    def taken_back(self, tip: Tip, held: str | None) -> bool:
        """Whether a reorg took the block the stream stands in: the index, at `tip`,
        holding `held` as that block's hash."""
        number, sent = self.sent[-1]
        if number > tip.number:
            return True
        if sent is None:  # a Last-Event-ID from before ids carried hashes: nothing to compare
            return False
        # The index keeps the hash of every block an event came from and of every block a
        # chunk ended at (tips included), and forgets one only when a reorg takes it: a
        # block the stream named, with its hash, that the index no longer holds was taken.
        return held is None or _short(held) != sent

    def go_back(self, tip: Tip, held: dict[int, str]) -> bytes:
        """Back to the newest block sent that the index, at `tip`, still holds: a `reorg`
        event; or, none left, a `refetch` at the tip."""
        while self.sent:
            number, sent = self.sent.pop()
            if number <= tip.number and sent is not None and _short(held.get(number)) == sent:
                return self._moved_to("reorg", number, held[number])
        return self._moved_to("refetch", tip.number, tip.hash)

    def _moved_to(self, kind: str, number: int, block_hash: str | None) -> bytes:
        """An event that moves the stream to the end of block `number`, where it resumes."""
        self.position = (number, END_OF_BLOCK)
        self.sent.clear()
        self.sent.append((number, _short(block_hash)))
        return _event(kind, self.position, block_hash, json.dumps({"block": number, "hash": block_hash}))

    def moved_to(self, kind: str, tip: Tip) -> bytes:
        return self._moved_to(kind, tip.number, tip.hash)


@router.get(
    "/events",
    response_class=EventStream,
    dependencies=[rate_limited("events")],
    responses={
        200: {
            "description": "`event:` is the kind (pledged, created, …) and `data:` an EscrowEvent; "
            "`event: reorg` says the index rolled back to the block in its data; `event: refetch` "
            "says the Last-Event-ID lay further behind than the stream replays (SSE_REPLAY_LIMIT "
            "events): the stream resumes at the block in its data, and what the client shows "
            "should be read again",
            "content": {"text/event-stream": {"schema": schemas.EscrowEvent.model_json_schema()}},
        },
        # Errors are JSON, not part of a stream: said explicitly, since the route's own
        # media type would otherwise be assumed for them.
        422: {
            "description": "a malformed Last-Event-ID",
            "content": {"application/json": {"schema": PROBLEM}},
        },
        429: {
            "description": "this client opened too many streams lately; see Retry-After",
            "content": {"application/json": {"schema": PROBLEM}},
        },
        503: {
            "description": f"{UNAVAILABLE[503]['description']}, or as many streams are open as allowed",
            "content": {"application/json": {"schema": PROBLEM}},
        },
    },
)
async def events(
    request: Request,
    gateway: GatewayDep,
    pinned: PinnedDep,
    resume: Annotated[Resume | None, Depends(resume_after)],
) -> EventStream:
    """New escrow events, oldest first, as the index takes them in (each `id:` is
    `block-logindex-hash`; send it back as Last-Event-ID to resume)."""
    first: list[bytes] = []
    if resume is None:
        place = _Place((pinned.number, END_OF_BLOCK), _short(pinned.hash))
    else:
        place = _Place(resume.position, resume.hash)
        # A replay costs the gateway in proportion to its length: one from too far back
        # is replaced by a refetch of the current state. Asked before the stream starts,
        # so that an index that cannot answer is a 503.
        most = request.app.state.settings.sse_replay_limit
        tip, behind = await gateway.db(queries.events_behind, resume.position, most)
        if behind > most:
            first.append(place.moved_to("refetch", tip))
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy may buffer it
    # A new stream starts at the follower's tip, from where the moves in memory continue.
    follower = gateway.follower
    fresh = resume is None and follower.tip is not None and follower.tip.hash == pinned.hash
    return EventStream(_stream(gateway, place, first, follower.moved if fresh else None), headers=headers)


async def _stream(
    gateway: Gateway, place: _Place, first: list[bytes], seen: int | None
) -> AsyncIterator[bytes]:
    """The stream after `place`; `seen` is the number of the follower's move up to which
    it has sent every event, when known. While the follower's moves after it are all in
    memory with their events, they are sent from there, rendered once for every stream;
    otherwise the stream reads the index itself, and checks on every read that no reorg
    took the block it stands in (the follower's moves say so themselves)."""
    for event in first:
        yield event
    sent = time.monotonic()
    follower = gateway.follower
    while True:
        while seen is not None and seen < follower.moved:
            move = next((m for m in follower.moves if m.number == seen + 1), None)
            if move is not None and move.rows is not None and len(move.rows) <= BATCH:
                piece, blocks = _rendered(move)
                # In slices: a client that has stopped reading holds at most one in the
                # gateway's memory (with its transport's buffer), not a whole block's events.
                for start in range(0, len(piece), SLICE):
                    yield piece[start : start + SLICE]
                if piece:
                    for position, block_hash in blocks:
                        place.advance(position, block_hash)
                    sent = time.monotonic()
            elif move is not None and move.rollback:
                # The follower went back to the block the chains share.
                if move.tip.number < place.position[0]:
                    yield place.moved_to("reorg", move.tip)
                    sent = time.monotonic()
            else:
                # Fallen behind the moves kept, or their events are not known (too many,
                # or another process indexes): read from the index.
                seen = None
                break
            seen = move.number
        if seen is None:
            try:
                tip, rows, held = await gateway.db(queries.events_after, place.position, BATCH)
                if place.taken_back(tip, held):
                    numbers = [number for number, _ in place.sent]
                    yield place.go_back(tip, await gateway.db(queries.block_hashes, numbers))
                    sent = time.monotonic()
                    continue
            except SQLAlchemyError as exc:
                log.warning("an event stream ended: the index did not answer (%s)", type(exc).__name__)
                return
            for row in rows:
                place.advance((row.block_number, row.log_index), row.block_hash)
                yield _event(
                    row.kind, place.position, row.block_hash, render.escrow_event(row).model_dump_json()
                )
            if rows:
                sent = time.monotonic()
            if len(rows) == BATCH:
                continue  # more to read at once
            # Caught up with the index; from the follower's moves on when it stands there too.
            seen = follower.moved if tip == follower.tip else None
        await follower.wait_for_change(WAIT)
        if time.monotonic() - sent >= WAIT:
            yield KEEPALIVE_COMMENT
            sent = time.monotonic()


# Each move's events rendered once, for every stream that sends them.
_RENDERED: OrderedDict[TipMove, tuple[bytes, list[tuple[tuple[int, int], str]]]] = OrderedDict()


def _rendered(move: TipMove) -> tuple[bytes, list[tuple[tuple[int, int], str]]]:
    """The move's events as one piece of the stream, and the position and block hash of
    the last event of each block in it (b"" and no blocks when it has none)."""
    found = _RENDERED.get(move)
    if found is None:
        assert move.rows is not None
        events = [queries.indexed_event(row) for row in move.rows]
        piece = b"".join(
            _event(
                e.kind, (e.block_number, e.log_index), e.block_hash, render.escrow_event(e).model_dump_json()
            )
            for e in events
        )
        last: dict[int, tuple[tuple[int, int], str]] = {}
        for e in events:
            last[e.block_number] = ((e.block_number, e.log_index), e.block_hash)
        found = _RENDERED[move] = (piece, list(last.values()))
        while len(_RENDERED) > MOVES_KEPT:
            _RENDERED.popitem(last=False)
    return found
