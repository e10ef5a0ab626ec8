"""The escrow's event logs decoded into index rows.

Decoding is done here with eth_abi rather than through web3's contract events: catching
up on a busy escrow decodes tens of thousands of logs, and the plain decoder is several
times faster.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from crowdfund.abi import escrow_abi
from crowdfund.links import link_text

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


@cache
def _events_by_topic() -> dict[str, dict[str, Any]]:
    found = {}
    for item in escrow_abi():
        if item["type"] == "event":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            found["0x" + keccak(text=signature).hex()] = item
    return found


def topics() -> list[str]:
    return list(_events_by_topic())


def _hex(value: Any) -> str:
    if isinstance(value, str):
        return value.lower()
    return "0x" + bytes(value).hex()


def decode_log(log: dict[str, Any], timestamp: int) -> dict[str, Any] | None:
    """An `events` row for one raw log (as eth_getLogs returns it); None for other logs."""
    topics_ = [_hex(t) for t in log["topics"]]
    item = _events_by_topic().get(topics_[0]) if topics_ else None
    if item is None:
        return None
    indexed = [i for i in item["inputs"] if i["indexed"]]
    plain = [i for i in item["inputs"] if not i["indexed"]]
    args: dict[str, Any] = {}
    for spec, topic in zip(indexed, topics_[1:], strict=True):
        (args[spec["name"]],) = decode([spec["type"]], bytes.fromhex(topic[2:]))
    data = bytes.fromhex(_hex(log["data"])[2:])
    # Strings (the links) are decoded as bytes: the escrow does not check that they are
    # UTF-8, and one that is not must not stop the index (crowdfund.links).
    types = ["bytes" if i["type"] == "string" else i["type"] for i in plain]
    for spec, value in zip(plain, decode(types, data), strict=True):
        args[spec["name"]] = link_text(value) if spec["type"] == "string" else value
    for name, value in args.items():
        if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
            args[name] = to_checksum_address(value)
    kind = KINDS[item["name"]]
    row: dict[str, Any] = {
        "block_number": int(log["blockNumber"], 16)
        if isinstance(log["blockNumber"], str)
        else log["blockNumber"],
        "log_index": int(log["logIndex"], 16) if isinstance(log["logIndex"], str) else log["logIndex"],
        "block_hash": _hex(log["blockHash"]),
        "timestamp": timestamp,
        "transaction_hash": _hex(log["transactionHash"]),
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
