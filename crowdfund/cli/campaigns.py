"""The commands that change campaigns: create, pledge, unpledge, claim, refund, cancel,
update. A campaign created with a schedule (`create --milestones`) lives in the escrow with
the milestone vault as its creator: its creator's calls go through the vault, and its
backers' refund goes to whichever of the two holds their money (crowdfund.cli.milestones
has the vault's own commands)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, ContractLogicError
from web3.types import TxParams, TxReceipt

from crowdfund import transactions
from crowdfund.cli import render
from crowdfund.cli.context import Context, Refused, UsageError
from crowdfund.cli.publish import add_gateway_option, link_to, publish_parts
from crowdfund.errors import decode_error
from crowdfund.escrow import ETH, Campaign, CampaignTerms, Escrow
from crowdfund.milestones import claimed_by_release, refunds_from_vault, tranche_count
from crowdfund.payment import BalanceShort, PaymentStep, pledge_payment
from crowdfund.publication import Publication
from crowdfund.schedule import parse_schedule
from crowdfund.tokens import Token
from crowdfund.transactions import TransactionRejected
from crowdfund.units import (
    ETHER,
    Currency,
    format_amount,
    format_duration,
    format_share,
    format_time,
    parse_amount,
    parse_time,
)
from crowdfund.vault import Vault, VaultNotAParty, refuse_vault_as_backer, refuse_vault_as_payee

# ---------------------------------------------------------------- argument types


def campaign_id(text: str) -> int:
    # isascii(): isdigit() also accepts other scripts' digits; ids are uint256.
    if not (text.isascii() and text.isdigit()) or len(text) > 78 or not 0 < int(text) < 2**256:
        raise argparse.ArgumentTypeError(f"{text!r} is not a campaign id (ids are 1, 2, 3, ...)")
    return int(text)


def address(text: str) -> str:
    if not Web3.is_address(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an Ethereum address (0x and 40 hex digits)")
    body = text[2:]
    if body != body.lower() and body != body.upper() and not Web3.is_checksum_address(text):
        # Mixed case carries an EIP-55 checksum: a wrong one is a typo, and money follows it.
        raise argparse.ArgumentTypeError(
            f"{text!r} has a wrong checksum (mixed-case addresses must be EIP-55): check it for a typo"
        )
    return Web3.to_checksum_address(text)


# ---------------------------------------------------------------- shared steps


def after(ctx: Context, campaign_id: int, currency: Currency, **fields: Any) -> dict[str, Any]:
    """Show where the campaign now stands (after a real send) and build the JSON document."""
    if ctx.args.dry_run:
        ctx.out.line("dry run: nothing was sent")
        return ctx.document(**fields)
    campaign = ctx.campaign(campaign_id)
    now = ctx.now()
    kept = ctx.require_vault().campaign(campaign_id) if ctx.is_vault_campaign(campaign) else None
    ctx.out.line(render.summary(campaign, currency, now, kept))
    return ctx.document(campaign=render.campaign_json(campaign, currency, now), **fields)


def at_hand(ctx: Context) -> tuple[Campaign, Currency]:
    """The campaign the command names, and the currency its amounts are shown in (refusals
    included)."""
    campaign = ctx.campaign(ctx.args.id)
    currency = ctx.amounts_in = ctx.currency(campaign.token)
    return campaign, currency


def _send(ctx: Context, tx: TxParams, done: str) -> None:
    """Send `tx` (or show it under --dry-run); after a real send, say `done`."""
    ctx.transact(tx, what=ctx.describe(tx))
    if not ctx.args.dry_run:
        ctx.out.line(done)


def _publish_then_transact(
    ctx: Context, publication: Publication | None, tx: TxParams
) -> tuple[TxReceipt | None, dict[str, Any]]:
    """Send `tx`, whose link names `publication` when a local document was given: published
    first (under --dry-run, only said), once the escrow's rules accept the transaction, so
    that a refused one publishes nothing. Returns the receipt and, for the JSON document,
    what was published."""
    fields: dict[str, Any] = {}
    if publication is not None:
        if not ctx.args.dry_run:
            transactions.simulate(ctx.w3, ctx.account_address, tx)
        parts = publish_parts(ctx, publication)
        fields["would_publish" if ctx.args.dry_run else "published"] = parts
    return ctx.transact(tx, what=ctx.describe(tx)), fields


def _resolve_token(ctx: Context, given: str | None) -> Currency:
    """`--token`: ETH (the default), an address, or the symbol of a token that campaigns on
    this escrow already use."""
    if given is None or given.upper() == "ETH":
        return ETHER
    if given.startswith("0x"):
        if not Web3.is_address(given):
            raise UsageError(f"--token {given!r} is neither an address nor a symbol")
        token = Web3.to_checksum_address(given)
        if not ctx.w3.eth.get_code(token):
            raise Refused(f"{token} has no contract code on chain {ctx.chain_id}: it is not a token there")
        return ctx.currency(token, strict=True)
    known: dict[str, Currency] = {}
    count = ctx.escrow.campaign_count()
    for start in range(1, count + 1, 100):
        for campaign in ctx.escrow.campaigns(start, 100):
            if campaign.token != ETH and campaign.token not in known:
                known[campaign.token] = ctx.currency(campaign.token)
    matches = [c for c in known.values() if c.symbol.lower() == given.lower()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UsageError(
            f"several tokens on this escrow are called {given}: "
            + ", ".join(c.address for c in matches)
            + "; give the address with --token"
        )
    raise UsageError(
        f"no campaign on this escrow uses a token called {given!r} yet; give its address with --token 0x..."
    )


def _refuse_the_vault(ctx: Context, check: Callable[[str | None], None]) -> None:
    """Run a crowdfund.vault refusal against this chain's vault, as a usage error."""
    try:
        check(None if ctx.vault is None else ctx.vault.address)
    except VaultNotAParty as exc:
        raise UsageError(str(exc)) from None


