"""POST …/transactions/{action}: unsigned transactions for any wallet to sign, each
simulated on the head first. The gateway holds no key and sends nothing."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter

from api import calls, models, simulate
from api.dependencies import ChainDep, GatewayDep
from api.gateway import CampaignMissing
from api.routes.campaigns import INVALID, UNAVAILABLE, CampaignId
from api.simulate import Rejected
from crowdfund.escrow import ETH

router = APIRouter(prefix="/campaigns", tags=["transactions"])

REJECTED: dict[int | str, dict[str, Any]] = {
    409: {"model": models.Rejection, "description": "the transaction would revert: the rule broken, in words"}
}
RESPONSES = {
    **REJECTED,
    404: {"model": models.Problem, "description": "no such campaign"},
    **INVALID,
    **UNAVAILABLE,
}


async def _escrow_tx(
    chain: ChainDep, action: str, description: str, sender: str, data: str, value: int = 0
) -> models.TransactionAnswer:
    block = await simulate.head(chain)
    tx = await simulate.unsigned(chain, block, sender, chain.address, data, value)
    return models.TransactionAnswer(action=action, description=description, transaction=tx, block=block)


@router.post("/transactions/create", response_model=models.TransactionAnswer, responses=RESPONSES)
async def create(chain: ChainDep, body: models.CreateBody) -> models.TransactionAnswer:
    """Create a campaign; the sender becomes its creator."""
    data = calls.escrow_call(
        "createCampaign",
        body.token,
        int(body.goal),
        int(body.cap),
        body.starts_at,
        body.deadline,
        body.metadata_uri,
    )
    return await _escrow_tx(chain, "create", f"create a campaign with goal {body.goal}", body.sender, data)


@router.post(
    "/{campaign_id}/transactions/pledge", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def pledge(
    gateway: GatewayDep, chain: ChainDep, campaign_id: CampaignId, body: models.PledgeBody
) -> models.TransactionAnswer:
    """Pledge `amount`, credited to the sender or to `backer`. For a token campaign whose
    allowance falls short, the answer is the token's approve; ask again once it is mined."""
    block = await simulate.head(chain)
    try:
        campaign = await gateway.campaign(chain, campaign_id, block)
    except CampaignMissing as exc:
        raise Rejected("CampaignNotFound", str(exc), {"id": campaign_id}, 404) from None
    amount = int(body.amount)
    if body.backer is not None and body.backer != body.sender:
        data = calls.escrow_call("pledgeFor", campaign_id, body.backer, amount)
        whom = f" for {body.backer}"
    else:
        data = calls.escrow_call("pledge", campaign_id, amount)
        whom = ""
    token = await gateway.token(chain, campaign.token, block)
    description = f"pledge {amount} base units of {token.symbol} to campaign {campaign_id}{whom}"
    if campaign.token == ETH:
        tx = await simulate.unsigned(chain, block, body.sender, chain.address, data, amount)
        return models.TransactionAnswer(action="pledge", description=description, transaction=tx, block=block)
    allowance, balance = (
        calls.decode_uint(answer)
        for answer in await asyncio.gather(
            gateway.reader.call(
                chain, block, campaign.token, calls.erc20_call("allowance", body.sender, chain.address)
            ),
            gateway.reader.call(chain, block, campaign.token, calls.erc20_call("balanceOf", body.sender)),
        )
    )
    if balance < amount:
        raise Rejected(
            "InsufficientTokenBalance",
            f"{body.sender} holds {balance} base units of {token.symbol}, less than the {amount} pledged",
            {"token": campaign.token, "balance": balance, "needed": amount},
        )
    state = models.Allowance(
        token=campaign.token,
        spender=chain.address,
        allowance=str(allowance),
        needed=str(amount),
        sufficient=allowance >= amount,
    )
    if not state.sufficient:
        approve = calls.erc20_call("approve", chain.address, amount)
        tx = await simulate.unsigned(chain, block, body.sender, campaign.token, approve)
        return models.TransactionAnswer(
            action="approve",
            description=f"allow the escrow to take {amount} base units of {token.symbol} for the pledge",
            transaction=tx,
            allowance=state,
            then="pledge",
            block=block,
        )
    tx = await simulate.unsigned(chain, block, body.sender, chain.address, data)
    return models.TransactionAnswer(
        action="pledge", description=description, transaction=tx, allowance=state, block=block
    )


@router.post(
    "/{campaign_id}/transactions/unpledge", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def unpledge(
    chain: ChainDep, campaign_id: CampaignId, body: models.AmountBody
) -> models.TransactionAnswer:
    """Take `amount` of the sender's pledge back while the campaign is active."""
    data = calls.escrow_call("unpledge", campaign_id, int(body.amount))
    description = f"take {body.amount} base units back from campaign {campaign_id}"
    return await _escrow_tx(chain, "unpledge", description, body.sender, data)


@router.post(
    "/{campaign_id}/transactions/claim", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def claim(
    chain: ChainDep, campaign_id: CampaignId, body: models.SenderBody
) -> models.TransactionAnswer:
    """The creator takes the funds of a campaign that reached its goal."""
    data = calls.escrow_call("claim", campaign_id)
    return await _escrow_tx(chain, "claim", f"claim the funds of campaign {campaign_id}", body.sender, data)


@router.post(
    "/{campaign_id}/transactions/refund", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def refund(
    chain: ChainDep, campaign_id: CampaignId, body: models.SenderBody
) -> models.TransactionAnswer:
    """A backer takes their whole pledge back from a failed or cancelled campaign."""
    data = calls.escrow_call("refund", campaign_id)
    return await _escrow_tx(
        chain, "refund", f"refund the pledge in campaign {campaign_id}", body.sender, data
    )


@router.post(
    "/{campaign_id}/transactions/cancel", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def cancel(
    chain: ChainDep, campaign_id: CampaignId, body: models.SenderBody
) -> models.TransactionAnswer:
    """The creator cancels the campaign before its deadline; refunds open."""
    data = calls.escrow_call("cancel", campaign_id)
    return await _escrow_tx(chain, "cancel", f"cancel campaign {campaign_id}", body.sender, data)


@router.post(
    "/{campaign_id}/transactions/update", response_model=models.TransactionAnswer, responses=RESPONSES
)
async def update(
    chain: ChainDep, campaign_id: CampaignId, body: models.UpdateBody
) -> models.TransactionAnswer:
    """The creator anchors an update (published at `uri`) on chain."""
    data = calls.escrow_call("postUpdate", campaign_id, body.uri)
    return await _escrow_tx(chain, "update", f"post an update to campaign {campaign_id}", body.sender, data)
