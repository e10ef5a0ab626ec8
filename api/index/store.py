"""Writes to the index: a chunk of events in one transaction, a rollback after a reorg,
and the tip (the last block indexed) that both move."""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Engine, Index, Table, delete, func, insert, select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crowdfund.pledges import PLEDGE_KINDS

from . import schema as db
from . import vault
from .ledger import Ledger, Position
from .types import Tip

WRITER_CACHE_KIB = 64 * 1024


def _meta(conn: Connection) -> dict[str, str]:
    return {row.key: row.value for row in conn.execute(select(db.meta))}


def tip_of(conn: Connection) -> Tip | None:
    """The tip the index has reached, read inside the caller's transaction; None for an
    index not yet opened on any chain."""
    meta = _meta(conn)
    if "tip_number" not in meta:
        return None
    return Tip(int(meta["tip_number"]), meta.get("tip_hash") or None, int(meta.get("tip_timestamp", "0")))


def _set_meta(conn: Connection, **values: str) -> None:
    conn.execute(delete(db.meta).where(db.meta.c.key.in_(values)))
    conn.execute(insert(db.meta), [{"key": k, "value": v} for k, v in values.items()])


def read_tip(engine: Engine) -> Tip | None:
    with engine.connect() as conn:
        return tip_of(conn)


def read_state(engine: Engine) -> tuple[int | None, Tip | None]:
    """The chain the index holds (None before it was opened on one) and its tip: what a
    process that does not index reads, and what /health asks of the database."""
    with engine.connect() as conn:
        chain_id = _meta(conn).get("chain_id")
        return (int(chain_id) if chain_id else None), tip_of(conn)


def _store_tip(conn: Connection, tip: Tip) -> None:
    _set_meta(conn, tip_number=str(tip.number), tip_hash=tip.hash or "", tip_timestamp=str(tip.timestamp))


def open_index(engine: Engine, chain_id: int, escrow: str, start_block: int, vault: str | None = None) -> Tip:
    """The tip to resume from; an index of another chain, escrow or vault is emptied first
    (a vault added later is indexed from the start)."""
    with engine.begin() as conn:
        meta, tip_before = _meta(conn), tip_of(conn)
        same = meta.get("chain_id") == str(chain_id) and meta.get("escrow") == escrow
        if same and meta.get("vault", "") == (vault or "") and tip_before is not None:
            return tip_before
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(delete(table))
        tip = Tip(start_block - 1, None, 0)
        _set_meta(conn, chain_id=str(chain_id), escrow=escrow, vault=vault or "")
        _store_tip(conn, tip)
        return tip


def _load(conn: Connection, campaign_ids: set[int], keys: set[tuple[int, str]]) -> Ledger:
    """The stored rows the events about `campaign_ids` and `keys` change. Campaign ids are
    handed out in order, so an id above the highest stored one is a campaign created in
    this chunk: neither it nor a position in it has a row to read yet, which spares a
    catch-up most of its reads."""
    ledger = Ledger()
    highest = conn.execute(select(func.max(db.campaigns.c.id))).scalar_one()
    if highest is None:
        return ledger
    campaign_ids = {c for c in campaign_ids if c <= highest}
    keys = {k for k in keys if k[0] <= highest}
    if campaign_ids:
        # The ids are ints, written into the statement: SQLAlchemy's expanding IN binds and
        # its row processing cost more than the lookups of ~10,000 campaigns a chunk.
        names = [c.name for c in db.campaigns.columns]
        query = f"SELECT {', '.join(names)} FROM campaigns WHERE id IN ({', '.join(map(str, campaign_ids))})"
        for row in conn.exec_driver_sql(query).all():
            ledger.campaigns[row[0]] = dict(zip(names, row, strict=True))
    for campaign_id, backer, amount, refunded, first_block in _stored_positions(conn, keys):
        ledger.positions[(campaign_id, backer)] = Position(int(amount), int(refunded), first_block)
    return ledger


