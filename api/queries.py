"""Reads from the index. Each runs in one transaction that reads the tip first, so all
its rows belong to that block even while the indexer writes the next chunk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, and_, exists, not_, select, true, tuple_
from sqlalchemy.sql.elements import ColumnElement

from api import db
from api.store import Tip

Row = dict[str, Any]
HISTORY_KINDS = ("pledged", "unpledged", "refunded", "claimed")


def _tip(conn: Connection) -> Tip:
    meta = {r.key: r.value for r in conn.execute(select(db.meta))}
    return Tip(
        int(meta.get("tip_number", "-1")), meta.get("tip_hash") or None, int(meta.get("tip_timestamp", "0"))
    )


def state_clause(state: str, now: int) -> ColumnElement[bool]:
    """The escrow's state rule (CrowdfundEscrow._state) over the index's columns."""
    c = db.campaigns.c
    live = and_(not_(c.claimed), not_(c.cancelled))
    rules: dict[str, ColumnElement[bool]] = {
        "claimed": c.claimed == true(),
        "cancelled": and_(c.cancelled, not_(c.claimed)),
        "upcoming": and_(live, c.starts_at > now),
        "active": and_(live, c.starts_at <= now, c.deadline > now),
        "succeeded": and_(live, c.deadline <= now, c.goal_reached),
        "failed": and_(live, c.deadline <= now, not_(c.goal_reached)),
    }
    return rules[state]


def campaigns_page(
    engine: Engine,
    *,
    state: str | None,
    creator: str | None,
    token: str | None,
    backer: str | None,
    before: int | None,
    limit: int,
) -> tuple[Tip, list[Row]]:
    """Up to `limit + 1` campaigns, newest first (the extra one tells that more follow)."""
    c = db.campaigns.c
    with engine.begin() as conn:
        tip = _tip(conn)
        query = select(db.campaigns).where(c.created_block <= tip.number)
        if state is not None:
            query = query.where(state_clause(state, tip.timestamp))
        if creator is not None:
            query = query.where(c.creator == creator)
        if token is not None:
            query = query.where(c.token == token)
        if backer is not None:
            p = db.positions.c
            query = query.where(exists().where(p.campaign_id == c.id, p.backer == backer))
        if before is not None:
            query = query.where(c.id < before)
        rows = [dict(r._mapping) for r in conn.execute(query.order_by(c.id.desc()).limit(limit + 1))]
        return tip, rows


def campaign(engine: Engine, campaign_id: int) -> tuple[Tip, Row | None, list[Row]]:
    """One campaign's row and its updates, oldest first."""
    e = db.events.c
    with engine.begin() as conn:
        tip = _tip(conn)
        row = conn.execute(select(db.campaigns).where(db.campaigns.c.id == campaign_id)).first()
        if row is None:
            return tip, None, []
        updates = conn.execute(
            select(e.uri, e.block_number, e.timestamp, e.transaction_hash)
            .where(e.campaign_id == campaign_id, e.kind == "updated")
            .order_by(e.block_number, e.log_index)
        )
        return tip, dict(row._mapping), [dict(u._mapping) for u in updates]


def history(
    engine: Engine,
    campaign_id: int,
    *,
    backer: str | None,
    kinds: tuple[str, ...],
    before: tuple[int, int] | None,
    limit: int,
) -> tuple[Tip, bool, list[Row]]:
    """A campaign's money events, newest first; the bool says whether the campaign exists."""
    e = db.events.c
    with engine.begin() as conn:
        tip = _tip(conn)
        found = conn.execute(select(db.campaigns.c.id).where(db.campaigns.c.id == campaign_id)).first()
        if found is None:
            return tip, False, []
        query = select(db.events).where(e.campaign_id == campaign_id, e.kind.in_(kinds))
        if backer is not None:
            query = query.where(e.backer == backer)
        if before is not None:
            query = query.where(tuple_(e.block_number, e.log_index) < tuple_(*before))
        query = query.order_by(e.block_number.desc(), e.log_index.desc()).limit(limit + 1)
        return tip, True, [dict(r._mapping) for r in conn.execute(query)]


def backer_campaigns(engine: Engine, backer: str, *, before: int | None, limit: int) -> tuple[Tip, list[Row]]:
    """Every campaign `backer` ever pledged to, newest campaign first, with their position."""
    p = db.positions.c
    with engine.begin() as conn:
        tip = _tip(conn)
        query = (
            select(db.campaigns, p.amount.label("position_amount"), p.refunded.label("position_refunded"))
            .join(db.positions, p.campaign_id == db.campaigns.c.id)
            .where(p.backer == backer)
        )
        if before is not None:
            query = query.where(p.campaign_id < before)
        query = query.order_by(p.campaign_id.desc()).limit(limit + 1)
        return tip, [dict(r._mapping) for r in conn.execute(query)]


def events_after(engine: Engine, after: tuple[int, int], limit: int) -> tuple[Tip, list[Row]]:
    """Events after the position `after` (block, log index), oldest first, up to the tip."""
    e = db.events.c
    with engine.begin() as conn:
        tip = _tip(conn)
        query = (
            select(db.events)
            .where(tuple_(e.block_number, e.log_index) > tuple_(*after), e.block_number <= tip.number)
            .order_by(e.block_number, e.log_index)
            .limit(limit)
        )
        return tip, [dict(r._mapping) for r in conn.execute(query)]