def _refuse_unless_open(ctx: Context, campaign: Campaign, amount: int) -> None:
    """The pledge rules the campaign's view shows, checked before an approval or a permit
    (which cannot be simulated together with the pledge), so that a pledge the escrow
    would refuse costs no approval. The words are the escrow's own, from its errors."""
    now = ctx.now()
    rule: tuple[str, list[Any]] | None = None
    if campaign.cancelled:
        rule = ("CampaignIsCancelled(uint256)", [campaign.id])
    elif now >= campaign.deadline:
        rule = ("PledgesClosed(uint256,uint64,uint256)", [campaign.id, campaign.deadline, now])
    elif now < campaign.starts_at:
        rule = ("PledgesNotOpen(uint256,uint64,uint256)", [campaign.id, campaign.starts_at, now])
    elif amount == 0:
        rule = ("ZeroAmount()", [])
    elif campaign.cap and campaign.pledged + amount > campaign.cap:
        rule = (
            "CapExceeded(uint256,uint256,uint256)",
            [campaign.id, campaign.cap, campaign.pledged + amount],
        )
    if rule is None:
        return
    signature, values = rule
    types = signature[signature.index("(") + 1 : -1].split(",") if values else []
    data = function_signature_to_4byte_selector(signature) + encode(types, values)
    raise TransactionRejected(decode_error(data), signature)


# ---------------------------------------------------------------- create


