"""GET /events: a server-sent event stream of the escrow's events as they are indexed.

The stream is written here rather than by FastAPI's generator support: a client hanging
up at the wrong moment made that one fail with a traceback, and here a failing index ends
the stream quietly (the client resumes with Last-Event-ID) instead of breaking it."""

from __future__ import annotations

import json
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from fastapi.sse import KEEPALIVE_COMMENT, format_sse_event
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import StreamingResponse

from ...gateway import Gateway
from ...index import queries
from ...index.follower import MOVES_KEPT
from ...index.types import TipMove
from .. import render, schemas
from ..dependencies import GatewayDep, PinnedDep
from ..ratelimit import rate_limited
from .campaigns import UNAVAILABLE

router = APIRouter(tags=["events"])
log = logging.getLogger(__name__)

BATCH = 200  # events read from the index per query
WAIT = 15.0  # seconds between looks at the index when no new block arrives, and between keep-alives
END_OF_BLOCK = 2**31 - 1  # a log index past any real one: "after the whole block"
PROBLEM = {"$ref": "#/components/schemas/Problem"}


async def resume_after(
    last_event_id: Annotated[str | None, Header(description="resume after this event id")] = None,
) -> tuple[int, int] | None:
    """The position in Last-Event-ID; checked before the stream starts, so that a bad one
    is a 422 rather than a broken stream. Every id the stream sends is accepted, the
    `block-2147483647` of `reorg` and `refetch` included."""
    if last_event_id is None:
        return None
    block, _, log = last_event_id.partition("-")
    # isascii(): str.isdigit() also accepts digits such as "²" that int() refuses.
    ascii_digits = last_event_id.isascii() and block.isdigit() and log.isdigit()
    if not (ascii_digits and len(block) < 19 and len(log) <= 10 and int(log) <= END_OF_BLOCK):
        raise HTTPException(422, f"Last-Event-ID {last_event_id!r} is not one this stream sent")
    return int(block), int(log)


class EventStream(StreamingResponse):
    media_type = "text/event-stream"


def _event(kind: str, position: tuple[int, int], data: str) -> bytes:
    return format_sse_event(event=kind, id=f"{position[0]}-{position[1]}", data_str=data)


def _moved_to(kind: str, number: int, block_hash: str | None) -> tuple[tuple[int, int], bytes]:
    """An event that moves the stream to the end of block `number`, where it resumes."""
    position = (number, END_OF_BLOCK)
    return position, _event(kind, position, json.dumps({"block": number, "hash": block_hash}))


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
    resume: Annotated[tuple[int, int] | None, Depends(resume_after)],
) -> EventStream:
    """New escrow events, oldest first, as the index takes them in (each `id:` is
    `block-logindex`; send it back as Last-Event-ID to resume)."""
    first: list[bytes] = []
    position = resume or (pinned.number, END_OF_BLOCK)
    if resume is not None:
        # A replay costs the gateway in proportion to its length: one from too far back
        # is replaced by a refetch of the current state. Asked before the stream starts,
        # so that an index that cannot answer is a 503.
        most = request.app.state.settings.sse_replay_limit
        tip, behind = await gateway.db(queries.events_behind, resume, most)
        if behind > most:
            position, refetch = _moved_to("refetch", tip.number, tip.hash)
            first.append(refetch)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy may buffer it
    # A new stream starts at the follower's tip, from where the moves in memory continue.
    follower = gateway.follower
    fresh = resume is None and follower.tip is not None and follower.tip.hash == pinned.hash
    return EventStream(_stream(gateway, position, first, follower.moved if fresh else None), headers=headers)


async def _stream(
    gateway: Gateway, position: tuple[int, int], first: list[bytes], seen: int | None
) -> AsyncIterator[bytes]:
    """The stream after `position`; `seen` is the number of the follower's move up to which
    it has sent every event, when known. While the follower's moves after it are all in
    memory with their events, they are sent from there, rendered once for every stream;
    otherwise the stream reads the index itself."""
    for event in first:
        yield event
    sent = time.monotonic()
    follower = gateway.follower
    while True:
        while seen is not None and seen < follower.moved:
            move = next((m for m in follower.moves if m.number == seen + 1), None)
            if move is not None and move.rows is not None and len(move.rows) <= BATCH:
                piece, last = _rendered(move)
                if piece:
                    yield piece
                    position, sent = last, time.monotonic()
            elif move is not None and move.rollback:
                if move.tip.number < position[0]:  # it took back what this stream reported
                    position, reorg = _moved_to("reorg", move.tip.number, move.tip.hash)
                    yield reorg
                    sent = time.monotonic()
            else:
                # Fallen behind the moves kept, or their events are not known (too many,
                # or another process indexes): read from the index.
                seen = None
                break
            seen = move.number
        if seen is None:
            try:
                tip, rows = await gateway.db(queries.events_after, position, BATCH)
            except SQLAlchemyError as exc:
                log.warning("an event stream ended: the index did not answer (%s)", type(exc).__name__)
                return
            if tip.number < position[0]:
                # A reorg took back blocks this stream already reported.
                position, reorg = _moved_to("reorg", tip.number, tip.hash)
                yield reorg
                continue
            for row in rows:
                position = (row.block_number, row.log_index)
                yield _event(row.kind, position, render.escrow_event(row).model_dump_json())
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
_RENDERED: OrderedDict[TipMove, tuple[bytes, tuple[int, int]]] = OrderedDict()


def _rendered(move: TipMove) -> tuple[bytes, tuple[int, int]]:
    """The move's events as one piece of the stream, and the position of its last event
    (the stream's position unchanged when there is none: b"" and (0, 0))."""
    found = _RENDERED.get(move)
    if found is None:
        assert move.rows is not None
        events = [queries.indexed_event(row) for row in move.rows]
        piece = b"".join(
            _event(e.kind, (e.block_number, e.log_index), render.escrow_event(e).model_dump_json())
            for e in events
        )
        found = _RENDERED[move] = (
            piece,
            (events[-1].block_number, events[-1].log_index) if events else (0, 0),
        )
        while len(_RENDERED) > MOVES_KEPT:
            _RENDERED.popitem(last=False)
    return found
