"""Typed access to a deployed escrow: read campaigns, send the calls that change them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, NotRequired, TypedDict

from eth_abi.abi import decode
from eth_typing import HexStr
from eth_utils.address import to_checksum_address
from typing_extensions import Unpack
from web3 import Web3
from web3.contract import Contract
from web3.types import BlockIdentifier, TxParams, TxReceipt, Wei

from crowdfund import deployments
from crowdfund.abi import CallData, abi_type, escrow_abi
from crowdfund.events import decode_event, topic_of
from crowdfund.permit import Permit
from crowdfund.state import State
from crowdfund.transactions import Sender, send

ETH = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True)
class CampaignRecord:
    """What the escrow keeps of a campaign, whoever reads it (the node, or the index)."""

    id: int
    creator: str
    token: str
    goal: int
    cap: int  # 0: no cap
    pledged: int
    starts_at: int
    deadline: int
    claimed: bool
    cancelled: bool


@dataclass(frozen=True)
class Campaign(CampaignRecord):
    """What getCampaign returns: the record and its state at the block it was read at."""

    state: State

    @classmethod
    def from_view(cls, view: Any) -> Campaign:
        """From the contract's CampaignView tuple (field order as in the interface)."""
        (id_, creator, token, goal, cap, pledged, starts_at, deadline, state, claimed, cancelled) = view
        return cls(
            id=id_,
            creator=to_checksum_address(creator),
            token=to_checksum_address(token),
            goal=goal,
            cap=cap,
            pledged=pledged,
            starts_at=starts_at,
            deadline=deadline,
            claimed=claimed,
            cancelled=cancelled,
            state=State(state),
        )


class CampaignTerms(TypedDict):
    """What a creator chooses when creating a campaign (createCampaign's arguments)."""

    goal: int
    deadline: int
    metadata_uri: str
    token: NotRequired[str]  # ETH when absent
    cap: NotRequired[int]  # no cap when absent
    starts_at: NotRequired[int]  # the creating block when absent


@cache
def _call_data() -> CallData:
    return CallData(escrow_abi())


def encode_call(function: str, *args: Any) -> HexStr:
    """Call data for an escrow function, as 0x-hex, built without a node."""
    return _call_data()(function, *args)


@cache
def _output_types(function: str) -> list[str]:
    (item,) = (i for i in escrow_abi() if i["type"] == "function" and i["name"] == function)
    return [abi_type(o) for o in item["outputs"]]


def decode_result(function: str, raw: bytes) -> Any:
    """What an escrow view function returned, from its raw answer (one value, or a tuple)."""
    values = decode(_output_types(function), raw)
    return values[0] if len(values) == 1 else values


def decode_campaign(raw: bytes) -> Campaign:
    """getCampaign's raw answer."""
    return Campaign.from_view(decode_result("getCampaign", raw))


