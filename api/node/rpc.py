"""JSON-RPC to the node: one AsyncWeb3 per process, raw requests for the hot paths (one
request, no middleware), and a holder that connects lazily and again after failures."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from web3 import AsyncHTTPProvider, AsyncWeb3
from web3.exceptions import Web3Exception

from crowdfund import deployments
from crowdfund.networks import display_url
from crowdfund.vault import encode_call as vault_call


class NodeUnavailable(Exception):
    """The node did not answer in time, or refused the connection."""


class RpcError(Exception):
    """The node answered with a JSON-RPC error: a property of the request, not a fault."""

    def __init__(self, error: Any) -> None:
        if not isinstance(error, dict):
            error = {"message": repr(error)[:200]}
        super().__init__(str(error.get("message", error)))
        self.code = error.get("code")
        self.data = error.get("data")

    @property
    def revert_data(self) -> str | None:
        """The revert payload of a failed eth_call or eth_estimateGas, when there is one."""
        data = self.data
        if isinstance(data, dict):
            data = data.get("data")
        return data if isinstance(data, str) and data.startswith("0x") else None


class BadAnswer(NodeUnavailable):
    """The node answered, but not with what JSON-RPC promises (null, not hex, a field
    missing): treated like a node that does not answer, never trusted and never fatal."""


class WrongChain(NodeUnavailable):
    """The node serves another chain than the one this gateway and its index follow."""

    def __init__(self, served: int, expected: int) -> None:
        super().__init__(
            f"wrong chain: the node serves chain {served}, the index holds chain {expected} "
            "(point RPC_URL at a node of that chain, or DATABASE_URL at an index of this one)"
        )
        self.served = served
        self.expected = expected


# A quantity is at most 256 bits. Matched before int() reads it: int() also takes "0x1_0"
# and surrounding spaces, and megabytes of hex digits, which would then overflow the
# float a gas margin is worked out in.
_QUANTITY = re.compile(r"0x[0-9a-fA-F]{1,64}")


def quantity(value: Any, what: str) -> int:
    """A JSON-RPC quantity ("0x1a") as an int; BadAnswer for anything else."""
    if isinstance(value, str) and _QUANTITY.fullmatch(value):
        return int(value, 16)
    raise BadAnswer(f"the node answered {what} with {_shown(value)}, not a hex quantity")


def _hash(value: Any, what: str) -> str:
    """A 32-byte hash as the node sends it; BadAnswer for anything else."""
    if not (isinstance(value, str) and len(value) == 66 and value.startswith("0x")):
        raise BadAnswer(f"the node answered {what} with {_shown(value)}, not a hash")
    return value


def _shown(value: Any) -> str:
    # Enough to recognise the answer in a log, never a page of it.
    text = "null" if value is None else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _header(answer: Any, number: int) -> Any:
    """A block header as asked for, None (no such block) or an RpcError; BadAnswer for a
    header without the fields a reorg is decided on, which must never be taken as another
    chain's block."""
    if answer is None or isinstance(answer, RpcError):
        return answer
    if not isinstance(answer, dict):
        raise BadAnswer(f"the node answered block {number} with {_shown(answer)}")
    what = f"block {number}'s"
    for field in ("hash", "parentHash"):
        _hash(answer.get(field), f"{what} {field}")
    if quantity(answer.get("number"), f"{what} number") != number:
        raise BadAnswer(f"the node answered block {answer.get('number')} when asked for block {number}")
    quantity(answer.get("timestamp"), f"{what} timestamp")
    return answer


class NodeProvider(AsyncHTTPProvider):
    """web3's HTTP provider reading answers with orjson: a catch-up parses about a million
    logs, and the standard library's parser cost it as much as decoding them did."""

    @staticmethod
    def decode_rpc_response(raw_response: bytes) -> Any:
        return orjson.loads(raw_response)


NODE_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError, Web3Exception, ValueError)


