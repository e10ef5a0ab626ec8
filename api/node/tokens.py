"""Token metadata (symbol and decimals), read once per token and remembered: they never
change. Both come from contracts anyone can write, so they are decoded by the domain
package's defensive readers (crowdfund.erc20)."""

from __future__ import annotations

import asyncio

from crowdfund import erc20
from crowdfund.escrow import ETH

from .reads import Reader
from .rpc import Chain, RpcError
from .types import Block, TokenInfo

ETHER = TokenInfo(address=ETH, symbol="ETH", decimals=18)


def _raw(answer: str | BaseException) -> bytes | None:
    """The bytes of a call's answer; None when the token reverted (it has no such function)."""
    if isinstance(answer, RpcError):
        return None
    if isinstance(answer, BaseException):
        raise answer  # the node failed: nothing is remembered
    return bytes.fromhex(answer[2:])


class Tokens:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._known: dict[str, TokenInfo] = {}

    async def info(self, chain: Chain, address: str, block: Block) -> TokenInfo:
        if address == ETH:
            return ETHER
        known = self._known.get(address)
        if known is not None:
            return known
        symbol, decimals = await asyncio.gather(
            self.reader.call(chain, block, address, erc20.encode_call("symbol")),
            self.reader.call(chain, block, address, erc20.encode_call("decimals")),
            return_exceptions=True,
        )
        currency, _ = erc20.currency_of(address, _raw(symbol), _raw(decimals))
        token = TokenInfo(address=address, symbol=currency.symbol, decimals=currency.decimals)
        self._known[address] = token
        return token

    async def holdings(
        self, chain: Chain, block: Block, token: str, owner: str, spender: str
    ) -> tuple[int, int]:
        """`owner`'s balance of `token` and its allowance to `spender`, at `block`; RpcError
        when the token refuses either read."""
        balance, allowance = await asyncio.gather(
            self.reader.call(chain, block, token, erc20.encode_call("balanceOf", owner)),
            self.reader.call(chain, block, token, erc20.encode_call("allowance", owner, spender)),
        )
        return (
            erc20.decode_uint(bytes.fromhex(balance[2:])) or 0,
            erc20.decode_uint(bytes.fromhex(allowance[2:])) or 0,
        )
