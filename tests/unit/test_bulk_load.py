"""A catch-up written as a bulk load leaves the index exactly as chunk-by-chunk writing
does: the same rows in every table and the same schema, also when the load stopped
midway and the next write had to build the indexes it put off."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from crowdfund_api.index import schema, store
from crowdfund_api.index.store import BulkLoad, open_index, write_chunk
from crowdfund_api.index.types import Tip

BACKERS = ["0x" + f"{n:02x}" * 20 for n in range(1, 9)]
KINDS = ["pledged", "pledged", "pledged", "unpledged", "refunded", "claimed", "cancelled", "updated"]
Chunk = tuple[list[dict[str, Any]], dict[int, tuple[str, int]], Tip]


def _chunks(seed: int, blocks: int = 60) -> list[Chunk]:
    """Events of every kind over `blocks` blocks, one chunk of three blocks at a time."""
    rng = random.Random(seed)
    campaigns: list[int] = []
    chunks: list[Chunk] = []
    for first in range(1, blocks, 3):
        rows: list[dict[str, Any]] = []
        seen: dict[int, tuple[str, int]] = {}
        for number in range(first, first + 3):
            block = ("0x" + f"{number:064x}", 1_000 + number)
            for log_index in range(rng.randrange(0, 6)):
                kind = "created" if not campaigns or rng.random() < 0.2 else rng.choice(KINDS)
                # Now and then an event of a campaign created before the index's first block.
                campaign = len(campaigns) + 1 if kind == "created" else rng.choice([*campaigns, 999])
                amount = rng.randrange(1, 2**70)
                row = {
                    "block_number": number, "log_index": log_index, "block_hash": block[0],
                    "timestamp": block[1], "transaction_hash": "0x" + f"{number * 100 + log_index:064x}",
                    "campaign_id": campaign, "kind": kind, "backer": rng.choice(BACKERS), "payer": None,
                    "amount": str(amount) if kind != "cancelled" else None,
                    "new_total": str(rng.randrange(2**71)) if kind in ("pledged", "unpledged") else None,
                    "uri": "ipfs://update" if kind == "updated" else None,
                }  # fmt: skip
                if kind == "created":
                    campaigns.append(campaign)
                    row["created"] = {
                        "id": campaign, "creator": row["backer"], "token": "0x" + "00" * 20,
                        "goal": str(amount), "cap": "0", "starts_at": 0, "deadline": 10**9,
                        "metadata_uri": "ipfs://campaign", "created_block": number,
                        "created_transaction": row["transaction_hash"],
                    }  # fmt: skip
                rows.append(row)
                seen[number] = block
        last = first + 2
        seen[last] = ("0x" + f"{last:064x}", 1_000 + last)
        chunks.append((rows, seen, Tip(last, seen[last][0], seen[last][1])))
    return chunks


def _index(path: Path) -> Engine:
    engine = schema.connect(f"sqlite:///{path}")
    open_index(engine, chain_id=1, escrow="0x" + "ee" * 20, start_block=1)
    return engine


def _contents(path: Path) -> dict[str, list[Any]]:
    """Every table's rows in key order, and the schema."""
    with sqlite3.connect(path) as conn:
        found: dict[str, list[Any]] = {
            "schema": conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
        }
        for table in schema.metadata.sorted_tables:
            keys = ", ".join(c.name for c in table.primary_key.columns)
            found[table.name] = conn.execute(f"SELECT * FROM {table.name} ORDER BY {keys}").fetchall()
    return found


def _chunk_by_chunk(path: Path, chunks: list[Chunk]) -> dict[str, list[Any]]:
    engine = _index(path)
    for rows, blocks, tip in chunks:
        write_chunk(engine, [dict(r) for r in rows], blocks, tip)
    engine.dispose()
    return _contents(path)


@pytest.mark.parametrize("seed", range(4))
def test_a_bulk_load_writes_what_chunk_by_chunk_writing_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    # Small transactions and a small ledger, so that the load commits several times and
    # reads rows back after letting go of its ledger.
    monkeypatch.setattr(store, "BULK_COMMIT_EVENTS", 25)
    monkeypatch.setattr(store, "LEDGER_KEPT", 30)
    chunks = _chunks(seed)
    expected = _chunk_by_chunk(tmp_path / "chunks.sqlite", chunks)
    engine = _index(tmp_path / "bulk.sqlite")
    bulk = BulkLoad(engine)
    commits = sum(bulk.write([dict(r) for r in rows], blocks, tip) for rows, blocks, tip in chunks)
    bulk.finish()
    engine.dispose()

    assert commits >= 3
    assert sum(len(rows) for rows, _, _ in chunks) > 100
    assert _contents(tmp_path / "bulk.sqlite") == expected


def test_a_bulk_load_that_stopped_midway_resumes_and_ends_with_every_index(tmp_path: Path) -> None:
    chunks = _chunks(7)
    expected = _chunk_by_chunk(tmp_path / "chunks.sqlite", chunks)
    engine = _index(tmp_path / "bulk.sqlite")
    bulk = BulkLoad(engine)
    for rows, blocks, tip in chunks[:8]:
        bulk.write([dict(r) for r in rows], blocks, tip)
    bulk.commit()
    bulk.write(*chunks[8])  # not committed: lost with the process
    bulk.close()

    assert store.read_tip(engine) == chunks[7][2]
    indexes = {name for _, name, _, _ in _contents(tmp_path / "bulk.sqlite")["schema"]}
    assert "events_by_backer" not in indexes  # put off, and said so in meta

    # The rest is written chunk by chunk (the node moved on slowly, say): the first write
    # builds the indexes the load put off.
    for rows, blocks, tip in chunks[8:]:
        write_chunk(engine, [dict(r) for r in rows], blocks, tip)
    engine.dispose()
    assert _contents(tmp_path / "bulk.sqlite") == expected
