"""GET /events: a server-sent event stream of the escrow's events as they are indexed."""

from __future__ import annotations

from collections.abc import AsyncIterable
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from fastapi.sse import EventSourceResponse, ServerSentEvent

from api import models, queries, views
from api.dependencies import GatewayDep, PinnedDep
from api.routes.campaigns import UNAVAILABLE

router = APIRouter(tags=["events"])

BATCH = 200  # events read from the index per query
WAIT = 15.0  # seconds between looks at the index when no new block arrives
END_OF_BLOCK = 2**31 - 1  # a log index past any real one: "after the whole block"


def _position(last_event_id: str) -> tuple[int, int]:
    block, _, log = last_event_id.partition("-")
    if not (block.isdigit() and log.isdigit() and len(block) < 19 and len(log) < 10):
        raise HTTPException(422, f"Last-Event-ID {last_event_id!r} is not one this stream sent")
    return int(block), int(log)


@router.get(
    "/events",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "`event:` is the kind (pledged, created, …) and `data:` an EscrowEvent; "
            "`event: reorg` says the index rolled back to the block in its data",
            "content": {"text/event-stream": {"schema": models.EscrowEvent.model_json_schema()}},
        },
        422: {"model": models.Problem},
        **UNAVAILABLE,
    },
)
async def events(
    gateway: GatewayDep,
    pinned: PinnedDep,
    last_event_id: Annotated[str | None, Header(description="resume after this event id")] = None,
) -> AsyncIterable[ServerSentEvent]:
    """New escrow events, oldest first, as the index takes them in (each `id:` is
    `block-logindex`; send it back as Last-Event-ID to resume)."""
    position = _position(last_event_id) if last_event_id else (pinned.number, END_OF_BLOCK)
    while True:
        tip, rows = await gateway.db(queries.events_after, position, BATCH)
        if tip.number < position[0]:
            # A reorg took back blocks this stream already reported.
            position = (tip.number, END_OF_BLOCK)
            yield ServerSentEvent(
                event="reorg", id=f"{position[0]}-{position[1]}", data={"block": tip.number, "hash": tip.hash}
            )
            continue
        for row in rows:
            position = (row["block_number"], row["log_index"])
            yield ServerSentEvent(
                event=row["kind"],
                id=f"{position[0]}-{position[1]}",
                data=views.escrow_event(row).model_dump(),
            )
        if len(rows) < BATCH:
            await gateway.follower.wait_for_change(WAIT)
