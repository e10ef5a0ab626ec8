"""Campaigns as people read them (one line, a table row) and as scripts read them (JSON,
amounts as decimal strings of base units)."""

from __future__ import annotations

from typing import Any

from crowdfund.escrow import Campaign
from crowdfund.milestones import ENDED, MilestoneFigures, figures, tranche_count
from crowdfund.state import State, percent_funded
from crowdfund.units import Currency, format_amount, format_duration, format_share, format_time
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


def state_label(campaign: Campaign, kept: VaultCampaign | None = None) -> str:
    """`Claimed`; for a milestone campaign (`kept`: what the vault keeps of it) `Claimed (in
    tranches)`, `Claimed (halted)` once its backers halted it, `Claimed (lapsed)` once a
    tranche owed to its creator lapsed unreleased (as of the block `kept` was read at)."""
    if kept is None:
        return campaign.state.title
    how = "lapsed" if kept.lapsed else "halted" if kept.halted else "in tranches"
    return f"{campaign.state.title} ({how})"


def summary(campaign: Campaign, currency: Currency, now: int, kept: VaultCampaign | None = None) -> str:
    """`campaign 3: 6 ETH of 10 ETH pledged (60%), Active, 29d 23h left`."""
    return (
        f"campaign {campaign.id}: {format_amount(campaign.pledged, currency)} of "
        f"{format_amount(campaign.goal, currency)} pledged ({funded(campaign)}), "
        f"{state_label(campaign, kept)}, {time_left(campaign, now)}"
    )


def row(campaign: Campaign, currency: Currency, now: int, kept: VaultCampaign | None = None) -> list[str]:
    return [
        str(campaign.id),
        state_label(campaign, kept),
        format_amount(campaign.goal, currency),
        format_amount(campaign.pledged, currency),
        funded(campaign),
        time_left(campaign, now),
    ]


ROW_HEADERS = ["ID", "STATE", "GOAL", "PLEDGED", "FUNDED", "TIME LEFT"]
ROW_RIGHT = frozenset({0, 2, 3, 4})


def details(campaign: Campaign, currency: Currency, now: int, kept: VaultCampaign | None = None) -> list[str]:
    """`kept`: what the vault keeps of a milestone campaign, paid to its real creator (the
    escrow's creator is the vault)."""
    creator = (
        campaign.creator if kept is None else f"{kept.creator} (paid through the vault {campaign.creator})"
    )
    lines = [
        summary(campaign, currency, now, kept),
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


def milestone_figures(vault_campaign: VaultCampaign, campaign: Campaign, now: int) -> MilestoneFigures:
    return figures(
        vault_campaign, state=campaign.state, pledged=campaign.pledged, deadline=campaign.deadline, now=now
    )


def void_reason(campaign: Campaign) -> str:
    """`campaign 3 failed (...): the vault never claimed it; its backers refund their whole
    pledge in the escrow (crowdfund refund 3)`."""
    return (
        f"campaign {campaign.id} {ENDED[campaign.state]}: the vault never claimed it; its backers "
        f"refund their whole pledge in the escrow (crowdfund refund {campaign.id})"
    )


def milestones(vault_campaign: VaultCampaign, campaign: Campaign, currency: Currency, now: int) -> list[str]:
    """The schedule, what was released and the objections, as lines for people."""
    v = milestone_figures(vault_campaign, campaign, now)
    running = campaign.state in (State.UPCOMING, State.ACTIVE)
    basis = (
        ""
        if v.collected or v.void
        else f", amounts of the {format_amount(campaign.pledged, currency)} pledged"
        + (" so far" if running else "")
    )
    lines = [f"  schedule  {tranche_count(len(v.tranches))} through the milestone vault{basis}"]
    cells = [
        [
            f"tranche {index + 1}",
            format_time(tranche.release_at),
            format_share(tranche.share_bps),
            format_amount(tranche.amount, currency),
            tranche.status,
        ]
        for index, tranche in enumerate(v.tranches)
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(4)]
    for row in cells:
        lines.append(
            f"    {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  "
            f"{row[3]:>{widths[3]}}  {row[4]}"
        )
    share = format_share(v.objection_bps)
    if v.void:
        lines.append(f"  released  nothing: {void_reason(campaign)}")
        if v.objections:
            lines.append(
                f"  objections {format_amount(v.objections, currency)} ({share} of the pledged total)"
            )
        if v.halted_at is not None:
            lines.append(f"  halted    at {format_time(v.halted_at)}, before the vault claimed the funds")
        return lines
    if v.collected:
        lines.append(
            f"  released  {format_amount(v.released, currency)} of {format_amount(v.received, currency)}; "
            f"unreleased {format_amount(v.unreleased, currency)}"
        )
    else:
        lines.append(
            "  released  nothing yet: the vault claims the funds at the first release after the deadline"
        )
    # A halt can still stop something only while a tranche is to come and none lapsed.
    to_come = v.halted_at is None and not v.lapsed and any(t.status == "upcoming" for t in v.tranches)
    lines.append(
        f"  objections {format_amount(v.objections, currency)} ({share} of the pledged total"
        + ("; more than 50% halts the rest for good" if to_come else "")
        + ")"
    )
    refunded = (
        f"(crowdfund refund); {format_amount(v.refunded, currency)} of "
        f"{format_amount(v.refundable, currency)} refunded"
    )
    if v.halted_at is not None:
        lines.append(
            f"  halted    at {format_time(v.halted_at)}: tranches due after it go back to the backers"
            + ("" if v.lapsed else f" {refunded}")
        )
    if v.lapsed:
        lines.append(
            f"  lapsed    tranche {v.paid_tranches + 1} waited unreleased past its 180 days: what the vault "
            f"has not released goes back to the backers {refunded}"
        )
    elif v.release_closes_at is not None and v.release_closes_at - now < 30 * 86_400:
        lines.append(
            f"  release   by {format_time(v.release_closes_at)} (crowdfund release), or tranche "
            f"{v.paid_tranches + 1} lapses and the backers take back what is not released"
        )
    return lines


def milestones_json(vault_campaign: VaultCampaign, campaign: Campaign, now: int) -> dict[str, Any]:
    """The figures under the gateway's names, amounts as decimal strings."""
    v = milestone_figures(vault_campaign, campaign, now)
    return {
        "vault": campaign.creator,
        "creator": vault_campaign.creator,
        "tranches": [
            {
                "release_at": t.release_at,
                "share_bps": t.share_bps,
                "amount": str(t.amount),
                "status": t.status,
            }
            for t in v.tranches
        ],
        "paid_tranches": v.paid_tranches,
        "next_release_at": v.next_release_at,
        "collected": v.collected,
        "received": str(v.received),
        "released": str(v.released),
        "unreleased": str(v.unreleased),
        "objections": str(v.objections),
        "objection_bps": v.objection_bps,
        "halted": v.halted,
        "halted_at": v.halted_at,
        "release_closes_at": v.release_closes_at,
        "lapsed": v.lapsed,
        "refundable": str(v.refundable),
        "refunded": str(v.refunded),
    }