def create(ctx: Context) -> dict[str, Any]:
    args = ctx.args
    # A local document is checked before anything else is read or sent.
    metadata_uri, publication = link_to(ctx, args.metadata, "campaign")
    currency = _resolve_token(ctx, args.token)
    ctx.amounts_in = currency
    goal = parse_amount(args.goal, currency)
    cap = parse_amount(args.cap, currency) if args.cap else 0
    now = ctx.moment()
    # "now" (or no --start) is 0 for the escrow: the block the campaign is created in.
    starts_at = parse_time(args.start, now=now) if args.start and args.start.lower() != "now" else 0
    deadline = parse_time(args.deadline, now=now, base=starts_at or now)
    ctx.out.line(
        f"campaign in {currency.symbol}: goal {format_amount(goal, currency)}, "
        f"cap {format_amount(cap, currency) if cap else 'none'}, pledges from "
        f"{format_time(starts_at) if starts_at else 'now'} until {format_time(deadline)} "
        f"({format_duration(deadline - (starts_at or now))}), metadata {metadata_uri}"
        + (f" ({args.metadata})" if publication else "")
    )
    terms: CampaignTerms = {
        "goal": goal,
        "deadline": deadline,
        "metadata_uri": metadata_uri,
        "token": currency.address,
        "cap": cap,
        "starts_at": starts_at,
    }
    schedule: dict[str, Any] = {}
    if args.milestones is None:
        tx = ctx.escrow.build_create_campaign(**terms)
    else:
        # Read before anything is simulated: a schedule the vault would refuse is said in
        # the words it was typed in.
        tranches = parse_schedule(args.milestones, deadline=deadline, now=now)
        vault = ctx.require_vault()
        ctx.out.line(
            f"paid to {ctx.account_address} through the milestone vault in {tranche_count(len(tranches))}: "
            + ", ".join(
                f"{format_share(t.share_bps)} at "
                + ("the deadline" if t.release_at == deadline else format_time(t.release_at))
                for t in tranches
            )
        )
        tx = vault.build_create_campaign(tranches, **terms)
        schedule["milestones"] = [{"release_at": t.release_at, "share_bps": t.share_bps} for t in tranches]
    receipt, published = _publish_then_transact(ctx, publication, tx)
    if receipt is None:
        return after(ctx, 0, currency, **schedule, **published)
    new_id = (ctx.escrow if args.milestones is None else ctx.require_vault()).created_campaign_id(receipt)
    ctx.out.line(f"created campaign {new_id}")
    return after(ctx, new_id, currency, metadata_uri=metadata_uri, **schedule, **published)


# ---------------------------------------------------------------- backers


def pledge(ctx: Context) -> dict[str, Any]:
    args = ctx.args
    campaign, currency = at_hand(ctx)
    amount = parse_amount(args.amount, currency)
    payer = ctx.account_address
    backer: str | None = args.backer
    _refuse_the_vault(ctx, lambda vault: refuse_vault_as_backer(backer, vault, campaign.id))
    credited = backer or payer
    ctx.out.line(
        f"pledging {format_amount(amount, currency)} to campaign {campaign.id}"
        + (f" for {backer}, paid by {payer}" if backer else f" from {payer}")
    )
    step = _pay_pledge(ctx, campaign, currency, amount, backer)
    fields: dict[str, Any] = {
        "backer": credited,
        "amount": str(amount),
        "allowance_step": None if step is PaymentStep.ETH else step.value,
    }
    if not args.dry_run:
        mine = ctx.escrow.pledge_of(campaign.id, credited)
        ctx.out.line(f"{credited} has now pledged {format_amount(mine, currency)} to campaign {campaign.id}")
        fields["pledge_of_backer"] = str(mine)
    return after(ctx, campaign.id, currency, **fields)


def _pay_pledge(
    ctx: Context, campaign: Campaign, currency: Currency, amount: int, backer: str | None
) -> PaymentStep:
    """Pledge, paying as crowdfund.payment decides: ETH with the call; a token through an
    allowance that already covers the amount, else a permit (one transaction) where the
    token supports EIP-2612, else an approval first. Returns the step taken."""
    escrow, payer = ctx.escrow, ctx.account_address
    token = None if currency.is_eth else Token(ctx.w3, campaign.token)
    try:
        step = pledge_payment(
            is_eth=token is None,
            balance=ctx.w3.eth.get_balance(Web3.to_checksum_address(payer))
            if token is None
            else token.balance_of(payer),
            amount=amount,
            allowance=0 if token is None else token.allowance(payer, escrow.address),
            # A permit authorises the signer's own pledge only: pledgeWithPermit has no backer.
            permit=lambda: (
                token is not None and backer is None and not ctx.args.no_permit and token.supports_permit()
            ),
        )
    except (ContractLogicError, BadFunctionCallOutput) as exc:
        raise Refused(
            f"the token {campaign.token} refused to tell {payer}'s balance or allowance: {exc}"
        ) from None
    except BalanceShort as short:
        raise Refused(
            f"{payer} holds {format_amount(short.balance, currency)}, less than the "
            f"{format_amount(amount, currency)} to pledge"
        ) from None
    pledge_tx = escrow.build_pledge(campaign.id, amount, eth=token is None, backer=backer)
    if step is PaymentStep.ETH:
        ctx.transact(pledge_tx, what=ctx.describe(pledge_tx), currency=currency)
        return step
    assert token is not None
    if step is PaymentStep.EXISTING_ALLOWANCE:
        ctx.out.line(
            f"the escrow may already take {format_amount(token.allowance(payer, escrow.address), currency)} "
            f"from {payer}: no approval"
        )
        ctx.transact(pledge_tx, what=ctx.describe(pledge_tx))
        return step
    _refuse_unless_open(ctx, campaign, amount)
    if step is PaymentStep.PERMIT:
        # Signed under --dry-run too: a signature sends nothing, and with it the whole
        # pledge can be simulated.
        permit = token.sign_permit(ctx.signer, escrow.address, amount, ctx.moment() + 3600)
        ctx.out.line(
            f"signed an EIP-2612 permit for {format_amount(amount, currency)}: no approval transaction"
        )
        tx = escrow.build_pledge_with_permit(campaign.id, permit)
        ctx.transact(tx, what=f"pledgeWithPermit({campaign.id}, {amount}, <permit>)")
        return step
    ctx.out.line(
        f"approving the escrow to take {format_amount(amount, currency)} from {payer}"
        + (" (the token has no EIP-2612 permit)" if not ctx.args.no_permit and backer is None else "")
    )
    ctx.transact(token.build_approve(escrow.address, amount), what=f"approve({escrow.address}, {amount})")
    if ctx.args.dry_run:
        ctx.out.line(
            f"would then send {ctx.describe(pledge_tx)}; it can be simulated only once the approval is mined"
        )
    else:
        ctx.transact(pledge_tx, what=ctx.describe(pledge_tx))
    return step


