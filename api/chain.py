"""The gateway's view of the chain: one AsyncWeb3 per process, reads pinned to a block."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from web3 import AsyncWeb3
from web3.contract import AsyncContract
from web3.exceptions import ContractCustomError, ContractLogicError, Web3Exception

from api.models import BlockRef, Token
from crowdfund import deployments
from crowdfund.abi import escrow_abi
from crowdfund.errors import decode_error
from crowdfund.escrow import ETH, Campaign

ERC20_METADATA_ABI = [
    {"name": "symbol", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "string"}]},
    {"name": "decimals", "type": "function", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint8"}]},
]  # fmt: skip


class NodeUnavailable(Exception):
    """The node did not answer in time, or refused the connection."""


class CampaignMissing(LookupError):
    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"campaign {campaign_id} does not exist")


@dataclass
class Chain:
    w3: AsyncWeb3[Any]
    escrow: AsyncContract
    chain_id: int
    _tokens: dict[str, Token] = field(default_factory=dict)

    async def head(self) -> BlockRef:
        block = await self.w3.eth.get_block("latest")
        return BlockRef(number=block["number"], hash="0x" + bytes(block["hash"]).hex())

    async def campaign_count(self, block: BlockRef) -> int:
        count: int = await self.escrow.functions.campaignCount().call(block_identifier=block.number)
        return count

    async def campaign(self, campaign_id: int, block: BlockRef) -> Campaign:
        try:
            view = await self.escrow.functions.getCampaign(campaign_id).call(block_identifier=block.number)
        except (ContractCustomError, ContractLogicError) as exc:
            error = decode_error(exc.data) if isinstance(exc.data, str) else None
            if error and error.name == "CampaignNotFound":
                raise CampaignMissing(campaign_id) from None
            raise
        return Campaign.from_view(view)

    async def campaigns(self, from_id: int, count: int, block: BlockRef) -> list[Campaign]:
        views = await self.escrow.functions.getCampaigns(from_id, count).call(block_identifier=block.number)
        return [Campaign.from_view(v) for v in views]

    async def timestamp(self, block: BlockRef) -> int:
        return int((await self.w3.eth.get_block(block.number))["timestamp"])

    async def token(self, address: str) -> Token:
        if address == ETH:
            return Token(address=ETH, symbol="ETH", decimals=18)
        if address not in self._tokens:
            contract = self.w3.eth.contract(
                address=AsyncWeb3.to_checksum_address(address), abi=ERC20_METADATA_ABI
            )
            symbol, decimals = await asyncio.gather(
                contract.functions.symbol().call(), contract.functions.decimals().call()
            )
            self._tokens[address] = Token(address=address, symbol=symbol, decimals=decimals)
        return self._tokens[address]


NODE_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError, Web3Exception)


async def connect(rpc_url: str, escrow_address: str | None, timeout: float) -> Chain:
    """Build the process's AsyncWeb3 and find the escrow (from settings or the registry)."""
    w3 = AsyncWeb3(
        AsyncWeb3.AsyncHTTPProvider(rpc_url, request_kwargs={"timeout": aiohttp.ClientTimeout(total=timeout)})
    )
    try:
        chain_id = await w3.eth.chain_id
    except NODE_ERRORS as exc:
        raise NodeUnavailable(f"the node at {rpc_url} does not answer: {exc}") from exc
    address = escrow_address or deployments.load(chain_id).address
    escrow = w3.eth.contract(address=AsyncWeb3.to_checksum_address(address), abi=escrow_abi())
    return Chain(w3=w3, escrow=escrow, chain_id=chain_id)


class ChainHolder:
    """Connects lazily and again after failures, so the gateway starts while the node is
    down and recovers by itself when it returns."""

    def __init__(self, rpc_url: str, escrow_address: str | None, timeout: float) -> None:
        self._args = (rpc_url, escrow_address, timeout)
        self._chain: Chain | None = None
        self._lock = asyncio.Lock()
        self.last_error_at = 0.0

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
