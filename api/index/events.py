"""The escrow's event logs as index rows (decoded by crowdfund.events); the milestone
vault's are in vault.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crowdfund.events import checksummed, decode_event, hex_text, topic_of, topics

__all__ = ["KINDS", "LogReader", "decode_log", "log_place", "topics"]

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


def log_place(log: dict[str, Any], timestamp: int) -> dict[str, Any]:
    """Where a raw log stands: the columns every event row has, whoever logged it."""
    return {
        "block_number": int(log["blockNumber"], 16)
        if isinstance(log["blockNumber"], str)
        else log["blockNumber"],
        "log_index": int(log["logIndex"], 16) if isinstance(log["logIndex"], str) else log["logIndex"],
        "block_hash": hex_text(log["blockHash"]),
        "timestamp": timestamp,
        "transaction_hash": hex_text(log["transactionHash"]),
    }


def decode_log(log: dict[str, Any], timestamp: int) -> dict[str, Any] | None:
    """An `events` row for one raw log (as eth_getLogs returns it); None for other logs."""
    decoded = decode_event(log)
    if decoded is None:
        return None
    name, args = decoded
    kind = KINDS[name]
    row: dict[str, Any] = {
        **log_place(log, timestamp),
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
        """The rows of a chunk's logs; `blocks` holds the (hash, timestamp) of their blocks.

        One loop with the pledge read inline: a call per log and per field costs a
        catch-up more than reading the hex does."""
        rows: list[dict[str, Any]] = []
        stamps: dict[str, tuple[int, int]] = {}  # blockNumber as the node wrote it -> (number, timestamp)
        addresses, amounts = self._addresses, self._amounts
        for log in logs:
            written = log["blockNumber"]
            stamp = stamps.get(written)
            if stamp is None:
                number = int(written, 16)
                stamp = stamps[written] = (number, blocks[number][1])
            topics_, data = log["topics"], log["data"]
            # A pledge whose words are all clean; any other log, or a pledge that is not,
            # goes to `decode_log`, which judges it.
            if not (
                len(topics_) == 3 and topics_[0] == _PLEDGED
                and type(id_topic := topics_[1]) is str and len(id_topic) == 66
                and type(backer_topic := topics_[2]) is str and len(backer_topic) == 66
                and backer_topic.startswith(_PADDED_ADDRESS)
                and type(data) is str and len(data) == _PLEDGED_DATA and data.startswith(_PADDED_ADDRESS)
                and type(log_index := log["logIndex"]) is str
            ):  # fmt: skip
                row = decode_log(log, stamp[1])
                if row is not None:
                    rows.append(row)
                continue
            backer, payer = backer_topic[26:].lower(), data[26:66].lower()
            amount, new_total = data[66:130], data[130:194]
            rows.append(
                {
                    "block_number": stamp[0],
                    "log_index": int(log_index, 16),
                    "block_hash": hex_text(log["blockHash"]),
                    "timestamp": stamp[1],
                    "transaction_hash": hex_text(log["transactionHash"]),
                    "campaign_id": int(id_topic, 16),
                    "kind": "pledged",
                    "backer": addresses.get(backer) or self._address(backer),
                    "payer": addresses.get(payer) or self._address(payer),
                    "amount": amounts.get(amount) or self._amount(amount),
                    "new_total": amounts.get(new_total) or self._amount(new_total),
                    "uri": None,
                }
            )
        return rows
