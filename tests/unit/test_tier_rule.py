"""The reward tier rule (crowdfund/tiers.py, docs/tiers.md) at its boundaries: exactly the
least amount and one unit below, limited places given in the order backers reached them,
the line moving up when a holder drops below, reaching again going to the back, equal
amounts, and a backer waiting for a tier while holding a lower one."""

from __future__ import annotations

import random
import time

import pytest

from crowdfund.metadata import Tier
from crowdfund.pledges import pledges_after
from crowdfund.tiers import TierPlaces, assign
from crowdfund_api.services.types import Backers


def tier(id_: str, min_amount: int, limit: int | None = None) -> Tier:
    return Tier(id=id_, title=id_.title(), description="", min_amount=min_amount, limit=limit, delivery=None)


def by_id(places: tuple[TierPlaces, ...]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return {p.tier.id: (p.holders, p.in_line) for p in places}


def held_by(places: tuple[TierPlaces, ...], backer: str) -> str | None:
    return next((p.tier.id for p in places if backer in p.holders), None)


SEED, BED = tier("seed", 100), tier("bed", 1000, limit=1)


def test_a_pledge_of_exactly_the_least_amount_holds_the_tier_and_one_unit_less_does_not() -> None:
    places = assign([SEED], [("alice", 100), ("bob", 99)])
    assert by_id(places) == {"seed": (("alice",), ())}
    assert places[0].places_left is None and not places[0].sold_out


def test_a_backer_holds_the_highest_tier_its_pledge_reaches() -> None:
    places = assign([SEED, tier("bed", 1000)], [("alice", 5000), ("bob", 999), ("carol", 1000)])
    assert by_id(places) == {"seed": (("bob",), ()), "bed": (("alice", "carol"), ())}


def test_a_limit_of_one_goes_to_the_first_to_reach_it_and_the_others_wait_in_that_order() -> None:
    # Carol reached the seed before Bob (with 600) and the bed after him (rising to 1,200).
    events = [("alice", 1000), ("carol", 600), ("bob", 1500), ("carol", 1200)]
    places = assign([SEED, BED], events)
    assert by_id(places) == {"bed": (("alice",), ("bob", "carol")), "seed": (("carol", "bob"), ())}
    bed = places[1]
    assert (bed.places_left, bed.sold_out) == (0, True)


def test_a_holder_that_drops_below_gives_its_place_to_the_next_in_line() -> None:
    events = [("alice", 1000), ("bob", 1000), ("carol", 1000), ("alice", 999)]
    places = assign([SEED, BED], events)
    assert by_id(places) == {"bed": (("bob",), ("carol",)), "seed": (("alice", "carol"), ())}


def test_reaching_a_tier_again_later_goes_to_the_back_of_its_line() -> None:
    events = [("alice", 1000), ("bob", 1000), ("alice", 500), ("carol", 1000), ("alice", 1000)]
    assert by_id(assign([BED], events))["bed"] == (("bob",), ("carol", "alice"))


def test_a_pledge_raised_further_above_a_tier_keeps_its_place() -> None:
    # Bob rose from 1,000 to 3,000 and fell back to 1,500: he never went below the bed's amount.
    events = [("bob", 1000), ("alice", 1000), ("bob", 3000), ("bob", 1500)]
    assert by_id(assign([BED], events))["bed"] == (("bob",), ("alice",))


def test_falling_below_a_higher_tier_keeps_the_moment_a_lower_one_was_reached() -> None:
    limited_seed = tier("seed", 100, limit=1)
    # Alice reached the seed first; her fall from the bed to 500 does not queue her anew for it.
    events = [("alice", 2000), ("bob", 100), ("alice", 500)]
    assert by_id(assign([limited_seed, BED], events)) == {
        "seed": (("alice",), ("bob",)),
        "bed": ((), ()),
    }


def test_a_refund_leaves_no_pledge() -> None:
    pledges = list(
        pledges_after(
            [
                ("pledged", "alice", 700),
                ("pledged", "alice", 300),
                ("unpledged", "alice", 200),
                ("refunded", "alice", 800),
            ]
        )
    )
    assert pledges == [("alice", 700), ("alice", 1000), ("alice", 800), ("alice", 0)]
    assert by_id(assign([SEED], pledges)) == {"seed": ((), ())}


def test_a_claim_moves_no_pledge() -> None:
    with pytest.raises(ValueError, match="'claimed' does not move a pledge"):
        list(pledges_after([("claimed", "creator", 1000)]))


def test_tiers_of_equal_amounts_are_given_out_in_the_documents_order() -> None:
    first, second = tier("early-bird", 500, limit=1), tier("regular", 500)
    places = assign([second, first], [("alice", 500), ("bob", 500)])
    # The regular tier comes first in this document, and has no limit: it takes both.
    assert by_id(places) == {"regular": (("alice", "bob"), ()), "early-bird": ((), ())}
    places = assign([first, second], [("alice", 500), ("bob", 500)])
    assert by_id(places) == {"early-bird": (("alice",), ("bob",)), "regular": (("bob",), ())}


def test_a_backer_in_line_for_a_higher_tier_holds_the_next_tier_with_a_place() -> None:
    gold, silver = tier("gold", 1000, limit=1), tier("silver", 500, limit=1)
    events = [("alice", 1000), ("bob", 600), ("carol", 1000)]
    places = assign([SEED, silver, gold], events)
    assert by_id(places) == {
        "gold": (("alice",), ("carol",)),
        # Bob reached the silver tier before Carol did (her one pledge reached every tier at once).
        "silver": (("bob",), ("carol",)),
        "seed": (("carol",), ()),
    }
    assert held_by(places, "carol") == "seed"
    # Document order, whatever order the tiers are given out in.
    assert [p.tier.id for p in places] == ["seed", "silver", "gold"]


def test_a_backer_below_every_tier_holds_none() -> None:
    places = assign([SEED, BED], [("alice", 99), ("bob", 1000), ("bob", 0)])
    assert held_by(places, "alice") is None and held_by(places, "bob") is None
    assert assign([], [("alice", 1000)]) == ()


def test_twenty_limited_tiers_and_a_hundred_thousand_backers_take_well_under_a_few_seconds() -> None:
    rng = random.Random(12)
    tiers = [tier(f"t{n}", (n + 1) * 10, limit=1000 * (n + 1)) for n in range(20)]
    backers = [f"0x{n:040x}" for n in range(100_000)]
    events = [(b, rng.randint(1, 250)) for b in backers]
    events += [(b, rng.randint(1, 250)) for b in rng.sample(backers, 30_000)]
    started = time.perf_counter()
    places = assign(tiers, events)
    assert time.perf_counter() - started < 3.0
    final = dict(events)
    holders = [b for p in places for b in p.holders]
    assert len(holders) == len(set(holders)), "a backer holds one tier at most"
    for p in places:
        assert all(final[b] >= p.tier.min_amount for b in (*p.holders, *p.in_line))
        assert p.places_left is not None and p.places_left >= 0
        # A line forms only when the tier is sold out.
        assert not p.in_line or p.sold_out


def test_the_example_in_the_docs_comes_out_as_the_docs_say() -> None:
    events = [("Alice", 1000), ("Carol", 600), ("Bob", 1500), ("Carol", 1200)]
    assert by_id(assign([SEED, BED], events)) == {
        "seed": (("Carol", "Bob"), ()),
        "bed": (("Alice",), ("Bob", "Carol")),
    }
    assert by_id(assign([SEED, BED], [*events, ("Alice", 999)])) == {
        "seed": (("Alice", "Carol"), ()),
        "bed": (("Bob",), ("Carol",)),
    }


def test_backers_kept_as_one_string_give_their_places_and_the_first_few() -> None:
    addresses = [f"0x{n:040X}" for n in range(1, 151)]
    kept = Backers.of(addresses)
    assert kept.count == 150
    assert kept.first(100) == addresses[:100] and kept.first(200) == addresses
    assert [kept.place(a) for a in (addresses[0], addresses[99], addresses[-1])] == [1, 100, 150]
    # A whole address only: not a prefix of one, nor one of another case.
    assert kept.place(addresses[0][:-1]) is None and kept.place(addresses[9].lower()) is None
    none = Backers.of([])
    assert (none.count, none.first(100), none.place(addresses[0])) == (0, [], None)
