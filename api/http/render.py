"""What the services return, rendered as response schemas: amounts as decimal strings,
states as words, positions as opaque cursors."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import Response
from pydantic import BaseModel

from crowdfund.metadata import CampaignMetadata, Tier

from ..index.types import IndexedEvent
from ..node.types import Block, StorageProof, TokenInfo, UnsignedTx
from ..services import types as found
from . import schemas
from .cursors import encode_cursor

T = TypeVar("T")


def block(value: Block) -> schemas.BlockRef:
    return schemas.BlockRef(number=value.number, hash=value.hash)


def token(value: TokenInfo) -> schemas.Token:
    return schemas.Token(address=value.address, symbol=value.symbol, decimals=value.decimals)


def campaign(value: found.CampaignFigures) -> schemas.Campaign:
    return schemas.Campaign(
        **_campaign_fields(value),
        milestones=None if value.milestones is None else _milestone_summary(value.milestones),
    )


def _milestone_summary(milestones: found.Milestones) -> schemas.MilestonesSummary:
    value = milestones.figures
    return schemas.MilestonesSummary(
        creator=milestones.creator,
        tranche_count=len(value.tranches),
        paid_tranches=value.paid_tranches,
        next_release_at=value.next_release_at,
        collected=value.collected,
        received=str(value.received),
        released=str(value.released),
        unreleased=str(value.unreleased),
        objections=str(value.objections),
        objection_bps=value.objection_bps,
        halted_at=value.halted_at,
        release_closes_at=value.release_closes_at,
        lapsed=value.lapsed,
        refundable=str(value.refundable),
        refunded=str(value.refunded),
    )


def milestones(value: found.Milestones) -> schemas.Milestones:
    return schemas.Milestones(
        **_milestone_summary(value).model_dump(),
        tranches=[
            schemas.Tranche(
                release_at=t.release_at, share_bps=t.share_bps, amount=str(t.amount), status=t.status
            )
            for t in value.figures.tranches
        ],
    )


def _campaign_fields(value: found.CampaignFigures) -> dict[str, object]:
    document = value.metadata.document
    return {
        "id": value.id,
        "creator": value.creator,
        "token": token(value.token),
        "goal": str(value.goal),
        "cap": str(value.cap),
        "pledged": str(value.pledged),
        "raised": str(value.raised),
        "percent_funded": value.percent_funded,
        "backer_count": value.backer_count,
        "starts_at": value.starts_at,
        "deadline": value.deadline,
        "seconds_left": value.seconds_left,
        "state": value.state.word,
        "metadata_uri": value.metadata_uri,
        "metadata_uri_truncated": value.metadata_uri_truncated,
        "metadata_status": value.metadata.status,
        "title": None if document is None else document.title,
        "summary": None if document is None else document.summary,
        "image": None if document is None or document.image is None else f"/content/{document.image_cid}",
        "claimed": value.claimed,
        "cancelled": value.cancelled,
    }


def metadata(value: CampaignMetadata) -> schemas.Metadata:
    return schemas.Metadata(
        title=value.title,
        summary=value.summary,
        story=value.story,
        image=value.image,
        links=[schemas.Link(label=link.label, url=link.url) for link in value.links],
        tiers=[schemas.Tier(**_tier_fields(tier)) for tier in value.tiers],
    )


def _tier_fields(value: Tier) -> dict[str, object]:
    return {
        "id": value.id,
        "title": value.title,
        "description": value.description,
        "min_amount": str(value.min_amount),
        "limit": value.limit,
        "delivery": value.delivery,
    }


def tier_ref(value: Tier) -> schemas.TierRef:
    return schemas.TierRef(id=value.id, title=value.title)


def campaign_tiers(value: found.CampaignTiers) -> schemas.CampaignTiers:
    return schemas.CampaignTiers(
        campaign_id=value.campaign_id,
        metadata_status=value.metadata_status,
        tiers=[
            schemas.TierHolders(
                **_tier_fields(roll.tier),
                holder_count=roll.holders.count,
                places_left=roll.places_left,
                sold_out=roll.sold_out,
                in_line_count=roll.in_line.count,
                holders=roll.holders.first(schemas.HOLDERS_SHOWN),
            )
            for roll in value.tiers
        ],
        block=block(value.block),
    )


def campaign_detail(value: found.CampaignDetail) -> schemas.CampaignDetail:
    document = value.campaign.metadata.document
    return schemas.CampaignDetail(
        **_campaign_fields(value.campaign),
        metadata=None if document is None else metadata(document),
        milestones=None if value.campaign.milestones is None else milestones(value.campaign.milestones),
        updates=[update(u) for u in value.updates],
        update_count=value.update_count,
        block=block(value.block),
    )


def storage_proof(value: StorageProof) -> schemas.StorageProof:
    return schemas.StorageProof(
        block=block(value.block),
        address=value.address,
        balance=value.balance,
        nonce=value.nonce,
        code_hash=value.code_hash,
        storage_hash=value.storage_hash,
        account_proof=list(value.account_proof),
        storage=[schemas.SlotProof(key=s.key, value=s.value, proof=list(s.proof)) for s in value.storage],
    )


def proved_detail(value: found.Proved[found.CampaignDetail]) -> schemas.ProvedCampaignDetail:
    return schemas.ProvedCampaignDetail(
        **dict(campaign_detail(value.answer)), proof=storage_proof(value.proof)
    )


def update(value: found.PostedUpdate) -> schemas.Update:
    event, document = value.event, value.document.document
    return schemas.Update(
        uri=event.uri or "",
        uri_truncated=event.uri_truncated,
        content_status=value.document.status,
        title=None if document is None else document.title,
        block_number=event.block_number,
        timestamp=event.timestamp,
        transaction_hash=event.transaction_hash,
    )


def update_page(page: found.Page[found.PostedUpdate]) -> schemas.UpdatePage:
    return schemas.UpdatePage(
        items=[update(u) for u in page.items], next_cursor=encode_cursor(page.after), block=block(page.block)
    )


def campaign_page(page: found.Page[found.CampaignFigures]) -> schemas.CampaignPage:
    return schemas.CampaignPage(
        items=[campaign(c) for c in page.items],
        next_cursor=encode_cursor(page.after),
        block=block(page.block),
    )


def history_entry(event: IndexedEvent) -> schemas.HistoryEntry:
    # The query selects the events of a campaign's history only: each has an amount, and a
    # backer (the creator for a claim and a release) but for the vault's halted and lapsed.
    fields = escrow_event(event).model_dump(include=set(schemas.HistoryEntry.model_fields))
    return schemas.HistoryEntry(**fields)


def history_page(page: found.Page[IndexedEvent]) -> schemas.HistoryPage:
    return schemas.HistoryPage(
        items=[history_entry(e) for e in page.items],
        next_cursor=encode_cursor(page.after),
        block=block(page.block),
    )


def backer_page(backer: str, page: found.Page[found.BackerCampaign]) -> schemas.BackerPage:
    return schemas.BackerPage(
        backer=backer,
        items=[
            schemas.BackerCampaign(
                campaign=campaign(item.campaign), pledge=str(item.pledge), refunded=str(item.refunded)
            )
            for item in page.items
        ],
        next_cursor=encode_cursor(page.after),
        block=block(page.block),
    )


def permission(value: found.Permission) -> schemas.Permission:
    return schemas.Permission(allowed=value.allowed, amount=str(value.amount), reason=value.reason)


def standing(value: found.Standing) -> schemas.BackerStanding:
    return schemas.BackerStanding(
        campaign_id=value.campaign_id,
        backer=value.backer,
        pledge=str(value.pledge),
        state=value.state.word,
        unpledge=permission(value.unpledge),
        refund=permission(value.refund),
        tier=None if value.tier.holds is None else tier_ref(value.tier.holds),
        in_line=[
            schemas.TierPlace(**tier_ref(t).model_dump(), place=place) for t, place in value.tier.in_line
        ],
        milestones=None
        if value.milestones is None
        else schemas.BackerMilestones(
            objection=str(value.milestones.objection),
            refunded=value.milestones.refunded,
            refund=str(value.milestones.refund),
            object=permission(value.milestones.object),
            withdraw_objection=permission(value.milestones.withdraw_objection),
        ),
        block=block(value.block),
    )


def proved_standing(value: found.Proved[found.Standing]) -> schemas.ProvedBackerStanding:
    return schemas.ProvedBackerStanding(**dict(standing(value.answer)), proof=storage_proof(value.proof))


def escrow_event(event: IndexedEvent) -> schemas.EscrowEvent:
    return schemas.EscrowEvent(
        kind=event.kind,  # the index stores only these kinds
        campaign_id=event.campaign_id,
        backer=event.backer,
        payer=event.payer,
        amount=None if event.amount is None else str(event.amount),
        new_total=None if event.new_total is None else str(event.new_total),
        uri=event.uri,
        uri_truncated=event.uri_truncated,
        transaction_hash=event.transaction_hash,
        block_number=event.block_number,
        log_index=event.log_index,
        timestamp=event.timestamp,
    )


def unsigned(tx: UnsignedTx) -> schemas.UnsignedTransaction:
    return schemas.UnsignedTransaction(
        sender=tx.sender, to=tx.to, data=tx.data, value=str(tx.value), chain_id=tx.chain_id, gas=str(tx.gas)
    )


def transaction(plan: found.TransactionPlan) -> schemas.TransactionAnswer:
    check = plan.allowance
    return schemas.TransactionAnswer(
        action=plan.action,
        description=plan.description,
        transaction=unsigned(plan.transaction),
        allowance=None
        if check is None
        else schemas.Allowance(
            token=check.token,
            spender=check.spender,
            allowance=str(check.allowance),
            needed=str(check.needed),
            sufficient=check.sufficient,
        ),
        then=plan.then,
        block=block(plan.block),
    )


def once(
    compute: Callable[[], Awaitable[T | None]], render: Callable[[T], BaseModel]
) -> Callable[[], Awaitable[bytes | None]]:
    """`compute`, with its answer rendered to JSON once: cached answers are kept as bytes,
    so that a cache hit costs no serialisation (a page of 50 campaigns is most of the work)."""

    async def rendered() -> bytes | None:
        value = await compute()
        return None if value is None else render(value).model_dump_json().encode()

    return rendered


def json_bytes(body: bytes) -> Response:
    return Response(body, media_type="application/json")
