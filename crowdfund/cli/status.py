"""`crowdfund status`: every campaign in a table, or one campaign with its backers."""

from __future__ import annotations

import argparse
from typing import Any

from web3.exceptions import ContractCustomError, ContractLogicError

from crowdfund.cli import render
from crowdfund.cli.campaigns import campaign_id
from crowdfund.cli.context import Context
from crowdfund.links import MAX_LINK, Link, bounded
from crowdfund.transactions import rejection
from crowdfund.units import format_amount

PAGE = 100


def run(ctx: Context) -> dict[str, Any]:
    # Every figure is read at one block, so that the table adds up.
    block = ctx.w3.eth.get_block("latest")
    number, now = int(block["number"]), int(block["timestamp"])
    at = {"block": number, "timestamp": now}
    if ctx.args.id is not None:
        return ctx.document(**at, campaign=_one(ctx, ctx.args.id, number, now))
    escrow = ctx.escrow
    count = escrow.campaign_count(number)
    campaigns = [c for start in range(1, count + 1, PAGE) for c in escrow.campaigns(start, PAGE, number)]
    if not campaigns:
        ctx.out.line(f"no campaigns yet on the escrow {escrow.address} (chain {ctx.chain_id})")
    else:
        vault = ctx.vault
        kept = {
            c.id: vault.campaign(c.id, number)
            for c in campaigns
            if vault is not None and ctx.is_vault_campaign(c)
        }
        ctx.out.table(
            render.ROW_HEADERS,
            [render.row(c, ctx.currency(c.token), now, kept.get(c.id)) for c in campaigns],
            right=render.ROW_RIGHT,
        )
    return ctx.document(
        **at, campaigns=[render.campaign_json(c, ctx.currency(c.token), now) for c in campaigns]
    )


def _shown(link: Link) -> str:
    # Escaped as in Python's repr, so that control codes in a link never reach the terminal.
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in link.text)
    return f"{text} … (cut: {MAX_LINK:,} of more characters on chain)" if link.truncated else text


def _one(ctx: Context, campaign_id: int, number: int, now: int) -> dict[str, Any]:
    escrow = ctx.escrow
    try:
        campaign = escrow.campaign(campaign_id, number)
    except (ContractCustomError, ContractLogicError) as exc:
        raise rejection(exc) from None
    currency = ctx.currency(campaign.token)
    since = ctx.deployment.block
    metadata = bounded(escrow.metadata_uri(campaign_id, since, number) or "")
    updates = [bounded(uri) for uri in escrow.updates(campaign_id, since, number)]
    backers = [
        (b, escrow.pledge_of(campaign_id, b, number)) for b in escrow.backers(campaign_id, since, number)
    ]
    vault = ctx.vault if ctx.is_vault_campaign(campaign) else None
    milestones = vault.campaign(campaign_id, number) if vault else None
    for line in render.details(campaign, currency, now, milestones):
        ctx.out.line(line)
    ctx.out.line(f"  metadata  {_shown(metadata)}")
    for uri in updates:
        ctx.out.line(f"  update    {_shown(uri)}")
    if milestones:
        for line in render.milestones(milestones, campaign, currency, now):
            ctx.out.line(line)
    ctx.out.line()
    # A milestone campaign's backers also object (with their pledge) and refund from the vault.
    vetoes = {
        b: (vault.objection_of(campaign_id, b, number), vault.refund_of(campaign_id, b, number))
        for b, _ in backers
        if vault
    }
    if backers:
        headers, rows = ["BACKER", "PLEDGED"], []
        for b, amount in backers:
            row = [b, format_amount(amount, currency) if amount else "0 (taken back or refunded)"]
            if b in vetoes:
                objection, (refunded, paid) = vetoes[b]
                row += ["yes" if objection else "no", format_amount(paid, currency) if refunded else "-"]
            rows.append(row)
        ctx.out.table(headers + (["OBJECTS", "VAULT REFUND"] if vetoes else []), rows)
    else:
        ctx.out.line("no backers yet")
    return {
        **render.campaign_json(campaign, currency, now),
        "metadata_uri": metadata.text,
        "metadata_uri_truncated": metadata.truncated,
        "updates": [{"uri": u.text, "uri_truncated": u.truncated} for u in updates],
        "backers": [
            {
                "address": b,
                "pledged": str(amount),
                **(
                    {
                        "objection": str(vetoes[b][0]),
                        "vault_refunded": vetoes[b][1][0],
                        "vault_refund": str(vetoes[b][1][1]),
                    }
                    if b in vetoes
                    else {}
                ),
            }
            for b, amount in backers
        ],
        "milestones": render.milestones_json(milestones, campaign, now) if milestones else None,
    }


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "status",
        parents=[parents["output"], parents["network"]],
        help="show campaigns: all of them in a table, or one with its backers",
        description="Without ID: every campaign (goal, pledged, % funded, time left, state). With ID: "
        "that campaign, its metadata and updates, and what each backer has pledged.",
    )
    parser.add_argument("id", nargs="?", type=campaign_id, help="one campaign's id")
    parser.set_defaults(run=run)
