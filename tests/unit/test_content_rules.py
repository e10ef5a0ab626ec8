"""Content links and what content is accepted: the CID of bytes, strict parsing of links,
and telling documents and images apart by their bytes."""

from __future__ import annotations

import base64
import json

import pytest

from crowdfund.content import (
    IMAGE_MAX,
    JSON_MAX,
    ContentMismatch,
    ContentRefused,
    accepted,
    checked,
    cid_from_uri,
    cid_of,
    kind_of,
    parse_cid,
    uri_of,
    verify,
)

EMPTY = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
# Cross-checked with the `multiformats` package: CID("base32", 1, "raw", sha2-256 digest).
HELLO = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(16)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)


def test_the_cid_of_bytes_is_the_ipfs_raw_cid() -> None:
    assert cid_of(b"") == EMPTY
    assert cid_of(b"hello world\n") == HELLO
    assert parse_cid(HELLO).hex() == "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
    assert uri_of(HELLO) == f"ipfs://{HELLO}"
    assert cid_from_uri(f"ipfs://{HELLO}") == HELLO


def test_bytes_are_verified_against_their_cid() -> None:
    assert verify(HELLO, b"hello world\n")
    assert not verify(HELLO, b"hello world")
    assert not verify("not-a-cid", b"")
    with pytest.raises(ContentMismatch, match=f"hash to {EMPTY}"):
        checked(HELLO, b"")


def _cid(prefix: bytes, digest: bytes) -> str:
    return "b" + base64.b32encode(prefix + digest).decode().lower().rstrip("=")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "CIDv0"),
        ("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", "lower-case base32"),
        (HELLO.upper(), "lower-case base32"),
        ("b", "lower-case base32"),
        (HELLO[:-1] + "1", "lower-case base32"),
        # dag-pb (a UnixFS file or directory): bafybei…
        ("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "codec 0x70, not raw"),
        (_cid(bytes((1, 0x55, 0x1E, 32)), bytes(32)), "multihash 0x1e, not sha2-256"),  # blake3
        (_cid(bytes((1, 0x55, 0x12, 20)), bytes(20)), "has 40 characters"),
        (_cid(bytes((1, 0x55, 0x12, 31)), bytes(32)), "31-byte digest"),
        (_cid(bytes((1, 0x55, 0x12, 32)), bytes(31)), "has 57 characters"),
        (_cid(bytes((2, 0x55, 0x12, 32)), bytes(32)), "not a CIDv1"),
        (HELLO[:-1] + "5", "canonical"),  # the spare bits of the last character set
        (HELLO + "a", "has 60 characters"),
        (HELLO + "aa", "has 61 characters"),
    ],
)
def test_only_cidv1_raw_sha2_256_in_base32_is_a_cid(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_cid(text)


@pytest.mark.parametrize(
    ("uri", "reason"),
    [
        (f"https://example.org/{HELLO}", "not an ipfs:// link"),
        (f"ipfs://{HELLO}/campaign.json", "path or query"),
        (f"ipfs://{HELLO}?filename=a", "path or query"),
        ("ipfs://bafy.../garden.json", "path or query"),
        ("ipfs://a0", "lower-case base32"),
        ("data:application/json,{}", "not an ipfs:// link"),
    ],
)
def test_only_an_ipfs_link_to_a_cid_alone_names_content(uri: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        cid_from_uri(uri)


@pytest.mark.parametrize(
    ("data", "kind"),
    [(PNG, "png"), (JPEG, "jpeg"), (WEBP, "webp"), (b'{"title": "Garden"}', "json"), (b"\n {}", "json")],
)
def test_content_is_told_apart_by_its_bytes(data: bytes, kind: str) -> None:
    assert kind_of(data) == kind
    assert accepted(data).media_type.endswith(kind)


@pytest.mark.parametrize(
    ("data", "problem", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "unsupported", "SVG"),
        (b'<?xml version="1.0"?>\n<svg/>', "unsupported", "SVG"),
        (b"\xef\xbb\xbf  <SVG/>", "unsupported", "SVG"),
        (b"<!doctype html><html><script>alert(1)</script>", "unsupported", "HTML"),
        (b"GIF89a" + bytes(20), "unsupported", "neither a JSON document nor"),
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "unsupported", "neither"),  # a signature and nothing after
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "unsupported", "neither"),
        (b"", "unsupported", "neither"),
        (b'{"title": "Garden",}', "malformed", "not valid JSON"),
        (b'{"n": NaN}', "malformed", "not valid JSON"),
        (b'["a list"]', "malformed", "not an object"),
        (b'{"t": "\xff"}', "malformed", "not UTF-8"),
        (b"[" * 100_000, "malformed", "not valid JSON"),
        (b'\xef\xbb\xbf{"title": "Garden"}', "malformed", "byte order mark"),
    ],
)
def test_markup_unknown_bytes_and_malformed_documents_are_refused(
    data: bytes, problem: str, reason: str
) -> None:
    with pytest.raises(ContentRefused, match=reason) as refused:
        kind_of(data)
    assert refused.value.problem == problem


def test_each_kind_has_its_cap() -> None:
    document = b'{"t": "' + b"x" * (JSON_MAX - 9) + b'"}'
    assert len(document) == JSON_MAX and kind_of(document) == "json"
    with pytest.raises(ContentRefused, match=f"documents may have {JSON_MAX:,}") as refused:
        kind_of(document[:-2] + b'x"}')
    assert refused.value.problem == "too_large"
    image = PNG + bytes(IMAGE_MAX - len(PNG))
    assert kind_of(image) == "png"
    with pytest.raises(ContentRefused, match=f"images may have {IMAGE_MAX:,}"):
        kind_of(image + b"\x00")


def test_a_document_s_cid_is_that_of_its_exact_bytes() -> None:
    # Two spellings of one JSON value are two contents: nothing is re-serialised.
    one, other = b'{"a": 1}', json.dumps({"a": 1}, separators=(",", ":")).encode()
    assert accepted(one).cid != accepted(other).cid
