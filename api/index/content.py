"""The gateway's content store: campaign documents and images by CID, as files in a folder
(the default) or in the index's PostgreSQL database, where every replica sees what any of
them stored.

The store keeps bytes and nothing about them: what they are is told from the bytes each
time, and the caller checks them against their CID on the way in and on the way out, so a
file changed on disk is never served as the content it is named after. The folder store is
crowdfund.content's FolderStore, which `crowdfund demo` fills too. Every call blocks
(files, the database driver); the gateway runs them in a worker thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from crowdfund.content import FolderStore

from .database import IndexDatabase
from .schema import content


class ContentStore(Protocol):
    where: str  # said in logs and in a 503

    def get(self, cid: str) -> bytes | None:
        """The bytes stored under `cid`, or None."""

    def put(self, cid: str, data: bytes, replace: bool = False) -> bool:
        """Store `data` under `cid`; False when something was there already (and is left
        as it is, unless `replace`: bytes found spoilt are replaced by checked ones)."""


class TableStore:
    """The `content` table of the index's PostgreSQL database."""

    def __init__(self, database: IndexDatabase) -> None:
        self.database = database
        self.where = "the index database"

    def get(self, cid: str) -> bytes | None:
        self.database.ensure()
        with self.database.engine.connect() as conn:
            data = conn.execute(select(content.c.data).where(content.c.cid == cid)).scalar_one_or_none()
        return bytes(data) if data is not None else None

    def put(self, cid: str, data: bytes, replace: bool = False) -> bool:
        self.database.ensure()
        row = insert(content).values(cid=cid, data=data)
        if replace:
            with self.database.engine.begin() as conn:
                conn.execute(row.on_conflict_do_update(index_elements=[content.c.cid], set_={"data": data}))
            return True
        # The CID comes back only from a row this statement added.
        statement = row.on_conflict_do_nothing().returning(content.c.cid)
        with self.database.engine.begin() as conn:
            return conn.execute(statement).first() is not None


def store_for(database: IndexDatabase, folder: Path) -> ContentStore:
    """The table when the index is PostgreSQL (shared by the replicas), else the folder."""
    if database.engine.dialect.name == "postgresql":
        return TableStore(database)
    return FolderStore(folder)
