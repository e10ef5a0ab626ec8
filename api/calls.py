"""Call data for the escrow and ERC-20 tokens, and decoding of what they return, done
without a node: the gateway sends the bytes itself, in batches."""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_abi.abi import decode
from eth_utils.address import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from crowdfund.abi import escrow_abi
from crowdfund.escrow import Campaign

# The CampaignView struct as the ABI encodes it (field order as in the interface).
CAMPAIGN_VIEW = "(uint256,address,address,uint256,uint256,uint256,uint64,uint64,uint8,bool,bool)"

ERC20_ABI = [
    {"name": "symbol", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"name": "decimals", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint8"}]},
    {"name": "balanceOf", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}], "outputs": [{"name": "", "type": "uint256"}]},
    {"name": "allowance", "type": "function", "stateMutability": "view",
     "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
     "outputs": [{"name": "", "type": "uint256"}]},
    {"name": "approve", "type": "function", "stateMutability": "nonpayable",
     "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
     "outputs": [{"name": "", "type": "bool"}]},
]  # fmt: skip


@cache
def _contract(which: str) -> type[Contract]:
    # A contract class without an address encodes calls without a node.
    return Web3().eth.contract(abi=escrow_abi() if which == "escrow" else ERC20_ABI)


def escrow_call(function: str, *args: Any) -> str:
    return str(_contract("escrow").encode_abi(function, args=list(args)))


def erc20_call(function: str, *args: Any) -> str:
    return str(_contract("erc20").encode_abi(function, args=list(args)))


def _bytes(data: str) -> bytes:
    return bytes.fromhex(data[2:])


def decode_campaign(data: str) -> Campaign:
    (view,) = decode([CAMPAIGN_VIEW], _bytes(data))
    (id_, creator, token, *rest) = view
    return Campaign.from_view((id_, to_checksum_address(creator), to_checksum_address(token), *rest))


def decode_uint(data: str) -> int:
    (value,) = decode(["uint256"], _bytes(data))
    return int(value)


def decode_symbol(data: str) -> str:
    """A token symbol: an ABI string, or bytes32 for some early tokens (MKR)."""
    raw = _bytes(data)
    try:
        (symbol,) = decode(["string"], raw)
        return str(symbol)
    except Exception:
        return raw[:32].rstrip(b"\0").decode("utf-8", "replace")
