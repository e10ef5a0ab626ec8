"""Typed access to a deployed escrow: read campaigns, send the calls that change them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from web3 import Web3
from web3.contract import Contract
from web3.types import BlockIdentifier, TxParams, TxReceipt, Wei

from crowdfund import deployments
from crowdfund.abi import escrow_abi
from crowdfund.transactions import Sender, send

ETH = "0x0000000000000000000000000000000000000000"


class State(IntEnum):
    UPCOMING = 0
    ACTIVE = 1
    SUCCEEDED = 2
    FAILED = 3
    CANCELLED = 4
    CLAIMED = 5


@dataclass(frozen=True)
class Campaign:
    id: int
    creator: str
    token: str
    goal: int
    cap: int
    pledged: int
    starts_at: int
    deadline: int
    state: State
    claimed: bool
    cancelled: bool

    @classmethod
    def from_view(cls, view: Any) -> Campaign:
        """From the contract's CampaignView tuple (field order as in the interface)."""
        (id_, creator, token, goal, cap, pledged, starts_at, deadline, state, claimed, cancelled) = view
        return cls(
            id_, creator, token, goal, cap, pledged, starts_at, deadline, State(state), claimed, cancelled
        )


class Escrow:
    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.contract: Contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=escrow_abi())

    @classmethod
    def from_registry(cls, w3: Web3) -> Escrow:
        return cls(w3, deployments.load(w3.eth.chain_id).address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    # reads

    def campaign_count(self, block: BlockIdentifier = "latest") -> int:
        count: int = self.contract.functions.campaignCount().call(block_identifier=block)
        return count

    def campaign(self, campaign_id: int, block: BlockIdentifier = "latest") -> Campaign:
        return Campaign.from_view(
            self.contract.functions.getCampaign(campaign_id).call(block_identifier=block)
        )

    def campaigns(
        self, from_id: int = 1, count: int = 100, block: BlockIdentifier = "latest"
    ) -> list[Campaign]:
        views = self.contract.functions.getCampaigns(from_id, count).call(block_identifier=block)
        return [Campaign.from_view(v) for v in views]

    def pledge_of(self, campaign_id: int, backer: str, block: BlockIdentifier = "latest") -> int:
        amount: int = self.contract.functions.pledgeOf(campaign_id, backer).call(block_identifier=block)
        return amount

    # writes

    def _send(self, sender: Sender, call: Any, value: int = 0) -> TxReceipt:
        tx: TxParams = {
            "to": self.contract.address,
            "data": call._encode_transaction_data(),
            "value": Wei(value),
        }
        return send(self.w3, sender, tx)

    def create_campaign(
        self,
        sender: Sender,
        *,
        goal: int,
        deadline: int,
        metadata_uri: str,
        token: str = ETH,
        cap: int = 0,
        starts_at: int = 0,
    ) -> int:
        """Create a campaign and return its id."""
        call = self.contract.functions.createCampaign(token, goal, cap, starts_at, deadline, metadata_uri)
        receipt = self._send(sender, call)
        (event,) = self.contract.events.CampaignCreated().process_receipt(receipt)
        campaign_id: int = event["args"]["id"]
        return campaign_id

    def pledge(self, sender: Sender, campaign_id: int, amount: int, *, eth: bool = True) -> TxReceipt:
        return self._send(sender, self.contract.functions.pledge(campaign_id, amount), amount if eth else 0)

    def unpledge(self, sender: Sender, campaign_id: int, amount: int) -> TxReceipt:
        return self._send(sender, self.contract.functions.unpledge(campaign_id, amount))

    def claim(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return self._send(sender, self.contract.functions.claim(campaign_id))

    def refund(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return self._send(sender, self.contract.functions.refund(campaign_id))

    def cancel(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return self._send(sender, self.contract.functions.cancel(campaign_id))

    def post_update(self, sender: Sender, campaign_id: int, uri: str) -> TxReceipt:
        return self._send(sender, self.contract.functions.postUpdate(campaign_id, uri))
