"""Campaign content by its CID: the `ipfs://` links of metadata documents, images and
updates, the check that bytes are the ones a link names, and what content is accepted.

A link is `ipfs://` and a CIDv1 with the raw codec and a sha2-256 multihash, written in
lower-case base32 (`bafkrei…`): IPFS's form for content of one block, whose CID is the
hash of the bytes themselves. Whoever serves the bytes, a reader can check them against
the link with one hash and trust nothing else. A CID of another form (CIDv0, dag-pb,
another hash) names a DAG of blocks whose bytes cannot be checked this simply, so it is
refused with a reason rather than half-trusted.

What is accepted: a JSON document (an object, at most JSON_MAX bytes), or an image in
PNG, JPEG or WebP (at most IMAGE_MAX bytes), told apart by the bytes themselves, never by
what a sender says they are. SVG and HTML are refused: both can carry scripts.

A folder of content by CID (FolderStore) is the gateway's default content store; it lives
here because `crowdfund demo` fills it too, before any gateway runs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

# The CID's parts, each a one-byte varint: CIDv1, the raw codec, a sha2-256 multihash of
# 32 bytes. https://github.com/multiformats/multicodec/blob/master/table.csv
CID_VERSION = 0x01
RAW_CODEC = 0x55
SHA2_256 = 0x12
DIGEST_SIZE = 32
_PREFIX = bytes((CID_VERSION, RAW_CODEC, SHA2_256, DIGEST_SIZE))
# Multibase's prefix for lower-case base32 without padding.
BASE32 = "b"
# The CID's text length: "b" and 36 bytes in base32 (ceil(36 * 8 / 5) characters).
CID_LENGTH = 1 + (len(_PREFIX) + DIGEST_SIZE) * 8 // 5 + 1
SCHEME = "ipfs://"

# The largest content accepted, fetched or served. One rule for every gateway, so that a
# link that one gateway accepted is readable through any other.
JSON_MAX = 256 * 2**10
IMAGE_MAX = 2 * 2**20
CONTENT_MAX = max(JSON_MAX, IMAGE_MAX)

Kind = Literal["json", "png", "jpeg", "webp"]
MEDIA_TYPES: dict[Kind, str] = {
    "json": "application/json",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
}
KIND_OF_MEDIA_TYPE: dict[str, Kind] = {
    "application/json": "json",
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/webp": "webp",
}

Problem = Literal["unsupported", "malformed", "too_large"]


class ContentRefused(ValueError):
    """Content that is not accepted, with the reason and which rule it broke:
    `unsupported` (not a kind accepted), `malformed` (a JSON document that does not parse
    or is not an object), `too_large` (past its kind's cap)."""

    def __init__(self, problem: Problem, reason: str) -> None:
        super().__init__(reason)
        self.problem = problem
        self.reason = reason


# --- CIDs --------------------------------------------------------------------------


def _base32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").lower().rstrip("=")


def cid_of(data: bytes) -> str:
    """The CIDv1 (raw, sha2-256, base32) of `data`: `bafkrei…`."""
    return BASE32 + _base32(_PREFIX + hashlib.sha256(data).digest())


def parse_cid(text: str) -> bytes:
    """The sha2-256 digest `text` names. Raises ValueError, saying why, for anything but a
    CIDv1 raw sha2-256 in lower-case base32."""
    if text.startswith("Qm") and len(text) == 46:
        raise ValueError(
            f"{text!r} is a CIDv0 (a dag-pb file); links name single blocks as CIDv1 raw "
            "(`ipfs add --cid-version 1 --raw-leaves`, bafkrei…)"
        )
    if not text.startswith(BASE32):
        raise ValueError(f"{text!r} is not a CIDv1 in lower-case base32 (bafkrei…)")
    body = text[1:]
    if not body or not set(body) <= set("abcdefghijklmnopqrstuvwxyz234567"):
        raise ValueError(f"{text!r} is not a CIDv1 in lower-case base32 (bafkrei…)")
    if len(text) != CID_LENGTH:
        raise ValueError(f"{text!r} has {len(text)} characters; a CIDv1 raw sha2-256 has {CID_LENGTH}")
    raw = base64.b32decode(body.upper() + "=" * (-len(body) % 8))
    version, codec, hash_function, size = (raw + bytes(4))[:4]
    if version != CID_VERSION:
        raise ValueError(f"{text!r} is not a CIDv1 (version byte {version:#x})")
    if codec != RAW_CODEC:
        raise ValueError(
            f"{text!r} has codec {codec:#x}, not raw (0x55): it names a DAG (a chunked file or "
            "a directory) rather than the bytes themselves; publish the content as one raw block"
        )
    if hash_function != SHA2_256:
        raise ValueError(f"{text!r} is hashed with multihash {hash_function:#x}, not sha2-256 (0x12)")
    if size != DIGEST_SIZE:
        raise ValueError(f"{text!r} holds a {size}-byte digest; sha2-256 has 32")
    if BASE32 + _base32(raw) != text:
        # Base32 has spare bits at the end: only the one canonical spelling is a name.
        raise ValueError(f"{text!r} is not the canonical spelling of its CID")
    return raw[len(_PREFIX) :]


def verify(cid: str, data: bytes) -> bool:
    """Whether `data` are the bytes `cid` names (a malformed CID names none)."""
    try:
        digest = parse_cid(cid)
    except ValueError:
        return False
    return hashlib.sha256(data).digest() == digest


def uri_of(cid: str) -> str:
    parse_cid(cid)
    return SCHEME + cid


def cid_from_uri(uri: str) -> str:
    """The CID of an `ipfs://CID` link; ValueError for another kind of link, a path after
    the CID (a directory's file cannot be checked on its own), or a CID of another form."""
    if not uri.startswith(SCHEME):
        raise ValueError(f"{uri!r} is not an ipfs:// link")
    cid = uri[len(SCHEME) :]
    if "/" in cid or "?" in cid or "#" in cid:
        raise ValueError(f"{uri!r} names a path or query after its CID; a link is ipfs://CID alone")
    parse_cid(cid)
    return cid


# --- What content is accepted ------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """Bytes that passed every check, with the CID they hash to and their kind."""

    cid: str
    data: bytes
    kind: Kind

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.kind]


