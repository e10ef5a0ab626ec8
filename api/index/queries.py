"""Reads from the index. Each runs in one transaction that reads the tip first, so all
its rows belong to that block even while the indexer writes the next chunk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, and_, exists, false, func, not_, or_, select, true, tuple_
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from crowdfund.links import Link, bounded
from crowdfund.pledges import PLEDGE_KINDS
from crowdfund.state import RULES, Condition, Flag, NowBefore, State, Unset

from . import schema as db
from . import vault
from .store import tip_of
from .types import (
    BackerPosition,
    CampaignFilter,
    IndexedCampaign,
    IndexedEvent,
    Tip,
    VaultBacker,
    VaultRecord,
)

T = TypeVar("T")

# A campaign's history: the money moved, and for a milestone campaign what the vault did.
HISTORY_KINDS = (
    "pledged",
    "unpledged",
    "refunded",
    "claimed",
    "released",
    "objected",
    "unobjected",
    "halted",
    "lapsed",
    "vault_refunded",
)
# A campaign's answer carries its newest updates only; a creator may post thousands, and
# all of them are paged through by `history` with kinds=("updated",).
UPDATES_SHOWN = 20

# Before the index is opened on a chain: no block yet, which answers turn into 503s.
NO_TIP = Tip(-1, None, 0)


@contextmanager
def _at_tip(engine: Engine) -> Iterator[tuple[Connection, Tip]]:
    """A read transaction and the tip it sees: everything read in it belongs to that block,
    even while the indexer writes the next chunk."""
    with engine.begin() as conn:
        yield conn, tip_of(conn) or NO_TIP


def _sql(condition: Condition, now: int) -> ColumnElement[bool]:
    c = db.campaigns.c
    if isinstance(condition, Flag):
        return c[condition.field] == true()
    if isinstance(condition, Unset):
        return c[condition.field] == false()
    if isinstance(condition, NowBefore):
        return c[condition.field] > now - condition.later
    return true()


def state_clause(state: State, now: int) -> ColumnElement[bool]:
    """crowdfund.state.RULES compiled to SQL over the index's columns: a campaign is in
    `state` when that state's rule holds and no earlier rule does."""
    earlier: list[ColumnElement[bool]] = []
    for candidate, condition in RULES:
        if candidate is state:
            return and_(*(not_(e) for e in earlier), _sql(condition, now))
        earlier.append(_sql(condition, now))
    raise ValueError(f"no rule for {state}")


def _refunds(conn: Connection, campaign_ids: list[int]) -> dict[int, int]:
    """What backers took back in refunds from each campaign, added up in Python (amounts
    are 256-bit decimal text, which SQL cannot add)."""
    p = db.positions.c
    totals = dict.fromkeys(campaign_ids, 0)
    if campaign_ids:
        query = select(p.campaign_id, p.refunded).where(p.campaign_id.in_(campaign_ids), p.refunded != "0")
        for campaign_id, refunded in conn.execute(query):
            totals[campaign_id] += int(refunded)
    return totals


def _campaigns(conn: Connection, rows: list[RowMapping]) -> list[IndexedCampaign]:
    ids = [r["id"] for r in rows]
    refunds, milestones = _refunds(conn, ids), vault.records(conn, ids)
    return [_campaign(r, refunds[r["id"]], milestones.get(r["id"])) for r in rows]


def _campaign(row: RowMapping, refunded: int, milestones: VaultRecord | None = None) -> IndexedCampaign:
    link = bounded(row["metadata_uri"])
    return IndexedCampaign(
        id=row["id"],
        creator=row["creator"],
        token=row["token"],
        goal=int(row["goal"]),
        cap=int(row["cap"]),
        pledged=int(row["pledged"]),
        starts_at=row["starts_at"],
        deadline=row["deadline"],
        metadata_uri=link.text,
        metadata_uri_truncated=link.truncated,
        backer_count=row["backer_count"],
        goal_reached=row["goal_reached"],
        claimed=row["claimed"],
        cancelled=row["cancelled"],
        refunded=refunded,
        milestones=milestones,
    )


def indexed_event(row: Mapping[Any, Any]) -> IndexedEvent:
    """An event row, as the index stores it (or as the indexer is about to), handed up."""
    link = None if row["uri"] is None else bounded(row["uri"])
    return IndexedEvent(
        kind=row["kind"],
        campaign_id=row["campaign_id"],
        backer=row["backer"],
        payer=row["payer"],
        amount=None if row["amount"] is None else int(row["amount"]),
        new_total=None if row["new_total"] is None else int(row["new_total"]),
        uri=None if link is None else link.text,
        uri_truncated=link is not None and link.truncated,
        transaction_hash=row["transaction_hash"],
        block_number=row["block_number"],
        block_hash=row["block_hash"],
        log_index=row["log_index"],
        timestamp=row["timestamp"],
    )