def unpledge(ctx: Context) -> dict[str, Any]:
    campaign, currency = at_hand(ctx)
    amount = parse_amount(ctx.args.amount, currency)
    tx = ctx.escrow.build_unpledge(campaign.id, amount)
    ctx.transact(tx, what=ctx.describe(tx))
    fields: dict[str, Any] = {"amount": str(amount)}
    if not ctx.args.dry_run:
        mine = ctx.escrow.pledge_of(campaign.id, ctx.account_address)
        ctx.out.line(
            f"took back {format_amount(amount, currency)}; {ctx.account_address} has "
            f"{format_amount(mine, currency)} left pledged"
        )
        fields["pledge_of_backer"] = str(mine)
    return after(ctx, campaign.id, currency, **fields)


def refund(ctx: Context) -> dict[str, Any]:
    """The whole pledge back from the escrow when the campaign failed, was cancelled or
    expired; from the vault where it refunds (crowdfund.milestones.refunds_from_vault): for a
    halted milestone campaign, the pledge's share of the tranches not yet due at the halt; once
    a tranche lapsed unreleased, its share of everything not released."""
    campaign, currency = at_hand(ctx)
    backer = ctx.account_address
    vault_campaign = ctx.require_vault().campaign(campaign.id) if ctx.is_vault_campaign(campaign) else None
    if vault_campaign is not None and refunds_from_vault(
        collected=vault_campaign.collected, state=campaign.state
    ):
        vault = ctx.require_vault()
        pledge = ctx.escrow.pledge_of(campaign.id, backer)
        refunded_before = vault.refund_of(campaign.id, backer)[0]
        owed = vault_campaign.refund_due(pledge, campaign.pledged, refunded_before=refunded_before)
        tx = vault.build_refund(campaign.id)
        receipt = ctx.transact(tx, what=ctx.describe(tx))
        if receipt is not None:
            owed = vault.refunded_amount(receipt)  # what was paid, to the unit
        done = "would refund" if ctx.args.dry_run else "refunded"
        if refunded_before:
            share = (
                "the share of the tranches due at the halt, which lapsed unreleased since its first refund"
            )
        elif vault_campaign.lapsed:
            share = "the share the vault has not released: a tranche owed to the creator lapsed unreleased"
        else:
            share = "the share of the tranches not yet due at the halt"
        ctx.out.line(
            f"{done} {format_amount(owed, currency)} to {backer} from the milestone vault: a pledge of "
            f"{format_amount(pledge, currency)} times {share}"
        )
        return after(ctx, campaign.id, currency, amount=str(owed), pledge=str(pledge), refunded_by="vault")
    owed = ctx.escrow.pledge_of(campaign.id, backer)
    _send(ctx, ctx.escrow.build_refund(campaign.id), f"refunded {format_amount(owed, currency)} to {backer}")
    return after(ctx, campaign.id, currency, amount=str(owed), refunded_by="escrow")


