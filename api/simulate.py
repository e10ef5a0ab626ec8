"""Unsigned transactions, simulated on the head before they are handed out: one that
would revert becomes a Rejected with the escrow's rule in words and its values."""

from __future__ import annotations

from typing import Any

from api import models
from api.chain import Chain, NodeUnavailable, RpcError
from crowdfund.errors import decode_error

GAS_MARGIN = 1.2  # the state can change before the transaction is mined (another pledge lands first)


class Rejected(Exception):
    """The transaction would fail; `status` is 409 (or 404 for a campaign that does not exist)."""

    def __init__(self, rule: str, detail: str, values: dict[str, Any], status: int = 409) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.values = {k: str(v) for k, v in values.items()}
        self.status = status


def rejection(exc: RpcError) -> Rejected:
    data = exc.revert_data
    error = decode_error(data) if data and len(data) >= 10 else None
    if error is None:
        return Rejected("Reverted", f"the transaction would fail: {exc}", {})
    status = 404 if error.name == "CampaignNotFound" else 409
    return Rejected(error.name, error.message, error.args, status)


async def head(chain: Chain) -> models.BlockRef:
    block = await chain.block("latest")
    if block is None:
        raise NodeUnavailable("the node has no latest block")
    return models.BlockRef(number=int(block["number"], 16), hash=block["hash"])


async def eth_balance(chain: Chain, address: str, block: models.BlockRef) -> int:
    return int(await chain.rpc("eth_getBalance", [address, {"blockHash": block.hash}]), 16)


async def unsigned(
    chain: Chain, block: models.BlockRef, sender: str, to: str, data: str, value: int = 0
) -> models.UnsignedTransaction:
    """The transaction, once eth_call and eth_estimateGas at `block` say it goes through."""
    if value:
        balance = await eth_balance(chain, sender, block)
        if balance < value:
            raise Rejected(
                "InsufficientFunds",
                f"{sender} holds {balance} wei, less than the {value} wei the transaction carries",
                {"balance": balance, "needed": value},
            )
    tx = {"from": sender, "to": to, "data": data, "value": hex(value)}
    try:
        await chain.rpc("eth_call", [tx, {"blockHash": block.hash}])
        gas = int(await chain.rpc("eth_estimateGas", [tx, hex(block.number)]), 16)
    except RpcError as exc:
        raise rejection(exc) from None
    return models.UnsignedTransaction(
        sender=sender,
        to=to,
        data=data,
        value=str(value),
        chain_id=chain.chain_id,
        gas=str(int(gas * GAS_MARGIN)),
    )
