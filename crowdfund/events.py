"""The escrow's event logs decoded from their raw form (as eth_getLogs returns them).

Decoding is done here with eth_abi rather than through web3's contract events: the index
decodes tens of thousands of logs while catching up, and the plain decoder is several
times faster. It is also forgiving where web3 is not: the links in CampaignCreated and
CampaignUpdated are any bytes a creator sent, read by crowdfund.links.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from eth_abi.abi import decode
from eth_hash.auto import keccak as keccak256
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from crowdfund.abi import escrow_abi, vault_abi
from crowdfund.links import link_text

try:
    # safe-pysha3, installed with the gateway: its keccak costs a tenth of pycryptodome's
    # (eth_hash's choice), whose per-call setup outweighs hashing 40 digits, and a catch-up
    # checksums the address of every backer it meets.
    from sha3 import keccak_256

    def _keccak_hex(data: bytes) -> bytes:
        return keccak_256(data).hexdigest().encode()  # type: ignore[no-any-return]

except ImportError:  # the core package alone (brownie's environment) has only eth_hash

    def _keccak_hex(data: bytes) -> bytes:
        return keccak256(data).hex().encode()


# Events whose inputs are one-word types, with at most one string as the last value of
# the data, are read straight from the hex: an index catching up decodes about a million
# of them, and eth_abi's general decoder costs several times the rest of indexing an
# event. Anything else (other types, odd lengths, dirty padding, a string not laid out
# as the compiler lays it out) goes through eth_abi, which decodes or refuses it.
_WORD_TYPES = frozenset({"uint256", "uint64", "address"})
# Events as escrows deployed before a change of their signature logged them, so that their
# history still reads: Claimed gained its recipient `to` (the creator, for those claims).
_EARLIER_EVENTS = (
    {
        "type": "event",
        "name": "Claimed",
        "inputs": [
            {"name": "id", "type": "uint256", "indexed": True},
            {"name": "creator", "type": "address", "indexed": True},
            {"name": "amount", "type": "uint256", "indexed": False},
        ],
    },
)
_ADDRESS_PADDING = "0" * 24
_UINT64_PADDING = "0" * 48


@dataclass(frozen=True)
class _EventSpec:
    name: str
    indexed: tuple[tuple[str, str], ...]  # (name, type) of the topics after the first
    plain: tuple[tuple[str, str], ...]  # (name, type) of the data's values
    words: bool  # every input is one word, but for a string as the data's last value


@cache
def _events_by_topic() -> dict[str, _EventSpec]:
    return _specs([*escrow_abi(), *_EARLIER_EVENTS])


@cache
def _vault_events_by_topic() -> dict[str, _EventSpec]:
    return _specs(vault_abi())


def _specs(abi: list[dict[str, Any]]) -> dict[str, _EventSpec]:
    found = {}
    for item in abi:
        if item["type"] == "event":
            signature = f"{item['name']}({','.join(i['type'] for i in item['inputs'])})"
            indexed = tuple((i["name"], i["type"]) for i in item["inputs"] if i["indexed"])
            plain = tuple((i["name"], i["type"]) for i in item["inputs"] if not i["indexed"])
            words = all(i["type"] in _WORD_TYPES for i in item["inputs"][:-1]) and (
                item["inputs"][-1]["type"] in _WORD_TYPES
                or (item["inputs"][-1]["type"] == "string" and not item["inputs"][-1]["indexed"])
            )
            found["0x" + keccak(text=signature).hex()] = _EventSpec(item["name"], indexed, plain, words)
    return found


def topics() -> list[str]:
    """The topic of every escrow event, for an eth_getLogs filter."""
    return list(_events_by_topic())


def vault_topics() -> list[str]:
    """The topic of every milestone vault event, for an eth_getLogs filter."""
    return list(_vault_events_by_topic())


def topic_of(name: str) -> str:
    return next(t for t, spec in _events_by_topic().items() if spec.name == name)


def hex_text(value: Any) -> str:
    """A hash or data field as lower-case 0x-hex, whether the node library gave str or bytes."""
    if isinstance(value, str):
        # Nodes write lower case: then the text itself is kept, not copied (a catch-up
        # holds a million of them at a time).
        return value if value.islower() else value.lower()
    return "0x" + bytes(value).hex()


# EIP-55 in whole-string operations: a letter of the address is upper-cased (its code less
# 0x20) where the keccak of the lower-case address has a nibble of 8 or more.
_HIGH_NIBBLE = bytes.maketrans(b"0123456789abcdef", b"\0" * 8 + b"\x20" * 8)
_LETTER = bytes.maketrans(b"0123456789abcdef", b"\0" * 10 + b"\x20" * 6)


def checksummed(lower_hex40: str) -> str:
    """EIP-55 over keccak, written out because eth_utils' to_checksum_address validates
    its input through several layers first, which triples the cost of the one conversion
    every event needs; the caller has the 40 lower-case digits already.
    tests/unit/test_log_decoding.py checks it against eth_utils."""
    lower = lower_hex40.encode()
    digest = _keccak_hex(lower)[:40]
    upper = int.from_bytes(digest.translate(_HIGH_NIBBLE)) & int.from_bytes(lower.translate(_LETTER))
    return "0x" + (int.from_bytes(lower) - upper).to_bytes(40).decode()


# Payers and busy backers recur, so their checksums are kept.
_checksummed = lru_cache(maxsize=16_384)(checksummed)


def _word(word: str, type_: str) -> Any:
    """One 64-digit hex word as its ABI type; None when eth_abi must judge it."""
    if type_ == "address":
        return _checksummed(word[24:]) if word.startswith(_ADDRESS_PADDING) else None
    if type_ == "uint64" and not word.startswith(_UINT64_PADDING):
        return None
    return int(word, 16)


def _string(data: str, offset: int) -> str | None:
    """The string whose offset word is the data's word at `offset` digits, as link text,
    when it is the last thing in the data, laid out in full words with zero padding."""
    if int(data[offset : offset + 64], 16) * 2 != offset - 2 + 64:
        return None
    start = offset + 128  # after the offset word and the length word
    length = int(data[offset + 64 : start], 16)
    padded = -(-length // 32) * 64
    if len(data) != start + padded or data[start + 2 * length :].strip("0"):
        return None
    try:
        return link_text(bytes.fromhex(data[start : start + 2 * length]))
    except ValueError:
        return None


def _read_words(spec: _EventSpec, topics_: list[str], data: str) -> dict[str, Any] | None:
    if len(topics_) != len(spec.indexed):
        return None
    args: dict[str, Any] = {}
    for (name, type_), topic in zip(spec.indexed, topics_, strict=True):
        if len(topic) != 66 or (value := _word(topic[2:], type_)) is None:
            return None
        args[name] = value
    stringed = bool(spec.plain) and spec.plain[-1][1] == "string"
    if stringed:
        if len(data) < 2 + 64 * (len(spec.plain) + 1):
            return None
    elif len(data) != 2 + 64 * len(spec.plain):
        return None
    for n, (name, type_) in enumerate(spec.plain):
        if type_ == "string":
            value = _string(data, 2 + 64 * n)
        else:
            value = _word(data[2 + 64 * n : 66 + 64 * n], type_)
        if value is None:
            return None
        args[name] = value
    return args


def _decode(spec: _EventSpec, topics_: list[str], data: str) -> dict[str, Any]:
    args: dict[str, Any] = {}
    for (name, type_), topic in zip(spec.indexed, topics_, strict=True):
        (args[name],) = decode([type_], bytes.fromhex(topic[2:]))
    # Strings are decoded as bytes: the escrow does not check that they are UTF-8, and one
    # that is not must not stop a reader (crowdfund.links).
    types = ["bytes" if type_ == "string" else type_ for _, type_ in spec.plain]
    values = decode(types, bytes.fromhex(data[2:]))
    for (name, type_), value in zip(spec.plain, values, strict=True):
        args[name] = link_text(value) if type_ == "string" else value
    for name, value in args.items():
        if isinstance(value, str) and len(value) == 42 and value.startswith("0x"):
            args[name] = to_checksum_address(value)
    return args


def decode_event(log: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The event's name and arguments (addresses checksummed, strings as bounded link
    text); None for a log that is no escrow event."""
    topics_ = [hex_text(t) for t in log["topics"]]
    spec = _events_by_topic().get(topics_[0]) if topics_ else None
    if spec is None:
        return None
    data = hex_text(log["data"])
    args = _read_words(spec, topics_[1:], data) if spec.words else None
    if args is None:
        args = _decode(spec, topics_[1:], data)
    if spec.name == "Claimed" and "to" not in args:
        args["to"] = args["creator"]  # a claim logged before claimTo existed paid the creator
    return spec.name, args


def decode_vault_event(log: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A milestone vault event's name and arguments, decoded strictly by eth_abi (its
    schedules are arrays); None for a log that is no vault event. A log whose topics or
    data do not fit its event raises (ValueError or eth_abi's DecodingError)."""
    topics_ = [hex_text(t) for t in log["topics"]]
    spec = _vault_events_by_topic().get(topics_[0]) if topics_ else None
    if spec is None:
        return None
    if len(topics_) != 1 + len(spec.indexed) or any(len(t) != 66 for t in topics_):
        raise ValueError(f"a {spec.name} log with {len(topics_)} topics")
    return spec.name, _decode(spec, topics_[1:], hex_text(log["data"]))
