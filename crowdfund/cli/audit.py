"""`crowdfund audit`: replay every event of the escrow (and its milestone vault) up to one
block and reconcile the books they imply with what the contracts say and hold at that block.

Exit 0 when everything adds up (notes, such as a surplus, allowed), 1 with findings.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from crowdfund.audit.logs import Fetched, LogCache, LogsUnavailable, cache_dir, fetch_logs
from crowdfund.audit.reads import ReadRefused, balance_of, read_view
from crowdfund.audit.reconcile import Holding, Reconciliation, reconcile
from crowdfund.audit.replay import Books, replay_escrow, replay_vault
from crowdfund.cli.context import Context, Refused, UsageError
from crowdfund.escrow import ETH
from crowdfund.units import format_amount


def _block(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        raise argparse.ArgumentTypeError(f"{text!r} is not a block number (0, 1, 2, ...)")
    return int(text)


def _fetch(ctx: Context, what: str, address: str, first: int, at: int) -> Fetched:
    blocks = at - first + 1

    def progress(done: int, events: int) -> None:
        ctx.out.meter(
            f"{what} events: {done * 100 // max(blocks, 1)}% of {blocks:,} blocks, {events:,} events"
        )

    root = None if ctx.args.no_cache else cache_dir()
    try:
        return fetch_logs(ctx.w3, address, first, at, LogCache(root, ctx.chain_id, address), progress)
    except LogsUnavailable as exc:
        raise Refused(str(exc)) from None
    finally:
        ctx.out.done()


def _holdings(ctx: Context, books: Books, escrow: str, vault: str | None, at: int) -> list[Holding]:
    """Each contract's books against its balance, per asset; ETH always, where anyone can
    force some in."""
    holdings = [
        Holding("escrow", asset, owed, balance_of(ctx.w3, escrow, asset, at))
        for asset, owed in sorted({ETH: 0, **books.owed()}.items())
    ]
    if vault is not None:
        holdings += [
            Holding("vault", asset, held, balance_of(ctx.w3, vault, asset, at))
            for asset, held in sorted({ETH: 0, **books.vault_held()}.items())
        ]
    return holdings


def _asset(ctx: Context, holding: Holding) -> dict[str, Any]:
    """A holding in --json: amounts as decimal strings in base units."""
    currency = ctx.currency(holding.asset)
    balance = holding.balance
    return {
        "contract": holding.contract,
        "asset": holding.asset,
        "symbol": currency.symbol,
        "decimals": currency.decimals,
        "expected": str(holding.expected),
        "balance": None if balance is None else str(balance),
        "difference": None if balance is None else str(balance - holding.expected),
    }


def run(ctx: Context) -> dict[str, Any]:
    started = time.monotonic()
    record = ctx.deployment
    escrow = ctx.escrow.address
    # The block is fixed first: every figure of the report is of that one block.
    head = ctx.w3.eth.block_number
    at: int = head if ctx.args.at is None else ctx.args.at
    if at > head:
        raise UsageError(f"block {at:,} is not mined yet: the node's latest is {head:,}")
    if at < record.block:
        raise UsageError(f"block {at:,} comes before the escrow's deployment at block {record.block:,}")
    at_hash = ctx.w3.eth.get_block(at)["hash"]
    vault = ctx.vault.address if ctx.vault is not None and at >= (record.vault_block or 0) else None

    def say(amount: int, asset: str) -> str:
        return format_amount(amount, ctx.currency(asset))

    books = Books(say=say)
    escrow_logs = _fetch(ctx, "escrow", escrow, record.block, at)
    replay_escrow(books, escrow_logs.logs)
    vault_logs = None
    if vault is not None:
        vault_logs = _fetch(ctx, "vault", vault, record.vault_block or record.block, at)
        replay_vault(books, vault_logs.logs)

    pairs = [(c.id, backer) for c in books.campaigns.values() for backer in c.pledges]

    def reading(done: int, total: int) -> None:
        ctx.out.meter(f"reading the views at block {at:,}: {done:,} of {total:,} calls")

    try:
        view = read_view(ctx.w3, escrow, vault, at, books.campaigns, pairs, books.vault, reading)
    except ReadRefused as exc:
        raise Refused(str(exc)) from None
    ctx.out.done()
    holdings = _holdings(ctx, books, escrow, vault, at)
    if ctx.w3.eth.get_block(at)["hash"] != at_hash:
        raise Refused(f"block {at:,} was replaced by a reorganisation during the audit; run it again")
    result = reconcile(books, view, holdings)
    seconds = time.monotonic() - started

    counts = {
        "events": len(escrow_logs.logs) + (len(vault_logs.logs) if vault_logs else 0),
        "escrow_events": len(escrow_logs.logs),
        "vault_events": len(vault_logs.logs) if vault_logs else 0,
        "campaigns": len(books.campaigns),
        "vault_campaigns": len(books.vault),
        "backers": books.backers,
        "pledges": len(pairs),
        "by_event": dict(sorted(books.events.items())),
    }
    fetched = [f for f in (escrow_logs, vault_logs) if f is not None]
    _say(ctx, at, record.block, vault, counts, holdings, result, fetched, seconds)
    ctx.exit_code = 1 if result.findings else 0
    return ctx.document(
        block=at,
        block_hash="0x" + bytes(at_hash).hex(),
        deployment_block=record.block,
        clean=not result.findings,
        counts=counts,
        assets=[_asset(ctx, h) for h in holdings],
        findings=[f.as_json() for f in result.findings],
        notes=[n.as_json() for n in result.notes],
        logs={
            "get_logs_requests": sum(f.requests for f in fetched),
            "cached_blocks": sum(f.cached_blocks for f in fetched),
            **{
                name: {"get_logs_requests": f.requests, "cached_blocks": f.cached_blocks}
                for name, f in (("escrow", escrow_logs), ("vault", vault_logs))
                if f is not None
            },
        },
        seconds=round(seconds, 3),
    )


def _say(
    ctx: Context,
    at: int,
    deployed: int,
    vault: str | None,
    counts: dict[str, Any],
    holdings: list[Holding],
    result: Reconciliation,
    fetched: list[Fetched],
    seconds: float,
) -> None:
    out = ctx.out
    also = f" and the vault {vault}" if vault else ""
    out.line(f"audit of the escrow {ctx.escrow.address}{also} on chain {ctx.chain_id} at block {at:,}")
    out.line(
        f"replayed {counts['events']:,} events ({counts['escrow_events']:,} of the escrow, "
        f"{counts['vault_events']:,} of the vault): {counts['campaigns']:,} campaigns "
        f"({counts['vault_campaigns']:,} through the vault), {counts['backers']:,} backers, "
        f"{counts['pledges']:,} pledges checked"
    )
    requests, cached = sum(f.requests for f in fetched), fetched[0].cached_blocks
    blocks = at - deployed + 1
    out.line(
        f"eth_getLogs: {requests:,} requests; the cache held the escrow's logs of {cached:,} of its "
        f"{blocks:,} blocks; {seconds:.2f} s"
    )
    out.line()
    rows = []
    for h in holdings:
        currency = ctx.currency(h.asset)
        shown = "unreadable" if h.balance is None else format_amount(h.balance, currency)
        difference = "" if h.balance is None else format_amount(h.balance - h.expected, currency)
        if h.balance is not None and h.balance == h.expected:
            difference = "0"
        elif h.balance is not None and h.balance > h.expected:
            difference = "+" + difference
        rows.append([h.contract, currency.symbol, format_amount(h.expected, currency), shown, difference])
    # The escrow owes its unclaimed campaigns' totals; the vault holds what it received less
    # what it paid out.
    headers = ["contract", "asset", "owed / held", "balance", "difference"]
    out.table(headers, rows, right=frozenset({2, 3, 4}))
    out.line()
    for note in result.notes:
        out.line(f"note: {note.message}")
    for finding in result.findings:
        out.line(f"FINDING: {finding.message}")
    if result.findings:
        many = len(result.findings)
        out.line(f"{many:,} finding{'s' if many > 1 else ''} at block {at:,}")
    else:
        out.line(f"clean: every campaign, pledge and balance adds up at block {at:,}")


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "audit",
        parents=[parents["output"], parents["network"]],
        help="replay every event of the escrow and the vault and check the books at one block",
        description="Replay every event of the escrow (and of the milestone vault) from its deployment "
        "block to BLOCK and reconcile at BLOCK: every campaign's total and every backer's pledge against "
        "getCampaign and pledgeOf, what the vault received, released and refunded against its view, and "
        "per asset what each contract owes against its balance. A surplus is a note; a shortfall or any "
        "difference is a finding. The logs fetched are cached (in $CROWDFUND_CACHE_DIR, else "
        "$XDG_CACHE_HOME/crowdfund or ~/.cache/crowdfund), so that a repeated audit fetches only new "
        "blocks. Exit 0 when clean, 1 with findings.",
    )
    parser.add_argument(
        "--at", type=_block, metavar="BLOCK", default=None, help="the block to audit at (default: the latest)"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="fetch every log from the node and keep none on disk"
    )
    parser.set_defaults(run=run)
