"""JSON-RPC to the node: one AsyncWeb3 per process, raw requests for the hot paths (one
request, no middleware), and a holder that connects lazily and again after failures."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception

from crowdfund import deployments
from crowdfund.networks import display_url


class NodeUnavailable(Exception):
    """The node did not answer in time, or refused the connection."""


class RpcError(Exception):
    """The node answered with a JSON-RPC error: a property of the request, not a fault."""

    def __init__(self, error: dict[str, Any]) -> None:
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


NODE_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError, Web3Exception, ValueError)


@dataclass
class Chain:
    w3: AsyncWeb3[Any]
    address: str  # the escrow's, checksummed
    chain_id: int
    deployment_block: int | None
    timeout: float

    async def rpc(self, method: str, params: list[Any]) -> Any:
        """One JSON-RPC request; NodeUnavailable when the node does not answer."""
        provider: Any = self.w3.provider
        try:
            async with asyncio.timeout(self.timeout + 1):
                response = await provider.make_request(method, params)
        except NODE_ERRORS as exc:
            raise NodeUnavailable(f"the node did not answer {method}: {type(exc).__name__}") from exc
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
        if not isinstance(responses, list):
            raise RpcError(responses.get("error", {"message": "batch refused"}))
        return [RpcError(r["error"]) if "error" in r else r.get("result") for r in responses]

    async def block(self, ident: int | str) -> dict[str, Any] | None:
        tag = hex(ident) if isinstance(ident, int) else ident
        block: dict[str, Any] | None = await self.rpc("eth_getBlockByNumber", [tag, False])
        return block


def provider_of(w3: AsyncWeb3[Any]) -> Any:
    """The HTTP provider, whose session is closed by hand (web3 types it loosely)."""
    return w3.provider


async def connect(rpc_url: str, escrow_address: str | None, timeout: float) -> Chain:
    """Build the process's AsyncWeb3 and find the escrow (from settings or the registry)."""
    # No retries inside the provider: a node that is down must turn into a prompt 503
    # (with Retry-After), not a request that waits through a backoff schedule.
    w3 = AsyncWeb3(
        AsyncWeb3.AsyncHTTPProvider(
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
    block: int | None = None
    if escrow_address:
        address = escrow_address
    else:
        try:
            deployment = deployments.load(chain_id)
        except deployments.DeploymentNotFound:
            await provider_of(w3).disconnect()  # the next try opens its own session
            raise
        address, block = deployment.address, deployment.block
    return Chain(
        w3=w3,
        address=AsyncWeb3.to_checksum_address(address),
        chain_id=chain_id,
        deployment_block=block,
        timeout=timeout,
    )


class ChainHolder:
    """Connects lazily and again after failures, so the gateway starts while the node is
    down and recovers by itself when it returns."""

    def __init__(self, rpc_url: str, escrow_address: str | None, timeout: float) -> None:
        self.rpc_url = rpc_url
        self._args = (rpc_url, escrow_address, timeout)
        self._chain: Chain | None = None
        self._lock = asyncio.Lock()
        self.last_error_at = 0.0

    @property
    def current(self) -> Chain | None:
        return self._chain

    async def get(self) -> Chain:
        if self._chain is None:
            async with self._lock:
                if self._chain is None:
                    try:
                        self._chain = await connect(*self._args)
                    except NodeUnavailable:
                        self.last_error_at = time.monotonic()
                        raise
        return self._chain

    async def close(self) -> None:
        if self._chain is not None:
            provider: Any = self._chain.w3.provider
            await provider.disconnect()
