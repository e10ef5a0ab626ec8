"""What the index adds up from the escrow's events: totals, backers, goal, refunds."""

from __future__ import annotations

from typing import Any

from crowdfund_api.index.ledger import Ledger

ALICE, BOB = "0x" + "a1" * 20, "0x" + "b0" * 20
GOAL = 100


def event(kind: str, campaign_id: int = 1, **fields: Any) -> dict[str, Any]:
    """An `events` row as crowdfund_api.index.events.decode_log makes it."""
    row: dict[str, Any] = {
        "block_number": 10,
        "log_index": 0,
        "block_hash": "0x" + "01" * 32,
        "timestamp": 1_000,
        "transaction_hash": "0x" + "02" * 32,
        "campaign_id": campaign_id,
        "kind": kind,
        "backer": None,
        "payer": None,
        "amount": None,
        "new_total": None,
        "uri": None,
    }
    return row | {k: str(v) if k in ("amount", "new_total") else v for k, v in fields.items()}


def created(campaign_id: int = 1) -> dict[str, Any]:
    row = event("created", campaign_id, backer=ALICE, amount=GOAL)
    row["created"] = {
        "id": campaign_id,
        "creator": ALICE,
        "token": "0x" + "00" * 20,
        "goal": str(GOAL),
        "cap": "0",
        "starts_at": 900,
        "deadline": 2_000,
        "metadata_uri": "ipfs://x",
        "created_block": 10,
        "created_transaction": row["transaction_hash"],
    }
    return row


def pledged(backer: str, amount: int, new_total: int, block: int = 11) -> dict[str, Any]:
    return event(
        "pledged", backer=backer, payer=backer, amount=amount, new_total=new_total, block_number=block
    )


def unpledged(backer: str, amount: int, new_total: int) -> dict[str, Any]:
    return event("unpledged", backer=backer, amount=amount, new_total=new_total)


def ledger_after(*rows: dict[str, Any]) -> Ledger:
    ledger = Ledger()
    for row in (created(), *rows):
        ledger.apply(row)
    return ledger


def test_a_new_campaign_starts_empty() -> None:
    campaign = ledger_after().campaigns[1]
    assert (campaign["pledged"], campaign["backer_count"], campaign["goal_reached"]) == ("0", 0, False)
    assert campaign["goal"] == "100" and campaign["metadata_uri"] == "ipfs://x"


def test_pledges_add_up_per_backer_and_count_each_backer_once() -> None:
    ledger = ledger_after(pledged(ALICE, 10, 10, block=11), pledged(BOB, 5, 15), pledged(ALICE, 20, 35))
    assert ledger.campaigns[1]["pledged"] == "35"
    assert ledger.campaigns[1]["backer_count"] == 2
    assert ledger.positions[(1, ALICE)].amount == 30
    assert ledger.positions[(1, ALICE)].first_block == 11
    assert ledger.positions[(1, BOB)].amount == 5


def test_a_backer_who_unpledges_everything_stops_counting_until_pledging_again() -> None:
    ledger = ledger_after(pledged(ALICE, 10, 10), pledged(BOB, 5, 15), unpledged(ALICE, 4, 11))
    assert ledger.campaigns[1]["backer_count"] == 2
    ledger.apply(unpledged(ALICE, 6, 5))
    assert ledger.campaigns[1]["backer_count"] == 1
    assert ledger.campaigns[1]["pledged"] == "5"
    ledger.apply(pledged(ALICE, 1, 6))
    assert ledger.campaigns[1]["backer_count"] == 2


def test_the_goal_is_reached_exactly_at_the_goal_and_lost_again_below_it() -> None:
    ledger = ledger_after(pledged(ALICE, GOAL - 1, GOAL - 1))
    assert ledger.campaigns[1]["goal_reached"] is False
    ledger.apply(pledged(BOB, 1, GOAL))
    assert ledger.campaigns[1]["goal_reached"] is True
    ledger.apply(unpledged(BOB, 1, GOAL - 1))
    assert ledger.campaigns[1]["goal_reached"] is False


def test_a_refund_empties_the_position_into_refunded() -> None:
    ledger = ledger_after(pledged(ALICE, 30, 30), pledged(BOB, 20, 50), event("cancelled"))
    ledger.apply(event("refunded", backer=ALICE, amount=30))
    position = ledger.positions[(1, ALICE)]
    assert (position.amount, position.refunded) == (0, 30)
    campaign = ledger.campaigns[1]
    assert (campaign["pledged"], campaign["backer_count"], campaign["cancelled"]) == ("20", 1, True)


def test_claim_and_cancel_mark_the_campaign() -> None:
    claimed = ledger_after(pledged(ALICE, GOAL, GOAL), event("claimed", backer=ALICE, amount=GOAL))
    assert claimed.campaigns[1]["claimed"] is True
    assert claimed.campaigns[1]["cancelled"] is False
    assert claimed.campaigns[1]["pledged"] == str(GOAL)  # claiming does not erase what was pledged
    cancelled = ledger_after(event("cancelled"))
    assert (cancelled.campaigns[1]["cancelled"], cancelled.campaigns[1]["claimed"]) == (True, False)


def test_amounts_beyond_64_bits_add_up_exactly() -> None:
    big = 2**200 + 1
    ledger = ledger_after(pledged(ALICE, big, big), pledged(BOB, big, 2 * big))
    assert ledger.campaigns[1]["pledged"] == str(2 * big)


def test_events_of_a_campaign_created_before_the_first_indexed_block_are_ignored() -> None:
    ledger = ledger_after(
        event("pledged", 7, backer=ALICE, payer=ALICE, amount=5, new_total=5),
        event("refunded", 7, backer=ALICE, amount=5),
        event("claimed", 7, backer=ALICE, amount=5),
        event("cancelled", 7),
    )
    assert set(ledger.campaigns) == {1}
    assert ledger.positions == {}