# ---------------------------------------------------------------- creators


def claim(ctx: Context) -> dict[str, Any]:
    campaign, currency = at_hand(ctx)
    if ctx.is_vault_campaign(campaign):
        raise Refused(claimed_by_release(campaign.id, f"`crowdfund release {campaign.id}`"))
    paid = format_amount(campaign.pledged, currency)
    to = ctx.args.to
    _refuse_the_vault(ctx, lambda vault: refuse_vault_as_payee(to, vault, campaign.id))
    recipient = f"the creator {campaign.creator}" if to is None else to
    _send(ctx, ctx.escrow.build_claim(campaign.id, to), f"paid {paid} to {recipient}")
    return after(ctx, campaign.id, currency, amount=str(campaign.pledged), to=to or campaign.creator)


def _creators_side(ctx: Context, campaign: Campaign) -> Escrow | Vault:
    """Where the creator's calls go: the vault for its campaigns (the escrow's creator is
    the vault, which checks the real creator and forwards), the escrow for the others."""
    return ctx.require_vault() if ctx.is_vault_campaign(campaign) else ctx.escrow


def cancel(ctx: Context) -> dict[str, Any]:
    campaign, currency = at_hand(ctx)
    tx = _creators_side(ctx, campaign).build_cancel(campaign.id)
    # It cannot be undone: on a terminal, once the escrow would accept it, ask first
    # (scripts pass --yes, or have no terminal).
    if not ctx.args.dry_run and not ctx.args.yes and sys.stdin.isatty():
        transactions.simulate(ctx.w3, ctx.account_address, tx)
        pledged = format_amount(campaign.pledged, currency)
        question = (
            f"cancel campaign {campaign.id} for good? its backers can then take back the {pledged} pledged"
        )
        if input(f"{question} [y/N] ").strip().lower() not in ("y", "yes"):
            raise Refused(f"campaign {campaign.id} was not cancelled")
    refunds = "its backers can now take their pledges back (refund)"
    _send(ctx, tx, f"campaign {campaign.id} cancelled: {refunds}")
    return after(ctx, campaign.id, currency)


def update(ctx: Context) -> dict[str, Any]:
    uri, publication = link_to(ctx, ctx.args.uri, "update")
    campaign, currency = at_hand(ctx)
    tx = _creators_side(ctx, campaign).build_post_update(campaign.id, uri)
    _, published = _publish_then_transact(ctx, publication, tx)
    if not ctx.args.dry_run:
        ctx.out.line(f"update {uri} anchored on chain for campaign {campaign.id}")
    return after(ctx, campaign.id, currency, uri=uri, **published)


# ---------------------------------------------------------------- the parsers

AMOUNT_HELP = (
    "in the campaign's units: 1.5 (ETH or whole tokens), 1.5ether, 250DMT, or base units with wei (250wei)"
)


