"""GET /events: a server-sent event stream of the escrow's events as they are indexed."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException
from fastapi.sse import EventSourceResponse, ServerSentEvent

from ...index import queries
from .. import render, schemas
from ..dependencies import GatewayDep, PinnedDep
from .campaigns import UNAVAILABLE

router = APIRouter(tags=["events"])

BATCH = 200  # events read from the index per query
WAIT = 15.0  # seconds between looks at the index when no new block arrives
END_OF_BLOCK = 2**31 - 1  # a log index past any real one: "after the whole block"
PROBLEM = {"$ref": "#/components/schemas/Problem"}


async def resume_after(
    last_event_id: Annotated[str | None, Header(description="resume after this event id")] = None,
) -> tuple[int, int] | None:
    """The position in Last-Event-ID; checked before the stream starts, so that a bad one
    is a 422 rather than a broken stream."""
    if last_event_id is None:
        return None
    block, _, log = last_event_id.partition("-")
    # isascii(): str.isdigit() also accepts digits such as "²" that int() refuses.
    ascii_digits = last_event_id.isascii() and block.isdigit() and log.isdigit()
    if not (ascii_digits and len(block) < 19 and len(log) < 10):
        raise HTTPException(422, f"Last-Event-ID {last_event_id!r} is not one this stream sent")
    return int(block), int(log)


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "`event:` is the kind (pledged, created, …) and `data:` an EscrowEvent; "
            "`event: reorg` says the index rolled back to the block in its data",
            "content": {"text/event-stream": {"schema": schemas.EscrowEvent.model_json_schema()}},
        },
        # Errors are JSON, not part of a stream: said explicitly, since the route's own
        # media type would otherwise be assumed for them.
        422: {
            "description": "a malformed Last-Event-ID",
            "content": {"application/json": {"schema": PROBLEM}},
        },
        503: {
            "description": UNAVAILABLE[503]["description"],
            "content": {"application/json": {"schema": PROBLEM}},
        },
    },
)
async def events(
    gateway: GatewayDep,
    pinned: PinnedDep,
    resume: Annotated[tuple[int, int] | None, Depends(resume_after)],
) -> AsyncIterable[ServerSentEvent]:
    """New escrow events, oldest first, as the index takes them in (each `id:` is
    `block-logindex`; send it back as Last-Event-ID to resume)."""
    position = resume or (pinned.number, END_OF_BLOCK)
    while True:
        tip, rows = await gateway.db(queries.events_after, position, BATCH)
        if tip.number < position[0]:
            # A reorg took back blocks this stream already reported.
            position = (tip.number, END_OF_BLOCK)
            yield ServerSentEvent(
                event="reorg", id=f"{position[0]}-{position[1]}", data={"block": tip.number, "hash": tip.hash}
            )
            continue
        for event in rows:
            position = (event.block_number, event.log_index)
            yield ServerSentEvent(
                event=event.kind,
                id=f"{position[0]}-{position[1]}",
                data=render.escrow_event(event).model_dump(),
            )
        if len(rows) < BATCH:
            await gateway.follower.wait_for_change(WAIT)