def _stored_positions(conn: Connection, keys: set[tuple[int, str]]) -> list[Any]:
    """The stored positions among `keys`, as (campaign_id, backer, amount, refunded, first_block)."""
    if not keys:
        return []
    if conn.dialect.name != "sqlite":
        query = select(
            db.positions.c.campaign_id, db.positions.c.backer, db.positions.c.amount,
            db.positions.c.refunded, db.positions.c.first_block,
        ).where(tuple_(db.positions.c.campaign_id, db.positions.c.backer).in_(list(keys)))  # fmt: skip
        return list(conn.execute(query).all())
    # Thousands of keys a chunk: SQLAlchemy renders a tuple IN of that size in Python for
    # longer than SQLite takes to look the keys up from a temporary table (one per
    # connection, emptied before each use; it lives outside the database file).
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS wanted_positions (campaign_id INTEGER, backer TEXT)"
    )
    conn.exec_driver_sql("DELETE FROM wanted_positions")
    conn.exec_driver_sql("INSERT INTO wanted_positions VALUES (?, ?)", list(keys))
    return list(
        conn.exec_driver_sql(
            "SELECT p.campaign_id, p.backer, p.amount, p.refunded, p.first_block"
            " FROM wanted_positions AS w JOIN positions AS p"
            " ON p.campaign_id = w.campaign_id AND p.backer = w.backer"
        ).all()
    )


def _statement_rows(conn: Connection, statement: Any, rows: list[Any], table: Table) -> None:
    """Run an INSERT for many rows as one DBAPI executemany; the rows are dicts, or tuples
    of every column in the table's order.

    The statement is compiled once and handed the rows as they are: SQLAlchemy's own
    executemany processes every parameter of every row in Python, which costs a catch-up
    more than the database does. Every column is given in every row, in the types the
    columns hold, so nothing is left to convert."""
    compiled = statement.compile(dialect=conn.dialect)
    columns = [c.name for c in table.columns]
    if isinstance(rows[0], tuple):
        if compiled.positional and list(compiled.positiontup) == columns:
            conn.exec_driver_sql(compiled.string, rows)
            return
        rows = [dict(zip(columns, row, strict=True)) for row in rows]
    if compiled.positional:
        values = itemgetter(*compiled.positiontup)
        conn.exec_driver_sql(compiled.string, list(map(values, rows)))
    else:
        conn.exec_driver_sql(compiled.string, rows)


def _insert_many(conn: Connection, table: Table, rows: list[Any]) -> None:
    if rows:
        _statement_rows(conn, insert(table), rows, table)


def _replace_many(conn: Connection, table: Table, rows: list[Any]) -> None:
    """Insert the rows, or overwrite the rows with the same primary key (SQLite and
    PostgreSQL both say it ON CONFLICT ... DO UPDATE)."""
    if not rows:
        return
    upsert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = upsert(table)
    keys = [c.name for c in table.primary_key.columns]
    others = {c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys}
    _statement_rows(conn, statement.on_conflict_do_update(index_elements=keys, set_=others), rows, table)


def _save(conn: Connection, ledger: Ledger) -> None:
    """Write what changed in the ledger since it was last written."""
    campaigns, positions = ledger.campaigns, ledger.positions
    _replace_many(conn, db.campaigns, [campaigns[c] for c in ledger.changed_campaigns])
    rows = []
    for key in ledger.changed_positions:
        p = positions[key]
        rows.append((*key, str(p.amount), str(p.refunded), p.first_block))
    _replace_many(conn, db.positions, rows)
    ledger.written()


MONEY_KINDS = frozenset(PLEDGE_KINDS)  # the events that move a position


