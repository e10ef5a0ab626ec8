"""ERC-20 as campaigns meet it: the one ABI this project uses for tokens, and how a
token's metadata answers are read.

Symbol and decimals are optional in ERC-20 and come from contracts anyone can write, so
their answers are decoded defensively here, the same way for the CLI and the gateway.
"""

from __future__ import annotations

from typing import Any

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError
from eth_typing import HexStr

from crowdfund.abi import CallData
from crowdfund.units import Currency

_ADDRESS, _UINT = {"type": "address"}, {"type": "uint256"}


def _fn(name: str, inputs: list[dict[str, str]], outputs: list[dict[str, str]], view: bool = True) -> Any:
    return {
        "name": name,
        "type": "function",
        "stateMutability": "view" if view else "nonpayable",
        "inputs": [{"name": f"a{i}", **t} for i, t in enumerate(inputs)],
        "outputs": [{"name": "", **t} for t in outputs],
    }


ERC20_ABI = [
    _fn("name", [], [{"type": "string"}]),
    _fn("symbol", [], [{"type": "string"}]),
    _fn("decimals", [], [{"type": "uint8"}]),
    _fn("balanceOf", [_ADDRESS], [_UINT]),
    _fn("allowance", [_ADDRESS, _ADDRESS], [_UINT]),
    _fn("approve", [_ADDRESS, _UINT], [{"type": "bool"}], view=False),
    # EIP-2612
    _fn("nonces", [_ADDRESS], [_UINT]),
    _fn("DOMAIN_SEPARATOR", [], [{"type": "bytes32"}]),
    # EIP-5267: how the token builds its EIP-712 domain
    _fn(
        "eip712Domain",
        [],
        [
            {"type": "bytes1"},
            {"type": "string"},
            {"type": "string"},
            _UINT,
            _ADDRESS,
            {"type": "bytes32"},
            {"type": "uint256[]"},
        ],
    ),  # fmt: skip
]


_CALL_DATA = CallData(ERC20_ABI)


def encode_call(function: str, *args: Any) -> HexStr:
    """Call data for an ERC-20 function, as 0x-hex."""
    return _CALL_DATA(function, *args)


# ERC-20 declares decimals() as uint8, but no token in use has more than 24: past 36, any
# amount the escrow can hold (below 2**104, about 2*10**31) would be a sliver of one token,
# printed with dozens of zeros. Such an answer is taken as no decimals (base units).
MAX_DECIMALS = 36
# Longer text is no ticker symbol; it is named by its address instead, like a missing one.
MAX_SYMBOL = 32
# Amounts in the native coin are labelled ETH: a token calling itself so (in any case, or
# in look-alike letters, which the ASCII rule refuses) would pass a worthless token off as
# ether on every page and in the CLI.
_NATIVE = "ETH"


def _printable_ascii(text: str) -> bool:
    # Only ASCII, so that no symbol is a homoglyph of another (Cyrillic "ЕТН" for "ETH").
    return all(" " <= c <= "~" for c in text)


def decode_symbol(raw: bytes) -> str | None:
    """A token's `symbol()` answer: an ABI string, or a bytes32 as early tokens (MKR) return;
    None when it is neither, or empty, or not printable ASCII, or claims to be ETH."""
    if len(raw) > 1024:  # far more than any symbol of MAX_SYMBOL characters takes
        return None
    text: str | None = None
    try:
        (decoded,) = decode(["string"], raw)
        text = str(decoded)
    except (DecodingError, OverflowError, ValueError):
        if len(raw) == 32:
            try:
                text = raw.rstrip(b"\0").decode("utf-8")
            except UnicodeDecodeError:
                text = None
    if not text or len(text) > MAX_SYMBOL or not _printable_ascii(text):
        return None
    return None if text.strip().upper() == _NATIVE else text


def decode_decimals(raw: bytes) -> int | None:
    """A token's `decimals()` answer; None when it is not a number in 0..MAX_DECIMALS."""
    value = decode_uint(raw)
    return value if value is not None and value <= MAX_DECIMALS else None


def decode_uint(raw: bytes) -> int | None:
    """A uint256 answer (`decimals()`, `balanceOf()`, ...); None when it is not one."""
    if len(raw) < 32:
        return None
    (value,) = decode(["uint256"], raw[:32])
    return int(value)


def currency_of(address: str, symbol: bytes | None, decimals: bytes | None) -> tuple[Currency, bool]:
    """What a token counts in, from its raw `symbol()` and `decimals()` answers (None where
    it reverted): one without a symbol is named by its address, one without decimals counts
    in base units. The bool says whether it answered as a token at all (either of them)."""
    label = decode_symbol(symbol) if symbol is not None else None
    places = decode_decimals(decimals) if decimals is not None else None
    currency = Currency(label or fallback_label(address), places or 0, address)
    return currency, label is not None or places is not None


def fallback_label(address: str) -> str:
    """How a token without a symbol is named: its address, shortened."""
    return f"{address[:6]}…{address[-4:]}"
