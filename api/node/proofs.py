"""The escrow's storage proved at a pinned block (EIP-1186, eth_getProof): what lets a
reader check an answer's figures against a node of its own (`crowdfund verify-answer`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .rpc import BadAnswer, Chain, RpcError, hex_data, quantity
from .types import Block, SlotProof, StorageProof

# JSON-RPC's codes for a method the node does not have, and for parameters it does not take.
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
# No honest proof is longer: a path of at most 64 nibbles is at most 65 nodes.
MAX_NODES = 65


class ProofsUnavailable(Exception):
    """The node serves no eth_getProof: answers can be given, but not proved."""


async def prove(chain: Chain, block: Block, slots: Sequence[int]) -> StorageProof:
    """eth_getProof of `slots` of the escrow at `block`: by the block's hash (EIP-1898), so
    that a reorganisation can never answer from another block; a node that takes no hash
    there is asked by number, and the hash checked after."""
    keys = [f"0x{slot:064x}" for slot in slots]
    try:
        answer = await chain.rpc("eth_getProof", [chain.address, keys, {"blockHash": block.hash}])
    except RpcError as exc:
        if exc.code == METHOD_NOT_FOUND:
            raise ProofsUnavailable(
                f"the node does not serve eth_getProof (EIP-1186) ({exc}): this gateway cannot prove its "
                "answers; ask without proof=true"
            ) from None
        if exc.code != INVALID_PARAMS:
            raise
        answer = await chain.rpc("eth_getProof", [chain.address, keys, hex(block.number)])
        header = await chain.block(block.number)
        if header is None or header["hash"] != block.hash:
            raise BadAnswer(f"block {block.number} was replaced while its proof was read") from None
    return _checked(answer, block, chain.address, slots)


def _nodes(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_NODES:
        raise BadAnswer(f"the node answered eth_getProof with {what} that is not a list of trie nodes")
    return tuple(hex_data(node, f"eth_getProof ({what})") for node in value)


def _checked(answer: Any, block: Block, address: str, slots: Sequence[int]) -> StorageProof:
    """The node's answer, in the shape EIP-1186 promises and for the slots asked; BadAnswer
    for anything else, which must never be handed on as a proof."""
    if not isinstance(answer, dict) or not isinstance(answer.get("storageProof"), list):
        raise BadAnswer("the node answered eth_getProof without a storageProof")
    if str(answer.get("address", "")).lower() != address.lower():
        raise BadAnswer("the node answered eth_getProof for another account than the escrow")
    roots = {
        name: hex_data(answer.get(name), f"eth_getProof's {name}") for name in ("codeHash", "storageHash")
    }
    if any(len(root) != 66 for root in roots.values()):
        raise BadAnswer("the node answered eth_getProof with a code hash or storage hash that is no hash")
    balance, nonce = (quantity(answer.get(name), f"eth_getProof's {name}") for name in ("balance", "nonce"))
    storage = []
    for entry, slot in zip(answer["storageProof"], slots, strict=False):
        if not isinstance(entry, dict):
            raise BadAnswer("the node answered eth_getProof with a storage proof that is not an object")
        key, value = entry.get("key"), entry.get("value")
        if not (isinstance(key, str) and isinstance(value, str)) or _int(key) != slot or _int(value) is None:
            raise BadAnswer("the node answered eth_getProof with a storage proof of another slot")
        storage.append(
            SlotProof(key=f"0x{slot:064x}", value=value, proof=_nodes(entry.get("proof"), "a storage proof"))
        )
    if len(storage) != len(slots):
        raise BadAnswer(
            f"the node answered eth_getProof with {len(answer['storageProof'])} slots of {len(slots)}"
        )
    return StorageProof(
        block=block,
        address=address,
        balance=hex(balance),
        nonce=hex(nonce),
        code_hash=roots["codeHash"],
        storage_hash=roots["storageHash"],
        account_proof=_nodes(answer.get("accountProof"), "an account proof"),
        storage=tuple(storage),
    )


def _int(value: str) -> int | None:
    try:
        return int(value, 16) if value.startswith("0x") and 2 < len(value) <= 66 else None
    except ValueError:
        return None
