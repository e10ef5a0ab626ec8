"""POST …/transactions/{action}: unsigned transactions for any wallet to sign, each
simulated on the head first. The gateway holds no key and sends nothing.

The routes are made from one table: each escrow action's path, request body and words;
the service (api.services.transactions) holds what each calls in the escrow."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ...services import transactions
from .. import render, schemas
from ..dependencies import ChainDep, GatewayDep
from ..ratelimit import TOO_MANY, rate_limited
from .campaigns import INVALID, UNAVAILABLE, CampaignId

# Each build simulates on the node: the one route a client can make expensive at will.
router = APIRouter(prefix="/campaigns", tags=["transactions"], dependencies=[rate_limited("tx")])

REJECTED: dict[int | str, dict[str, Any]] = {
    409: {
        "model": schemas.Rejection,
        "description": "the transaction would revert: the rule broken, in words",
    }
}
RESPONSES = {
    **REJECTED,
    404: {"model": schemas.Problem, "description": "no such campaign"},
    **INVALID,
    **UNAVAILABLE,
    **TOO_MANY,
}


@dataclass(frozen=True)
class Route:
    action: str
    body: type[BaseModel]
    doc: str


# Every escrow action but the pledge, whose payment has a route of its own below.
ROUTES = (
    Route(
        "create",
        schemas.CreateBody,
        "Create a campaign; the sender becomes its creator. With a `schedule`, through the milestone "
        "vault: the vault is the campaign's creator in the escrow and pays the sender in tranches.",
    ),
    Route(
        "unpledge",
        schemas.AmountBody,
        "Take `amount` of the sender's pledge back while the campaign is active.",
    ),
    Route(
        "claim",
        schemas.ClaimBody,
        "The creator takes the funds of a campaign that reached its goal, within 180 days of its "
        "deadline; to `to` instead of the creator when given.",
    ),
    Route(
        "refund",
        schemas.SenderBody,
        "A backer takes their whole pledge back from a failed, cancelled or expired campaign (from "
        "the escrow); from a halted milestone campaign that has not expired, their pledge's share of "
        "the tranches not yet due at the halt (from the vault); from a milestone campaign one of "
        "whose tranches lapsed unreleased, their share of everything not released (from the vault).",
    ),
    Route(
        "cancel",
        schemas.SenderBody,
        "The creator cancels the campaign before its deadline; refunds open. For a milestone "
        "campaign, through the vault.",
    ),
    Route(
        "update",
        schemas.UpdateBody,
        "The creator anchors an update (published at `uri`) on chain. For a milestone campaign, "
        "through the vault.",
    ),
    Route(
        "release",
        schemas.ReleaseBody,
        "Anyone pays a succeeded milestone campaign's creator every tranche due (the first call "
        "also claims the funds from the escrow, within 180 days of the deadline); the creator may "
        "have them paid to `to` instead. Each tranche must be released within 180 days of falling "
        "due, or it lapses and the backers take back what was not released.",
    ),
    Route(
        "object",
        schemas.SenderBody,
        "A backer of a succeeded milestone campaign objects to the rest of its schedule, with its "
        "pledge as weight, while a tranche is to come; more than half of the pledged total halts it.",
    ),
    Route(
        "withdraw-objection",
        schemas.SenderBody,
        "A backer withdraws its objection to a milestone campaign that is not halted.",
    ),
)


def _params(body: BaseModel) -> dict[str, Any]:
    """The body's fields as the service takes them: amounts as integers."""
    fields = body.model_dump(exclude={"sender"})
    for name in ("amount", "goal", "cap"):
        if name in fields:
            fields[name] = int(fields[name])
    return fields


def _endpoint(route: Route) -> Callable[..., Awaitable[schemas.TransactionAnswer]]:
    """An endpoint for `route`, with the signature FastAPI reads its parameters from."""

    async def endpoint(
        gateway: Any, chain: Any, body: Any, campaign_id: int | None = None
    ) -> schemas.TransactionAnswer:
        plan = await transactions.escrow_action(
            gateway, chain, route.action, campaign_id, body.sender, _params(body)
        )
        return render.transaction(plan)

    parameters = [
        inspect.Parameter("gateway", inspect.Parameter.KEYWORD_ONLY, annotation=GatewayDep),
        inspect.Parameter("chain", inspect.Parameter.KEYWORD_ONLY, annotation=ChainDep),
        *(
            []
            if route.action == "create"
            else [inspect.Parameter("campaign_id", inspect.Parameter.KEYWORD_ONLY, annotation=CampaignId)]
        ),
        inspect.Parameter("body", inspect.Parameter.KEYWORD_ONLY, annotation=route.body),
    ]
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return endpoint


for route in ROUTES:
    router.add_api_route(
        "/transactions/create"
        if route.action == "create"
        else f"/{{campaign_id}}/transactions/{route.action}",
        _endpoint(route),
        methods=["POST"],
        name=route.action,
        description=route.doc,
        response_model=schemas.TransactionAnswer,
        responses=RESPONSES,
    )


@router.post(
    "/{campaign_id}/transactions/pledge", response_model=schemas.TransactionAnswer, responses=RESPONSES
)
async def pledge(
    gateway: GatewayDep, chain: ChainDep, campaign_id: CampaignId, body: schemas.PledgeBody
) -> schemas.TransactionAnswer:
    """Pledge `amount`, credited to the sender or to `backer`. For a token campaign whose
    allowance falls short, the answer is the token's approve; ask again once it is mined."""
    plan = await transactions.pledge(gateway, chain, campaign_id, body.sender, int(body.amount), body.backer)
    return render.transaction(plan)
