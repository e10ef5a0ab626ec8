"""JSON-RPC to the node: one HTTP session per connection whose every answer is read under
a cap (RPC_ANSWER_LIMIT) and checked for shape, and a holder that connects lazily and again
after failures."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson
from web3 import Web3

from crowdfund import deployments
from crowdfund.networks import display_url
from crowdfund.vault import encode_call as vault_call

from .bounded import TooLong, read_bounded


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


class AnswerTooLarge(BadAnswer):
    """The node's answer was longer than the gateway reads (RPC_ANSWER_LIMIT): abandoned
    while it arrived. Asking for less (fewer blocks of logs, fewer calls in a batch) may
    fit where asking again the same would not."""


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


def hex_data(value: Any, what: str) -> str:
    """Bytes as the node must send them (eth_call's result, eth_getCode's): 0x-hex, kept
    as the string; BadAnswer for anything else, which must never be decoded further up."""
    if isinstance(value, str) and value.startswith("0x") and len(value) % 2 == 0:
        try:
            bytes.fromhex(value[2:])
        except ValueError:
            pass
        else:
            return value
    raise BadAnswer(f"the node answered {what} with {type(value).__name__} data that is not hex")


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


NODE_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
# The largest answer read from the node unless RPC_ANSWER_LIMIT says otherwise: above geth's
# own cap on a batch's answer (25,000,000 bytes, --rpc.batch-response-max-size), so that
# whatever a node of its defaults sends fits; an eth_getLogs past it is asked again for
# fewer blocks (api/index/indexer.py).
ANSWER_LIMIT = 32 * 2**20
# The most requests sent in one batch that can be divided: geth's default limit
# (--rpc.batch-request-limit); a node that refuses fewer (erigon's default is 100) is
# learned from, per connection, by its refusal of a whole batch.
BATCH_LIMIT = 1000
_HEADERS = {"Content-Type": "application/json"}


class NodeClient:
    """JSON-RPC over HTTP: one aiohttp session, every answer read under `answer_limit`
    bytes and parsed with orjson (a catch-up parses about a million logs, and the standard
    library's parser cost it as much as decoding them did). No retries: a node that is down
    must turn into a prompt 503 (with Retry-After), not a request that waits through a
    backoff schedule."""

    def __init__(self, url: str, timeout: float, answer_limit: int = ANSWER_LIMIT) -> None:
        self.url = url
        self.timeout = timeout
        self.answer_limit = answer_limit
        self._session: aiohttp.ClientSession | None = None
        self._next_id = 0

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def post(self, payload: Any, what: str) -> Any:
        """The node's answer to `payload` (one request or a batch), parsed; NodeUnavailable
        when it does not answer, BadAnswer when the answer is not JSON, AnswerTooLarge when
        it is longer than `answer_limit`."""
        try:
            async with asyncio.timeout(self.timeout + 1):
                async with self._client().post(
                    self.url, data=orjson.dumps(payload), headers=_HEADERS
                ) as response:
                    if response.status != 200:
                        raise NodeUnavailable(f"the node did not answer {what}: HTTP {response.status}")
                    body = await read_bounded(response, self.answer_limit)
        except TooLong:
            raise AnswerTooLarge(
                f"the node answered {what} with more than {self.answer_limit:,} bytes (RPC_ANSWER_LIMIT)"
            ) from None
        except NODE_ERRORS as exc:
            raise NodeUnavailable(f"the node did not answer {what}: {type(exc).__name__}") from exc
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            raise BadAnswer(f"the node answered {what} with something that is not JSON") from None

    def _request(self, method: str, params: list[Any]) -> dict[str, Any]:
        self._next_id += 1
        return {"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params}

    async def request(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC request's result; RpcError when the node refused it."""
        response = await self.post(self._request(method, params), method)
        if not isinstance(response, dict):
            raise BadAnswer(f"the node answered {method} with {_shown(response)}")
        if "error" in response:
            raise RpcError(response["error"])
        return response.get("result")

    async def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Several requests in one JSON-RPC batch; each answer is a result or an RpcError, in
        the order of `calls` whatever order the node sent them in."""
        requests = [self._request(method, params) for method, params in calls]
        responses = await self.post(requests, "a batch")
        if isinstance(responses, dict) and "error" in responses:
            raise RpcError(responses["error"])
        if not isinstance(responses, list) or len(responses) != len(calls):
            raise BadAnswer(f"the node answered a batch of {len(calls)} with {_shown(responses)}")
        if not all(isinstance(r, dict) for r in responses):
            raise BadAnswer(f"the node answered a batch with {_shown(responses)}")
        by_id = {r.get("id"): r for r in responses}
        ids = [request["id"] for request in requests]
        if set(by_id) == set(ids):
            responses = [by_id[i] for i in ids]
        elif any(r.get("id") is not None for r in responses):
            # Answers to other requests, or one twice: none of them can be trusted to be
            # the answer to the call it would be taken for.
            raise BadAnswer(f"the node answered a batch with ids it was not asked: {_shown(list(by_id))}")
        # Without ids (some nodes' errors), the answers are taken in the order asked.
        return [RpcError(r["error"]) if "error" in r else r.get("result") for r in responses]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


@dataclass
class Chain:
    client: NodeClient
    address: str  # the escrow's, checksummed
    chain_id: int
    deployment_block: int | None
    vault: str | None = None  # the milestone vault's, checksummed; None: the escrow alone
    batch_limit: int = BATCH_LIMIT  # the most requests one divisible batch holds

    async def rpc(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC request; NodeUnavailable when the node does not answer."""
        return await self.client.request(method, params)

    async def batch(self, calls: list[tuple[str, list[Any]]], divisible: bool = False) -> list[Any]:
        """Several requests in one JSON-RPC batch; each answer is a result or an RpcError.
        With `divisible`, a batch whose answer is too long is asked again in halves, each
        as far as it needs: for calls that need not be answered together (eth_calls of one
        moment, headers known by number), so that many long answers cost more requests
        rather than a 503 for ever. Such a batch holds at most `batch_limit` requests (sent
        together), and a node's refusal of a whole batch (too many requests in one) lowers
        the limit and asks again in halves."""
        if not calls:
            return []
        if divisible and len(calls) > self.batch_limit:
            step = self.batch_limit
            pieces = await asyncio.gather(
                *(self.batch(calls[i : i + step], divisible=True) for i in range(0, len(calls), step))
            )
            return [answer for piece in pieces for answer in piece]
        try:
            return await self.client.batch(calls)
        except AnswerTooLarge:
            if not divisible or len(calls) == 1:
                raise
        except RpcError:
            # An error for the batch as a whole, not for one of its requests: geth and
            # erigon say so of a batch with more requests than they take.
            if not divisible or len(calls) == 1:
                raise
            self.batch_limit = min(self.batch_limit, len(calls) // 2)
            return await self.batch(calls, divisible=True)
        half = len(calls) // 2
        return [
            *await self.batch(calls[:half], divisible=True),
            *await self.batch(calls[half:], divisible=True),
        ]

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


async def connect(
    rpc_url: str,
    escrow_address: str | None,
    timeout: float,
    vault_address: str | None = None,
    expected_chain_id: int | None = None,
    answer_limit: int = ANSWER_LIMIT,
) -> Chain:
    """Open the node's session and find the escrow and its milestone vault (from settings
    or the registry; a registry without a vault serves the escrow alone); WrongChain when
    the node serves another chain than `expected_chain_id`."""
    client = NodeClient(rpc_url, timeout, answer_limit)
    try:
        return await _found(client, escrow_address, vault_address, expected_chain_id)
    except BaseException:
        await client.close()  # the next try opens its own session
        raise


async def _found(
    client: NodeClient,
    escrow_address: str | None,
    vault_address: str | None,
    expected_chain_id: int | None,
) -> Chain:
    """The chain `client` reaches, once its chain id, its escrow's code and its vault's are
    as expected."""
    try:
        answer = await client.request("eth_chainId", [])
    except BadAnswer:
        raise
    except NodeUnavailable as exc:
        # Said with the node's host: /health shows it while no connection could be made.
        reason = type(exc.__cause__).__name__ if exc.__cause__ is not None else str(exc)
        raise NodeUnavailable(f"the node at {display_url(client.url)} does not answer: {reason}") from exc
    chain_id = quantity(answer, "eth_chainId")
    if expected_chain_id is not None and chain_id != expected_chain_id:
        raise WrongChain(chain_id, expected_chain_id)
    block: int | None = None
    vault = vault_address
    if escrow_address:
        address = escrow_address
    else:
        deployment = deployments.load(chain_id)
        address, block = deployment.address, deployment.block
        vault = vault or deployment.vault_address
    address = Web3.to_checksum_address(address)
    vault = Web3.to_checksum_address(vault) if vault else None
    for contract, setting in ((address, "ESCROW_ADDRESS"), (vault, "VAULT_ADDRESS")):
        if contract is None:
            continue
        code = hex_data(await client.request("eth_getCode", [contract, "latest"]), "eth_getCode")
        if code == "0x":
            # An address without code would be indexed as a contract without events, silently.
            raise NodeUnavailable(
                f"there is no contract at {contract} on chain {chain_id}: check {setting} "
                "(or the deployment registry), or wait for the deployment to be mined"
            )
    if vault is not None:
        await _check_vault(client, vault, address)
    return Chain(
        client=client,
        address=address,
        chain_id=chain_id,
        deployment_block=block,
        vault=vault,
    )


async def _check_vault(client: NodeClient, vault: str, escrow: str) -> None:
    """The vault must work over the escrow served: another contract's logs read as the
    vault's would be left out, or the escrow's with them should it be the escrow itself."""
    try:
        answer = hex_data(
            await client.request("eth_call", [{"to": vault, "data": vault_call("escrow")}, "latest"]),
            "eth_call",
        )
    except RpcError:
        answer = "0x"  # it reverted: no vault
    raw = bytes.fromhex(answer[2:])
    over = "0x" + raw[12:32].hex() if len(raw) == 32 and not raw[:12].strip(b"\0") else None
    if over is None or over != escrow.lower():
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
        self,
        rpc_url: str,
        escrow_address: str | None,
        timeout: float,
        vault_address: str | None = None,
        answer_limit: int = ANSWER_LIMIT,
    ) -> None:
        self.rpc_url = rpc_url
        self._args = (rpc_url, escrow_address, timeout, vault_address)
        self.answer_limit = answer_limit
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
                        self._chain = await connect(
                            *self._args, expected_chain_id=self.chain_id, answer_limit=self.answer_limit
                        )
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
            await self._chain.client.close()
