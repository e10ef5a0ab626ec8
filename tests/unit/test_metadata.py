"""The metadata and update documents: the JSON Schema's caps at their boundaries, the tier
rules, and the reason (with where in the document) for every document refused."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crowdfund.content import JSON_MAX, cid_of, parse_cid
from crowdfund.metadata import (
    SCHEMA_PATH,
    DocumentInvalid,
    Link,
    Tier,
    campaign_metadata,
    schema,
    update_document,
)

REPO = Path(__file__).resolve().parents[2]
IMAGE = f"ipfs://{cid_of(b'a picture')}"


def tier(n: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"tier-{n}",
        "title": f"Tier {n}",
        "description": "a thank-you",
        "min_amount": "1000",
    } | fields


def document(**fields: Any) -> bytes:
    return json.dumps({"title": "A community garden"} | fields, ensure_ascii=False).encode()


def refusal(data: bytes) -> DocumentInvalid:
    with pytest.raises(DocumentInvalid) as refused:
        campaign_metadata(data)
    return refused.value


def test_a_full_document_is_read_into_typed_values() -> None:
    found = campaign_metadata(
        document(
            summary="Raised beds for the whole street",
            story="# Why\n\nBecause *tomatoes*.",
            image=IMAGE,
            links=[{"label": "Our site", "url": "https://garden.example/plan?x=1#top"}],
            tiers=[tier(0, limit=25, delivery="2027-05"), tier(1, min_amount="5" + "0" * 18)],
        )
    )
    assert found.title == "A community garden" and found.summary == "Raised beds for the whole street"
    assert found.story == "# Why\n\nBecause *tomatoes*."
    assert found.image == IMAGE and found.image_cid == cid_of(b"a picture")
    assert found.links == (Link("Our site", "https://garden.example/plan?x=1#top"),)
    assert found.tiers == (
        Tier("tier-0", "Tier 0", "a thank-you", 1000, 25, "2027-05"),
        Tier("tier-1", "Tier 1", "a thank-you", 5 * 10**18, None, None),
    )


def test_only_the_title_is_required() -> None:
    found = campaign_metadata(b'{"title": "Just a name"}')
    assert (found.summary, found.story, found.image, found.links, found.tiers) == (None, None, None, (), ())
    assert refusal(b'{"summary": "no title"}').reason == "lacks 'title', which is required"


@pytest.mark.parametrize(
    ("field", "cap"), [("title", 120), ("summary", 280), ("story", 50_000)], ids=["title", "summary", "story"]
)
def test_text_caps_hold_to_the_character(field: str, cap: int) -> None:
    # Characters, as JSON Schema counts them: a title of 120 letters from any script is fine.
    assert getattr(campaign_metadata(document(**{field: "é" * cap})), field) == "é" * cap
    over = refusal(document(**{field: "x" * (cap + 1)}))
    assert over.problem == "schema" and over.path == f"$.{field}"
    assert over.reason == f"is {cap + 1:,} characters long; at most {cap:,} are allowed"


def test_a_story_of_50_kb_is_read_and_one_byte_more_is_refused() -> None:
    assert len(campaign_metadata(document(story="s" * 50_000)).story or "") == 50_000
    assert refusal(document(story="s" * 50_001)).path == "$.story"


def test_twenty_tiers_are_read_and_twenty_one_refused() -> None:
    assert len(campaign_metadata(document(tiers=[tier(n) for n in range(20)])).tiers) == 20
    refused = refusal(document(tiers=[tier(n) for n in range(21)]))
    assert (refused.path, refused.reason) == ("$.tiers", "has 21 items; at most 20 are allowed")


def test_ten_thousand_tiers_are_refused_at_the_cap_without_reading_each() -> None:
    # Small tiers, so that 10,000 fit the document cap; none of them is a valid tier.
    refused = refusal(document(tiers=[{"id": n} for n in range(10_000)]))
    assert (refused.path, refused.reason) == ("$.tiers", "has 10,000 items; at most 20 are allowed")


def test_tier_ids_are_unique() -> None:
    refused = refusal(document(tiers=[tier(0), tier(1), tier(0, title="again")]))
    assert (refused.path, refused.reason) == (
        "$.tiers[2].id",
        "repeats the tier id 'tier-0'; each tier needs its own",
    )


@pytest.mark.parametrize(
    "amount",
    [
        1000,  # a JSON number: amounts past 2^53 lose precision in JSON readers
        "1e18",
        "1.5",
        "-1",
        "0",
        "01",
        " 1",
        "1\n",
        "",
        "１",  # a full-width digit, which Python's int() would read
        "9" * 78,  # past 77 digits: 2^256 has 78
        str(2**256),
    ],
)
def test_min_amount_is_a_positive_decimal_string_that_fits_uint256(amount: object) -> None:
    refused = refusal(document(tiers=[tier(min_amount=amount)]))
    assert refused.path == "$.tiers[0].min_amount", refused


def test_the_largest_min_amount_fits_uint256() -> None:
    largest = "9" * 77
    assert campaign_metadata(document(tiers=[tier(min_amount=largest)])).tiers[0].min_amount == int(largest)
    assert int(largest) < 2**256 - 1


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"limit": 0}, "$.tiers[0].limit"),
        ({"limit": -3}, "$.tiers[0].limit"),
        ({"limit": 2.5}, "$.tiers[0].limit"),
        ({"limit": "10"}, "$.tiers[0].limit"),
        ({"limit": 1_000_001}, "$.tiers[0].limit"),
        ({"delivery": "2027-13"}, "$.tiers[0].delivery"),
        ({"delivery": "2027-5"}, "$.tiers[0].delivery"),
        ({"delivery": "May 2027"}, "$.tiers[0].delivery"),
        ({"id": "Has Spaces"}, "$.tiers[0].id"),
        ({"id": "x" * 33}, "$.tiers[0].id"),
        ({"perks": "unknown"}, "$.tiers[0]"),
    ],
)
def test_tier_fields_are_checked(fields: dict[str, Any], path: str) -> None:
    assert refusal(document(tiers=[tier(**fields)])).path == path


def test_a_tier_limit_written_as_a_whole_float_means_that_integer() -> None:
    assert campaign_metadata(document(tiers=[tier(limit=3.0)])).tiers[0].limit == 3


@pytest.mark.parametrize(
    "title",
    [
        "",
        "two\nlines",
        "trailing newline\n",
        "bell\a",
        "delete\x7f",
        "c1\x85",
        "evil\u202eexe.txt",  # a right-to-left override: shows as "evil" + "txt.exe"
        "isolate\u2066",
    ],
)
def test_titles_with_control_characters_or_bidirectional_overrides_are_refused(title: str) -> None:
    assert refusal(document(title=title)).path == "$.title"


def test_markdown_may_have_tabs_and_line_breaks_but_no_other_controls() -> None:
    assert campaign_metadata(document(story="a\tb\r\nc\n")).story == "a\tb\r\nc\n"
    for story in ("nul\x00", "escape\x1b[31m", "override\u202e"):
        assert refusal(document(story=story)).path == "$.story"


@pytest.mark.parametrize(
    "image",
    [
        "https://cdn.example/a.png",
        "ipfs://QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG",
        f"{IMAGE}/a.png",
        f"{IMAGE}\n",
        IMAGE.upper(),
        "data:image/png;base64,iVBORw0KGgo=",
    ],
)
def test_the_image_is_an_ipfs_cid_link_and_nothing_else(image: str) -> None:
    assert refusal(document(image=image)).path == "$.image"


@pytest.mark.parametrize(
    "link",
    [
        {"label": "plain", "url": "http://garden.example"},
        {"label": "script", "url": "javascript:alert(1)"},
        {"label": "space", "url": "https://garden.example/a b"},
        {"label": "unicode", "url": "https://gärden.example"},
        {"label": "", "url": "https://garden.example"},
        {"url": "https://garden.example"},
        {"label": "long", "url": "https://garden.example/" + "a" * 2048},
    ],
)
def test_links_are_labelled_https_addresses(link: dict[str, str]) -> None:
    assert refusal(document(links=[link])).path.startswith("$.links[0]")  # type: ignore[union-attr]


def test_at_most_ten_links() -> None:
    links = [{"label": f"{n}", "url": f"https://garden.example/{n}"} for n in range(11)]
    assert len(campaign_metadata(document(links=links[:10])).links) == 10
    assert refusal(document(links=links)).path == "$.links"


def test_unknown_fields_are_refused_by_name() -> None:
    refused = refusal(document(goal="5 ETH"))
    assert refused.path == "$" and 'unknown field "goal"' in refused.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"title": "unfinished"', "not valid JSON"),
        (b'{"title": NaN}', "not valid JSON"),
        (b'["a list"]', "not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # nested past any parser's depth
    ],
)
def test_bytes_that_are_not_a_json_object_are_malformed(data: bytes, reason: str) -> None:
    refused = refusal(data)
    assert refused.problem == "malformed" and reason in refused.reason and refused.path is None


def test_deep_nesting_within_a_field_is_a_schema_failure_not_a_crash() -> None:
    nested = b'{"title": "deep", "story": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert refusal(nested).path == "$.story"


def test_a_document_past_the_cap_is_refused_before_it_is_parsed() -> None:
    padding = JSON_MAX - len(document(story=""))
    assert len(document(story=" " * padding)) == JSON_MAX
    refused = refusal(document(story=" " * (padding + 1)))
    assert refused.problem == "too_large" and f"{JSON_MAX + 1:,} bytes" in refused.reason


def test_a_reason_quotes_a_long_value_briefly() -> None:
    refused = refusal(document(summary="\x07" + "x" * 279))
    assert len(str(refused)) < 300


def test_an_update_document_has_a_title_and_a_body() -> None:
    found = update_document(
        json.dumps({"title": "Seeds are in", "body": "We *planted*.", "image": IMAGE}).encode()
    )
    assert (found.title, found.body, found.image_cid) == (
        "Seeds are in",
        "We *planted*.",
        cid_of(b"a picture"),
    )
    assert update_document(b'{"title": "t", "body": ""}').image is None
    for data, path in [
        (b'{"title": "no body"}', "$"),
        (b'{"title": "t", "body": "b", "tiers": []}', "$"),
        (json.dumps({"title": "t", "body": "b" * 50_001}).encode(), "$.body"),
        (b'{"title": "t", "body": "b", "image": "https://x.example/a.png"}', "$.image"),
    ]:
        with pytest.raises(DocumentInvalid) as refused:
            update_document(data)
        assert refused.value.path == path


def test_a_campaign_document_is_not_an_update_and_the_other_way_round() -> None:
    with pytest.raises(DocumentInvalid):
        update_document(document())
    assert refusal(b'{"title": "t", "body": "b"}').path == "$"


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(schema())


def test_docs_show_the_schema_the_package_ships() -> None:
    assert (REPO / "docs" / "metadata.schema.json").read_bytes() == SCHEMA_PATH.read_bytes()


def test_the_image_pattern_accepts_exactly_the_cids_the_content_rules_accept() -> None:
    """The schema states the CID form as a regular expression (for any reader of the schema);
    crowdfund/content.py parses it. Both must agree on every spelling."""
    rng = random.Random(12)
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    for _ in range(500):
        cid = cid_of(rng.randbytes(16))
        assert campaign_metadata(document(image=f"ipfs://{cid}")).image_cid == cid
        # Each single-character change: accepted by the schema exactly when it parses.
        at = rng.randrange(len(cid))
        spelling = cid[:at] + rng.choice(alphabet) + cid[at + 1 :]
        try:
            parse_cid(spelling)
            parses = True
        except ValueError:
            parses = False
        try:
            campaign_metadata(document(image=f"ipfs://{spelling}"))
            valid = True
        except DocumentInvalid:
            valid = False
        assert valid == parses, spelling
