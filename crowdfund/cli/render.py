"""Campaigns as people read them (one line, a table row) and as scripts read them (JSON,
amounts as decimal strings of base units)."""

from __future__ import annotations

from typing import Any

from crowdfund.escrow import Campaign
from crowdfund.state import State, percent_funded
from crowdfund.units import Currency, format_amount, format_duration, format_time


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


def details(campaign: Campaign, currency: Currency, now: int) -> list[str]:
    lines = [
        summary(campaign, currency, now),
        f"  creator   {campaign.creator}",
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