_WHITESPACE = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def _image_kind(data: bytes) -> Kind | None:
    # Each format's signature and the first thing every valid file has after it.
    if data.startswith(b"\x89PNG\r\n\x1a\n") and data[12:16] == b"IHDR":
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] in (b"VP8 ", b"VP8L", b"VP8X"):
        return "webp"
    return None


def _markup(data: bytes) -> str | None:
    """Why `data` is refused as markup (SVG, HTML, XML), or None when it is not markup."""
    head = data.removeprefix(_BOM).lstrip(_WHITESPACE)[:4096].lower()
    if not head.startswith(b"<"):
        return None
    if b"<svg" in head:
        return "SVG is refused: it can carry scripts; publish the image as PNG, JPEG or WebP"
    return "HTML and XML are refused: markup can carry scripts; documents are JSON"


def kind_of(data: bytes) -> Kind:
    """What `data` is, by its bytes alone, within its kind's cap. Raises ContentRefused."""
    image = _image_kind(data)
    if image is not None:
        if len(data) > IMAGE_MAX:
            raise ContentRefused(
                "too_large", f"the image is {len(data):,} bytes; images may have {IMAGE_MAX:,}"
            )
        return image
    markup = _markup(data)
    if markup is not None:
        raise ContentRefused("unsupported", markup)
    if data.startswith(_BOM):
        # RFC 8259 forbids it, and readers differ on it: one document, one reading.
        raise ContentRefused("malformed", "the document starts with a byte order mark, which JSON may not")
    if not data.lstrip(_WHITESPACE).startswith((b"{", b"[")):
        raise ContentRefused(
            "unsupported", "the content is neither a JSON document nor a PNG, JPEG or WebP image"
        )
    if len(data) > JSON_MAX:
        raise ContentRefused(
            "too_large", f"the document is {len(data):,} bytes; documents may have {JSON_MAX:,}"
        )
    parse_document(data)
    return "json"


def _not_json(name: str) -> None:
    # Python's json reads NaN and Infinity, which JSON has not: other readers would refuse them.
    raise ValueError(f"{name} is not a JSON value")


def parse_document(data: bytes) -> dict[str, Any]:
    """The object a document holds; ContentRefused when it is not UTF-8 JSON holding an object
    (its size is the caller's to check: kind_of's cap)."""
    try:
        document = json.loads(data.decode("utf-8"), parse_constant=_not_json)
    except UnicodeDecodeError as exc:
        raise ContentRefused("malformed", f"the document is not UTF-8 ({exc.reason})") from None
    except (ValueError, RecursionError) as exc:
        raise ContentRefused("malformed", f"the document is not valid JSON ({exc})") from None
    if not isinstance(document, dict):
        kind = type(document).__name__
        raise ContentRefused("malformed", f"the document is JSON but not an object ({kind})")
    return document


def accepted(data: bytes) -> Content:
    """`data` as content this suite accepts, named by its CID; raises ContentRefused."""
    return Content(cid_of(data), data, kind_of(data))


def checked(cid: str, data: bytes) -> Content:
    """`data` as the content `cid` names: ContentMismatch unless they hash to it, then
    ContentRefused unless they are accepted."""
    if not verify(cid, data):
        raise ContentMismatch(cid, data)
    return Content(cid, data, kind_of(data))


class ContentMismatch(ValueError):
    """Bytes that are not the ones their CID names: never shown, never stored."""

    def __init__(self, cid: str, data: bytes) -> None:
        super().__init__(
            f"the {len(data):,} bytes received for {cid} hash to {cid_of(data)}: they are not its content"
        )
        self.cid = cid


# --- A folder of content by CID ----------------------------------------------------


# The gateway's content folder unless CONTENT_DIR says otherwise (relative to where it runs);
# `crowdfund demo` writes there by default, so that it and `crowdfund serve` agree.
DEFAULT_CONTENT_DIR = Path(".chain/content")


class ContentStoreUnavailable(Exception):
    """The store cannot be read or written now (a full or read-only disk, say)."""


class FolderStore:
    """One file per CID, named by it: written under a temporary name and renamed, so that
    a reader never sees half a file and two writers of the same bytes cannot collide. It
    keeps bytes and nothing about them: the caller checks them against their CID."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.where = f"the folder {folder}"

    def _path(self, cid: str) -> Path:
        parse_cid(cid)  # a CID is base32 letters and digits: never a path of its own
        return self.folder / cid

    def get(self, cid: str) -> bytes | None:
        try:
            return self._path(cid).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ContentStoreUnavailable(f"{self.where} cannot be read: {exc.strerror}") from exc

    def put(self, cid: str, data: bytes, replace: bool = False) -> bool:
        path = self._path(cid)
        if path.exists() and not replace:
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".partial-", delete=False) as file:
                try:
                    file.write(data)
                    file.flush()
                    os.fsync(file.fileno())
                except BaseException:
                    os.unlink(file.name)
                    raise
            os.replace(file.name, path)
        except OSError as exc:
            raise ContentStoreUnavailable(f"{self.where} cannot be written: {exc.strerror}") from exc
        return True
