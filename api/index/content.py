"""The gateway's content store: campaign documents and images by CID, as files in a folder
(the default) or in the index's PostgreSQL database, where every replica sees what any of
them stored.

The store keeps bytes and nothing about them: what they are is told from the bytes each
time, and the caller checks them against their CID on the way in and on the way out, so a
file changed on disk is never served as the content it is named after. Every call blocks
(files, the database driver); the gateway runs them in a worker thread.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from crowdfund.content import parse_cid

from .database import IndexDatabase
from .schema import content


class ContentStoreUnavailable(Exception):
    """The store cannot be read or written now (a full or read-only disk, say)."""


class ContentStore(Protocol):
    where: str  # said in logs and in a 503

    def get(self, cid: str) -> bytes | None:
        """The bytes stored under `cid`, or None."""

    def put(self, cid: str, data: bytes, replace: bool = False) -> bool:
        """Store `data` under `cid`; False when something was there already (and is left
        as it is, unless `replace`: bytes found spoilt are replaced by checked ones)."""


class FolderStore:
    """One file per CID, named by it: written under a temporary name and renamed, so that
    a reader never sees half a file and two writers of the same bytes cannot collide."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = f"the folder {folder}"

    def _path(self, cid: str) -> Path:
        parse_cid(cid)  # a CID is base32 letters and digits: never a path of its own
        return self.folder / cid

    def get(self, cid: str) -> bytes | None:
        try:
            return self._path(cid).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ContentStoreUnavailable(f"{self.where} cannot be read: {exc.strerror}") from exc

    def put(self, cid: str, data: bytes, replace: bool = False) -> bool:
        path = self._path(cid)
        if path.exists() and not replace:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".partial-", delete=False) as file:
                try:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                except BaseException:
                    os.unlink(file.name)
                    raise
            os.replace(file.name, path)
        except OSError as exc:
            raise ContentStoreUnavailable(f"{self.where} cannot be written: {exc.strerror}") from exc
        return True


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
