"""The escrow's event logs decoded from their raw form (as eth_getLogs returns them).

Decoding is done here with eth_abi rather than through web3's contract events: the index
decodes tens of thousands of logs while catching up, and the plain decoder is several
times faster. It is also forgiving where web3 is not: the links in CampaignCreated and
CampaignUpdated are any bytes a creator sent, read by crowdfund.links.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from crowdfund.abi import escrow_abi
from crowdfund.links import link_text


@cache
def _events_by_topic() -> dict[str, dict[str, Any]]:
    found = {}
    for item in escrow_abi():
        if item["type"] == "event":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            found["0x" + keccak(text=signature).hex()] = item
    return found


def topics() -> list[str]:
    """The topic of every escrow event, for an eth_getLogs filter."""
    return list(_events_by_topic())


def topic_of(name: str) -> str:
    return next(t for t, item in _events_by_topic().items() if item["name"] == name)


def hex_text(value: Any) -> str:
    """A hash or data field as lower-case 0x-hex, whether the node library gave str or bytes."""
    if isinstance(value, str):
        return value.lower()
    return "0x" + bytes(value).hex()


def decode_event(log: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The event's name and arguments (addresses checksummed, strings as bounded link
    text); None for a log that is no escrow event."""
    topics_ = [hex_text(t) for t in log["topics"]]
    item = _events_by_topic().get(topics_[0]) if topics_ else None
    if item is None:
        return None
    indexed = [i for i in item["inputs"] if i["indexed"]]
    plain = [i for i in item["inputs"] if not i["indexed"]]
    args: dict[str, Any] = {}
    for spec, topic in zip(indexed, topics_[1:], strict=True):
        (args[spec["name"]],) = decode([spec["type"]], bytes.fromhex(topic[2:]))
    data = bytes.fromhex(hex_text(log["data"])[2:])
    # Strings are decoded as bytes: the escrow does not check that they are UTF-8, and one
    # that is not must not stop a reader.
    types = ["bytes" if i["type"] == "string" else i["type"] for i in plain]
    for spec, value in zip(plain, decode(types, data), strict=True):
        args[spec["name"]] = link_text(value) if spec["type"] == "string" else value
    for name, value in args.items():
        if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
            args[name] = to_checksum_address(value)
    return item["name"], args
