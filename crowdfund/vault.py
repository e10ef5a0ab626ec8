"""Typed access to a deployed milestone vault: campaigns paid to their creator in tranches,
halted by a majority of their backers; read them, and send the calls that change them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from eth_typing import HexStr
from eth_utils.address import to_checksum_address
from typing_extensions import Unpack
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD
from web3.types import BlockIdentifier, TxParams, TxReceipt, Wei

from crowdfund import deployments
from crowdfund.abi import CallData, vault_abi
from crowdfund.escrow import ETH, CampaignTerms, describe_call
from crowdfund.schedule import Tranche, call_arguments, refundable, tranche_amounts
from crowdfund.transactions import Sender, send


class VaultNotDeployed(LookupError):
    def __init__(self, chain_id: int) -> None:
        super().__init__(
            f"no milestone vault is recorded for chain {chain_id}: `crowdfund deploy --if-missing` adds one "
            "beside the escrow"
        )
        self.chain_id = chain_id


class VaultNotAParty(ValueError):
    """The milestone vault named as a claim's payee or a pledge's backer: the vault pays out
    only its own campaigns' tranches and refunds, and never unpledges nor refunds in the
    escrow for itself, so money sent its way that way is stuck for good. `rule` names the
    case (VaultAsPayee, VaultAsBacker)."""

    def __init__(self, rule: str, message: str, vault: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.vault = vault


def refuse_vault_as_payee(to: str | None, vault: str | None, campaign_id: int) -> None:
    """VaultNotAParty when a claim of `campaign_id` would pay the vault at `vault`."""
    if to is not None and vault is not None and to.lower() == vault.lower():
        raise VaultNotAParty(
            "VaultAsPayee",
            f"{to} is the milestone vault: claiming campaign {campaign_id} to it would leave the funds "
            "where nothing can ever pay them out; claim to yourself or to another address",
            vault,
        )


def refuse_vault_as_backer(backer: str | None, vault: str | None, campaign_id: int) -> None:
    """VaultNotAParty when a pledge to `campaign_id` would be credited to the vault at `vault`."""
    if backer is not None and vault is not None and backer.lower() == vault.lower():
        raise VaultNotAParty(
            "VaultAsBacker",
            f"{backer} is the milestone vault: a pledge to campaign {campaign_id} credited to it could "
            "never be taken back nor refunded; pledge for yourself or for another address",
            vault,
        )


@dataclass(frozen=True)
class VaultCampaign:
    """What the vault keeps of a campaign (getCampaign). `pledged` is 0 until the vault knows
    it (its claim, or the first objection); `released`, `received` and `refundable` until it
    claimed the funds from the escrow."""

    id: int
    creator: str  # the real creator, paid the tranches (the escrow's creator is the vault)
    token: str
    deadline: int
    tranches: tuple[Tranche, ...]
    paid_tranches: int
    collected: bool
    pledged: int
    received: int
    released: int
    objections: int
    halted_at: int  # 0: not halted
    release_closes_at: int  # collected: when the next tranche owed to the creator lapses (0: none)
    lapsed: bool  # at the block read
    refundable: int  # at the block read: what the backers share (halted or lapsed)
    refunded: int

    @classmethod
    def from_view(cls, view: Any) -> VaultCampaign:
        """From the contract's VaultCampaignView tuple (field order as in the interface)."""
        (id_, creator, token, deadline, release_at, share_bps, paid, collected, pledged, received) = view[:10]
        (released_, objections, halted_at, closes_at, lapsed, refundable_, refunded) = view[10:]
        return cls(
            id=id_,
            creator=to_checksum_address(creator),
            token=to_checksum_address(token),
            deadline=deadline,
            tranches=tuple(Tranche(at, share) for at, share in zip(release_at, share_bps, strict=True)),
            paid_tranches=paid,
            collected=collected,
            pledged=pledged,
            received=received,
            released=released_,
            objections=objections,
            halted_at=halted_at,
            release_closes_at=closes_at,
            lapsed=lapsed,
            refundable=refundable_,
            refunded=refunded,
        )

    @property
    def halted(self) -> bool:
        return self.halted_at != 0

    def amounts(self, total: int) -> list[int]:
        """What each tranche pays out of `total` (what the vault received, once it has)."""
        return tranche_amounts(total, [t.share_bps for t in self.tranches])

    def refund_due(self, pledge: int, pledged: int, *, refunded_before: bool = False) -> int:
        """What a backer who pledged `pledge` (of `pledged` in all, the escrow's total) takes
        back from the vault now, to the unit but for the rounding of earlier refunds, which
        only leaves it more: its pledge's part of what the backers share (0 unless halted or
        lapsed, at the block read). A backer that refunded before takes only its part of the
        tranches due at a halt that lapsed since. Before the vault's claim, counted from
        `pledged`, which is what an ETH campaign, or a token without fees, brings in."""
        if not self.collected:
            shared = refundable(pledged, self.tranches, self.halted_at) if self.halted else 0
            return pledge * shared // pledged if pledged and not refunded_before else 0
        shared = self.refundable
        if refunded_before:
            first = refundable(self.received, self.tranches, self.halted_at) if self.halted else shared
            shared = shared - first if self.halted and self.lapsed else 0
        return pledge * shared // self.pledged if self.pledged else 0