def campaigns_page(
    engine: Engine, which: CampaignFilter, *, before: int | None, limit: int
) -> tuple[Tip, list[IndexedCampaign]]:
    """Up to `limit + 1` campaigns, newest first (the extra one tells that more follow)."""
    c = db.campaigns.c
    with _at_tip(engine) as (conn, tip):
        query = select(db.campaigns).where(c.created_block <= tip.number)
        if which.state is not None:
            query = query.where(state_clause(which.state, tip.timestamp))
        if which.creator is not None:
            # A milestone campaign's creator in the escrow is the vault; it is its real
            # creator's campaign too.
            v = db.vault_campaigns.c
            real = exists().where(v.id == c.id, v.creator == which.creator)
            query = query.where(or_(c.creator == which.creator, real))
        if which.token is not None:
            query = query.where(c.token == which.token)
        if which.backer is not None:
            p = db.positions.c
            query = query.where(exists().where(p.campaign_id == c.id, p.backer == which.backer))
        if before is not None:
            query = query.where(c.id < before)
        rows = list(conn.execute(query.order_by(c.id.desc()).limit(limit + 1)).mappings())
        return tip, _campaigns(conn, rows)


def campaign(engine: Engine, campaign_id: int) -> tuple[Tip, IndexedCampaign | None, list[IndexedEvent], int]:
    """One campaign, its newest UPDATES_SHOWN updates (oldest first) and how many it has."""
    e = db.events.c
    with _at_tip(engine) as (conn, tip):
        row = conn.execute(select(db.campaigns).where(db.campaigns.c.id == campaign_id)).mappings().first()
        if row is None:
            return tip, None, [], 0
        posted = (e.campaign_id == campaign_id, e.kind == "updated", e.block_number <= tip.number)
        newest = conn.execute(
            select(db.events)
            .where(*posted)
            .order_by(e.block_number.desc(), e.log_index.desc())
            .limit(UPDATES_SHOWN)
        ).mappings()
        updates = [indexed_event(u) for u in newest][::-1]
        count = len(updates)
        if count == UPDATES_SHOWN:
            count = conn.execute(select(func.count()).select_from(db.events).where(*posted)).scalar_one()
        return tip, _campaigns(conn, [row])[0], updates, count


def metadata_link(engine: Engine, campaign_id: int) -> tuple[Tip, Link | None]:
    """The metadata link a campaign was created with; None when there is no such campaign."""
    c = db.campaigns.c
    with _at_tip(engine) as (conn, tip):
        if not 0 <= campaign_id <= db.MAX_CAMPAIGN_ID:  # beyond BIGINT: none
            return tip, None
        uri = conn.execute(select(c.metadata_uri).where(c.id == campaign_id)).scalar()
        return tip, None if uri is None else bounded(uri)


# Rows a read of a campaign's pledge events holds at once: a campaign may have 10^5 of them,
# read from PostgreSQL through a server-side cursor rather than all into memory first.
PLEDGES_AT_ONCE = 10_000


def pledge_events(
    engine: Engine, campaign_id: int, consume: Callable[[Iterable[tuple[str, str, int]]], T]
) -> tuple[Tip, T]:
    """`consume` applied to the campaign's pledge events (kind, backer, amount), oldest first
    in chain order, streamed in this thread as they are read (the caller's work on them
    stays off the event loop too)."""
    e = db.events.c
    with _at_tip(engine) as (conn, tip):
        # By the index on (campaign_id, block_number, log_index): read in its order, no sort.
        query = (
            select(e.kind, e.backer, e.amount)
            .where(e.campaign_id == campaign_id, e.kind.in_(PLEDGE_KINDS), e.block_number <= tip.number)
            .order_by(e.block_number, e.log_index)
            .execution_options(yield_per=PLEDGES_AT_ONCE)
        )
        rows = conn.execute(query)
        return tip, consume((kind, backer, int(amount)) for kind, backer, amount in rows)


