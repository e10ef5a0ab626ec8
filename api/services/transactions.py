"""Unsigned transactions for any wallet to sign, each simulated on the head first. The
gateway holds no key and sends nothing.

Every escrow action is a row of ACTIONS: which function it calls with which arguments,
and how it is described. A pledge adds the payment decision of crowdfund.payment: a
token pledge whose allowance falls short is answered with the token's approve first.

The milestone vault's actions are the rows of VAULT_ACTIONS, called on the vault: those
only it has (release, object, withdraw-objection), and those it takes over for its own
campaigns (cancel and update, which it forwards to the escrow as their creator; refund where
the vault refunds; create with a schedule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crowdfund import erc20
from crowdfund.escrow import encode_call
from crowdfund.milestones import (
    claimed_by_release,
    lapsed,
    objection_closed,
    objections_lapsed,
    refunds_from_vault,
    tranche_count,
)
from crowdfund.payment import BalanceShort, PaymentStep, pledge_payment
from crowdfund.schedule import Tranche, call_arguments, check
from crowdfund.units import UnitError, format_amount
from crowdfund.vault import VaultNotAParty, refuse_vault_as_backer, refuse_vault_as_payee
from crowdfund.vault import encode_call as vault_call

from ..gateway import Gateway
from ..index import queries
from ..node import simulate
from ..node.escrow import CampaignMissing
from ..node.rpc import Chain, RpcError
from ..node.simulate import Rejected
from ..node.types import Block
from .types import AllowanceCheck, TransactionPlan

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Action:
    """An escrow call a wallet may ask for: `args` and `describe` read the campaign id
    (None for create) and the request's parameters, and so does `function` where the
    parameters choose it."""

    function: str | Callable[[Params], str]
    args: Callable[[int | None, Params], tuple[Any, ...]]
    describe: Callable[[int | None, Params], str]


ACTIONS: dict[str, Action] = {
    "create": Action(
        "createCampaign",
        lambda _, p: (p["token"], p["goal"], p["cap"], p["starts_at"], p["deadline"], p["metadata_uri"]),
        lambda _, p: f"create a campaign with goal {p['goal']}",
    ),
    "unpledge": Action(
        "unpledge",
        lambda cid, p: (cid, p["amount"]),
        lambda cid, p: f"take {p['amount']} base units back from campaign {cid}",
    ),
    # With `to`, claimTo pays that address instead of the creator.
    "claim": Action(
        lambda p: "claim" if p.get("to") is None else "claimTo",
        lambda cid, p: (cid,) if p.get("to") is None else (cid, p["to"]),
        lambda cid, p: f"claim the funds of campaign {cid}" + (f" to {p['to']}" if p.get("to") else ""),
    ),
    "refund": Action("refund", lambda cid, _: (cid,), lambda cid, _: f"refund the pledge in campaign {cid}"),
    "cancel": Action("cancel", lambda cid, _: (cid,), lambda cid, _: f"cancel campaign {cid}"),
    "update": Action(
        "postUpdate", lambda cid, p: (cid, p["uri"]), lambda cid, _: f"post an update to campaign {cid}"
    ),
}


def _schedule(p: Params) -> tuple[list[int], list[int]]:
    return call_arguments([Tranche(t["release_at"], t["share_bps"]) for t in p["schedule"]], p["deadline"])


VAULT_ACTIONS: dict[str, Action] = {
    "create": Action(
        "createCampaign",
        lambda _, p: (*ACTIONS["create"].args(None, p), *_schedule(p)),
        lambda _, p: (
            f"create a campaign with goal {p['goal']}, paid to its creator in "
            f"{tranche_count(len(p['schedule']))} by the milestone vault"
        ),
    ),
    # With `to`, releaseTo pays that address instead of the creator.
    "release": Action(
        lambda p: "release" if p.get("to") is None else "releaseTo",
        lambda cid, p: (cid,) if p.get("to") is None else (cid, p["to"]),
        lambda cid, p: (
            f"pay the creator of campaign {cid} the tranches due" + (f" to {p['to']}" if p.get("to") else "")
        ),
    ),
    "object": Action(
        "object", lambda cid, _: (cid,), lambda cid, _: f"object to the rest of campaign {cid}'s schedule"
    ),
    "withdraw-objection": Action(
        "withdrawObjection", lambda cid, _: (cid,), lambda cid, _: f"withdraw the objection to campaign {cid}"
    ),
    "refund": Action(
        "refund",
        lambda cid, _: (cid,),
        lambda cid, _: f"take back the pledge's share of what the milestone vault refunds of campaign {cid}",
    ),
    "cancel": ACTIONS["cancel"],
    "update": ACTIONS["update"],
}


async def _on_vault(
    gateway: Gateway, chain: Chain, block: Block, action: str, campaign_id: int | None, params: Params
) -> bool:
    """Whether the action goes to the milestone vault: always for its own actions; for a
    campaign it created, a cancel, an update and a refund where the vault refunds
    (crowdfund.milestones.refunds_from_vault, with the escrow's state at `block`); a create
    with a schedule. Rejected when it would and this gateway serves no vault."""
    if action in ("release", "object", "withdraw-objection"):
        mine = True
    elif action == "create":
        mine = params.get("schedule") is not None
    elif action in ("cancel", "update", "refund") and campaign_id is not None and chain.vault is not None:
        record = await gateway.db(queries.vault_record, campaign_id)
        mine = record is not None
        if mine and action == "refund":
            try:
                live = await gateway.escrow.campaign(chain, block, campaign_id)
            except CampaignMissing:
                return False
            assert record is not None
            mine = refunds_from_vault(collected=record.collected, state=live.state)
    else:
        mine = False
    if mine and chain.vault is None:
        raise Rejected(
            "NoMilestoneVault",
            f"no milestone vault is deployed beside the escrow on chain {chain.chain_id}: "
            f"{action} is a milestone campaign's action",
            {},
        )
    return mine


async def escrow_action(
    gateway: Gateway, chain: Chain, action: str, campaign_id: int | None, sender: str, params: Params
) -> TransactionPlan:
    """The unsigned transaction for one of ACTIONS (or VAULT_ACTIONS, called on the
    milestone vault), simulated on the head."""
    block = await simulate.head(chain)
    if action == "claim" and campaign_id is not None:
        _refuse_the_vault(lambda: refuse_vault_as_payee(params.get("to"), chain.vault, campaign_id))
        if chain.vault is not None and await gateway.db(queries.vault_record, campaign_id) is not None:
            raise Rejected(
                "ReleasedNotClaimed",
                claimed_by_release(campaign_id, f"POST /campaigns/{campaign_id}/transactions/release"),
                {"id": campaign_id},
            )
    if action in ("object", "withdraw-objection") and campaign_id is not None:
        await _refuse_closed_objections(gateway, chain, block, campaign_id, withdraw=action != "object")
    on_vault = await _on_vault(gateway, chain, block, action, campaign_id, params)
    if on_vault and action == "create":
        try:
            check([Tranche(t["release_at"], t["share_bps"]) for t in params["schedule"]], params["deadline"])
        except UnitError as exc:
            raise Rejected("ScheduleInvalid", str(exc), {"deadline": params["deadline"]}) from None
    row = VAULT_ACTIONS[action] if on_vault else ACTIONS[action]
    function = row.function if isinstance(row.function, str) else row.function(params)
    encode = vault_call if on_vault else encode_call
    data = encode(function, *row.args(campaign_id, params))
    to = chain.vault if on_vault and chain.vault is not None else chain.address
    try:
        tx = await simulate.unsigned(chain, block, sender, to, data)
    except Rejected as refused:
        if campaign_id is None:
            raise
        raise await _in_campaign_units(gateway, chain, block, campaign_id, refused) from None
    return TransactionPlan(
        action=action, description=row.describe(campaign_id, params), transaction=tx, block=block
    )


async def _refuse_closed_objections(
    gateway: Gateway, chain: Chain, block: Block, campaign_id: int, *, withdraw: bool
) -> None:
    """An objection to a campaign that has not succeeded, or an objection or its withdrawal
    once a tranche lapsed, refused in the domain's words (crowdfund.milestones.objection_closed)
    before the vault's own rules. Other campaigns are left to those rules (NotAVaultCampaign,
    NoMilestoneVault)."""
    if chain.vault is None:
        return
    record, _, now = await gateway.db(queries.vault_standing, campaign_id, "")
    if record is None:
        return
    if lapsed(record, now):
        # The vault's own refusal once the lapse is recorded; the same, in words, before.
        raise Rejected("ReleaseWindowClosed", objections_lapsed(campaign_id), {"id": campaign_id})
    if withdraw:
        return
    try:
        live = await gateway.escrow.campaign(chain, block, campaign_id)
    except CampaignMissing as exc:
        raise Rejected("CampaignNotFound", str(exc), {"id": campaign_id}) from None
    closed = objection_closed(campaign_id, live.state)
    if closed is not None:
        raise Rejected("CampaignNotSucceeded", closed, {"id": campaign_id, "state": live.state.word})


def _refuse_the_vault(check: Callable[[], None]) -> None:
    """A crowdfund.vault refusal of the vault as payee or backer, as a rejection."""
    try:
        check()
    except VaultNotAParty as exc:
        raise Rejected(exc.rule, str(exc), {"vault": exc.vault}) from None


async def _in_campaign_units(
    gateway: Gateway, chain: Chain, block: Block, campaign_id: int, refused: Rejected
) -> Rejected:
    """The refusal worded in the campaign's own units, so that a backer reads `1.5 DMT`, not
    1500000000000000000 (its values keep base units)."""
    if refused.error is None:
        return refused
    try:
        campaign = await gateway.escrow.campaign(chain, block, campaign_id)
    except CampaignMissing as exc:
        # The vault says NotAVaultCampaign of an id nobody created: it is simply not found.
        raise Rejected("CampaignNotFound", str(exc), {"id": campaign_id}) from None
    token = await gateway.tokens.info(chain, campaign.token, block)
    return refused.told_in(token.currency)


async def pledge(
    gateway: Gateway, chain: Chain, campaign_id: int, sender: str, amount: int, backer: str | None
) -> TransactionPlan:
    """Pledge `amount`, credited to the sender or to `backer`, or the approval it needs first."""
    block = await simulate.head(chain)
    try:
        campaign = await gateway.escrow.campaign(chain, block, campaign_id)
    except CampaignMissing as exc:
        raise Rejected("CampaignNotFound", str(exc), {"id": campaign_id}) from None
    _refuse_the_vault(lambda: refuse_vault_as_backer(backer, chain.vault, campaign_id))
    if backer is not None and backer != sender:
        data = encode_call("pledgeFor", campaign_id, backer, amount)
        whom = f" for {backer}"
    else:
        data = encode_call("pledge", campaign_id, amount)
        whom = ""
    token = await gateway.tokens.info(chain, campaign.token, block)
    description = f"pledge {amount} base units of {token.symbol} to campaign {campaign_id}{whom}"
    if token.is_eth:
        # The ETH balance is checked with the simulation, which carries the value.
        try:
            tx = await simulate.unsigned(chain, block, sender, chain.address, data, amount)
        except Rejected as refused:
            raise refused.told_in(token.currency) from None
        return TransactionPlan(action="pledge", description=description, transaction=tx, block=block)
    try:
        balance, allowance = await gateway.tokens.holdings(
            chain, block, campaign.token, sender, chain.address
        )
    except RpcError as exc:
        raise Rejected(
            "TokenRefused",
            f"the token {campaign.token} refused to tell {sender}'s balance or allowance ({exc})",
            {"token": campaign.token},
        ) from None
    try:
        # A wallet signs permits itself; the gateway offers the approval path only.
        step = pledge_payment(
            is_eth=False, balance=balance, amount=amount, allowance=allowance, permit=lambda: False
        )
    except BalanceShort:
        held, asked = format_amount(balance, token.currency), format_amount(amount, token.currency)
        raise Rejected(
            "InsufficientTokenBalance",
            f"{sender} holds {held}, less than the {asked} pledged: pledge at most {held}, "
            f"or get more {token.symbol} first",
            {"token": campaign.token, "balance": balance, "needed": amount},
        ) from None
    check = AllowanceCheck(token=campaign.token, spender=chain.address, allowance=allowance, needed=amount)
    if step is PaymentStep.APPROVE:
        approve = erc20.encode_call("approve", chain.address, amount)
        tx = await simulate.unsigned(chain, block, sender, campaign.token, approve)
        return TransactionPlan(
            action="approve",
            description=f"allow the escrow to take {amount} base units of {token.symbol} for the pledge",
            transaction=tx,
            allowance=check,
            then="pledge",
            block=block,
        )
    try:
        tx = await simulate.unsigned(chain, block, sender, chain.address, data)
    except Rejected as refused:
        raise refused.told_in(token.currency) from None
    return TransactionPlan(
        action="pledge", description=description, transaction=tx, allowance=check, block=block
    )
