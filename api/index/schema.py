"""The index's tables: the escrow's and the milestone vault's events and what they add up
to, per campaign and backer.

Amounts are decimal strings: SQLite has no integer wider than 64 bits and token amounts
need 256. Nothing in SQL adds them up; the indexer does, in Python, and stores
`goal_reached` so that the state filter can run in SQL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url

metadata = MetaData()

# The tables are laid out as a schema is read, one column a line.
# fmt: off
# One row per key: the chain and escrow the index follows, and the block it has reached.
meta = Table("meta", metadata,
    Column("key", String(32), primary_key=True),
    Column("value", Text, nullable=False))

# Blocks the index has seen: every block holding an escrow event and every block it
# stopped at. Their hashes are what a reorg is detected by.
blocks = Table("blocks", metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False))

events = Table("events", metadata,
    Column("block_number", BigInteger, primary_key=True, autoincrement=False),
    Column("log_index", Integer, primary_key=True, autoincrement=False),
    Column("block_hash", String(66), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("transaction_hash", String(66), nullable=False),
    Column("campaign_id", BigInteger, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("backer", String(42)),  # the backer, or the creator for created/claimed
    Column("payer", String(42)),
    Column("amount", String(80)),
    Column("new_total", String(80)),
    Column("uri", Text),
    Index("events_by_campaign", "campaign_id", "block_number", "log_index"),
    Index("events_by_backer", "backer", "block_number", "log_index"))

campaigns = Table("campaigns", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("creator", String(42), nullable=False, index=True),
    Column("token", String(42), nullable=False, index=True),
    Column("goal", String(80), nullable=False),
    Column("cap", String(80), nullable=False),
    Column("starts_at", BigInteger, nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("metadata_uri", Text, nullable=False),
    Column("created_block", BigInteger, nullable=False),
    Column("created_transaction", String(66), nullable=False),
    Column("pledged", String(80), nullable=False),
    Column("goal_reached", Boolean, nullable=False),
    Column("backer_count", Integer, nullable=False),
    Column("claimed", Boolean, nullable=False),
    Column("cancelled", Boolean, nullable=False))

# What each backer holds in each campaign they ever pledged to.
positions = Table("positions", metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("backer", String(42), primary_key=True),
    Column("amount", String(80), nullable=False),
    Column("refunded", String(80), nullable=False),
    Column("first_block", BigInteger, nullable=False),
    Index("positions_by_backer", "backer", "campaign_id"))

# Campaigns created through the milestone vault, as its events add them up (api/index/vault.py):
# the real creator, the schedule (JSON [[release_at, share_bps], ...]) and the money it moved.
# `pledged` and `received` are "0" until the vault knows them (the claim; a halt for `pledged`).
vault_campaigns = Table("vault_campaigns", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("creator", String(42), nullable=False, index=True),
    Column("token", String(42), nullable=False),
    Column("deadline", BigInteger, nullable=False),
    Column("schedule", Text, nullable=False),
    Column("paid_tranches", Integer, nullable=False),
    Column("collected", Boolean, nullable=False),
    Column("pledged", String(80), nullable=False),
    Column("received", String(80), nullable=False),
    Column("released", String(80), nullable=False),
    Column("objections", String(80), nullable=False),
    Column("halted_at", BigInteger, nullable=False),  # 0: not halted
    Column("refunded", String(80), nullable=False),
    Column("created_block", BigInteger, nullable=False))

# Each backer's objection to a vault campaign and its refund from the vault.
vault_backers = Table("vault_backers", metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("backer", String(42), primary_key=True),
    Column("objection", String(80), nullable=False),  # its weight; "0": none
    Column("refunded", Boolean, nullable=False),
    Column("refund", String(80), nullable=False))

# Campaign content (JSON documents and images) by CID, when the database is PostgreSQL, so
# that every replica serves what any of them stored (api/index/content.py). With SQLite the
# content is files in a folder instead, and this table stays empty.
content = Table("content", metadata,
    Column("cid", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False))
# fmt: on


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    # WAL lets the gateway's readers go on while the indexer writes a chunk.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # Transactions begin explicitly (below), so that a read sees one snapshot throughout.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN")


# Key of the advisory lock taken while creating the schema (any constant will do).
SCHEMA_LOCK = 0x63726F7764  # "crowd"


def engine_for(url: str) -> Engine:
    """An engine for `url`; nothing is asked of the database yet."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver this package depends on.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername.startswith("sqlite"):
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "handle_error", _renew_unusable_sqlite)
        return engine
    # REPEATABLE READ: every statement of a read sees the snapshot its first one saw,
    # so the tip read first is the block all the figures belong to. pool_pre_ping: a
    # connection the server dropped (a restart) is replaced before it fails a request.
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=10,
        isolation_level="REPEATABLE READ",
        connect_args={"connect_timeout": 5},
    )


# What SQLite says when the file under a connection cannot be used as it is: a connection
# opened while the file was read-only stays read-only after the permissions are fixed,
# and one opened on a deleted or replaced file keeps the old one.
UNUSABLE_SQLITE = ("readonly database", "unable to open database file", "disk I/O error")


def _renew_unusable_sqlite(context: Any) -> None:
    # Counted as a lost connection, so that SQLAlchemy empties the pool and the next
    # attempt opens the file afresh: the engine recovers once the file is usable again.
    if isinstance(context.original_exception, sqlite3.Error) and any(
        reason in str(context.original_exception) for reason in UNUSABLE_SQLITE
    ):
        context.is_disconnect = True


def create_tables(engine: Engine) -> None:
    """Create the tables that are missing."""
    if engine.dialect.name == "postgresql":
        # Replicas and a separate indexer start together against one database, and
        # concurrent CREATE TABLEs collide in PostgreSQL's catalog: one process at a time
        # creates what is missing, under an advisory lock, each statement seeing the last.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": SCHEMA_LOCK})
            try:
                metadata.create_all(conn)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEMA_LOCK})
    else:
        metadata.create_all(engine)


def connect(url: str) -> Engine:
    """An engine for `url`, with the tables created if they are missing."""
    engine = engine_for(url)
    create_tables(engine)
    return engine


# Campaign ids beyond this cannot be in the index (SQL's BIGINT): such a campaign does not exist.
MAX_CAMPAIGN_ID = 2**63 - 1