@dataclass
class Chain:
    w3: AsyncWeb3[Any]
    address: str  # the escrow's, checksummed
    chain_id: int
    deployment_block: int | None
    timeout: float
    vault: str | None = None  # the milestone vault's, checksummed; None: the escrow alone

    async def rpc(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC request; NodeUnavailable when the node does not answer."""
        provider: Any = self.w3.provider
        try:
            async with asyncio.timeout(self.timeout + 1):
                response = await provider.make_request(method, params)
        except NODE_ERRORS as exc:
            raise NodeUnavailable(f"the node did not answer {method}: {type(exc).__name__}") from exc
        if not isinstance(response, dict):
            raise BadAnswer(f"the node answered {method} with {_shown(response)}")
        if "error" in response:
            raise RpcError(response["error"])
        return response.get("result")

    async def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several requests in one JSON-RPC batch; each answer is a result or an RpcError."""
        if not calls:
            return []
        provider: Any = self.w3.provider
        try:
            async with asyncio.timeout(self.timeout + 1):
                responses = await provider.make_batch_request(calls)
        except NODE_ERRORS as exc:
            raise NodeUnavailable(f"the node did not answer a batch: {type(exc).__name__}") from exc
        if isinstance(responses, dict) and "error" in responses:
            raise RpcError(responses["error"])
        if not isinstance(responses, list) or len(responses) != len(calls):
            raise BadAnswer(f"the node answered a batch of {len(calls)} with {_shown(responses)}")
        if not all(isinstance(r, dict) for r in responses):
            raise BadAnswer(f"the node answered a batch with {_shown(responses)}")
        return [RpcError(r["error"]) if "error" in r else r.get("result") for r in responses]

    async def head(self) -> tuple[int, int]:
        """The chain id and the latest block number, asked in one batch: the follower's and
        the indexer's look at the node, which checks the chain on every poll for free."""
        chain_id, number = await self.batch([("eth_chainId", []), ("eth_blockNumber", [])])
        for answer in (chain_id, number):
            if isinstance(answer, RpcError):
                raise answer
        served = quantity(chain_id, "eth_chainId")
        if served != self.chain_id:
            raise WrongChain(served, self.chain_id)
        return served, quantity(number, "eth_blockNumber")

    async def blocks(self, numbers: list[int]) -> list[Any]:
        """The headers of `numbers` (each a dict, None or an RpcError), asked in one batch
        with eth_chainId so that they are known to come from the expected chain."""
        answers = await self.batch(
            [("eth_chainId", []), *[("eth_getBlockByNumber", [hex(n), False]) for n in numbers]]
        )
        if isinstance(answers[0], RpcError):
            raise answers[0]
        served = quantity(answers[0], "eth_chainId")
        if served != self.chain_id:
            raise WrongChain(served, self.chain_id)
        return [_header(answer, n) for n, answer in zip(numbers, answers[1:], strict=True)]

    async def block(self, ident: int | str) -> dict[str, Any] | None:
        """The header of block `ident` (a number or a tag such as "latest"), or None when the
        node has none; BadAnswer for anything without a hash and a number to read at."""
        tag = hex(ident) if isinstance(ident, int) else ident
        answer = await self.rpc("eth_getBlockByNumber", [tag, False])
        if answer is None:
            return None
        if isinstance(ident, int):
            checked: dict[str, Any] = _header(answer, ident)
            return checked
        if not isinstance(answer, dict):
            raise BadAnswer(f"the node answered block {tag} with {_shown(answer)}")
        _hash(answer.get("hash"), f"block {tag}'s hash")
        quantity(answer.get("number"), f"block {tag}'s number")
        return answer


def provider_of(w3: AsyncWeb3[Any]) -> Any:
    """The HTTP provider, whose session is closed by hand (web3 types it loosely)."""
    return w3.provider


async def connect(
    rpc_url: str,
    escrow_address: str | None,
    timeout: float,
    vault_address: str | None = None,
    expected_chain_id: int | None = None,
) -> Chain:
    """Build the process's AsyncWeb3 and find the escrow and its milestone vault (from
    settings or the registry; a registry without a vault serves the escrow alone);
    WrongChain when the node serves another chain than `expected_chain_id`."""
    # No retries inside the provider: a node that is down must turn into a prompt 503
    # (with Retry-After), not a request that waits through a backoff schedule.
    w3 = AsyncWeb3(
        NodeProvider(
            rpc_url,
            request_kwargs={"timeout": aiohttp.ClientTimeout(total=timeout)},
            exception_retry_configuration=None,
        )
    )
    try:
        async with asyncio.timeout(timeout + 1):
            chain_id = await w3.eth.chain_id
    except NODE_ERRORS as exc:
        await provider_of(w3).disconnect()
        where = display_url(rpc_url)
        raise NodeUnavailable(f"the node at {where} does not answer: {type(exc).__name__}") from exc
    if expected_chain_id is not None and chain_id != expected_chain_id:
        await provider_of(w3).disconnect()
        raise WrongChain(chain_id, expected_chain_id)
    block: int | None = None
    vault = vault_address
    if escrow_address:
        address = escrow_address
    else:
        try:
            deployment = deployments.load(chain_id)
        except deployments.DeploymentNotFound:
            await provider_of(w3).disconnect()  # the next try opens its own session
            raise
        address, block = deployment.address, deployment.block
        vault = vault or deployment.vault_address
    address = AsyncWeb3.to_checksum_address(address)
    vault = AsyncWeb3.to_checksum_address(vault) if vault else None
    for contract, setting in ((address, "ESCROW_ADDRESS"), (vault, "VAULT_ADDRESS")):
        if contract is None:
            continue
        try:
            async with asyncio.timeout(timeout + 1):
                code = await w3.eth.get_code(contract)
        except NODE_ERRORS as exc:
            await provider_of(w3).disconnect()
            raise NodeUnavailable(f"the node did not answer eth_getCode: {type(exc).__name__}") from exc
        if not code:
            # An address without code would be indexed as a contract without events, silently.
            await provider_of(w3).disconnect()
            raise NodeUnavailable(
                f"there is no contract at {contract} on chain {chain_id}: check {setting} "
                "(or the deployment registry), or wait for the deployment to be mined"
            )
    if vault is not None:
        await _check_vault(w3, vault, address, timeout)
    return Chain(
        w3=w3,
        address=address,
        chain_id=chain_id,
        deployment_block=block,
        timeout=timeout,
        vault=vault,
    )


async def _check_vault(w3: AsyncWeb3[Any], vault: str, escrow: str, timeout: float) -> None:
    """The vault must work over the escrow served: another contract's logs read as the
    vault's would be left out, or the escrow's with them should it be the escrow itself."""
    try:
        async with asyncio.timeout(timeout + 1):
            answer = bytes(await w3.eth.call({"to": vault, "data": vault_call("escrow")}))
    except (Web3Exception, ValueError):
        answer = b""  # it reverted: no vault
    except NODE_ERRORS as exc:
        await provider_of(w3).disconnect()
        raise NodeUnavailable(f"the node did not answer eth_call: {type(exc).__name__}") from exc
    over = "0x" + answer[12:32].hex() if len(answer) == 32 and not answer[:12].strip(b"\0") else None
    if over is None or over != escrow.lower():
        await provider_of(w3).disconnect()
        raise NodeUnavailable(
            f"the contract at {vault} is no milestone vault over the escrow {escrow}: check VAULT_ADDRESS "
            "(or the deployment registry)"
        )


class ChainHolder:
    """Connects lazily and again after failures, so the gateway starts while the node is
    down and recovers by itself when it returns.

    The chain is fixed by the index (`expect`) or else by the first connection: a node
    that later serves another chain, behind the same URL or after a reconnect, is refused
    with WrongChain until it serves that chain again, so that nothing is read from, or
    written for, a chain the index does not hold."""

    def __init__(
        self, rpc_url: str, escrow_address: str | None, timeout: float, vault_address: str | None = None
    ) -> None:
        self.rpc_url = rpc_url
        self._args = (rpc_url, escrow_address, timeout, vault_address)
        self._chain: Chain | None = None
        self._lock = asyncio.Lock()
        self.last_error_at = 0.0
        self.chain_id: int | None = None  # the chain this process serves, once known
        self.wrong_chain: WrongChain | None = None  # the last look's verdict

    @property
    def current(self) -> Chain | None:
        return None if self.wrong_chain is not None else self._chain

    def expect(self, chain_id: int) -> None:
        """Serve only `chain_id` from now on: the chain the index holds."""
        self.chain_id = chain_id
        if self._chain is not None and self._chain.chain_id != chain_id:
            self._chain = None  # connected for another chain: the next look reconnects

    async def get(self) -> Chain:
        if self.wrong_chain is not None:
            raise self.wrong_chain
        return await self._connected()

    async def _connected(self) -> Chain:
        if self._chain is None:
            async with self._lock:
                if self._chain is None:
                    try:
                        self._chain = await connect(*self._args, expected_chain_id=self.chain_id)
                    except NodeUnavailable as exc:
                        self.last_error_at = time.monotonic()
                        if isinstance(exc, WrongChain):
                            self.wrong_chain = exc
                        raise
                    self.chain_id = self._chain.chain_id
                    self.wrong_chain = None
        return self._chain

    async def head(self) -> int:
        """The node's head, after checking in the same batch that it serves the expected
        chain; the verdict holds for every other caller until the next look."""
        chain = await self._connected()
        try:
            _, number = await chain.head()
        except WrongChain as exc:
            self.wrong_chain = exc
            raise
        self.wrong_chain = None
        return number

    async def close(self) -> None:
        if self._chain is not None:
            provider: Any = self._chain.w3.provider
            await provider.disconnect()