@cache
def _call_data() -> CallData:
    return CallData(vault_abi())


def encode_call(function: str, *args: Any) -> HexStr:
    """Call data for a vault function, as 0x-hex, built without a node."""
    return _call_data()(function, *args)


class Vault:
    def __init__(self, w3: Web3, address: str) -> None:
        self.w3 = w3
        self.contract: Contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=vault_abi())

    @classmethod
    def from_registry(cls, w3: Web3) -> Vault:
        address = deployments.load(w3.eth.chain_id).vault_address
        if address is None:
            raise VaultNotDeployed(w3.eth.chain_id)
        return cls(w3, address)

    @property
    def address(self) -> str:
        return str(self.contract.address)

    # reads

    def campaign(self, campaign_id: int, block: BlockIdentifier = "latest") -> VaultCampaign:
        return VaultCampaign.from_view(
            self.contract.functions.getCampaign(campaign_id).call(block_identifier=block)
        )

    def objection_of(self, campaign_id: int, backer: str, block: BlockIdentifier = "latest") -> int:
        weight: int = self.contract.functions.objectionOf(campaign_id, backer).call(block_identifier=block)
        return weight

    def refund_of(self, campaign_id: int, backer: str, block: BlockIdentifier = "latest") -> tuple[bool, int]:
        """Whether `backer` took its refund from the vault, and how much it was paid."""
        refunded, amount = self.contract.functions.refundOf(campaign_id, backer).call(block_identifier=block)
        return bool(refunded), int(amount)

    # transactions, unsigned: for simulating, showing (--dry-run) and sending

    def _tx(self, function: str, *args: Any) -> TxParams:
        return {"to": self.contract.address, "data": encode_call(function, *args), "value": Wei(0)}

    def build_create_campaign(
        self, tranches: tuple[Tranche, ...], **terms: Unpack[CampaignTerms]
    ) -> TxParams:
        """A campaign in the escrow whose creator is the vault, paying the sender on `tranches`."""
        release_at, share_bps = call_arguments(tranches, terms["deadline"])
        return self._tx(
            "createCampaign",
            terms.get("token", ETH),
            terms["goal"],
            terms.get("cap", 0),
            terms.get("starts_at", 0),
            terms["deadline"],
            terms["metadata_uri"],
            release_at,
            share_bps,
        )

    def build_release(self, campaign_id: int, to: str | None = None) -> TxParams:
        """release, or releaseTo when the creator has the tranches paid to `to`."""
        if to is None:
            return self._tx("release", campaign_id)
        return self._tx("releaseTo", campaign_id, Web3.to_checksum_address(to))

    def build_object(self, campaign_id: int) -> TxParams:
        return self._tx("object", campaign_id)

    def build_withdraw_objection(self, campaign_id: int) -> TxParams:
        return self._tx("withdrawObjection", campaign_id)

    def build_refund(self, campaign_id: int) -> TxParams:
        return self._tx("refund", campaign_id)

    def build_cancel(self, campaign_id: int) -> TxParams:
        return self._tx("cancel", campaign_id)

    def build_post_update(self, campaign_id: int, uri: str) -> TxParams:
        return self._tx("postUpdate", campaign_id, uri)

    def describe(self, tx: TxParams) -> str:
        """`release(3)`: the vault function a transaction calls."""
        return describe_call(self.contract, tx)

    # what a mined transaction did, from its events (the escrow's, in the same receipt, are
    # skipped without a warning)

    def created_campaign_id(self, receipt: TxReceipt) -> int:
        (event,) = self.contract.events.VaultCampaignCreated().process_receipt(receipt, errors=DISCARD)
        campaign_id: int = event["args"]["id"]
        return campaign_id

    def released_amount(self, receipt: TxReceipt) -> int:
        """What a release paid the creator (0 when it only claimed the funds)."""
        return sum(
            int(e["args"]["amount"])
            for e in self.contract.events.Released().process_receipt(receipt, errors=DISCARD)
        )

    def refunded_amount(self, receipt: TxReceipt) -> int:
        """What a vault refund paid the backer."""
        return sum(
            int(e["args"]["amount"])
            for e in self.contract.events.RefundPaid().process_receipt(receipt, errors=DISCARD)
        )

    def halted_in(self, receipt: TxReceipt) -> bool:
        return bool(self.contract.events.Halted().process_receipt(receipt, errors=DISCARD))

    # writes

    def create_campaign(
        self, sender: Sender, tranches: tuple[Tranche, ...], **terms: Unpack[CampaignTerms]
    ) -> int:
        """Create a campaign paying the sender on `tranches` and return its id."""
        return self.created_campaign_id(send(self.w3, sender, self.build_create_campaign(tranches, **terms)))

    def release(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_release(campaign_id))

    def object(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_object(campaign_id))

    def withdraw_objection(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_withdraw_objection(campaign_id))

    def refund(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_refund(campaign_id))

    def cancel(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_cancel(campaign_id))

    def post_update(self, sender: Sender, campaign_id: int, uri: str) -> TxReceipt:
        return send(self.w3, sender, self.build_post_update(campaign_id, uri))
