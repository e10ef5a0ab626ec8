"""The milestone vault's events in the index: decoded into event rows beside the escrow's,
added up into `vault_campaigns` and `vault_backers`, recounted after a reorg, and read back.

Kept apart from the escrow's write path (store.py): a chunk without vault events costs one
look at its rows. The vault's logs are decoded strictly, and one that does not decode, or
says what the vault cannot have said, is logged and left out: it never stops the escrow's
events from being indexed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from eth_abi.exceptions import DecodingError
from sqlalchemy import Connection, delete, select, update

from crowdfund.events import decode_vault_event, topics, vault_topics
from crowdfund.schedule import MAX_TRANCHES, Tranche

from . import schema as db
from .events import log_place
from .types import Tip, VaultBacker, VaultRecord

__all__ = ["KINDS", "backer", "decode_log", "log_filter", "logged_by", "records", "roll_back", "write"]

log = logging.getLogger("crowdfund.indexer")

# The event kinds in the index, by the vault's event names.
KINDS = {
    "VaultCampaignCreated": "scheduled",
    "Collected": "collected",
    "Released": "released",
    "Objected": "objected",
    "ObjectionWithdrawn": "unobjected",
    "Halted": "halted",
    "ReleaseLapsed": "lapsed",
    "RefundPaid": "vault_refunded",
}
VAULT_KINDS = frozenset(KINDS.values())

_BPS = 10_000


def log_filter(escrow: str, vault: str | None) -> dict[str, Any]:
    """What an eth_getLogs filter for the escrow's events needs besides to take in the
    vault's too, in the same request (nothing without a vault)."""
    if vault is None:
        return {}
    return {"address": [escrow, vault], "topics": [topics() + vault_topics()]}


def logged_by(entry: dict[str, Any], vault: str | None) -> bool:
    """Whether the vault logged `entry` (the node's filter let in the escrow's logs too)."""
    address = entry.get("address")
    return vault is not None and isinstance(address, str) and address.lower() == vault.lower()


def decode_log(entry: dict[str, Any], timestamp: int) -> dict[str, Any] | None:
    """An `events` row for one of the vault's raw logs; None for other logs and for a log
    that is malformed (said in the log, and skipped)."""
    try:
        decoded = decode_vault_event(entry)
        if decoded is None:
            return None
        name, args = decoded
        return _row(entry, timestamp, name, args)
    except (DecodingError, ValueError, TypeError, KeyError, OverflowError) as exc:
        log.warning(
            "a milestone vault log was left out of the index (block %s, log %s): %s: %s",
            entry.get("blockNumber"),
            entry.get("logIndex"),
            type(exc).__name__,
            str(exc)[:200],
        )
        return None


def _row(entry: dict[str, Any], timestamp: int, name: str, args: dict[str, Any]) -> dict[str, Any]:
    campaign_id = args["id"]
    if not 0 < campaign_id <= db.MAX_CAMPAIGN_ID:
        raise ValueError(f"campaign id {campaign_id} cannot be the escrow's")
    kind = KINDS[name]
    row: dict[str, Any] = {
        **log_place(entry, timestamp),
        "campaign_id": campaign_id,
        "kind": kind,
        "backer": args.get("backer") or args.get("creator"),
        "payer": None,
        "amount": None,
        "new_total": None,
        "uri": None,
    }
    if kind == "scheduled":
        release_at, shares = list(args["releaseAt"]), list(args["shareBps"])
        if not 1 <= len(release_at) == len(shares) <= MAX_TRANCHES or sum(shares) != _BPS:
            raise ValueError(f"a schedule of {len(release_at)} times and {len(shares)} shares")
        if release_at[0] == 0:
            release_at[0] = args["deadline"]  # the vault reads a first 0 as the deadline
        if any(later <= earlier for earlier, later in zip(release_at, release_at[1:], strict=False)):
            raise ValueError("tranche times that do not increase")
        row["scheduled"] = {
            "creator": args["creator"],
            "token": args["token"],
            "deadline": args["deadline"],
            "schedule": json.dumps([[at, share] for at, share in zip(release_at, shares, strict=True)]),
        }
    elif kind == "collected":
        row["amount"], row["new_total"] = str(args["received"]), str(args["pledged"])
    elif kind == "released":
        row["amount"] = str(args["amount"])  # new_total: the released total, set when applied
    elif kind in ("objected", "unobjected"):
        row["amount"], row["new_total"] = str(args["weight"]), str(args["objections"])
    elif kind == "halted":
        if args["haltedAt"] != timestamp:
            raise ValueError(f"a halt at {args['haltedAt']} logged in a block of {timestamp}")
        row["amount"], row["new_total"] = str(args["objections"]), str(args["pledged"])
    elif kind == "lapsed":
        # A lapse follows from the schedule, the releases and the time (crowdfund.milestones):
        # the event says when it was recorded and what it gave the backers.
        row["amount"] = str(args["amount"])
    else:  # vault_refunded; new_total: the refunded total, set when applied
        row["amount"] = str(args["amount"])
    return row


