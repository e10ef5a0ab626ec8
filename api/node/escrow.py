"""The escrow read through the node at a pinned block: campaigns, pledges, and what a
call would do if a given sender made it (simulated, never sent)."""

from __future__ import annotations

from typing import Any

from crowdfund.errors import EscrowError, decode_error
from crowdfund.escrow import Campaign, decode_campaign, decode_result, encode_call
from crowdfund.vault import encode_call as vault_call

from .reads import Reader
from .rpc import Chain, RpcError
from .types import Block


class CampaignMissing(LookupError):
    def __init__(self, campaign_id: int) -> None:
        super().__init__(f"campaign {campaign_id} does not exist")
        self.campaign_id = campaign_id


class Refusal:
    """Why a simulated call would revert: the escrow's rule in words, or the node's message
    when the revert is not one of the escrow's errors."""

    def __init__(self, error: EscrowError | None, message: str) -> None:
        self.error = error
        self.message = error.message if error else message

    @classmethod
    def of(cls, exc: RpcError) -> Refusal:
        return cls(decode_error(exc.revert_data), str(exc))


class EscrowReads:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    async def _call(self, chain: Chain, block: Block, function: str, *args: Any) -> bytes:
        answer = await self.reader.call(chain, block, chain.address, encode_call(function, *args))
        return bytes.fromhex(answer[2:])

    async def campaign(self, chain: Chain, block: Block, campaign_id: int) -> Campaign:
        """getCampaign at `block` (batched with concurrent reads); CampaignMissing when none."""
        try:
            return decode_campaign(await self._call(chain, block, "getCampaign", campaign_id))
        except RpcError as exc:
            error = decode_error(exc.revert_data)
            if error is not None and error.name == "CampaignNotFound":
                raise CampaignMissing(campaign_id) from None
            raise

    async def pledge_of(self, chain: Chain, block: Block, campaign_id: int, backer: str) -> int:
        amount: int = decode_result(
            "pledgeOf", await self._call(chain, block, "pledgeOf", campaign_id, backer)
        )
        return amount

    async def attempt(
        self, chain: Chain, block: Block, sender: str, function: str, *args: Any, vault: bool = False
    ) -> Refusal | None:
        """What the escrow (or with `vault`, its milestone vault) would say to `sender`
        calling `function`: None when it goes through."""
        to, data = (
            (chain.vault, vault_call(function, *args))
            if vault
            else (chain.address, encode_call(function, *args))
        )
        assert to is not None, "a vault call is asked only of a gateway with a vault"
        try:
            await self.reader.call(chain, block, to, data, sender=sender)
        except RpcError as exc:
            return Refusal.of(exc)
        return None
