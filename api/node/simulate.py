"""Unsigned transactions, simulated on the head before they are handed out: one that
would revert becomes a Rejected with the escrow's rule in words and its values."""

from __future__ import annotations

from typing import Any

from crowdfund.errors import EscrowError, decode_error
from crowdfund.units import ETHER, Currency, format_amount

from .rpc import Chain, NodeUnavailable, RpcError, quantity
from .types import Block, UnsignedTx

GAS_MARGIN = 1.2  # the state can change before the transaction is mined (another pledge lands first)


class Rejected(Exception):
    """The transaction would fail: `rule` is the escrow's error (or a check of the gateway's
    own, like InsufficientFunds), `detail` the sentence, `values` its figures."""

    def __init__(
        self, rule: str, detail: str, values: dict[str, Any], error: EscrowError | None = None
    ) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.values = {k: str(v) for k, v in values.items()}
        self.error = error  # the escrow's, when the rule is one of its errors

    def told_in(self, currency: Currency) -> Rejected:
        """The same refusal, its sentence in `currency`'s units (`values` keep base units)."""
        if self.error is None:
            return self
        return Rejected(self.rule, self.error.message_in(currency), self.values, self.error)


def rejection(exc: RpcError) -> Rejected:
    error = decode_error(exc.revert_data)
    if error is None:
        return Rejected("Reverted", f"the transaction would fail: {exc}", {})
    return Rejected(error.name, error.message, error.args, error)


async def head(chain: Chain) -> Block:
    block = await chain.block("latest")
    if block is None:
        raise NodeUnavailable("the node has no latest block")
    return Block(number=quantity(block["number"], "the latest block's number"), hash=block["hash"])


async def eth_balance(chain: Chain, address: str, block: Block) -> int:
    return quantity(await chain.rpc("eth_getBalance", [address, {"blockHash": block.hash}]), "eth_getBalance")


async def unsigned(chain: Chain, block: Block, sender: str, to: str, data: str, value: int = 0) -> UnsignedTx:
    """The transaction, once eth_call and eth_estimateGas at `block` say it goes through."""
    if value:
        balance = await eth_balance(chain, sender, block)
        if balance < value:
            raise Rejected(
                "InsufficientFunds",
                f"{sender} holds {format_amount(balance, ETHER)}, less than the "
                f"{format_amount(value, ETHER)} the transaction carries: send less, or add ETH first",
                {"balance": balance, "needed": value},
            )
    tx = {"from": sender, "to": to, "data": data, "value": hex(value)}
    try:
        await chain.rpc("eth_call", [tx, {"blockHash": block.hash}])
        gas = quantity(await chain.rpc("eth_estimateGas", [tx, hex(block.number)]), "eth_estimateGas")
    except RpcError as exc:
        raise rejection(exc) from None
    return UnsignedTx(
        sender=sender, to=to, data=data, value=value, chain_id=chain.chain_id, gas=int(gas * GAS_MARGIN)
    )
