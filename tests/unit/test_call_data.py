"""Call data built from the ABI with eth_abi is byte for byte what web3 builds, for every
function of the escrow and the ERC-20 functions the gateway calls."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from crowdfund import erc20
from crowdfund.abi import escrow_abi
from crowdfund.escrow import encode_call

ADDRESS = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SAMPLES: dict[str, Any] = {
    "uint256": 2**200 + 7,
    "uint64": 2**63,
    "uint8": 27,
    "address": ADDRESS,
    "string": "ipfs://bafy…/ünïcode",
    "bytes32": b"\x01" * 32,
}


@pytest.mark.parametrize(
    "item", [i for i in escrow_abi() if i["type"] == "function"], ids=lambda i: i["name"]
)
def test_escrow_call_data_matches_web3(item: dict[str, Any]) -> None:
    args = [SAMPLES[p["type"]] for p in item["inputs"]]
    expected = Web3().eth.contract(abi=escrow_abi()).encode_abi(item["name"], args=args)
    assert encode_call(item["name"], *args) == expected


@pytest.mark.parametrize(
    ("function", "args"),
    [("symbol", []), ("decimals", []), ("balanceOf", [ADDRESS]), ("allowance", [ADDRESS, ADDRESS]),
     ("approve", [ADDRESS, 10**18])],
)  # fmt: skip
def test_erc20_call_data_matches_web3(function: str, args: list[Any]) -> None:
    expected = Web3().eth.contract(abi=erc20.ERC20_ABI).encode_abi(function, args=args)
    assert erc20.encode_call(function, *args) == expected