def _write_events(
    conn: Connection,
    ledger: Ledger,
    rows: list[dict[str, Any]],
    blocks: dict[int, tuple[str, int]],
    complete: bool = False,
) -> None:
    """Store a chunk's events and the blocks seen, and apply the events to `ledger`, which
    is given the stored rows they change and it does not hold yet (none when it is
    `complete`: it holds every stored campaign and position)."""
    if rows and not complete:
        # Membership tests rather than `set - dict.keys()`, which walks the whole ledger: a
        # bulk load's holds every campaign and position it met.
        campaigns, positions = ledger.campaigns, ledger.positions
        stored = _load(
            conn,
            {c for c in {r["campaign_id"] for r in rows} if c not in campaigns},
            {
                key
                for r in rows
                if r["kind"] in MONEY_KINDS and (key := (r["campaign_id"], r["backer"])) not in positions
            },
        )
        ledger.campaigns.update(stored.campaigns)
        ledger.positions.update(stored.positions)
    if rows:
        for row in rows:
            ledger.apply(row)
        # The rows go as they are: the driver reads the columns' values and ignores the
        # campaign fields a `created` row carries besides them.
        _insert_many(conn, db.events, rows)
    _replace_many(conn, db.blocks, [(n, h, t) for n, (h, t) in blocks.items()])