# The positional arguments the commands share.
POSITIONALS: dict[str, dict[str, Any]] = {
    "id": {"type": campaign_id, "help": "the campaign's id"},
    "amount": {"help": AMOUNT_HELP},
    "uri": {
        "metavar": "URI|FILE.json",
        "help": "where the update is published (ipfs://...), or a local update document (title, body, "
        "image) to publish first: its ipfs:// link goes on chain",
    },
}


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    signing = [parents[name] for name in ("output", "network", "keystore", "sending")]

    def add(
        name: str, run: Any, help: str, *positionals: str, description: str = ""
    ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = commands.add_parser(
            name, parents=signing, help=help, description=description or help
        )
        for positional in positionals:
            parser.add_argument(positional, **POSITIONALS[positional])
        parser.set_defaults(run=run, signs=True)
        return parser

    p = add(
        "create",
        create,
        "create a campaign (you become its creator)",
        description="Create an all-or-nothing campaign. Dates are UTC: 2026-12-24 (midnight), "
        "2026-12-24T18:00, 2026-12-24T18:00+01:00, @<unix time>; or durations like 30d, 12h, 1d12h, 2w.",
    )
    p.add_argument(
        "--goal", required=True, help="the least total it must reach by its deadline, e.g. 5ether or 250"
    )
    p.add_argument(
        "--deadline",
        required=True,
        help="when pledges close: a date, or a duration counted from the start (30d); at most 366 days",
    )
    p.add_argument(
        "--start", help="when pledges open: a date, a duration from now (2d), or now (the default)"
    )
    p.add_argument("--cap", help="the most it accepts (default: no cap); at least the goal")
    p.add_argument(
        "--token",
        metavar="ADDRESS|SYMBOL",
        help="the ERC-20 token pledged (default ETH): an address, or the symbol of a token "
        "that campaigns on this escrow already use",
    )
    p.add_argument(
        "--metadata",
        required=True,
        metavar="URI|FILE.json",
        help="where the campaign is described: a link (ipfs://..., https://..., data:...) put on chain as "
        "written, or a local metadata document (title, summary, story, image, links, tiers; see "
        "docs/content.md), checked, published to the gateway first with its image when that is a local "
        "file (relative to the document), and linked by its ipfs:// CID",
    )
    add_gateway_option(p, "a local --metadata document and its image")
    p.add_argument(
        "--milestones",
        metavar="SCHEDULE",
        help="pay yourself in tranches through the milestone vault, e.g. 40%%@end,30%%@+60d,30%%@+120d: "
        "shares adding up to 100%%, each due at end (the deadline), +DURATION after the deadline or a "
        "date; backers holding more than half of the pledged total can halt what is not yet due",
    )

    p = add(
        "pledge",
        pledge,
        "pledge to an active campaign",
        "id",
        "amount",
        description="Pledge AMOUNT to campaign ID. For a token campaign the escrow's allowance is taken care "
        "of: an EIP-2612 permit where the token supports it (one transaction), else an approval first.",
    )
    p.add_argument(
        "--for",
        dest="backer",
        type=address,
        metavar="ADDRESS",
        help="credit the pledge to ADDRESS (you pay; only they may take it back)",
    )
    p.add_argument(
        "--no-permit", action="store_true", help="approve the escrow first even if the token has permits"
    )
    add(
        "unpledge",
        unpledge,
        "take back part or all of your pledge while the campaign is active",
        "id",
        "amount",
        description="Take AMOUNT of your pledge back from an active campaign. In its last 24 hours a "
        "campaign that reached its goal cannot be taken back below it.",
    )
    add(
        "claim",
        claim,
        "as the creator, take the funds of a campaign that reached its goal",
        "id",
        description="Take the total of campaign ID, which reached its goal, within 180 days of its "
        "deadline; after that the campaign expires and its backers take their pledges back.",
    ).add_argument(
        "--to", type=address, metavar="ADDRESS", help="pay ADDRESS instead of yourself (the creator)"
    )
    add(
        "refund",
        refund,
        "take your pledge back from a failed, cancelled or expired campaign, or a halted milestone campaign",
        "id",
        description="Take your whole pledge back from campaign ID when it failed, was cancelled or "
        "expired (from the escrow); or, from a milestone campaign its backers halted, your pledge's "
        "share of the tranches not yet due at the halt (from the vault: those due at or before it "
        "still go to the creator); or, from a milestone campaign one of whose tranches waited 180 "
        "days unreleased once due, your share of everything the vault has not released. A halted "
        "campaign nobody released within 180 days of its deadline expired: the escrow refunds the "
        "whole pledge. The command picks which.",
    )
    add(
        "cancel",
        cancel,
        "as the creator, cancel a campaign before its deadline (backers get refunds)",
        "id",
        description="Cancel campaign ID before its deadline: pledges close and every backer can take "
        "theirs back (refund). It cannot be undone: on a terminal it asks first (--yes skips the "
        "question); off a terminal it cancels as told.",
    ).add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p = add(
        "update",
        update,
        "as the creator, anchor an update about the campaign on chain",
        "id",
        "uri",
        description="Anchor an update about campaign ID on chain: a link, or a local update document "
        "(FILE.json: title, Markdown body, optional image; a local image file is published first), "
        "checked and published to the gateway, whose ipfs:// CID is then the update's link.",
    )
    add_gateway_option(p, "a local update document and its image")
