"""The escrow's and the milestone vault's ABIs, from the package's shipped artifacts
(crowdfund.artifacts), so that the gateway and the CLI run without compiling."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from eth_abi.abi import encode
from eth_typing import HexStr
from eth_utils.crypto import keccak

from crowdfund import artifacts

ABI = list[dict[str, Any]]


def escrow_abi() -> ABI:
    return artifacts.load(artifacts.ESCROW)["abi"]


def vault_abi() -> ABI:
    return artifacts.load(artifacts.VAULT)["abi"]


def abi_type(param: dict[str, Any]) -> str:
    """`(uint256,address,...)` for a struct, as eth_abi spells it."""
    if param["type"].startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][len('tuple') :]}"
    return str(param["type"])


class CallData:
    """Call data for a contract's functions (none overloaded), built without a node: the
    selector and eth_abi's encoding of the arguments. web3's Contract.encode_abi builds the
    same bytes at about a hundred times the cost, which the gateway would pay on every read."""

    def __init__(self, abi: ABI) -> None:
        self._functions = {item["name"]: item for item in abi if item["type"] == "function"}

    @cache  # noqa: B019 - one encoder per ABI, alive as long as the process
    def _signature(self, function: str) -> tuple[bytes, tuple[str, ...]]:
        types = tuple(abi_type(p) for p in self._functions[function]["inputs"])
        return keccak(text=f"{function}({','.join(types)})")[:4], types

    def __call__(self, function: str, *args: Any) -> HexStr:
        selector, types = self._signature(function)
        return HexStr("0x" + (selector + encode(types, args)).hex())


def abi_hash(abi: ABI) -> str:
    """A stable fingerprint of an ABI, recorded with each deployment."""
    canonical = json.dumps(abi, sort_keys=True, separators=(",", ":"))
    return "0x" + hashlib.sha256(canonical.encode()).hexdigest()


if __name__ == "__main__":  # the export's former name
    artifacts.main()
