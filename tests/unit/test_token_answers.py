"""A token's symbol and uint answers, read defensively from whatever the contract returns."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode

from crowdfund.erc20 import (
    MAX_DECIMALS,
    MAX_SYMBOL,
    currency_of,
    decode_decimals,
    decode_symbol,
    decode_uint,
    fallback_label,
)


def test_an_abi_string_symbol_is_read() -> None:
    assert decode_symbol(encode(["string"], ["USDC"])) == "USDC"
    assert decode_symbol(encode(["string"], ["WETH"])) == "WETH"
    assert decode_symbol(encode(["string"], ["a-b_c 1.0"])) == "a-b_c 1.0"


def test_a_bytes32_symbol_as_early_tokens_return_is_read() -> None:
    assert decode_symbol(b"MKR".ljust(32, b"\0")) == "MKR"
    assert decode_symbol(b"A" * 32) == "A" * 32


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\0" * 32,  # a bytes32 of nothing
        encode(["string"], [""]),
        encode(["string"], ["US\nDC"]),
        encode(["string"], ["\x00"]),
        b"AB\0\0CD".ljust(32, b"\0"),  # a NUL inside the text
        b"\x01\x02\x03",  # too short for either
        b"MKR".ljust(31, b"\0"),  # one byte short of a bytes32
    ],
)
def test_an_empty_or_unprintable_symbol_reads_as_none(raw: bytes) -> None:
    assert decode_symbol(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff" * 32,  # neither an ABI string nor UTF-8 text
        b"\x80".ljust(32, b"\0"),
    ],
)
def test_a_bytes32_that_is_not_text_reads_as_none(raw: bytes) -> None:
    assert decode_symbol(raw) is None


@pytest.mark.parametrize(
    "symbol",
    [
        "ETH",
        "eth",
        "Eth",
        " ETH ",
        "\u0415\u0422\u041d",  # Cyrillic "ЕТН", shown as ETH
        "\uff25\uff34\uff28",  # fullwidth "ＥＴＨ"
        "Ünï €",  # not ASCII: no symbol can be told from a look-alike
        "ETH\u200b",  # a zero-width space after it
    ],
)
def test_a_symbol_passing_for_ether_or_outside_ascii_reads_as_none(symbol: str) -> None:
    assert decode_symbol(encode(["string"], [symbol])) is None
    assert decode_symbol(symbol.encode().ljust(32, b"\0")[:32]) is None


def test_a_token_calling_itself_eth_is_named_by_its_shortened_address() -> None:
    address = "0x1234567890abcdef1234567890abcdef12345678"
    currency, answered = currency_of(address, encode(["string"], ["ETH"]), encode(["uint256"], [18]))
    assert (currency.symbol, currency.decimals, answered) == ("0x1234…5678", 18, True)


def test_uint_answers() -> None:
    assert decode_uint(encode(["uint256"], [18])) == 18
    assert decode_uint(encode(["uint256"], [2**256 - 1])) == 2**256 - 1
    assert decode_uint(encode(["uint256", "uint256"], [6, 7])) == 6  # extra words are ignored
    assert decode_uint(b"") is None
    assert decode_uint(b"\0" * 31) is None


def test_a_token_without_a_symbol_is_named_by_its_shortened_address() -> None:
    assert fallback_label("0x1234567890abcdef1234567890abcdef12345678") == "0x1234…5678"


def test_decimals_beyond_a_sane_range_are_no_decimals() -> None:
    assert decode_decimals(encode(["uint256"], [18])) == 18
    assert decode_decimals(encode(["uint256"], [MAX_DECIMALS])) == MAX_DECIMALS
    assert decode_decimals(encode(["uint256"], [MAX_DECIMALS + 1])) is None
    assert decode_decimals(encode(["uint256"], [255])) is None
    assert decode_decimals(encode(["uint256"], [2**255])) is None
    assert decode_decimals(b"") is None


def test_a_symbol_longer_than_a_ticker_is_no_symbol() -> None:
    assert decode_symbol(encode(["string"], ["S" * MAX_SYMBOL])) == "S" * MAX_SYMBOL
    assert decode_symbol(encode(["string"], ["S" * (MAX_SYMBOL + 1)])) is None
    assert decode_symbol(encode(["string"], ["S" * 1_000_000])) is None
