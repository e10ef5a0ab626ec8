"""Token metadata (symbol and decimals), read once per token and remembered: they never
change. Both come from contracts anyone can write, so they are read with little gas and
decoded by the domain package's defensive readers (crowdfund.erc20); only an answer the
token itself gave is remembered, never a fault of the node."""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from crowdfund import erc20
from crowdfund.escrow import ETH

from .reads import Reader
from .rpc import Chain, NodeUnavailable, RpcError
from .types import Block, TokenInfo

ETHER = TokenInfo(address=ETH, symbol="ETH", decimals=18)

# Real tokens answer symbol(), decimals(), balanceOf() and allowance() in a few thousand
# gas, proxies included. The cap keeps a token that loops, or returns megabytes (memory
# costs gas), from costing the node more than a moment: it runs out of gas, which counts
# as no answer.
READ_GAS = 100_000
# Tokens remembered at once: anyone can create campaigns in any number of tokens.
TOKENS_KEPT = 10_000

# How nodes word a call that the token's own code failed (a revert, running out of gas, a
# bad opcode), as opposed to the node failing to run it (rate limits, an unknown block).
_EXECUTION_FAILURES = ("revert", "out of gas", "outofgas", "opcode", "stack", "jump", "evm error")


def token_failed(error: RpcError) -> bool:
    """Whether an eth_call failed because of the called contract's code: a fact about the
    token, the same at every block. Anything else is the node's trouble, tried again later."""
    message = str(error).lower()
    return error.code == 3 or any(marker in message for marker in _EXECUTION_FAILURES)


def _raw(answer: str | BaseException) -> bytes | None:
    """The bytes of a call's answer; None when the token's code failed (it has no such
    function, or spent all its gas)."""
    if isinstance(answer, RpcError) and token_failed(answer):
        return None
    if isinstance(answer, RpcError):
        raise NodeUnavailable(f"the node failed to read a token: {answer}")
    if isinstance(answer, BaseException):
        raise answer  # the node failed: nothing is remembered
    return bytes.fromhex(answer[2:])  # Reader.call checked it is hex


class Tokens:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._known: OrderedDict[str, TokenInfo] = OrderedDict()

    async def info(self, chain: Chain, address: str, block: Block) -> TokenInfo:
        if address == ETH:
            return ETHER
        known = self._known.get(address)
        if known is not None:
            self._known.move_to_end(address)
            return known
        symbol, decimals = await asyncio.gather(
            *(
                self.reader.call(chain, block, address, erc20.encode_call(f), gas=READ_GAS)
                for f in ("symbol", "decimals")
            ),
            return_exceptions=True,
        )
        currency, _ = erc20.currency_of(address, _raw(symbol), _raw(decimals))
        token = TokenInfo(address=address, symbol=currency.symbol, decimals=currency.decimals)
        self._known[address] = token
        if len(self._known) > TOKENS_KEPT:
            self._known.popitem(last=False)
        return token

    async def holdings(
        self, chain: Chain, block: Block, token: str, owner: str, spender: str
    ) -> tuple[int, int]:
        """`owner`'s balance of `token` and its allowance to `spender`, at `block`; RpcError
        when the token refuses either read."""
        balance, allowance = await asyncio.gather(
            self.reader.call(chain, block, token, erc20.encode_call("balanceOf", owner), gas=READ_GAS),
            self.reader.call(
                chain, block, token, erc20.encode_call("allowance", owner, spender), gas=READ_GAS
            ),
        )
        return (
            erc20.decode_uint(bytes.fromhex(balance[2:])) or 0,
            erc20.decode_uint(bytes.fromhex(allowance[2:])) or 0,
        )
