"""The escrow's event logs as index rows (decoded by crowdfund.events); the milestone
vault's are in vault.py."""

from __future__ import annotations

from typing import Any

from crowdfund.events import decode_event, hex_text, topics

__all__ = ["KINDS", "decode_log", "log_place", "topics"]

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
