"""Campaigns as people read them (one line, a table row) and as scripts read them (JSON,
amounts as decimal strings of base units)."""

from __future__ import annotations

from typing import Any

from crowdfund.escrow import Campaign
from crowdfund.state import REFUNDABLE, State, percent_funded
from crowdfund.units import BPS, Currency, format_amount, format_duration, format_share, format_time
from crowdfund.vault import VaultCampaign


def funded(campaign: Campaign) -> str:
    return f"{int(percent_funded(campaign.pledged, campaign.goal))}%" if campaign.goal else "-"


def time_left(campaign: Campaign, now: int) -> str:
    if campaign.state is State.UPCOMING:
        return f"opens in {format_duration(campaign.starts_at - now)}"
    if campaign.state is State.ACTIVE:
        return f"{format_duration(campaign.deadline - now)} left"
    if campaign.state is State.CANCELLED:
        return "cancelled"
    if campaign.state is State.EXPIRED:
        return "ended, not claimed in 180 days: refunds open"
    return "ended"


def summary(campaign: Campaign, currency: Currency, now: int) -> str:
    """`campaign 3: 6 ETH of 10 ETH pledged (60%), Active, 29d 23h left`."""
    return (
        f"campaign {campaign.id}: {format_amount(campaign.pledged, currency)} of "
        f"{format_amount(campaign.goal, currency)} pledged ({funded(campaign)}), "
        f"{campaign.state.title}, {time_left(campaign, now)}"
    )


def row(campaign: Campaign, currency: Currency, now: int) -> list[str]:
    return [
        str(campaign.id),
        campaign.state.title,
        format_amount(campaign.goal, currency),
        format_amount(campaign.pledged, currency),
        funded(campaign),
        time_left(campaign, now),
    ]


ROW_HEADERS = ["ID", "STATE", "GOAL", "PLEDGED", "FUNDED", "TIME LEFT"]
ROW_RIGHT = frozenset({0, 2, 3, 4})


def details(campaign: Campaign, currency: Currency, now: int, paid_to: str | None = None) -> list[str]:
    """`paid_to`: the real creator of a milestone campaign, whose creator in the escrow is
    the vault."""
    creator = (
        campaign.creator if paid_to is None else f"{paid_to} (paid through the vault {campaign.creator})"
    )
    lines = [
        summary(campaign, currency, now),
        f"  creator   {creator}",
        f"  currency  {currency.symbol}"
        + ("" if currency.is_eth else f" ({currency.address}, {currency.decimals} decimals)"),
        f"  goal      {format_amount(campaign.goal, currency)}",
        f"  cap       {format_amount(campaign.cap, currency) if campaign.cap else 'none'}",
        f"  opens     {format_time(campaign.starts_at)}",
        f"  deadline  {format_time(campaign.deadline)}",
    ]
    return lines


def currency_json(currency: Currency) -> dict[str, Any]:
    return {"address": currency.address, "symbol": currency.symbol, "decimals": currency.decimals}


def campaign_json(campaign: Campaign, currency: Currency, now: int) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "state": campaign.state.word,  # as the gateway names it
        "creator": campaign.creator,
        "token": currency_json(currency),
        "goal": str(campaign.goal),
        "cap": str(campaign.cap),
        "pledged": str(campaign.pledged),
        "percent_funded": percent_funded(campaign.pledged, campaign.goal),
        "starts_at": campaign.starts_at,
        "deadline": campaign.deadline,
        "seconds_left": max(0, campaign.deadline - now) if campaign.state is State.ACTIVE else 0,
        "claimed": campaign.claimed,
        "cancelled": campaign.cancelled,
    }


# ---------------------------------------------------------------- milestone campaigns


def milestones_total(vault_campaign: VaultCampaign, campaign: Campaign) -> int:
    """What the tranches divide: what the vault received once it claimed, until then the
    escrow's total (what a success would bring in, a token without fees assumed)."""
    return vault_campaign.received if vault_campaign.collected else campaign.pledged


def tranche_status(vault_campaign: VaultCampaign, campaign: Campaign, index: int, now: int) -> str:
    """`paid`, `due` (payable by `crowdfund release`), `halted` (goes back to the backers),
    `void` (the campaign failed, was cancelled or expired: backers refund it all in the
    escrow) or `upcoming`."""
    tranche = vault_campaign.tranches[index]
    if index < vault_campaign.paid_tranches:
        return "paid"
    if campaign.state in REFUNDABLE:
        return "void"
    if vault_campaign.halted and tranche.release_at > vault_campaign.halted_at:
        return "halted"
    return "due" if tranche.release_at <= now else "upcoming"


def objection_share_bps(vault_campaign: VaultCampaign, campaign: Campaign) -> int:
    """Objections as a share of the pledged total, in basis points, rounded down."""
    pledged = vault_campaign.pledged or campaign.pledged
    return vault_campaign.objections * BPS // pledged if pledged else 0


def milestones(vault_campaign: VaultCampaign, campaign: Campaign, currency: Currency, now: int) -> list[str]:
    """The schedule, what was released and the objections, as lines for people."""
    v = vault_campaign
    total = milestones_total(v, campaign)
    basis = "" if v.collected else f", amounts of the {format_amount(total, currency)} pledged so far"
    lines = [f"  schedule  {len(v.tranches)} tranches through the milestone vault{basis}"]
    cells = [
        [
            f"tranche {index + 1}",
            format_time(tranche.release_at),
            format_share(tranche.share_bps),
            format_amount(amount, currency),
            tranche_status(v, campaign, index, now),
        ]
        for index, (tranche, amount) in enumerate(zip(v.tranches, v.amounts(total), strict=True))
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    for row in cells:
        lines.append(
            f"    {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}  {row[4]}"
        )
    if v.collected:
        lines.append(
            f"  released  {format_amount(v.released, currency)} of {format_amount(v.received, currency)}; "
            f"unreleased {format_amount(v.received - v.released, currency)}"
        )
    else:
        lines.append(
            "  released  nothing yet: the vault claims the funds at the first release after the deadline"
        )
    share = format_share(objection_share_bps(v, campaign))
    lines.append(
        f"  objections {format_amount(v.objections, currency)} ({share} of the pledged total; "
        "more than 50% halts the rest for good)"
    )
    if v.halted:
        lines.append(
            f"  halted    at {format_time(v.halted_at)}: tranches due after it go back to the backers "
            "(crowdfund refund)"
            + (
                f"; {format_amount(v.refunded, currency)} of {format_amount(v.refundable, currency)} refunded"
                if v.collected
                else ""
            )
        )
    return lines


def milestones_json(vault_campaign: VaultCampaign, campaign: Campaign, now: int) -> dict[str, Any]:
    v = vault_campaign
    total = milestones_total(v, campaign)
    return {
        "vault": campaign.creator,
        "creator": v.creator,
        "tranches": [
            {
                "release_at": tranche.release_at,
                "share_bps": tranche.share_bps,
                "amount": str(amount),
                "paid": index < v.paid_tranches,
                "status": tranche_status(v, campaign, index, now),
            }
            for index, (tranche, amount) in enumerate(zip(v.tranches, v.amounts(total), strict=True))
        ],
        "collected": v.collected,
        "total": str(total),
        "released": str(v.released),
        "unreleased": str(total - v.released),
        "objections": str(v.objections),
        "objections_share_bps": objection_share_bps(v, campaign),
        "halted": v.halted,
        "halted_at": v.halted_at or None,
        "refundable": str(v.refundable),
        "refunded": str(v.refunded),
        "next_release_at": v.next_release_at(now),
    }
