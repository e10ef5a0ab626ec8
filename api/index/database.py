"""The index's database as the gateway holds it: the engine, the tables made sure of, and
whether the database can be trusted right now.

The tables are created at the first look rather than at start-up, so that a gateway
whose database is down starts, answers 503 and recovers when the database returns. A
SQLite file that is deleted or replaced under the running gateway would go on being
read and written through the connections that still hold the old file, invisibly and
only until the next restart: each look compares the file with the one opened, and when
it changed the engine lets go of the old one, the tables are created afresh and
`generation` moves on, which tells the indexer to start again from what the file holds.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from . import schema, store
from .types import Tip

log = logging.getLogger("crowdfund.gateway")


def failure(exc: BaseException) -> str:
    """A database error in one line: its kind and the driver's first line (no SQL, no URL)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:200] if lines else ''}"


class IndexDatabase:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = schema.engine_for(url)
        database = make_url(url).database
        is_file = self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        self.file: Path | None = Path(database).resolve() if is_file and database else None
        self.generation = 0  # moves on each time the tables had to be created afresh
        self._identity: tuple[int, int] | None = None
        self._tables = False
        self._lock = threading.Lock()

    def _file_identity(self) -> tuple[int, int] | None:
        if self.file is None:
            return None
        try:
            stat = os.stat(self.file)
        except FileNotFoundError:
            return None
        return stat.st_dev, stat.st_ino

    def ensure(self) -> None:
        """Create the tables if this process has not yet (or the file was replaced); blocks."""
        with self._lock:
            if self.file is not None and self._tables and self._file_identity() != self._identity:
                self.engine.dispose()  # the pool holds the old file
                self._tables = False
                self.generation += 1
                log.error(
                    "the index file %s was deleted or replaced; the index is rebuilt from the chain",
                    self.file,
                )
            if not self._tables:
                schema.create_tables(self.engine)
                self._identity = self._file_identity()
                self._tables = True

    def read(self) -> tuple[int | None, Tip | None]:
        """The chain the index holds and its tip, after making sure of the tables; blocks.
        Raises SQLAlchemyError when the database does not answer."""
        self.ensure()
        return store.read_state(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()