def _writing(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # A chunk touches index pages all over the events and positions tables: with
        # SQLite's default 2 MB page cache most of them are read and spilled again, and
        # a checkpoint every 4 MB of log copies the same pages into the file chunk after chunk.
        conn.exec_driver_sql(f"PRAGMA cache_size=-{WRITER_CACHE_KIB}")
        conn.exec_driver_sql("PRAGMA wal_autocheckpoint=16384")


def write_chunk(
    engine: Engine, rows: list[dict[str, Any]], blocks: dict[int, tuple[str, int]], tip: Tip
) -> None:
    """Store a chunk's events, what they add up to, the blocks seen and the new tip, at once."""
    with engine.begin() as conn:
        _writing(conn)
        build_indexes(conn)  # those a bulk load put off, should it have stopped before its end
        ledger = Ledger()
        # The vault's first: it sets the totals its rows carry (released, refunded in all).
        vault.write(conn, rows)
        _write_events(conn, ledger, rows, blocks)
        _save(conn, ledger)
        _store_tip(conn, tip)


# ------------------------------------------------------------------------- bulk loads

BULK_COMMIT_EVENTS = 500_000  # events a bulk load writes per transaction
# Campaigns and positions a bulk load keeps in memory between its transactions: 100,000
# campaigns and 200,000 positions take ~150 MB. Beyond it they are let go of and read back.
LEDGER_KEPT = 500_000


def _secondary_indexes() -> list[Index]:
    return [index for table in db.metadata.sorted_tables for index in table.indexes]


def _indexes_deferred(conn: Connection) -> bool:
    return conn.execute(select(db.meta.c.value).where(db.meta.c.key == "indexes")).scalar() == "deferred"


def build_indexes(conn: Connection) -> None:
    """Create the secondary indexes a bulk load put off, if it did."""
    if _indexes_deferred(conn):
        for index in _secondary_indexes():
            index.create(conn, checkfirst=True)
        conn.execute(delete(db.meta).where(db.meta.c.key == "indexes"))


class BulkLoad:
    """A catch-up far behind the head, written in few large transactions.

    Each transaction holds whole chunks (so whole blocks) and ends with the tip they lead
    to, as a chunk's does: what is visible and what a restart resumes from always agree.
    Campaigns and positions are added up in memory across the transactions and each is
    written once per transaction, not once per chunk. On SQLite, an index that starts
    empty is loaded without its secondary indexes, which are built once at the end (a
    sort, much quicker than a million scattered insertions into each of them): meta's
    `indexes` says they are put off, in the transaction that dropped them, so that a load
    that stops midway has them built by whichever write comes next (`build_indexes`).
    Meanwhile the index is far behind the head, and answers are 503s anyway."""

    def __init__(self, engine: Engine) -> None:
        self.ledger = Ledger()
        self.pending = 0  # events written since the last commit
        self.tip: Tip | None = None  # the last chunk's, written with the next commit
        self.conn = engine.connect()
        try:
            self.conn.begin()
            _writing(self.conn)
            # Loaded into an empty index, the ledger holds every campaign and position there
            # is, and never needs to read one back (until it is let go of, below).
            self.complete = all(
                self.conn.execute(select(column).limit(1)).first() is None
                for column in (db.events.c.block_number, db.campaigns.c.id, db.positions.c.campaign_id)
            )
            if self.complete and self.conn.dialect.name == "sqlite" and not _indexes_deferred(self.conn):
                for index in _secondary_indexes():
                    index.drop(self.conn, checkfirst=True)
                _set_meta(self.conn, indexes="deferred")
        except BaseException:
            self.close()
            raise

    def write(self, rows: list[dict[str, Any]], blocks: dict[int, tuple[str, int]], tip: Tip) -> bool:
        """Write a chunk; True when it was committed with those before it."""
        vault.write(self.conn, rows)  # first: it sets the totals its rows carry
        _write_events(self.conn, self.ledger, rows, blocks, self.complete)
        self.tip = tip
        self.pending += len(rows)
        if self.pending < BULK_COMMIT_EVENTS:
            return False
        self.commit()
        return True

    def _store(self) -> None:
        if self.tip is not None:
            _save(self.conn, self.ledger)
            _store_tip(self.conn, self.tip)

    def commit(self) -> None:
        """Commit the chunks written so far with their tip, and begin the next transaction."""
        self._store()
        self.conn.commit()
        self.pending = 0
        if len(self.ledger.campaigns) + len(self.ledger.positions) > LEDGER_KEPT:
            self.ledger = Ledger()  # everything in it is stored: read again when needed
            self.complete = False
        self.conn.begin()

    def finish(self) -> None:
        """Commit the rest with the secondary indexes built, and end the load."""
        self._store()
        build_indexes(self.conn)
        self.conn.commit()
        self.close()

    def close(self) -> None:
        """End the load; what was written since the last commit is rolled back."""
        self.conn.close()


def known_blocks(engine: Engine, below: int, limit: int) -> list[tuple[int, str, int]]:
    """Blocks the index has seen, newest first, below `below`: where a reorg is searched."""
    with engine.connect() as conn:
        query = (
            select(db.blocks.c.number, db.blocks.c.hash, db.blocks.c.timestamp)
            .where(db.blocks.c.number < below)
            .order_by(db.blocks.c.number.desc())
            .limit(limit)
        )
        return [(r.number, r.hash, r.timestamp) for r in conn.execute(query)]


def roll_back(engine: Engine, tip: Tip) -> list[int]:
    """Forget everything after `tip` and recount the campaigns it touched; returns them."""
    with engine.begin() as conn:
        touched = {
            r.campaign_id
            for r in conn.execute(
                select(db.events.c.campaign_id).where(db.events.c.block_number > tip.number).distinct()
            )
        }
        conn.execute(delete(db.events).where(db.events.c.block_number > tip.number))
        conn.execute(delete(db.blocks).where(db.blocks.c.number > tip.number))
        conn.execute(delete(db.campaigns).where(db.campaigns.c.created_block > tip.number))
        survivors = [
            dict(r._mapping) for r in conn.execute(select(db.campaigns).where(db.campaigns.c.id.in_(touched)))
        ]
        if survivors:
            ids = [c["id"] for c in survivors]
            conn.execute(delete(db.positions).where(db.positions.c.campaign_id.in_(touched)))
            ledger = Ledger()
            for campaign in survivors:
                campaign.update(
                    pledged="0", goal_reached=False, backer_count=0, claimed=False, cancelled=False
                )
                ledger.campaigns[campaign["id"]] = campaign
                ledger.changed_campaigns.add(campaign["id"])  # recounted, with or without events left
            history = conn.execute(
                select(db.events)
                .where(db.events.c.campaign_id.in_(ids), db.events.c.kind != "created")
                .order_by(db.events.c.block_number, db.events.c.log_index)
            )
            for row in history:
                ledger.apply(dict(row._mapping))
            _save(conn, ledger)
        else:
            conn.execute(delete(db.positions).where(db.positions.c.campaign_id.in_(touched)))
        vault.roll_back(conn, tip, touched)
        _store_tip(conn, tip)
        return sorted(touched)
