"""Which process indexes: any number of gateways (and `crowdfund index`) may be started
with the indexer on one database; one holds the lead and indexes, the others serve what
it writes and take the lead over when it goes.

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection kept for
  it alone. The server lets go of the lock when that session ends, which it does at once
  when the leader's process dies, and within about `KEEPALIVE_SECONDS` when its host or
  network does (TCP keepalives asked of the server for this one session). The leader
  checks its session before every step: a leader that lost it stops indexing.
- SQLite: an exclusive OS lock (flock) on a file beside the database, `<file>.lock`,
  naming the pid that holds it. The kernel releases it when the process dies.
- SQLite in memory: one process only, which always leads.

`hold()` blocks (run it in a worker thread) and never raises: a database that cannot be
asked means this process does not lead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, NullPool, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from .database import IndexDatabase

log = logging.getLogger("crowdfund.indexer")

# Key of the indexer's advisory lock (any constant other than the schema's will do).
INDEXER_LOCK = 0x696E646578  # "index"

# A dead leader's host is noticed by the server after idle + interval x count seconds.
KEEPALIVE = {"idle": 3, "interval": 2, "count": 2}
KEEPALIVE_SECONDS = KEEPALIVE["idle"] + KEEPALIVE["interval"] * KEEPALIVE["count"]


class Lease(Protocol):
    def hold(self) -> bool:
        """True while this process leads, taking the lead when it is free."""

    def holder(self) -> str:
        """Who leads, in words, for a process that does not."""

    def release(self) -> None: ...


class Alone:
    """A database only this process can open (SQLite in memory): it always leads."""

    def hold(self) -> bool:
        return True

    def holder(self) -> str:
        return "this process"

    def release(self) -> None:
        pass


class FileLease:
    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._file: IO[str] | None = None

    def hold(self) -> bool:
        if self._file is not None:
            return True
        try:
            file = open(self.path, "a+")  # noqa: SIM115 - held open for as long as this process leads
        except OSError as exc:
            log.warning("cannot open the indexer's lock file %s: %s", self.path, exc)
            return False
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            return False
        file.truncate(0)
        file.write(f"{os.getpid()}\n")
        file.flush()
        self._file = file
        return True

    def holder(self) -> str:
        try:
            pid = self.path.read_text().strip()
        except OSError:
            pid = ""
        return f"process {pid} (it holds {self.path})" if pid else f"the process holding {self.path}"

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the file lets go of the lock
            self._file = None


class AdvisoryLease:
    def __init__(self, url: URL) -> None:
        options = " ".join(
            [f"-c tcp_keepalives_{name}={value}" for name, value in KEEPALIVE.items()]
            + ["-c statement_timeout=5000"]
        )
        self._engine = create_engine(
            url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": 5,
                "options": options,
                # Who leads, for the others' messages: this host and process.
                "application_name": f"crowdfund indexer {socket.gethostname()} pid {os.getpid()}"[:63],
                # The same keepalives on this side, and a bound on unanswered writes, so
                # that a leader cut off from the server notices and stops.
                "keepalives": 1,
                "keepalives_idle": KEEPALIVE["idle"],
                "keepalives_interval": KEEPALIVE["interval"],
                "keepalives_count": KEEPALIVE["count"],
                "tcp_user_timeout": KEEPALIVE_SECONDS * 1000,
            },
        )
        self._conn: Connection | None = None
        self._held = False

    def hold(self) -> bool:
        try:
            if self._conn is None:
                self._conn = self._engine.connect()
                self._held = False
            if self._held:
                self._conn.execute(text("SELECT 1"))  # the session, and with it the lock, lives
            else:
                self._held = bool(
                    self._conn.execute(
                        text("SELECT pg_try_advisory_lock(:key)"), {"key": INDEXER_LOCK}
                    ).scalar()
                )
        except SQLAlchemyError as exc:
            if self._held:
                log.warning("lost the indexer's lock: %s", type(exc).__name__)
            self._drop()
        return self._held

    def holder(self) -> str:
        # A bigint key shows in pg_locks as its high and low 32 bits.
        query = text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.classid::bigint = :high AND l.objid::bigint = :low LIMIT 1"
        )
        try:
            if self._conn is not None:
                key = {"high": INDEXER_LOCK >> 32, "low": INDEXER_LOCK & 0xFFFFFFFF}
                name = self._conn.execute(query, key).scalar()
                if name:
                    return str(name)
        except SQLAlchemyError:
            self._drop()
        return "another process"

    def _drop(self) -> None:
        conn, self._conn, self._held = self._conn, None, False
        if conn is not None:
            try:
                conn.close()
            except SQLAlchemyError:
                pass

    def release(self) -> None:
        self._drop()  # ending the session lets go of the lock
        self._engine.dispose()


def lease_for(database: IndexDatabase) -> Lease:
    if database.engine.dialect.name == "postgresql":
        return AdvisoryLease(database.engine.url)
    if database.file is not None:
        return FileLease(database.file)
    return Alone()
