"""A campaign's metadata document or an update document on disk, made ready to publish: its
image, when the document names a local file, is read and checked and its `ipfs://` link
put in its place; the document that results is checked against the schema; and both are
named by the CIDs they will have wherever they are published.

Nothing here sends anything: `crowdfund create --metadata FILE.json` and `crowdfund update
ID FILE.json` publish the parts to a gateway (crowdfund.cli.publish), `crowdfund demo`
writes them into a content folder. The CIDs are computed here, so a dry run can name them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from . import metadata
from .content import JSON_MAX, Content, ContentRefused, accepted, parse_document, uri_of

DocumentKind = Literal["campaign", "update"]

# A link starts with its scheme (ipfs:, https:, data:); a file path never does here.
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


class NotPublishable(ValueError):
    """A document that cannot be published as it is, in words that name the file and, for
    what it holds, the JSON path of the first problem (`campaign.json: $.tiers[0].title: ...`)."""


@dataclass(frozen=True)
class Part:
    """One file to publish: the file it came from and the content it is."""

    source: Path
    content: Content

    @property
    def uri(self) -> str:
        return uri_of(self.content.cid)


@dataclass(frozen=True)
class Publication:
    """A document ready to publish, and the local image it names (published first, so that
    the document never links to content that is nowhere yet)."""

    document: Part
    image: Part | None

    @property
    def uri(self) -> str:
        """The document's link, to put on chain."""
        return self.document.uri

    @property
    def parts(self) -> tuple[Part, ...]:
        """What to publish, in order: the image before the document that links to it."""
        return (self.document,) if self.image is None else (self.image, self.document)


def is_local_document(given: str) -> bool:
    """Whether a `--metadata` (or update) value names a local JSON document rather than a
    link: no scheme, and a `.json` name. Anything else is text for the chain as written, as
    it always was (the escrow takes any link)."""
    return _SCHEME.match(given) is None and given.lower().endswith(".json")


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotPublishable(f"{what}: no such file") from None
    except IsADirectoryError:
        raise NotPublishable(f"{what}: is a folder, not a file") from None
    except OSError as exc:
        raise NotPublishable(f"{what} cannot be read: {exc.strerror}") from None


def _local_image(document_path: Path, named: str) -> Part:
    """The image file a document's `image` names, relative to the document's folder."""
    path = document_path.parent / named
    where = f"{document_path}: $.image names {named!r}"
    data = _read(path, f"{where} ({path})")
    try:
        found = accepted(data)
    except ContentRefused as exc:
        raise NotPublishable(f"{where}, which is refused: {exc.reason}") from None
    if found.kind == "json":
        raise NotPublishable(f"{where}, which is a JSON document, not a PNG, JPEG or WebP image")
    return Part(path, found)


def prepare(path: Path, kind: DocumentKind) -> Publication:
    """The document at `path` (a campaign's metadata or an update), ready to publish; raises
    NotPublishable, saying why, for a missing file, a local image that is missing or not an
    image, or a document the schema refuses."""
    data = _read(path, str(path))
    image: Part | None = None
    try:
        # Past the cap or malformed, it is left to the schema check below to say so.
        document = parse_document(data) if len(data) <= JSON_MAX else None
    except ContentRefused:
        document = None
    named = None if document is None else document.get("image")
    if isinstance(named, str) and _SCHEME.match(named) is None:
        image = _local_image(path, named)
        # Only then is the document written anew; otherwise its bytes are published as they
        # are, so that its link is the one `crowdfund publish` gives the same file.
        assert document is not None
        document["image"] = image.uri
        data = (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    check = metadata.campaign_metadata if kind == "campaign" else metadata.update_document
    try:
        check(data)
        found = accepted(data)
    except (metadata.DocumentInvalid, ContentRefused) as exc:
        reason = str(exc) if isinstance(exc, metadata.DocumentInvalid) else exc.reason
        raise NotPublishable(f"{path}: {reason}") from None
    return Publication(Part(path, found), image)
