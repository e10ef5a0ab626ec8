"""The rule behind `crowdfund verify-code`, on synthetic runtime codes: the executable part
with immutables set aside, and the metadata trailer compared on its own."""

from __future__ import annotations

import pytest

from crowdfund.verify import (
    Immutable,
    Verdict,
    base58,
    compare,
    immutable_names,
    immutables_from,
    split_trailer,
    version_note,
)

# A compile leaves the immutable at bytes 10..42 zero; a constructor fills it.
ESCROW_WORD = bytes(12) + bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
IMMUTABLE = Immutable("_escrow", ((10, 32), (60, 32)))


def trailer(digest: bytes = b"\x11" * 32, solc: bytes = bytes([0, 8, 20])) -> bytes:
    """solc's CBOR map {"ipfs": multihash, "solc": version} and its two-byte length."""
    cbor = b"\xa2" + b"\x64ipfs" + b"\x58\x22" + b"\x12\x20" + digest + b"\x64solc" + b"\x43" + solc
    return cbor + len(cbor).to_bytes(2, "big")


def executable(fill: bytes = bytes(32)) -> bytes:
    code = bytearray(range(100))
    code[10:42] = fill
    code[60:92] = fill
    return bytes(code)


COMPILED = executable() + trailer()


def test_the_same_code_is_identical() -> None:
    result = compare(COMPILED, COMPILED)
    assert result.verdict is Verdict.IDENTICAL
    assert result.on_chain_size == len(COMPILED)
    assert result.reason == ""


def test_codes_that_differ_only_in_their_immutables_are_identical_and_the_values_are_reported() -> None:
    result = compare(executable(ESCROW_WORD) + trailer(), COMPILED, [IMMUTABLE])
    assert result.verdict is Verdict.IDENTICAL
    assert result.immutable_values == {"_escrow": "0x" + ESCROW_WORD.hex()}


def test_the_same_difference_without_the_immutables_known_is_a_bytecode_difference_at_its_first_byte() -> (
    None
):
    result = compare(executable(ESCROW_WORD) + trailer(), COMPILED)
    assert result.verdict is Verdict.BYTECODE_DIFFERS
    assert result.first_difference == 10 + 12  # the address starts after 12 zero bytes


def test_an_immutable_with_two_values_is_no_constructor_s_work() -> None:
    code = bytearray(executable(ESCROW_WORD))
    code[91] ^= 1
    result = compare(bytes(code) + trailer(), COMPILED, [IMMUTABLE])
    assert result.verdict is Verdict.BYTECODE_DIFFERS
    assert "different values at its 2 places" in result.reason


def test_a_different_metadata_hash_over_the_same_instructions_is_a_metadata_difference() -> None:
    result = compare(executable() + trailer(digest=b"\x22" * 32), COMPILED)
    assert result.verdict is Verdict.METADATA_DIFFERS
    assert result.reason.startswith("same bytecode, different metadata")
    assert result.on_chain_trailer is not None and result.expected_trailer is not None
    assert result.on_chain_trailer.ipfs != result.expected_trailer.ipfs


def test_a_changed_instruction_is_reported_at_its_offset_with_both_lengths() -> None:
    code = bytearray(executable())
    code[77] = 0xFE
    result = compare(bytes(code) + trailer(), COMPILED)
    assert result.verdict is Verdict.BYTECODE_DIFFERS
    assert result.first_difference == 77
    assert (result.on_chain_executable, result.expected_executable) == (100, 100)
    assert "from byte 77 on" in result.reason


def test_a_shorter_code_differs_where_it_ends() -> None:
    result = compare(executable()[:90] + trailer(), COMPILED)
    assert result.verdict is Verdict.BYTECODE_DIFFERS
    assert result.first_difference == 90
    assert (result.on_chain_executable, result.expected_executable) == (90, 100)


def test_an_immutable_beyond_the_end_of_the_code_on_chain_is_a_bytecode_difference() -> None:
    result = compare(executable()[:50] + trailer(), COMPILED, [IMMUTABLE])
    assert result.verdict is Verdict.BYTECODE_DIFFERS


