"""The milestone vault's own commands: release (pay the creator the tranches due), object
and withdraw-objection (backers' veto on the tranches to come)."""

from __future__ import annotations

import argparse
from typing import Any

from crowdfund.cli.campaigns import POSITIONALS, address, after, at_hand
from crowdfund.cli.context import Context, Refused
from crowdfund.cli.render import milestone_figures
from crowdfund.escrow import Campaign
from crowdfund.milestones import halts, objection_closed, objections_lapsed, tranche_count
from crowdfund.state import REFUNDABLE
from crowdfund.units import format_amount, format_share, format_time
from crowdfund.vault import Vault, VaultCampaign


def _vault_campaign(ctx: Context, campaign: Campaign) -> tuple[Vault, VaultCampaign]:
    if not ctx.is_vault_campaign(campaign):
        raise Refused(
            f"campaign {campaign.id} was not created with a schedule (crowdfund create --milestones): "
            f"its creator takes it all at once with `crowdfund claim {campaign.id}`"
        )
    vault = ctx.require_vault()
    return vault, vault.campaign(campaign.id)


def release(ctx: Context) -> dict[str, Any]:
    campaign, currency = at_hand(ctx)
    vault, before = _vault_campaign(ctx, campaign)
    to = ctx.args.to
    payee = to if to is not None else f"the creator {before.creator}"
    tx = vault.build_release(campaign.id, to)
    receipt = ctx.transact(tx, what=ctx.describe(tx))
    if receipt is None:
        due = [t for t in milestone_figures(before, campaign, ctx.now()).tranches if t.status == "due"]
        amount = sum(t.amount for t in due)
        if due:
            ctx.out.line(
                f"would pay {format_amount(amount, currency)} to {payee}: {tranche_count(len(due))} due"
                + ("" if before.collected else ", after claiming the funds from the escrow")
            )
        elif not before.collected:
            ctx.out.line("would claim the funds from the escrow into the vault; nothing is due yet")
        return after(ctx, campaign.id, currency, amount=str(amount), to=to or before.creator)
    paid = vault.released_amount(receipt)
    now = vault.campaign(campaign.id)
    count = len(now.tranches)
    if now.paid_tranches > before.paid_tranches:
        ctx.out.line(
            f"paid {format_amount(paid, currency)} to {payee}: "
            f"{now.paid_tranches} of {tranche_count(count)} paid, "
            f"{format_amount(now.released, currency)} released"
        )
    else:
        ctx.out.line(
            f"the vault claimed {format_amount(now.received, currency)} from the escrow; nothing is due yet"
        )
    upcoming = milestone_figures(now, ctx.campaign(campaign.id), ctx.now()).next_release_at
    if upcoming is not None:
        ctx.out.line(f"the next tranche is due at {format_time(upcoming)}")
    return after(
        ctx,
        campaign.id,
        currency,
        amount=str(paid),
        to=to or now.creator,
        paid_tranches=now.paid_tranches,
        released=str(now.released),
    )


def _objection(ctx: Context, withdraw: bool) -> dict[str, Any]:
    campaign, currency = at_hand(ctx)
    vault, kept = _vault_campaign(ctx, campaign)
    backer = ctx.account_address
    if kept.lapsed:  # the vault refuses only once a refund recorded the lapse
        raise Refused(f"{objections_lapsed(campaign.id)} (crowdfund refund {campaign.id})")
    closed = None if withdraw else objection_closed(campaign.id, campaign.state)
    if closed is not None:
        refund = f" (crowdfund refund {campaign.id})" if campaign.state in REFUNDABLE else ""
        raise Refused(closed + refund)
    tx = vault.build_withdraw_objection(campaign.id) if withdraw else vault.build_object(campaign.id)
    receipt = ctx.transact(tx, what=ctx.describe(tx))
    if receipt is None:
        weight = ctx.escrow.pledge_of(campaign.id, backer)
        if not withdraw and halts(kept.objections, weight, campaign.pledged):
            ctx.out.line(
                f"this objection halts campaign {campaign.id} for good: tranches not yet due go back "
                f"to its backers (crowdfund refund {campaign.id})"
            )
        return after(ctx, campaign.id, currency)
    now = vault.campaign(campaign.id)
    share = format_share(milestone_figures(now, campaign, ctx.now()).objection_bps)
    weight = ctx.escrow.pledge_of(campaign.id, backer)
    ctx.out.line(
        (
            f"{backer} withdrew its objection of {format_amount(weight, currency)}"
            if withdraw
            else f"{backer} objects with its pledge of {format_amount(weight, currency)}"
        )
        + f"; objections now {format_amount(now.objections, currency)} ({share} of the pledged total)"
    )
    if vault.halted_in(receipt):
        ctx.out.line(
            f"campaign {campaign.id} is halted for good: tranches due after {format_time(now.halted_at)} "
            f"go back to its backers (crowdfund refund {campaign.id})"
        )
    return after(
        ctx,
        campaign.id,
        currency,
        objection=str(0 if withdraw else weight),
        objections=str(now.objections),
        halted=now.halted,
    )


def object_(ctx: Context) -> dict[str, Any]:
    return _objection(ctx, withdraw=False)


def withdraw_objection(ctx: Context) -> dict[str, Any]:
    return _objection(ctx, withdraw=True)


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    signing = [parents[name] for name in ("output", "network", "keystore", "sending")]
    for name, run, help, description in (
        (
            "release",
            release,
            "pay the creator of a milestone campaign the tranches that are due (anyone may)",
            "Pay the creator of milestone campaign ID every tranche due and not yet paid. The first "
            "release after a successful deadline claims the funds from the escrow into the vault, which "
            "must happen within 180 days of the deadline; each tranche must then be released within 180 "
            "days of falling due, or it lapses and the backers take back what was not released.",
        ),
        (
            "object",
            object_,
            "as a backer, object to the rest of a succeeded milestone campaign's schedule",
            "Object to the tranches of milestone campaign ID still to come, with your pledge as the "
            "weight. The campaign must have succeeded (its deadline passed with its goal reached); one "
            "that failed, was cancelled or expired refunds its backers in the escrow. When objections "
            "exceed half of the pledged total the campaign halts for good: tranches due after that go "
            "back to the backers (crowdfund refund ID).",
        ),
        (
            "withdraw-objection",
            withdraw_objection,
            "as a backer, withdraw your objection while the campaign is not halted",
            "Withdraw your objection to milestone campaign ID, while it is not halted.",
        ),
    ):
        parser = commands.add_parser(name, parents=signing, help=help, description=description)
        parser.add_argument("id", **POSITIONALS["id"])
        parser.set_defaults(run=run, signs=True)
        if name == "release":
            parser.add_argument(
                "--to",
                type=address,
                metavar="ADDRESS",
                help="as the creator, have the tranches paid to ADDRESS instead of yourself (when "
                "your own address cannot receive them)",
            )