# ---------------------------------------------------------------- adding up


_FRESH = {
    "paid_tranches": 0,
    "collected": False,
    "pledged": "0",
    "received": "0",
    "released": "0",
    "objections": "0",
    "halted_at": 0,
    "refunded": "0",
}


def _apply(
    row: dict[str, Any], campaigns: dict[int, dict[str, Any]], backers: dict[tuple[int, str], dict[str, Any]]
) -> None:
    """One vault event's effect on its campaign's row and its backer's; sets the row's
    `new_total` where the event carries no total (released, vault_refunded)."""
    kind, campaign_id = row["kind"], row["campaign_id"]
    if kind == "scheduled":
        campaigns[campaign_id] = {
            "id": campaign_id,
            **row["scheduled"],
            **_FRESH,
            "created_block": row["block_number"],
        }
        return
    campaign = campaigns.get(campaign_id)
    if campaign is None:  # created before the index's first block
        return
    if kind == "collected":
        campaign.update(collected=True, received=row["amount"], pledged=row["new_total"])
    elif kind == "released":
        campaign["released"] = row["new_total"] = str(int(campaign["released"]) + int(row["amount"]))
        # A release pays every tranche due at its time (at the halt, once halted).
        until = campaign["halted_at"] or row["timestamp"]
        campaign["paid_tranches"] = sum(at <= until for at, _ in json.loads(campaign["schedule"]))
    elif kind in ("objected", "unobjected"):
        campaign["objections"] = row["new_total"]
        key = (campaign_id, row["backer"])
        held = backers.setdefault(key, {"objection": "0", "refunded": False, "refund": "0"})
        held["objection"] = row["amount"] if kind == "objected" else "0"
    elif kind == "halted":
        campaign.update(halted_at=row["timestamp"], objections=row["amount"], pledged=row["new_total"])
    elif kind == "vault_refunded":
        campaign["refunded"] = row["new_total"] = str(int(campaign["refunded"]) + int(row["amount"]))
        key = (campaign_id, row["backer"])
        held = backers.setdefault(key, {"objection": "0", "refunded": False, "refund": "0"})
        # A second refund pays a backer its part of tranches due at a halt that lapsed since.
        held.update(refunded=True, refund=str(int(held["refund"]) + int(row["amount"])))


def _upsert(
    conn: Connection,
    campaigns: Mapping[int, dict[str, Any]],
    backers: Mapping[tuple[int, str], dict[str, Any]],
) -> None:
    if campaigns:
        conn.execute(delete(db.vault_campaigns).where(db.vault_campaigns.c.id.in_(list(campaigns))))
        conn.execute(db.vault_campaigns.insert(), list(campaigns.values()))
    for (campaign_id, who), held in backers.items():
        key = (db.vault_backers.c.campaign_id == campaign_id, db.vault_backers.c.backer == who)
        conn.execute(delete(db.vault_backers).where(*key))
        conn.execute(db.vault_backers.insert(), [{"campaign_id": campaign_id, "backer": who, **held}])


