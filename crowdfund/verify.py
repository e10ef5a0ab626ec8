"""Whether the runtime code at an address is the code a compile produced: the rule, on bytes
alone (no chain, no compiler), for `crowdfund verify-code`.

solc appends to every contract's runtime code a CBOR map and, in its last two bytes, that
map's length. The map holds the IPFS hash of the contract's metadata JSON, which pins every
source file by keccak256 and the compiler settings, and the solc version. So two codes are
compared in two parts: the executable part (everything before the trailer, with the places
the constructor fills with immutables blanked in both, since a compile leaves them zero), and
the trailer. The same executable part under a different metadata hash means the same
instructions compiled from sources or settings that differ in something that moves no
instruction (a comment, whitespace, a file's path).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


class Verdict(Enum):
    IDENTICAL = "identical"
    METADATA_DIFFERS = "metadata differs"
    BYTECODE_DIFFERS = "bytecode differs"
    # The code is the compile's, but an immutable holds what it should not (a vault built
    # over another escrow); the comparison of bytes cannot tell, its caller can.
    IMMUTABLE_DIFFERS = "immutable differs"
    NO_CODE = "no code"


@dataclass(frozen=True)
class Immutable:
    """One immutable variable: where a compile left room for it in the runtime code."""

    name: str
    ranges: tuple[tuple[int, int], ...]  # (start, length) in the runtime code


@dataclass(frozen=True)
class Trailer:
    """The CBOR map at the end of runtime code, as solc writes it."""

    raw: bytes  # the map and its two-byte length
    fields: Mapping[str, Any]

    @property
    def ipfs(self) -> str | None:
        """The metadata's IPFS address (`ipfs://Qm...`), when the trailer has one."""
        digest = self.fields.get("ipfs")
        return f"ipfs://{base58(digest)}" if isinstance(digest, bytes) else None

    @property
    def solc(self) -> str | None:
        """The compiler version: three bytes for a release, a string for a prerelease."""
        version = self.fields.get("solc")
        if isinstance(version, bytes) and len(version) == 3:
            return ".".join(str(b) for b in version)
        return version if isinstance(version, str) else None

    def describe(self) -> dict[str, Any]:
        return {
            "ipfs": self.ipfs,
            "solc": self.solc,
            "hex": "0x" + self.raw.hex(),
        }


@dataclass(frozen=True)
class Comparison:
    verdict: Verdict
    on_chain_size: int
    expected_size: int
    on_chain_trailer: Trailer | None = None
    expected_trailer: Trailer | None = None
    # Where the executable parts first differ, and their lengths (BYTECODE_DIFFERS only).
    first_difference: int | None = None
    on_chain_executable: int = 0
    expected_executable: int = 0
    # Each immutable's value in the code on chain (a 32-byte word, as hex), by name.
    immutable_values: dict[str, str] = field(default_factory=dict)
    # Why the codes differ, in words (empty when identical).
    reason: str = ""

    @property
    def identical(self) -> bool:
        return self.verdict is Verdict.IDENTICAL


# ---------------------------------------------------------------------- the trailer


class CborError(ValueError):
    pass


def _cbor_item(data: bytes, at: int) -> tuple[Any, int]:
    """One CBOR item of the kinds solc's trailer uses (unsigned integers, byte and text
    strings, maps, true/false/null), and where the next one starts."""
    if at >= len(data):
        raise CborError("ends early")
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        if at + size > len(data):
            raise CborError("ends early")
        value = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise CborError(f"indefinite or reserved length at byte {at - 1}")
    if major == 0:
        return value, at
    if major in (2, 3):
        if at + value > len(data):
            raise CborError("a string runs past the end")
        chunk = data[at : at + value]
        if major == 2:
            return chunk, at + value
        try:
            return chunk.decode(), at + value
        except UnicodeDecodeError:
            raise CborError("a text string is not UTF-8") from None
    if major == 5:
        items: dict[str, Any] = {}
        for _ in range(value):
            key, at = _cbor_item(data, at)
            if not isinstance(key, str):
                raise CborError("a map key is not text")
            items[key], at = _cbor_item(data, at)
        return items, at
    if major == 7 and info in (20, 21, 22):
        return {20: False, 21: True, 22: None}[info], at
    raise CborError(f"CBOR major type {major} is not used by solc")


def split_trailer(code: bytes) -> tuple[bytes, Trailer | None]:
    """The executable part of runtime code and its metadata trailer; the whole code and None
    where the end of the code is no CBOR map of the length it claims."""
    if len(code) < 2:
        return code, None
    length = int.from_bytes(code[-2:], "big")
    if length == 0 or length + 2 > len(code):
        return code, None
    cbor = code[-2 - length : -2]
    try:
        fields, end = _cbor_item(cbor, 0)
    except CborError:
        return code, None
    if not isinstance(fields, dict) or end != len(cbor):
        return code, None
    return code[: -2 - length], Trailer(code[-2 - length :], fields)


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    """Bitcoin's base58, which IPFS uses for CIDv0 addresses (`Qm...`)."""
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, digit = divmod(number, 58)
        digits = _BASE58[digit] + digits
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + digits


