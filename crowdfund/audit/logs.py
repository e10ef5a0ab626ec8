"""A contract's every log over a block range, fetched in chunks and kept in a local cache,
so that an interrupted or repeated audit asks the node only for the blocks it lacks.

The cache is a folder per chain and contract, one JSON file per chunk fetched, named by
its block range and holding the hash of its last block. A reorganisation can replace the
newest blocks; before cached chunks are used, the hash of the last one's last block is
compared with the node's, and chunks are dropped from the end until one matches: a block
whose hash is unchanged has every block before it unchanged too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from requests.exceptions import RequestException
from web3 import Web3
from web3.types import RPCEndpoint

# Public nodes limit how many blocks (or logs) one eth_getLogs may span: start here and
# halve a range the node refuses.
LOG_CHUNK = 10_000
CACHE_ENV = "CROWDFUND_CACHE_DIR"

# A log as kept: (block number, log index, topics, data), all the replay reads.
Log = tuple[int, int, list[str], str]


class LogsUnavailable(Exception):
    """The node refused the logs of a single block, or the chain changed under the audit."""


def cache_dir() -> Path:
    """$CROWDFUND_CACHE_DIR, else $XDG_CACHE_HOME/crowdfund, else ~/.cache/crowdfund."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "crowdfund"


@dataclass(frozen=True)
class Chunk:
    first: int
    last: int
    last_hash: str
    logs: list[Log]


@dataclass
class Fetched:
    logs: list[Log]  # oldest first
    requests: int  # eth_getLogs requests sent
    cached_blocks: int  # blocks whose logs came from the cache


class LogCache:
    """The chunks of one contract's logs on one chain (`folder` is None: nothing is kept)."""

    def __init__(self, root: Path | None, chain_id: int, address: str) -> None:
        self.folder = root / "logs" / f"{chain_id}-{address.lower()}" if root is not None else None

    def chunks(self) -> list[Chunk]:
        if self.folder is None or not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.glob("*.json"):
            try:
                data = json.loads(path.read_text())
                found.append(
                    Chunk(
                        data["first"],
                        data["last"],
                        data["last_hash"],
                        [(b, i, t, d) for b, i, t, d in data["logs"]],
                    )
                )
            except (ValueError, KeyError, TypeError):
                path.unlink(missing_ok=True)  # damaged (files are renamed into place whole): fetched again
        return sorted(found, key=lambda c: c.first)

    def keep(self, chunk: Chunk) -> None:
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{chunk.first}-{chunk.last}.json"
        # Written whole, then renamed: an interrupted audit never leaves half a chunk.
        partial = path.with_suffix(".partial")
        partial.write_text(
            json.dumps(
                {"first": chunk.first, "last": chunk.last, "last_hash": chunk.last_hash, "logs": chunk.logs}
            )
        )
        partial.replace(path)

    def drop(self, chunk: Chunk) -> None:
        if self.folder is not None:
            (self.folder / f"{chunk.first}-{chunk.last}.json").unlink(missing_ok=True)


def _block_hash(w3: Web3, number: int) -> str | None:
    block = w3.provider.make_request(RPCEndpoint("eth_getBlockByNumber"), [hex(number), False])
    result = block.get("result")
    return str(result["hash"]) if isinstance(result, dict) else None


def _usable(w3: Web3, cache: LogCache, first: int) -> list[Chunk]:
    """The cached chunks that run without a gap from `first` and are still on the node's chain."""
    run: list[Chunk] = []
    cursor = first - 1
    for chunk in cache.chunks():
        if chunk.first <= cursor + 1 < chunk.last + 1:
            run.append(chunk)
            cursor = chunk.last
    while run and _block_hash(w3, run[-1].last) != run[-1].last_hash:
        cache.drop(run.pop())  # replaced by a reorganisation, or beyond the node's head
    return run


def _get_logs(w3: Web3, address: str, first: int, last: int) -> list[dict[str, Any]] | None:
    """The node's raw logs (no web3 formatting: the replay reads hex), None when it refuses."""
    try:
        answer = w3.provider.make_request(
            RPCEndpoint("eth_getLogs"), [{"address": address, "fromBlock": hex(first), "toBlock": hex(last)}]
        )
    except RequestException:
        return None  # a timeout or a cut connection: too much at once, as often as not
    result = answer.get("result")
    return result if isinstance(result, list) else None


def fetch_logs(
    w3: Web3,
    address: str,
    first: int,
    last: int,
    cache: LogCache,
    progress: Callable[[int, int], None] = lambda done, events: None,
) -> Fetched:
    """Every log of `address` in blocks `first` to `last`, oldest first. `progress` is told
    the blocks covered so far and the logs found, after each chunk."""
    kept = _usable(w3, cache, first)
    logs = [log for chunk in kept for log in chunk.logs if first <= log[0] <= last]
    cursor = max(first - 1, *(c.last for c in kept)) if kept else first - 1
    cached = min(cursor, last) - first + 1
    progress(max(cached, 0), len(logs))
    requests, step = 0, LOG_CHUNK
    while cursor < last:
        start = cursor + 1
        end = min(start + step - 1, last)
        end_hash = _block_hash(w3, end)
        found = _get_logs(w3, address, start, end)
        requests += 1
        if found is None or end_hash is None:
            if end == start:
                raise LogsUnavailable(f"the node refused the logs of block {start:,} of {address}")
            step = max(1, (end - start + 1) // 2)
            continue
        if any(
            entry.get("blockNumber") == hex(end) and entry.get("blockHash") != end_hash for entry in found
        ):
            raise LogsUnavailable(f"block {end:,} changed while its logs were read; run the audit again")
        try:
            chunk_logs = sorted(
                (int(e["blockNumber"], 16), int(e["logIndex"], 16), list(e["topics"]), str(e["data"]))
                for e in found
                if not e.get("removed")
            )
        except (KeyError, ValueError, TypeError, AttributeError):
            # Where a log is, not what it says, is missing: what it says is the replay's to judge.
            raise LogsUnavailable(
                f"the node answered eth_getLogs for blocks {start:,} to {end:,} with a "
                "log that has no block number, index, topics or data"
            ) from None
        cache.keep(Chunk(start, end, end_hash, chunk_logs))
        logs.extend(chunk_logs)
        cursor = end
        # Back towards LOG_CHUNK by doubling after a range the node took.
        step = min(LOG_CHUNK, step * 2)
        progress(cursor - first + 1, len(logs))
    return Fetched(logs, requests, max(cached, 0))
