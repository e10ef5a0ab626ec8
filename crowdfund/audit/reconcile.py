"""The books the events imply against what the chain says at the same block: each campaign,
each pledge and each vault campaign as its view reports it, and per asset what the escrow
owes (and the vault holds) against the contract's balance.

A difference is a finding, as is a balance below what is owed (a token that rebased down
or charged a fee); a balance above it is a note: anyone can send a token to the escrow, or
force ETH into it, and nobody's pledge is the worse for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from crowdfund.audit.findings import Finding
from crowdfund.audit.reads import ChainView
from crowdfund.audit.replay import Books
from crowdfund.escrow import ETH


@dataclass(frozen=True)
class Holding:
    """One contract's account of one asset: what its books say it must hold, and its balance
    (None: the token did not answer balanceOf)."""

    contract: str  # "escrow" or "vault"
    asset: str
    expected: int
    balance: int | None


@dataclass
class Reconciliation:
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)


def reconcile(books: Books, view: ChainView, holdings: list[Holding]) -> Reconciliation:
    """The replay's own findings, then every difference; amounts said by `books.say`."""
    result = Reconciliation(findings=list(books.findings))
    _campaigns(books, view, result, books.say)
    _vault(books, view, result, books.say)
    for holding in holdings:
        _holding(books, holding, result, books.say)
    return result


def _campaigns(books: Books, view: ChainView, result: Reconciliation, say: Callable[[int, str], str]) -> None:
    if view.campaign_count != len(books.campaigns):
        said = f"the escrow counts {view.campaign_count} campaigns at block {view.block}; its events create "
        said += f"{len(books.campaigns)}"
        result.findings.append(
            Finding("campaign count", said, expected=len(books.campaigns), found=view.campaign_count)
        )
    for campaign_id, expected in books.campaigns.items():
        seen = view.campaigns[campaign_id]
        asset = expected.token
        if seen.token != asset:
            said = f"campaign {campaign_id} counts in {seen.token}; its CampaignCreated event says {asset}"
            result.findings.append(Finding("campaign mismatch", said, campaign=campaign_id, asset=asset))
        if seen.pledged != expected.total:
            said = f"campaign {campaign_id}: getCampaign says {say(seen.pledged, asset)} pledged; its events "
            said += f"add up to {say(expected.total, asset)}"
            result.findings.append(
                Finding(
                    "total mismatch",
                    said,
                    campaign=campaign_id,
                    asset=asset,
                    expected=expected.total,
                    found=seen.pledged,
                )
            )
        for flag in ("claimed", "cancelled"):
            if getattr(seen, flag) != getattr(expected, flag):
                said = (
                    f"campaign {campaign_id}: getCampaign says {flag} is {getattr(seen, flag)}; its events "
                )
                said += f"say {getattr(expected, flag)}"
                result.findings.append(Finding("campaign mismatch", said, campaign=campaign_id, asset=asset))
        for backer, pledge in expected.pledges.items():
            found = view.pledges[(campaign_id, backer)]
            if found != pledge:
                said = (
                    f"campaign {campaign_id}: pledgeOf({backer}) is {say(found, asset)}; its events add up "
                )
                said += f"to {say(pledge, asset)}"
                result.findings.append(
                    Finding(
                        "pledge mismatch",
                        said,
                        campaign=campaign_id,
                        asset=asset,
                        backer=backer,
                        expected=pledge,
                        found=found,
                    )
                )


def _vault(books: Books, view: ChainView, result: Reconciliation, say: Callable[[int, str], str]) -> None:
    for campaign_id, expected in books.vault.items():
        seen = view.vault_campaigns.get(campaign_id)
        if seen is None:
            continue
        for figure in ("received", "released", "refunded"):
            found, wanted = getattr(seen, figure), getattr(expected, figure)
            if found != wanted:
                said = f"vault campaign {campaign_id}: its view says {say(found, expected.token)} {figure}; "
                said += f"its events add up to {say(wanted, expected.token)}"
                result.findings.append(
                    Finding(
                        f"vault {figure} mismatch",
                        said,
                        campaign=campaign_id,
                        asset=expected.token,
                        expected=wanted,
                        found=found,
                    )
                )


def _holding(books: Books, holding: Holding, result: Reconciliation, say: Callable[[int, str], str]) -> None:
    asset, expected = holding.asset, holding.expected
    token = "" if asset == ETH else f" of token {asset}"
    owes = "owes" if holding.contract == "escrow" else "must hold"
    if holding.balance is None:
        said = f"the {holding.contract}'s balance{token} cannot be read (balanceOf does not answer); it "
        said += f"{owes} {say(expected, asset)}"
        result.findings.append(Finding("balance unreadable", said, asset=asset, expected=expected))
        return
    difference = holding.balance - expected
    if difference < 0:
        ids = _campaigns_in(books, holding)
        named = ", ".join(map(str, ids[:10])) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
        said = f"shortfall: the {holding.contract} holds {say(holding.balance, asset)}{token} but {owes} "
        said += f"{say(expected, asset)} for campaign{'s' if len(ids) > 1 else ''} {named}: short by "
        said += say(-difference, asset)
        one = ids[0] if len(ids) == 1 else None
        result.findings.append(
            Finding("shortfall", said, campaign=one, asset=asset, expected=expected, found=holding.balance)
        )
    elif difference > 0:
        said = f"surplus: the {holding.contract} holds {say(holding.balance, asset)}{token}, "
        said += f"{say(difference, asset)} more than it {owes} ({say(expected, asset)}): sent to it directly "
        said += "or forced in, and nobody's"
        result.notes.append(Finding("surplus", said, asset=asset, expected=expected, found=holding.balance))


def _campaigns_in(books: Books, holding: Holding) -> list[int]:
    """The campaigns whose money in `holding`'s asset the contract holds."""
    if holding.contract == "escrow":
        chosen = (
            c.id for c in books.campaigns.values() if c.token == holding.asset and c.total and not c.claimed
        )
    else:
        chosen = (c.id for c in books.vault.values() if c.token == holding.asset and c.held)
    return sorted(chosen)
