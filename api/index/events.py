"""The escrow's event logs as index rows (decoded by crowdfund.events)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crowdfund.events import checksummed, decode_event, hex_text, topic_of, topics

__all__ = ["KINDS", "LogReader", "decode_log", "topics"]

# The event names in the index, by the escrow's event names.
KINDS = {
    "CampaignCreated": "created",
    "Pledged": "pledged",
    "Unpledged": "unpledged",
    "Claimed": "claimed",
    "Refunded": "refunded",
    "Cancelled": "cancelled",
    "CampaignUpdated": "updated",
}


def decode_log(log: dict[str, Any], timestamp: int) -> dict[str, Any] | None:
    """An `events` row for one raw log (as eth_getLogs returns it); None for other logs."""
    decoded = decode_event(log)
    if decoded is None:
        return None
    name, args = decoded
    kind = KINDS[name]
    row: dict[str, Any] = {
        "block_number": int(log["blockNumber"], 16)
        if isinstance(log["blockNumber"], str)
        else log["blockNumber"],
        "log_index": int(log["logIndex"], 16) if isinstance(log["logIndex"], str) else log["logIndex"],
        "block_hash": hex_text(log["blockHash"]),
        "timestamp": timestamp,
        "transaction_hash": hex_text(log["transactionHash"]),
        "campaign_id": args["id"],
        "kind": kind,
        "backer": args.get("backer") or args.get("creator"),
        "payer": args.get("payer"),
        "amount": str(args["amount"]) if "amount" in args else None,
        "new_total": str(args["newTotal"]) if "newTotal" in args else None,
        "uri": args.get("uri") or args.get("metadataURI"),
    }
    if kind == "created":
        row["created"] = {
            "id": args["id"],
            "creator": args["creator"],
            "token": args["token"],
            "goal": str(args["goal"]),
            "cap": str(args["cap"]),
            "starts_at": args["startsAt"],
            "deadline": args["deadline"],
            "metadata_uri": args["metadataURI"],
            "created_block": row["block_number"],
            "created_transaction": row["transaction_hash"],
        }
        row["amount"] = str(args["goal"])
    return row


_PLEDGED = topic_of("Pledged")
_PADDED_ADDRESS = "0x" + "0" * 24  # a topic holding an address, up to its 40 digits
_PLEDGED_DATA = 2 + 3 * 64  # payer, amount, newTotal
ADDRESSES_KEPT = 1 << 18  # checksums a reader keeps: ~60 MB at most, for one catch-up
AMOUNTS_KEPT = 1 << 16  # amounts in decimal a reader keeps: ~15 MB at most


class LogReader:
    """Turns the raw logs of chunks into `events` rows, as `decode_log` does.

    Pledges are nine in ten of an escrow's events and a catch-up reads a million of them,
    so they are read here in one pass over the hex, without the general decoder's
    arguments in between; a log of any other shape goes through `decode_log`, and
    tests/unit/test_log_decoding.py checks that both read every pledge alike. The reader
    keeps the checksums of the addresses it met: a backer pledges many times, and one
    reader lives for one catch-up or one chunk."""

    def __init__(self) -> None:
        self._addresses: dict[str, str] = {}
        self._amounts: dict[str, str] = {}  # 64 hex digits -> their value in decimal

    def _amount(self, word: str) -> str:
        found = self._amounts.get(word)
        if found is None:
            if len(self._amounts) >= AMOUNTS_KEPT:
                self._amounts.clear()
            found = self._amounts[word] = str(int(word, 16))
        return found

    def _address(self, lower_hex40: str) -> str:
        found = self._addresses.get(lower_hex40)
        if found is None:
            if len(self._addresses) >= ADDRESSES_KEPT:
                self._addresses.clear()
            found = self._addresses[lower_hex40] = checksummed(lower_hex40)
        return found

    def rows(self, logs: list[dict[str, Any]], blocks: Mapping[int, tuple[str, int]]) -> list[dict[str, Any]]:
        """The rows of a chunk's logs; `blocks` holds the (hash, timestamp) of their blocks."""
        rows = []
        stamps: dict[str, tuple[int, int]] = {}  # blockNumber as the node wrote it -> (number, timestamp)
        for log in logs:
            written = log["blockNumber"]
            stamp = stamps.get(written)
            if stamp is None:
                number = int(written, 16)
                stamp = stamps[written] = (number, blocks[number][1])
            row = self._pledge(log, *stamp)
            if row is None:
                row = decode_log(log, stamp[1])
            if row is not None:
                rows.append(row)
        return rows

    def _pledge(self, log: dict[str, Any], number: int, timestamp: int) -> dict[str, Any] | None:
        """A Pledged log's row read straight from its hex; None for any other log, or a
        pledge whose words are not all clean (then `decode_log` judges it)."""
        topics_ = log["topics"]
        if len(topics_) != 3 or topics_[0] != _PLEDGED:
            return None
        id_topic, backer_topic = topics_[1], topics_[2]
        data = log["data"]
        if not (
            isinstance(id_topic, str) and len(id_topic) == 66
            and isinstance(backer_topic, str) and len(backer_topic) == 66
            and backer_topic.startswith(_PADDED_ADDRESS)
            and isinstance(data, str) and len(data) == _PLEDGED_DATA and data.startswith(_PADDED_ADDRESS)
            and isinstance(log["logIndex"], str)
        ):  # fmt: skip
            return None
        return {
            "block_number": number,
            "log_index": int(log["logIndex"], 16),
            "block_hash": hex_text(log["blockHash"]),
            "timestamp": timestamp,
            "transaction_hash": hex_text(log["transactionHash"]),
            "campaign_id": int(id_topic, 16),
            "kind": "pledged",
            "backer": self._address(backer_topic[26:].lower()),
            "payer": self._address(data[26:66].lower()),
            "amount": self._amount(data[66:130]),
            "new_total": self._amount(data[130:194]),
            "uri": None,
        }