def history(
    engine: Engine,
    campaign_id: int,
    *,
    backer: str | None,
    kinds: tuple[str, ...],
    before: tuple[int, int] | None,
    limit: int,
) -> tuple[Tip, bool, list[IndexedEvent]]:
    """A campaign's money events, newest first; the bool says whether the campaign exists."""
    e = db.events.c
    with _at_tip(engine) as (conn, tip):
        found = conn.execute(select(db.campaigns.c.id).where(db.campaigns.c.id == campaign_id)).first()
        if found is None:
            return tip, False, []
        query = select(db.events).where(e.campaign_id == campaign_id, e.kind.in_(kinds))
        if backer is not None:
            query = query.where(e.backer == backer)
        if before is not None:
            query = query.where(tuple_(e.block_number, e.log_index) < tuple_(*before))
        query = query.order_by(e.block_number.desc(), e.log_index.desc()).limit(limit + 1)
        return tip, True, [indexed_event(r) for r in conn.execute(query).mappings()]


def backer_campaigns(
    engine: Engine, backer: str, *, before: int | None, limit: int
) -> tuple[Tip, list[BackerPosition]]:
    """Every campaign `backer` ever pledged to, newest campaign first, with their position."""
    p = db.positions.c
    with _at_tip(engine) as (conn, tip):
        query = (
            select(db.campaigns, p.amount.label("position_amount"), p.refunded.label("position_refunded"))
            .join(db.positions, p.campaign_id == db.campaigns.c.id)
            .where(p.backer == backer)
        )
        if before is not None:
            query = query.where(p.campaign_id < before)
        query = query.order_by(p.campaign_id.desc()).limit(limit + 1)
        rows = list(conn.execute(query).mappings())
        return tip, [
            BackerPosition(campaign, int(r["position_amount"]), int(r["position_refunded"]))
            for campaign, r in zip(_campaigns(conn, rows), rows, strict=True)
        ]


def events_after(
    engine: Engine, after: tuple[int, int], limit: int
) -> tuple[Tip, list[IndexedEvent], str | None]:
    """Events after the position `after` (block, log index), oldest first, up to the tip,
    and the hash the index holds for the position's block (None when it holds none): a
    stream compares it with the one it sent to tell whether a reorg took that block."""
    e = db.events.c
    with _at_tip(engine) as (conn, tip):
        query = (
            select(db.events)
            .where(tuple_(e.block_number, e.log_index) > tuple_(*after), e.block_number <= tip.number)
            .order_by(e.block_number, e.log_index)
            .limit(limit)
        )
        rows = [indexed_event(r) for r in conn.execute(query).mappings()]
        return tip, rows, _hashes_of(conn, [after[0]]).get(after[0])


def block_hashes(engine: Engine, numbers: Sequence[int]) -> dict[int, str]:
    """The hashes the index holds for these blocks: those an event came from, or a chunk
    of the index ended at; blocks it holds nothing of are left out."""
    with _at_tip(engine) as (conn, _):
        return _hashes_of(conn, numbers)


def _hashes_of(conn: Connection, numbers: Sequence[int]) -> dict[int, str]:
    e, b = db.events.c, db.blocks.c
    found: dict[int, str] = {}
    for number in numbers:
        # One row each, by the primary keys' order: a block may hold thousands of events.
        hash_ = conn.execute(select(e.block_hash).where(e.block_number == number).limit(1)).scalar()
        if hash_ is None:
            hash_ = conn.execute(select(b.hash).where(b.number == number)).scalar()
        if hash_ is not None:
            found[number] = hash_
    return found


def events_behind(engine: Engine, after: tuple[int, int], most: int) -> tuple[Tip, int]:
    """How many events lie after the position `after` up to the tip, counted no further
    than `most + 1`: enough to tell whether there are more than `most`, at a bounded cost."""
    e = db.events.c
    with _at_tip(engine) as (conn, tip):
        later = (
            select(e.block_number)
            .where(tuple_(e.block_number, e.log_index) > tuple_(*after), e.block_number <= tip.number)
            .limit(most + 1)
            .subquery()
        )
        return tip, conn.execute(select(func.count()).select_from(later)).scalar_one()


def vault_record(engine: Engine, campaign_id: int) -> VaultRecord | None:
    """The milestone campaign `campaign_id`; None for a campaign the vault did not create."""
    with _at_tip(engine) as (conn, _):
        return vault.records(conn, [campaign_id]).get(campaign_id)


def vault_standing(
    engine: Engine, campaign_id: int, backer: str
) -> tuple[VaultRecord | None, VaultBacker, int]:
    """A milestone campaign (None for any other), `backer`'s objection to it and its refund
    from the vault, and the time of the index's tip."""
    with _at_tip(engine) as (conn, tip):
        record = vault.records(conn, [campaign_id]).get(campaign_id)
        return record, vault.backer(conn, campaign_id, backer), tip.timestamp
