"""A campaign's metadata document and its update documents: bytes checked against the JSON
Schema the package ships (metadata.schema.json, also at docs/metadata.schema.json), read
into typed values, or refused with the reason and where in the document it lies.

The schema is the one statement of the rules: caps, which fields a document may have, what
each may hold. The only rule it cannot state, that tier ids are unique, is checked here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from .content import JSON_MAX, ContentRefused, cid_from_uri, parse_document

SCHEMA_PATH = Path(__file__).with_name("metadata.schema.json")
# Past this many characters, a value quoted in a reason is cut: a reason names the value, it
# does not repeat a 50,000-character story.
QUOTED = 60

Problem = Literal["too_large", "malformed", "schema"]


class DocumentInvalid(ValueError):
    """Bytes that are not a valid document: `problem` says which rule failed (too_large,
    malformed: not UTF-8, not JSON or not an object, schema), `path` where (a JSON path such
    as `$.tiers[3].min_amount`, for a schema failure), `reason` in words."""

    def __init__(self, problem: Problem, reason: str, path: str | None = None) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.problem = problem
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class Link:
    label: str
    url: str  # https://


@dataclass(frozen=True)
class Tier:
    id: str
    title: str
    description: str  # Markdown
    min_amount: int  # base units
    limit: int | None  # backers who may hold it; None: unlimited
    delivery: str | None  # YYYY-MM


@dataclass(frozen=True)
class CampaignMetadata:
    title: str
    summary: str | None
    story: str | None  # Markdown
    image: str | None  # ipfs://CID
    links: tuple[Link, ...]
    tiers: tuple[Tier, ...]

    @property
    def image_cid(self) -> str | None:
        return None if self.image is None else cid_from_uri(self.image)


@dataclass(frozen=True)
class UpdateDocument:
    title: str
    body: str  # Markdown
    image: str | None  # ipfs://CID

    @property
    def image_cid(self) -> str | None:
        return None if self.image is None else cid_from_uri(self.image)


def schema() -> dict[str, Any]:
    """The metadata schema as the package ships it."""
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@cache
def _validators() -> tuple[Draft202012Validator, Draft202012Validator]:
    """The metadata document's validator and the update document's ($defs/update of the same
    schema, so that both share its definitions of a line, Markdown and an image link)."""
    root = schema()
    registry: Registry[Any] = Registry().with_resource(root["$id"], Resource.from_contents(root))
    update = {"$ref": f"{root['$id']}#/$defs/update"}
    return Draft202012Validator(root, registry=registry), Draft202012Validator(update, registry=registry)


def _quoted(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


_TYPE_WORDS = {
    "object": "an object",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
}


def _words(error: ValidationError) -> str:
    """What a schema failure means, in words that name the value briefly (jsonschema's own
    messages repeat the whole value, which may be a 50,000-character story)."""
    keyword, limit, value = error.validator, error.validator_value, error.instance
    if keyword == "maxLength":
        return f"is {len(value):,} characters long; at most {limit:,} are allowed"
    if keyword == "minLength":
        return f"is {len(value):,} characters long; at least {limit:,} are needed"
    if keyword == "maxItems":
        return f"has {len(value):,} items; at most {limit:,} are allowed"
    if keyword == "type":
        return f"is {_quoted(value)}, not {_TYPE_WORDS.get(str(limit), str(limit))}"
    if keyword == "pattern":
        described = error.schema.get("description") if isinstance(error.schema, dict) else None
        return f"is {_quoted(value)}, not {described or 'of the form ' + _quoted(limit)}"
    if keyword == "required":
        missing = next((name for name in limit if name not in value), "?")
        return f"lacks {missing!r}, which is required"
    if keyword == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        unknown = sorted(name for name in value if name not in allowed)
        return f"has the unknown field {_quoted(unknown[0])}; only {', '.join(sorted(allowed))} are read"
    if keyword in ("minimum", "maximum"):
        bound = "at least" if keyword == "minimum" else "at most"
        return f"is {_quoted(value)}, not {bound} {limit:,}"
    return str(error.message)[:200]


def _validated(data: bytes, validator: Draft202012Validator) -> dict[str, Any]:
    if len(data) > JSON_MAX:
        raise DocumentInvalid(
            "too_large", f"the document is {len(data):,} bytes; documents may have {JSON_MAX:,}"
        )
    try:
        document = parse_document(data)
    except ContentRefused as exc:
        raise DocumentInvalid("malformed", exc.reason) from None
    # The first failure only, found lazily: a document with 10,000 tiers fails at maxItems
    # without each tier being checked.
    error = next(iter(validator.iter_errors(document)), None)
    if error is not None:
        raise DocumentInvalid("schema", _words(error), error.json_path)
    return document


def campaign_metadata(data: bytes) -> CampaignMetadata:
    """The campaign metadata document in `data`; DocumentInvalid saying why it is not one."""
    document = _validated(data, _validators()[0])
    tiers = tuple(
        Tier(
            id=tier["id"],
            title=tier["title"],
            description=tier["description"],
            min_amount=int(tier["min_amount"]),
            # JSON Schema counts 3.0 as an integer; the document means 3.
            limit=None if tier.get("limit") is None else int(tier["limit"]),
            delivery=tier.get("delivery"),
        )
        for tier in document.get("tiers", [])
    )
    seen: set[str] = set()
    for index, tier in enumerate(tiers):
        if tier.id in seen:
            raise DocumentInvalid(
                "schema", f"repeats the tier id {tier.id!r}; each tier needs its own", f"$.tiers[{index}].id"
            )
        seen.add(tier.id)
    return CampaignMetadata(
        title=document["title"],
        summary=document.get("summary"),
        story=document.get("story"),
        image=document.get("image"),
        links=tuple(Link(label=link["label"], url=link["url"]) for link in document.get("links", [])),
        tiers=tiers,
    )


def update_document(data: bytes) -> UpdateDocument:
    """The update document in `data`; DocumentInvalid saying why it is not one."""
    document = _validated(data, _validators()[1])
    return UpdateDocument(title=document["title"], body=document["body"], image=document.get("image"))
