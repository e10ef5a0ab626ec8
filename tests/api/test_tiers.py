"""Reward tiers over real HTTP and anvil: who holds each tier, the places left, a sold-out
tier's line and a backer's place in it moving up when a holder unpledges below the tier;
none for a campaign whose metadata is not verified, and the refusals of bad requests."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.gateway import Served, eventually, served, wait_indexed
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund.metadata import Tier as MetadataTier
from crowdfund.pledges import pledges_after
from crowdfund.tiers import assign
from crowdfund_api.index import queries, schema
from crowdfund_api.index.store import open_index, write_chunk
from crowdfund_api.index.types import Tip

BED = {
    "id": "bed",
    "title": "A bed of your own",
    "description": "Name a raised bed",
    "min_amount": str(ETHER),
    "limit": 1,
    "delivery": "2027-05",
}
SEED = {"id": "seed", "title": "Seed", "description": "A thank-you card", "min_amount": str(ETHER // 100)}
GARDEN = {"title": "A community garden", "tiers": [SEED, BED]}


@pytest.fixture(scope="module")
def site(w3: Web3, escrow: Escrow, registry: Path) -> Iterator[Served]:
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with served(url, registry) as running:
        yield running


def create(w3: Web3, escrow: Escrow, metadata_uri: str) -> int:
    deadline = w3.eth.get_block("latest")["timestamp"] + 10 * DAY
    return escrow.create_campaign(
        w3.eth.accounts[0], goal=5 * ETHER, deadline=deadline, metadata_uri=metadata_uri
    )


def published(api: httpx.Client, document: dict[str, Any]) -> str:
    stored = api.post(
        "/content", content=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
    )
    assert stored.status_code in (200, 201), stored.text
    uri: str = stored.json()["uri"]
    return uri


def tiers(api: httpx.Client, campaign_id: int) -> dict[str, Any]:
    """The campaign's tiers once its metadata is no longer on its way."""

    def settled() -> dict[str, Any] | None:
        answer = api.get(f"/campaigns/{campaign_id}/tiers")
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return None if body["metadata_status"] == "unavailable" else body

    return eventually(settled, timeout=30, what=f"campaign {campaign_id}'s metadata arriving")


