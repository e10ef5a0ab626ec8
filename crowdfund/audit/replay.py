"""The books a contract's events imply: every campaign's total and every backer's pledge in
the escrow, and what the milestone vault received, released and refunded per campaign.

Each log is decoded strictly by crowdfund.events; one that is no event of the contract, or
does not decode, is a finding, as is an event that contradicts the ones before it (a
Pledged whose new total is not the sum so far, a refund of more than was pledged).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from eth_abi.exceptions import DecodingError

from crowdfund.audit.findings import Finding
from crowdfund.audit.logs import Log
from crowdfund.events import decode_event, decode_vault_event
from crowdfund.pledges import pledge_after

# What a log that does not fit its event raises in eth_abi or crowdfund.events.
_UNDECODABLE = (DecodingError, ValueError, TypeError, OverflowError, KeyError)
Decoder = Callable[[dict[str, Any]], tuple[str, dict[str, Any]] | None]


@dataclass
class CampaignBooks:
    id: int
    token: str
    total: int = 0
    claimed: bool = False
    cancelled: bool = False
    pledges: dict[str, int] = field(default_factory=dict)  # by backer, those back at 0 kept


@dataclass
class VaultBooks:
    id: int
    token: str
    received: int = 0
    released: int = 0
    refunded: int = 0

    @property
    def held(self) -> int:
        return self.received - self.released - self.refunded


def base_units(amount: int, token: str) -> str:
    return f"{amount:,} base units"


@dataclass
class Books:
    # How an amount of an asset is said in a finding (the CLI says it in the asset's units).
    say: Callable[[int, str], str] = base_units
    campaigns: dict[int, CampaignBooks] = field(default_factory=dict)
    vault: dict[int, VaultBooks] = field(default_factory=dict)
    events: Counter[str] = field(default_factory=Counter)  # by event name
    findings: list[Finding] = field(default_factory=list)

    def find(self, kind: str, message: str, **figures: Any) -> None:
        self.findings.append(Finding(kind, message, **figures))

    def owed(self) -> dict[str, int]:
        """Per asset, what the escrow holds for backers: the totals of unclaimed campaigns
        (an unpledged or refunded pledge has already left its total)."""
        owed: dict[str, int] = {}
        for c in self.campaigns.values():
            owed[c.token] = owed.get(c.token, 0) + (0 if c.claimed else c.total)
        return owed

    def vault_held(self) -> dict[str, int]:
        """Per asset, what the vault holds for its campaigns: received less paid out."""
        held: dict[str, int] = {}
        for c in self.vault.values():
            held[c.token] = held.get(c.token, 0) + c.held
        return held

    @property
    def backers(self) -> int:
        return len({b for c in self.campaigns.values() for b in c.pledges})


def _where(log: Log) -> str:
    return f"block {log[0]}, log {log[1]}"


def _decoded(
    books: Books, logs: list[Log], decode: Decoder, contract: str
) -> Iterator[tuple[Log, str, dict[str, Any]]]:
    """Each log of `contract` as its event's name and arguments; the others become findings."""
    for log in logs:
        try:
            decoded = decode({"topics": log[2], "data": log[3]})
        except _UNDECODABLE as exc:
            books.find(
                "undecodable log",
                f"the {contract}'s log at {_where(log)} does not decode: {exc}",
                block=log[0],
            )
            continue
        if decoded is None:
            topic = log[2][0] if log[2] else "none"
            said = f"the {contract} logged at {_where(log)} an event it does not declare (topic {topic})"
            books.find("unknown log", said, block=log[0])
            continue
        yield log, *decoded


def replay_escrow(books: Books, logs: list[Log]) -> None:
    for log, name, args in _decoded(books, logs, decode_event, "escrow"):
        books.events[name] += 1
        _apply_escrow(books, name, args, log)


def _apply_escrow(books: Books, name: str, args: dict[str, Any], log: Log) -> None:
    campaign_id = int(args["id"])
    at = {"campaign": campaign_id, "block": log[0]}
    if name == "CampaignCreated":
        if campaign_id in books.campaigns:
            books.find(
                "inconsistent event", f"campaign {campaign_id} is created again at {_where(log)}", **at
            )
        books.campaigns[campaign_id] = CampaignBooks(campaign_id, str(args["token"]))
        return
    campaign = books.campaigns.get(campaign_id)
    if campaign is None:
        said = f"a {name} event at {_where(log)} names campaign {campaign_id}, which no event created"
        books.find("inconsistent event", said, **at)
        return
    amount, backer = int(args.get("amount", 0)), str(args.get("backer", ""))

    def say(value: int) -> str:
        return books.say(value, campaign.token)

    if name in ("Pledged", "Unpledged", "Refunded"):
        held = campaign.pledges.get(backer, 0)
        if name != "Pledged" and (amount > held or (name == "Refunded" and amount != held)):
            said = f"campaign {campaign_id}: {backer} took back {say(amount)} at {_where(log)}, "
            said += f"its pledge was {say(held)}"
            books.find("inconsistent event", said, backer=backer, expected=held, found=amount, **at)
        # The total is the sum of the pledges held, as the escrow keeps it.
        campaign.pledges[backer] = pledge_after(held, name.lower(), amount)
        campaign.total += campaign.pledges[backer] - held
    elif name == "Claimed":
        if amount != campaign.total:
            said = f"campaign {campaign_id} was claimed for {say(amount)} at {_where(log)}; its events add "
            said += f"up to {say(campaign.total)}"
            books.find("inconsistent event", said, expected=campaign.total, found=amount, **at)
        campaign.claimed = True
    elif name == "Cancelled":
        campaign.cancelled = True
    if name in ("Pledged", "Unpledged") and int(args["newTotal"]) != campaign.total:
        said = f"campaign {campaign_id}: the {name} event at {_where(log)} gives a new total of "
        said += f"{say(int(args['newTotal']))}; the events up to it add up to {say(campaign.total)}"
        books.find("inconsistent event", said, expected=campaign.total, found=int(args["newTotal"]), **at)


def replay_vault(books: Books, logs: list[Log]) -> None:
    for log, name, args in _decoded(books, logs, decode_vault_event, "vault"):
        books.events[f"vault {name}"] += 1
        campaign_id = int(args["id"])
        if name == "VaultCampaignCreated":
            books.vault[campaign_id] = VaultBooks(campaign_id, str(args["token"]))
            continue
        campaign = books.vault.get(campaign_id)
        if campaign is None:
            if name in ("Collected", "Released", "RefundPaid"):
                said = f"a vault {name} event at {_where(log)} names campaign {campaign_id}, which the vault "
                said += "never created"
                books.find("inconsistent event", said, campaign=campaign_id, block=log[0])
        elif name == "Collected":
            campaign.received += int(args["received"])
        elif name == "Released":
            campaign.released += int(args["amount"])
        elif name == "RefundPaid":
            campaign.refunded += int(args["amount"])