# -------------------------------------------------------------------- comparing


def _blank(code: bytes, ranges: Sequence[tuple[int, int]]) -> bytes:
    blanked = bytearray(code)
    for start, length in ranges:
        blanked[start : start + length] = bytes(min(length, max(0, len(code) - start)))
    return bytes(blanked)


def compare(on_chain: bytes, expected: bytes, immutables: Sequence[Immutable] = ()) -> Comparison:
    """Compare the runtime code found at an address with the runtime code a compile produced
    (immutables left zero), given where the compile placed its immutables."""
    chain_part, chain_trailer = split_trailer(on_chain)
    expected_part, expected_trailer = split_trailer(expected)
    found = Comparison(
        Verdict.IDENTICAL,
        on_chain_size=len(on_chain),
        expected_size=len(expected),
        on_chain_trailer=chain_trailer,
        expected_trailer=expected_trailer,
    )
    if not on_chain:
        return replace(found, verdict=Verdict.NO_CODE, reason="no contract at this address")
    differs = replace(
        found,
        verdict=Verdict.BYTECODE_DIFFERS,
        on_chain_executable=len(chain_part),
        expected_executable=len(expected_part),
    )
    ranges = [r for immutable in immutables for r in immutable.ranges]
    in_code = all(start + length <= len(chain_part) for start, length in ranges)
    chain_blank, expected_blank = _blank(chain_part, ranges), _blank(expected_part, ranges)
    if chain_blank != expected_blank or not in_code:
        offset = next(
            (i for i, (a, b) in enumerate(zip(chain_blank, expected_blank, strict=False)) if a != b),
            min(len(chain_blank), len(expected_blank)),
        )
        return replace(
            differs,
            first_difference=offset,
            reason=f"the bytecode differs from byte {offset:,} on (executable part: "
            f"{len(chain_part):,} bytes on chain, {len(expected_part):,} compiled)",
        )
    values = {}
    for immutable in immutables:
        written = {chain_part[start : start + length] for start, length in immutable.ranges}
        if len(written) > 1:
            # A constructor writes one value to every place of an immutable.
            return replace(
                differs,
                first_difference=immutable.ranges[0][0],
                reason=f"the immutable {immutable.name} holds different values at its "
                f"{len(immutable.ranges)} places, which no constructor writes",
            )
        if written:
            values[immutable.name] = "0x" + written.pop().hex()
    found = replace(found, immutable_values=values)
    if on_chain[len(chain_part) :] == expected[len(expected_part) :]:
        return found
    reason = (
        "same bytecode, different metadata: the sources or the compiler settings differ "
        "(comments, whitespace, paths)"
    )
    if chain_trailer is not None and expected_trailer is not None:
        fields = chain_trailer.fields.keys() | expected_trailer.fields.keys()
        differing = sorted(k for k in fields if chain_trailer.fields.get(k) != expected_trailer.fields.get(k))
        if "ipfs" not in differing:
            # The metadata hash agrees: only what the trailer says beside it does not.
            reason = f"same bytecode and metadata hash, but the trailer differs in {', '.join(differing)}"
    return replace(found, verdict=Verdict.METADATA_DIFFERS, reason=reason)


def version_note(comparison: Comparison, pinned: str) -> str | None:
    """'compiled with solc 0.8.x, this checkout pins 0.8.y' where the trailer on chain names
    another compiler than the pin."""
    found = comparison.on_chain_trailer.solc if comparison.on_chain_trailer else None
    if found is None or found == pinned:
        return None
    return f"compiled with solc {found}, this checkout pins {pinned}"


def immutables_from(
    references: Mapping[str, Sequence[Mapping[str, int]]], names: Mapping[int, str]
) -> list[Immutable]:
    """solc's `evm.deployedBytecode.immutableReferences` ({AST id: [{start, length}]}), named
    from the AST (`names`, by id; an id not found keeps its number)."""
    return [
        Immutable(
            names.get(int(ident), f"immutable #{ident}"), tuple((r["start"], r["length"]) for r in places)
        )
        for ident, places in sorted(references.items(), key=lambda item: int(item[0]))
    ]


def immutable_names(ast: Any) -> dict[int, str]:
    """The AST ids of the immutable variables declared in a source unit, with their names."""
    found: dict[int, str] = {}
    stack = [ast]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("nodeType") == "VariableDeclaration" and node.get("mutability") == "immutable":
                found[int(node["id"])] = str(node["name"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
