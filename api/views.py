"""Index rows and chain reads turned into response models, and the opaque cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException, Response
from pydantic import BaseModel

from api import models
from crowdfund.escrow import Campaign, State

# Ids beyond this cannot be in the index (SQL's BIGINT): such a campaign does not exist.
MAX_INDEXED_ID = 2**63 - 1


def state_at(row: dict[str, Any], now: int) -> State:
    """CrowdfundEscrow._state over an index row, at the block time `now`."""
    if row["claimed"]:
        return State.CLAIMED
    if row["cancelled"]:
        return State.CANCELLED
    if now < row["starts_at"]:
        return State.UPCOMING
    if now < row["deadline"]:
        return State.ACTIVE
    return State.SUCCEEDED if row["goal_reached"] else State.FAILED


def percent(pledged: int, goal: int) -> float:
    return round(100 * pledged / goal, 2) if goal else 0.0


def campaign_from_row(row: dict[str, Any], token: models.Token, now: int) -> models.Campaign:
    goal, pledged = int(row["goal"]), int(row["pledged"])
    return models.Campaign(
        id=row["id"],
        creator=row["creator"],
        token=token,
        goal=row["goal"],
        cap=row["cap"],
        pledged=row["pledged"],
        percent_funded=percent(pledged, goal),
        backer_count=row["backer_count"],
        starts_at=row["starts_at"],
        deadline=row["deadline"],
        seconds_left=max(0, row["deadline"] - now),
        state=state_at(row, now).name.lower(),
        metadata_uri=row["metadata_uri"],
        claimed=row["claimed"],
        cancelled=row["cancelled"],
    )


def campaign_detail(
    live: Campaign,
    row: dict[str, Any],
    updates: list[dict[str, Any]],
    token: models.Token,
    now: int,
    block: models.BlockRef,
) -> models.CampaignDetail:
    """The chain's own figures (read live at `block`) with what only the events hold."""
    return models.CampaignDetail(
        id=live.id,
        creator=live.creator,
        token=token,
        goal=str(live.goal),
        cap=str(live.cap),
        pledged=str(live.pledged),
        percent_funded=percent(live.pledged, live.goal),
        backer_count=row["backer_count"],
        starts_at=live.starts_at,
        deadline=live.deadline,
        seconds_left=max(0, live.deadline - now),
        state=live.state.name.lower(),
        metadata_uri=row["metadata_uri"],
        claimed=live.claimed,
        cancelled=live.cancelled,
        updates=[models.Update(**u) for u in updates],
        block=block,
    )


def history_entry(row: dict[str, Any]) -> models.HistoryEntry:
    return models.HistoryEntry(
        kind=row["kind"],
        campaign_id=row["campaign_id"],
        backer=row["backer"],
        payer=row["payer"],
        amount=row["amount"],
        transaction_hash=row["transaction_hash"],
        block_number=row["block_number"],
        log_index=row["log_index"],
        timestamp=row["timestamp"],
    )


def escrow_event(row: dict[str, Any]) -> models.EscrowEvent:
    return models.EscrowEvent(**{name: row[name] for name in models.EscrowEvent.model_fields})


def encode_cursor(*position: int) -> str:
    text = "after:" + ":".join(str(p) for p in position)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> tuple[int, ...]:
    """The position a cursor of ours holds; 422 for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, *values = text.split(":")
        if prefix != "after" or len(values) != parts or not all(v.isdigit() and len(v) < 19 for v in values):
            raise ValueError(text)
        return tuple(int(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(422, f"cursor {cursor!r} is not one this gateway issued") from None


def rendered(compute: Callable[[], Awaitable[BaseModel | None]]) -> Callable[[], Awaitable[bytes | None]]:
    """`compute`, with its answer rendered to JSON once: cached answers are kept as bytes,
    so that a cache hit costs no serialisation (a page of 50 campaigns is most of the work)."""

    async def render() -> bytes | None:
        model = await compute()
        return None if model is None else model.model_dump_json().encode()

    return render


def json_bytes(body: bytes) -> Response:
    return Response(body, media_type="application/json")