def describe_call(contract: Contract, tx: TxParams) -> str:
    """`pledge(3, 1500000000000000000)`: the function of `contract` that `tx` calls, for people."""
    function, args = contract.decode_function_input(tx["data"])
    shown = (
        "0x" + a.hex() if isinstance(a, bytes) else repr(a) if isinstance(a, str) else str(a)
        for a in args.values()
    )
    return f"{function.fn_name}({', '.join(shown)})"


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

    def backers(self, campaign_id: int, from_block: int, to_block: int) -> list[str]:
        """Everyone a pledge was ever credited to in the campaign, in order of their first
        pledge (some may have taken it all back since: ask `pledge_of`)."""
        seen: dict[str, None] = {}
        for args in self._logs("Pledged", campaign_id, from_block, to_block):
            seen.setdefault(args["backer"], None)
        return list(seen)

    def metadata_uri(self, campaign_id: int, from_block: int, to_block: int) -> str | None:
        """The URI given at creation (it lives only in the CampaignCreated event), as
        crowdfund.links reads it: at most MAX_LINK characters, plus one when it was cut."""
        for args in self._logs("CampaignCreated", campaign_id, from_block, to_block):
            uri: str = args["metadataURI"]
            return uri
        return None

    def updates(self, campaign_id: int, from_block: int, to_block: int) -> list[str]:
        """The URIs of the creator's updates, oldest first (read like `metadata_uri`)."""
        return [args["uri"] for args in self._logs("CampaignUpdated", campaign_id, from_block, to_block)]

    # Public nodes limit how many blocks one eth_getLogs may span.
    LOG_CHUNK = 10_000

    def _logs(self, event: str, campaign_id: int, from_block: int, to_block: int) -> list[dict[str, Any]]:
        """The arguments of the campaign's `event`s, oldest first (decoded by crowdfund.events,
        which reads links that are not UTF-8 where web3's decoder would fail)."""
        topics = [topic_of(event), "0x" + campaign_id.to_bytes(32, "big").hex()]
        found: list[dict[str, Any]] = []
        for start in range(from_block, to_block + 1, self.LOG_CHUNK):
            end = min(start + self.LOG_CHUNK - 1, to_block)
            logs = self.w3.eth.get_logs(
                {"address": self.contract.address, "fromBlock": start, "toBlock": end, "topics": topics}
            )
            found.extend(decoded[1] for log in logs if (decoded := decode_event(dict(log))) is not None)
        return found

    # transactions, unsigned: for simulating, showing (--dry-run) and sending

    def _tx(self, function: str, *args: Any, value: int = 0) -> TxParams:
        return {"to": self.contract.address, "data": encode_call(function, *args), "value": Wei(value)}

    def build_create_campaign(self, **terms: Unpack[CampaignTerms]) -> TxParams:
        return self._tx(
            "createCampaign",
            terms.get("token", ETH),
            terms["goal"],
            terms.get("cap", 0),
            terms.get("starts_at", 0),
            terms["deadline"],
            terms["metadata_uri"],
        )

    def build_pledge(
        self, campaign_id: int, amount: int, *, eth: bool = True, backer: str | None = None
    ) -> TxParams:
        """A pledge by the sender, or paid by the sender and credited to `backer`."""
        value = amount if eth else 0
        if backer is None:
            return self._tx("pledge", campaign_id, amount, value=value)
        return self._tx("pledgeFor", campaign_id, Web3.to_checksum_address(backer), amount, value=value)

    def build_pledge_with_permit(self, campaign_id: int, permit: Permit) -> TxParams:
        return self._tx(
            "pledgeWithPermit", campaign_id, permit.value, permit.deadline, permit.v, permit.r, permit.s
        )

    def build_unpledge(self, campaign_id: int, amount: int) -> TxParams:
        return self._tx("unpledge", campaign_id, amount)

    def build_claim(self, campaign_id: int, to: str | None = None) -> TxParams:
        """claim, paying the creator; with `to`, claimTo, paying that address instead."""
        if to is not None:
            return self._tx("claimTo", campaign_id, to)
        return self._tx("claim", campaign_id)

    def build_refund(self, campaign_id: int) -> TxParams:
        return self._tx("refund", campaign_id)

    def build_cancel(self, campaign_id: int) -> TxParams:
        return self._tx("cancel", campaign_id)

    def build_post_update(self, campaign_id: int, uri: str) -> TxParams:
        return self._tx("postUpdate", campaign_id, uri)

    def describe(self, tx: TxParams) -> str:
        """`pledge(3, 1500000000000000000)`: the escrow function a transaction calls."""
        return describe_call(self.contract, tx)

    def created_campaign_id(self, receipt: TxReceipt) -> int:
        (event,) = self.contract.events.CampaignCreated().process_receipt(receipt)
        campaign_id: int = event["args"]["id"]
        return campaign_id

    # writes

    def create_campaign(self, sender: Sender, **terms: Unpack[CampaignTerms]) -> int:
        """Create a campaign and return its id."""
        return self.created_campaign_id(send(self.w3, sender, self.build_create_campaign(**terms)))

    def pledge(self, sender: Sender, campaign_id: int, amount: int, *, eth: bool = True) -> TxReceipt:
        return send(self.w3, sender, self.build_pledge(campaign_id, amount, eth=eth))

    def pledge_for(
        self, sender: Sender, campaign_id: int, backer: str, amount: int, *, eth: bool = True
    ) -> TxReceipt:
        """Pay a pledge credited to `backer`, who alone may later take it back."""
        return send(self.w3, sender, self.build_pledge(campaign_id, amount, eth=eth, backer=backer))

    def pledge_with_permit(self, sender: Sender, campaign_id: int, permit: Permit) -> TxReceipt:
        return send(self.w3, sender, self.build_pledge_with_permit(campaign_id, permit))

    def unpledge(self, sender: Sender, campaign_id: int, amount: int) -> TxReceipt:
        return send(self.w3, sender, self.build_unpledge(campaign_id, amount))

    def claim(self, sender: Sender, campaign_id: int, to: str | None = None) -> TxReceipt:
        return send(self.w3, sender, self.build_claim(campaign_id, to))

    def refund(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_refund(campaign_id))

    def cancel(self, sender: Sender, campaign_id: int) -> TxReceipt:
        return send(self.w3, sender, self.build_cancel(campaign_id))

    def post_update(self, sender: Sender, campaign_id: int, uri: str) -> TxReceipt:
        return send(self.w3, sender, self.build_post_update(campaign_id, uri))