def test_no_code_is_its_own_verdict() -> None:
    result = compare(b"", COMPILED)
    assert result.verdict is Verdict.NO_CODE
    assert result.expected_trailer is not None  # what was expected is still shown


def test_the_trailer_gives_the_metadata_address_and_the_compiler_version() -> None:
    code, found = split_trailer(COMPILED)
    assert code == executable()
    assert found is not None
    assert found.solc == "0.8.20"
    assert found.ipfs == "ipfs://" + base58(b"\x12\x20" + b"\x11" * 32)
    assert found.ipfs.startswith("ipfs://Qm")  # a CIDv0, as solc's metadata addresses are


def test_a_prerelease_compiler_is_named_by_its_string() -> None:
    cbor = b"\xa1\x64solc\x6e0.8.21-nightly"
    _, found = split_trailer(b"\x00" + cbor + len(cbor).to_bytes(2, "big"))
    assert found is not None and found.solc == "0.8.21-nightly" and found.ipfs is None


@pytest.mark.parametrize(
    "end",
    [
        b"",  # empty
        b"\x00",  # shorter than a length
        b"\x00\x00",  # a length of zero
        b"\xa1\x64ipfs\x58\x22\x12" + (40).to_bytes(2, "big"),  # a length beyond the code
        b"\x60\x80" + (2).to_bytes(2, "big"),  # no map: a text string of one byte and garbage
        b"\xa1\x64ipfs\x58\x22\x12\x20" + (10).to_bytes(2, "big"),  # a byte string cut short
        b"\xa1\x01\x02" + (3).to_bytes(2, "big"),  # a key that is not text
        b"\xbf\xff" + (2).to_bytes(2, "big"),  # an indefinite-length map
        b"\xa1\x61\xff\x01" + (4).to_bytes(2, "big"),  # a key that is not UTF-8
        b"\xa1\x61a\x01\x00" + (5).to_bytes(2, "big"),  # the map ends before the claimed length
    ],
)
def test_a_truncated_or_garbage_trailer_reads_as_no_trailer(end: bytes) -> None:
    code = b"\x60\x80" + end
    assert split_trailer(code) == (code, None)


def test_code_without_a_trailer_differs_from_code_with_one() -> None:
    result = compare(executable() + b"\x00\x40", COMPILED)
    assert result.verdict is Verdict.BYTECODE_DIFFERS
    assert result.on_chain_trailer is None
    assert result.first_difference == 100


def test_another_compiler_on_chain_is_named_beside_the_pin() -> None:
    result = compare(executable() + trailer(solc=bytes([0, 8, 19])), COMPILED)
    assert result.verdict is Verdict.METADATA_DIFFERS
    assert result.reason == "same bytecode and metadata hash, but the trailer differs in solc"
    assert version_note(result, "0.8.20") == "compiled with solc 0.8.19, this checkout pins 0.8.20"
    assert version_note(compare(COMPILED, COMPILED), "0.8.20") is None


def test_base58_keeps_leading_zero_bytes() -> None:
    assert base58(b"hello world") == "StV1DL6CwTryKyV"
    assert base58(b"\x00\x00\x01") == "112"


def test_immutables_are_named_from_the_ast() -> None:
    ast = {
        "nodeType": "SourceUnit",
        "nodes": [
            {
                "nodeType": "ContractDefinition",
                "nodes": [
                    {
                        "nodeType": "VariableDeclaration",
                        "id": 7,
                        "name": "_escrow",
                        "mutability": "immutable",
                    },
                    {"nodeType": "VariableDeclaration", "id": 8, "name": "_count", "mutability": "mutable"},
                ],
            }
        ],
    }
    names = immutable_names(ast)
    assert names == {7: "_escrow"}
    references = {
        "9": [{"start": 1, "length": 32}],
        "7": [{"start": 5, "length": 32}, {"start": 90, "length": 32}],
    }
    assert immutables_from(references, names) == [
        Immutable("_escrow", ((5, 32), (90, 32))),
        Immutable("immutable #9", ((1, 32),)),
    ]