def write(conn: Connection, rows: Iterable[dict[str, Any]]) -> None:
    """Add a chunk's vault events up into the vault's tables, in the chunk's transaction,
    before the rows are stored (it sets their totals)."""
    mine = [r for r in rows if r["kind"] in VAULT_KINDS]
    if not mine:
        return
    ids = {r["campaign_id"] for r in mine}
    campaigns = {
        r["id"]: dict(r)
        for r in conn.execute(select(db.vault_campaigns).where(db.vault_campaigns.c.id.in_(ids))).mappings()
    }
    keys = {(r["campaign_id"], r["backer"]) for r in mine if r["backer"] is not None}
    backers: dict[tuple[int, str], dict[str, Any]] = {}
    b = db.vault_backers.c
    for campaign_id, who in keys:
        found = (
            conn.execute(
                select(b.objection, b.refunded, b.refund).where(b.campaign_id == campaign_id, b.backer == who)
            )
            .mappings()
            .first()
        )
        if found is not None:
            backers[(campaign_id, who)] = dict(found)
    for row in mine:
        _apply(row, campaigns, backers)
    _upsert(conn, campaigns, backers)


def roll_back(conn: Connection, tip: Tip, touched: set[int]) -> None:
    """After the events past `tip` are gone: forget the vault campaigns created after it and
    add up the vault's events that remain for the campaigns the reorg touched."""
    v = db.vault_campaigns.c
    conn.execute(delete(db.vault_campaigns).where(v.created_block > tip.number))
    if not touched:
        return
    conn.execute(delete(db.vault_backers).where(db.vault_backers.c.campaign_id.in_(touched)))
    conn.execute(update(db.vault_campaigns).where(v.id.in_(touched)).values(**_FRESH))
    campaigns = {
        r["id"]: dict(r) for r in conn.execute(select(db.vault_campaigns).where(v.id.in_(touched))).mappings()
    }
    if not campaigns:
        return
    e = db.events.c
    backers: dict[tuple[int, str], dict[str, Any]] = {}
    history = conn.execute(
        select(db.events)
        .where(e.campaign_id.in_(list(campaigns)), e.kind.in_(VAULT_KINDS - {"scheduled"}))
        .order_by(e.block_number, e.log_index)
    ).mappings()
    for row in history:
        _apply(dict(row), campaigns, backers)
    _upsert(conn, campaigns, backers)


# ------------------------------------------------------------------- reading


def records(conn: Connection, campaign_ids: list[int]) -> dict[int, VaultRecord]:
    """The vault campaigns among `campaign_ids`, read in the caller's transaction."""
    campaign_ids = [i for i in campaign_ids if 0 <= i <= db.MAX_CAMPAIGN_ID]  # beyond BIGINT: none
    if not campaign_ids:
        return {}
    v, c = db.vault_campaigns.c, db.campaigns.c
    # Only a campaign whose creator in the escrow is the vault is one: whatever else a
    # contract at the vault's address logs about other campaigns is no schedule of theirs.
    vault = select(db.meta.c.value).where(db.meta.c.key == "vault").scalar_subquery()
    query = (
        select(db.vault_campaigns)
        .join(db.campaigns, c.id == v.id)
        .where(v.id.in_(campaign_ids), c.creator == vault)
    )
    return {row["id"]: _record(row) for row in conn.execute(query).mappings()}


def _record(row: Mapping[Any, Any]) -> VaultRecord:
    return VaultRecord(
        creator=row["creator"],
        tranches=tuple(Tranche(int(at), int(share)) for at, share in json.loads(row["schedule"])),
        paid_tranches=row["paid_tranches"],
        collected=row["collected"],
        pledged=int(row["pledged"]),
        received=int(row["received"]),
        released=int(row["released"]),
        objections=int(row["objections"]),
        halted_at=row["halted_at"],
        refunded=int(row["refunded"]),
    )


def backer(conn: Connection, campaign_id: int, who: str) -> VaultBacker:
    """`who`'s objection to the campaign and its refund from the vault (none of either
    when the index holds nothing of it)."""
    b = db.vault_backers.c
    if not 0 <= campaign_id <= db.MAX_CAMPAIGN_ID:
        return VaultBacker(objection=0, refunded=False, refund=0)
    found = (
        conn.execute(select(db.vault_backers).where(b.campaign_id == campaign_id, b.backer == who))
        .mappings()
        .first()
    )
    if found is None:
        return VaultBacker(objection=0, refunded=False, refund=0)
    return VaultBacker(
        objection=int(found["objection"]), refunded=found["refunded"], refund=int(found["refund"])
    )
