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
# An address no code can be deployed at (a key's, known to nobody): a call to it runs
# nothing and answers "0x" wherever the node can run calls at all.
NO_CODE = "0x000000000000000000000000000000000000dEaD"
# Tokens remembered at once: anyone can create campaigns in any number of tokens.
TOKENS_KEPT = 10_000

# An eth_call that failed comes back as a JSON-RPC error either way: the token's code
# failed (a fact about the token, the same at every block, worth remembering) or the node
# could not run the call (never to be remembered). Nodes word both freely, so the wording
# is read in three steps: the node's trouble first, then the token's own failures as geth,
# erigon, nethermind, besu and anvil word them, and a call whose wording says neither is
# settled by asking the node one more call at the same block (`Tokens._node_answers`).
_NODE_TROUBLE_CODES = (-32005, 429)  # limit exceeded; HTTP's too many requests
_NODE_TROUBLE = (
    "header not found",
    "unknown block",
    "missing trie node",
    "pruned",
    "rate limit",
    "too many requests",
    "limit exceeded",
    "timeout",
    "timed out",
    "busy",
    "capacity",
    "unavailable",
    "try again",
    "syncing",
)
_EXECUTION_FAILURES = (
    "revert",
    "out of gas",
    "outofgas",
    "gas uint64 overflow",
    "return data out of bounds",
    "write protection",
    "static state change",
    "call depth",
    "opcode",
    "stack",  # underflow, overflow, limit reached
    "jump",
    "evm error",
    "vm error",
    "execution error",  # openethereum and nethermind: "VM execution error."
    "memory",
    "precompile",
)


def node_failed(error: RpcError) -> bool:
    """Whether an eth_call error is the node's trouble (a rate limit, a block it does not
    hold, a timeout): tried again later, never taken for an answer of the token."""
    message = str(error).lower()
    if error.code == 3 or message.startswith("execution reverted"):
        return False  # a revert, whatever its reason string says
    return error.code in _NODE_TROUBLE_CODES or any(marker in message for marker in _NODE_TROUBLE)


def token_failed(error: RpcError) -> bool:
    """Whether an eth_call failed because of the called contract's code, as the error's
    wording says: a fact about the token, the same at every block."""
    if node_failed(error):
        return False
    message = str(error).lower()
    return error.code == 3 or any(marker in message for marker in _EXECUTION_FAILURES)


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
        raw_symbol = await self._raw(chain, block, symbol)
        raw_decimals = await self._raw(chain, block, decimals)
        currency, _ = erc20.currency_of(address, raw_symbol, raw_decimals)
        token = TokenInfo(address=address, symbol=currency.symbol, decimals=currency.decimals)
        self._known[address] = token
        if len(self._known) > TOKENS_KEPT:
            self._known.popitem(last=False)
        return token

    async def _raw(self, chain: Chain, block: Block, answer: str | BaseException) -> bytes | None:
        """The bytes of a call's answer; None when the token's code failed (it has no such
        function, or spent all its gas); NodeUnavailable when the node failed."""
        if isinstance(answer, RpcError) and not node_failed(answer):
            if token_failed(answer) or await self._node_answers(chain, block):
                return None
        if isinstance(answer, RpcError):
            raise NodeUnavailable(f"the node failed to read a token: {answer}")
        if isinstance(answer, BaseException):
            raise answer  # the node failed: nothing is remembered
        return bytes.fromhex(answer[2:])  # Reader.call checked it is hex

    async def _node_answers(self, chain: Chain, block: Block) -> bool:
        """Whether the node runs a call at `block` that cannot fail: one to an address
        without code. Asked when a token's call failed in words that say neither whose the
        failure is: a node that runs this call had the token's own code fail."""
        try:
            await self.reader.call(chain, block, NO_CODE, "0x", gas=READ_GAS)
        except (RpcError, NodeUnavailable):
            return False
        return True

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
