"""EIP-2612 permits as EIP-712 typed data: the one definition of their types and domain,
for the CLI's signatures, the benchmarks and the contract tests alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode
from eth_utils.crypto import keccak

DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"

TYPES: dict[str, list[dict[str, str]]] = {
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
    "Permit": [
        {"name": "owner", "type": "address"},
        {"name": "spender", "type": "address"},
        {"name": "value", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ],
}


@dataclass(frozen=True)
class Permit:
    """An EIP-2612 signature letting the spender take `value` until `deadline`."""

    value: int
    deadline: int
    v: int
    r: bytes
    s: bytes


def domain(name: str, version: str, chain_id: int, verifying_contract: str) -> dict[str, Any]:
    return {"name": name, "version": version, "chainId": chain_id, "verifyingContract": verifying_contract}


def domain_separator(domain: dict[str, Any]) -> bytes:
    """What the token's DOMAIN_SEPARATOR() returns when it builds its domain this way."""
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text=DOMAIN_TYPE),
                keccak(text=domain["name"]),
                keccak(text=domain["version"]),
                domain["chainId"],
                domain["verifyingContract"],
            ],
        )
    )


def typed_data(
    domain: dict[str, Any], *, owner: str, spender: str, value: int, nonce: int, deadline: int
) -> dict[str, Any]:
    """The full EIP-712 message a permit signs (eth_signTypedData_v4's argument)."""
    message = {"owner": owner, "spender": spender, "value": value, "nonce": nonce, "deadline": deadline}
    return {"types": TYPES, "primaryType": "Permit", "domain": domain, "message": message}