def standing(api: httpx.Client, campaign_id: int, backer: str) -> tuple[Any, Any]:
    answer = api.get(f"/campaigns/{campaign_id}/backers/{backer}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["tier"], body["in_line"]


def by_id(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {tier["id"]: tier for tier in body["tiers"]}


def test_a_sold_out_tier_gives_its_place_to_the_next_in_line_when_its_holder_drops_below(
    site: Served, w3: Web3, escrow: Escrow
) -> None:
    api = site.client
    campaign_id = create(w3, escrow, published(api, GARDEN))
    alice, bob, carol, dave = w3.eth.accounts[1:5]
    for backer in (alice, bob, carol):
        escrow.pledge(backer, campaign_id, ETHER)
    wait_indexed(api, w3.eth.block_number)

    body = tiers(api, campaign_id)
    assert body["metadata_status"] == "verified" and body["campaign_id"] == campaign_id
    assert [t["id"] for t in body["tiers"]] == ["seed", "bed"], "in the document's order"
    seed, bed = by_id(body)["seed"], by_id(body)["bed"]
    assert (
        bed["holders"],
        bed["holder_count"],
        bed["places_left"],
        bed["sold_out"],
        bed["in_line_count"],
    ) == (
        [alice],
        1,
        0,
        True,
        2,
    )
    assert (bed["min_amount"], bed["limit"], bed["delivery"], bed["title"]) == (
        str(ETHER),
        1,
        "2027-05",
        "A bed of your own",
    )
    assert (seed["holders"], seed["holder_count"], seed["places_left"], seed["sold_out"]) == (
        [bob, carol],
        2,
        None,
        False,
    )
    assert standing(api, campaign_id, alice) == ({"id": "bed", "title": "A bed of your own"}, [])
    seed_ref = {"id": "seed", "title": "Seed"}
    assert standing(api, campaign_id, bob) == (
        seed_ref,
        [{"id": "bed", "title": "A bed of your own", "place": 1}],
    )
    assert standing(api, campaign_id, carol) == (
        seed_ref,
        [{"id": "bed", "title": "A bed of your own", "place": 2}],
    )
    assert standing(api, campaign_id, dave) == (None, [])

    # Another campaign's events move the chain on: these tiers are the same at the new block.
    other = create(w3, escrow, "https://garden.example/other.json")
    escrow.pledge(dave, other, ETHER)
    wait_indexed(api, w3.eth.block_number)
    later = tiers(api, campaign_id)
    assert later["block"]["number"] > body["block"]["number"] and later["tiers"] == body["tiers"]

    # One wei below the bed: Alice keeps the seed she reached first, Bob takes her place.
    escrow.unpledge(alice, campaign_id, 1)
    wait_indexed(api, w3.eth.block_number)
    after = by_id(tiers(api, campaign_id))
    assert (after["bed"]["holders"], after["bed"]["in_line_count"], after["bed"]["sold_out"]) == (
        [bob],
        1,
        True,
    )
    assert after["seed"]["holders"] == [alice, carol]
    assert standing(api, campaign_id, alice) == (seed_ref, [])
    assert standing(api, campaign_id, bob) == ({"id": "bed", "title": "A bed of your own"}, [])
    assert standing(api, campaign_id, carol) == (
        seed_ref,
        [{"id": "bed", "title": "A bed of your own", "place": 1}],
    )

    # Bob takes everything back: the bed is Carol's, and no longer anyone's to wait for.
    escrow.unpledge(bob, campaign_id, ETHER)
    wait_indexed(api, w3.eth.block_number)
    bed = by_id(tiers(api, campaign_id))["bed"]
    assert (bed["holders"], bed["in_line_count"]) == ([carol], 0)
    assert standing(api, campaign_id, bob) == (None, [])


def test_a_campaign_whose_metadata_is_not_verified_has_no_tiers_and_says_why(
    site: Served, w3: Web3, escrow: Escrow
) -> None:
    api = site.client
    campaign_id = create(w3, escrow, "https://garden.example/campaign.json")
    escrow.pledge(w3.eth.accounts[1], campaign_id, ETHER)
    wait_indexed(api, w3.eth.block_number)
    body = tiers(api, campaign_id)
    assert (body["metadata_status"], body["tiers"]) == ("unverified", [])
    assert standing(api, campaign_id, w3.eth.accounts[1]) == (None, [])

    # A document that is not one: invalid, and no tiers either.
    broken = create(w3, escrow, published(api, {"title": "Tiers without amounts", "tiers": [{"id": "x"}]}))
    wait_indexed(api, w3.eth.block_number)
    assert (tiers(api, broken)["metadata_status"], tiers(api, broken)["tiers"]) == ("invalid", [])


def test_a_campaign_without_tiers_answers_an_empty_list(site: Served, w3: Web3, escrow: Escrow) -> None:
    api = site.client
    campaign_id = create(w3, escrow, published(api, {"title": "Just a name"}))
    wait_indexed(api, w3.eth.block_number)
    assert (tiers(api, campaign_id)["metadata_status"], tiers(api, campaign_id)["tiers"]) == ("verified", [])


@pytest.mark.parametrize("campaign_id", ["999999", str(2**63), str(2**256 - 1)])
def test_the_tiers_of_a_campaign_that_does_not_exist_are_a_404(site: Served, campaign_id: str) -> None:
    answer = site.client.get(f"/campaigns/{campaign_id}/tiers")
    assert answer.status_code == 404, answer.text
    assert answer.json()["detail"] == f"campaign {campaign_id} does not exist"


@pytest.mark.parametrize(
    "path",
    [
        "/campaigns/abc/tiers",
        "/campaigns/0/tiers",
        "/campaigns/1/backers/0x1234",
        "/campaigns/1/backers/alice",
    ],
)
def test_a_malformed_campaign_id_or_address_is_a_422(site: Served, path: str) -> None:
    answer = site.client.get(path)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"]


def test_many_pledge_events_are_streamed_in_chain_order_from_sqlite_and_postgresql(database_url: str) -> None:
    # More events than one read holds (PLEDGES_AT_ONCE), many to a block: the rule sees them in
    # chain order (block, log index), as a replay from the chain would.
    engine = schema.connect(database_url)
    open_index(engine, chain_id=1, escrow="0x" + "ee" * 20, start_block=1)
    created = {
        "id": 1, "creator": "0x" + "aa" * 20, "token": "0x" + "00" * 20, "goal": "100", "cap": "0",
        "starts_at": 0, "deadline": 10**9, "metadata_uri": "ipfs://x", "created_block": 1,
        "created_transaction": "0x" + "11" * 32,
    }  # fmt: skip
    rng = random.Random(7)
    backers = [f"0x{n:040x}" for n in range(3_000)]
    moves: list[tuple[int, int, str, str, int]] = []  # block, log index, kind, backer, amount
    held = dict.fromkeys(backers, 0)
    for n in range(queries.PLEDGES_AT_ONCE * 2 + 500):
        backer = rng.choice(backers)
        if held[backer] and rng.random() < 0.3:
            kind, amount = "unpledged", rng.randint(1, held[backer])
            held[backer] -= amount
        else:
            kind, amount = "pledged", rng.randint(1, 300)
            held[backer] += amount
        moves.append((2 + n // 12, n % 12, kind, backer, amount))
    rows = [_row(1, 0, "created", created["creator"], "100") | {"created": created}]
    # Stored newest first: the order the rows were written in is not the one they are read in.
    rows += [_row(b, i, k, who, str(a)) for b, i, k, who, a in reversed(moves)]
    write_chunk(engine, rows, {}, Tip(moves[-1][0], "0x" + "55" * 32, 2_000))
    tiers = [
        MetadataTier(f"t{n}", "T", "", min_amount=(n + 1) * 50, limit=None if n == 0 else 40, delivery=None)
        for n in range(6)
    ]

    _, given = queries.pledge_events(engine, 1, lambda events: assign(tiers, pledges_after(events)))

    expected = assign(tiers, pledges_after((k, who, a) for _, _, k, who, a in moves))
    assert given == expected
    assert sum(len(p.holders) for p in given) == sum(1 for h in held.values() if h >= 50)
    assert any(p.in_line for p in given), "the limits are reached, so the order matters"
    engine.dispose()


def _row(block: int, log_index: int, kind: str, backer: str, amount: str) -> dict[str, Any]:
    return {
        "block_number": block, "log_index": log_index, "block_hash": f"0x{block:064x}", "timestamp": block,
        "transaction_hash": f"0x{block:032x}{log_index:032x}", "campaign_id": 1, "kind": kind,
        "backer": backer, "payer": backer, "amount": amount, "new_total": "0", "uri": None,
    }  # fmt: skip
