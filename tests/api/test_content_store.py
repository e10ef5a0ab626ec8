"""POST /content and GET /content/{cid} on a live gateway: what is stored and served, with
which headers, and every upload that is refused, with its status and nothing stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.gateway import gateway
from support.postgres import fresh_database

from crowdfund.content import IMAGE_MAX, JSON_MAX, cid_of
from crowdfund.escrow import Escrow

DOCUMENT = b'{"title": "Community garden", "summary": "Raised beds for the school"}'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(16)
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(24)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("content")


@pytest.fixture(scope="module")
def store(escrow: Escrow, registry: Path, folder: Path) -> Iterator[httpx.Client]:
    url = escrow.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, CONTENT_DIR=str(folder)) as client:
        yield client


def stored(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def post(client: httpx.Client, data: bytes, media_type: str | None) -> httpx.Response:
    headers = {"Content-Type": media_type} if media_type else {}
    return client.post("/content", content=data, headers=headers)


def test_a_document_is_stored_under_its_cid_and_served_inert_and_cacheable(
    store: httpx.Client, folder: Path
) -> None:
    cid = cid_of(DOCUMENT)
    created = post(store, DOCUMENT, "application/json")
    assert created.status_code == 201, created.text
    assert created.json() == {"cid": cid, "uri": f"ipfs://{cid}"}
    assert created.headers["location"] == f"/content/{cid}"
    assert (folder / cid).read_bytes() == DOCUMENT
    assert not [name for name in stored(folder) if name.startswith(".")]  # no partial file left

    served = store.get(f"/content/{cid}")
    assert served.status_code == 200 and served.content == DOCUMENT
    assert served.headers["content-type"] == "application/json"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert served.headers["etag"] == f'"{cid}"'
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "default-src 'none'" in served.headers["content-security-policy"]
    assert "sandbox" in served.headers["content-security-policy"]

    again = store.get(f"/content/{cid}", headers={"If-None-Match": f'"{cid}"'})
    assert again.status_code == 304 and again.content == b""


def test_storing_the_same_bytes_again_answers_200_with_the_same_link(store: httpx.Client) -> None:
    first = post(store, b'{"again": true}', "application/json; charset=utf-8")
    second = post(store, b'{"again": true}', "application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()


@pytest.mark.parametrize(
    ("data", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp")]
)
def test_images_are_stored_and_served_with_their_type(
    store: httpx.Client, data: bytes, media_type: str
) -> None:
    created = post(store, data, media_type)
    assert created.status_code == 201, created.text
    served = store.get(f"/content/{created.json()['cid']}")
    assert served.status_code == 200 and served.content == data
    assert served.headers["content-type"] == media_type


@pytest.mark.parametrize(
    ("data", "media_type", "status", "reason"),
    [
        (SVG, "image/svg+xml", 415, "was sent as image/svg+xml"),
        (SVG, "image/png", 415, "SVG is refused"),
        (HTML, "text/html", 415, "was sent as text/html"),
        (HTML, "application/json", 415, "HTML and XML are refused"),
        (PNG + b"claimed", "image/jpeg", 415, "the body is image/png but was sent as image/jpeg"),
        (b'{"claimed": "png"}', "image/png", 415, "the body is application/json but was sent as image/png"),
        (b"GIF89a" + bytes(20), "image/png", 415, "neither a JSON document nor"),
        (b'{"sent": "untyped"}', None, 415, "without a Content-Type"),
        (b'{"title": "Garden",', "application/json", 422, "not valid JSON"),
        (b'["not", "an", "object"]', "application/json", 422, "not an object"),
        (b'{"t": "' + b"x" * JSON_MAX + b'"}', "application/json", 413, f"documents may have {JSON_MAX:,}"),
        (PNG + bytes(IMAGE_MAX), "image/png", 413, "longer than the"),
    ],
)
def test_refused_uploads_say_why_and_store_nothing(
    store: httpx.Client, folder: Path, data: bytes, media_type: str | None, status: int, reason: str
) -> None:
    before = stored(folder)
    refused = post(store, data, media_type)
    assert refused.status_code == status, refused.text
    assert reason in refused.json()["detail"]
    assert stored(folder) == before
    assert store.get(f"/content/{cid_of(data)}").status_code == 404


def test_a_body_past_the_cap_is_refused_while_it_arrives(store: httpx.Client, folder: Path) -> None:
    # Chunked, with no Content-Length to refuse it by: counted as it comes.
    def chunks() -> Iterator[bytes]:
        yield PNG
        for _ in range(IMAGE_MAX // 2**16 + 1):
            yield bytes(2**16)

    before = stored(folder)
    refused = store.post("/content", content=chunks(), headers={"Content-Type": "image/png"})
    assert refused.status_code == 413 and f"longer than the {IMAGE_MAX} bytes" in refused.json()["detail"]
    assert stored(folder) == before


def test_only_content_uploads_may_have_bodies_of_images_size(store: httpx.Client) -> None:
    body = b'{"sender": "' + b"0" * 100_000 + b'"}'
    refused = store.post("/campaigns/transactions/create", content=body)
    assert refused.status_code == 413 and "longer than the 65536 bytes" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("cid", "reason"),
    [
        ("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "CIDv0"),
        ("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", "not raw"),
        ("garden.json", "not a CIDv1"),
        (cid_of(b"x").upper(), "not a CIDv1"),
    ],
)
def test_a_malformed_cid_is_refused_with_the_reason(store: httpx.Client, cid: str, reason: str) -> None:
    refused = store.get(f"/content/{cid}")
    assert refused.status_code == 422 and reason in refused.json()["detail"]


def test_content_absent_from_the_store_is_404_when_no_ipfs_gateway_is_set(store: httpx.Client) -> None:
    missing = store.get(f"/content/{cid_of(b'never stored')}")
    assert missing.status_code == 404
    assert "no IPFS gateway is configured" in missing.json()["detail"]


def test_bytes_changed_in_the_store_are_never_served(store: httpx.Client, folder: Path) -> None:
    data = b'{"title": "will be changed on disk"}'
    cid = post(store, data, "application/json").json()["cid"]
    (folder / cid).write_bytes(b'{"title": "changed on disk"}')
    served = store.get(f"/content/{cid}")
    assert served.status_code == 404 and b"changed on disk" not in served.content


def test_a_read_only_gateway_refuses_uploads_and_serves_what_it_holds(
    escrow: Escrow, registry: Path, tmp_path: Path
) -> None:
    (tmp_path / cid_of(DOCUMENT)).write_bytes(DOCUMENT)  # stored before, by another process
    url = escrow.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, CONTENT_DIR=str(tmp_path), CONTENT_UPLOADS="false") as client:
        refused = post(client, PNG, "image/png")
        assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
        assert client.get(f"/content/{cid_of(DOCUMENT)}").content == DOCUMENT
    assert stored(tmp_path) == {cid_of(DOCUMENT)}


def test_uploads_are_rate_limited_per_client(escrow: Escrow, registry: Path, tmp_path: Path) -> None:
    url = escrow.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, CONTENT_DIR=str(tmp_path), RATE_LIMIT_CONTENT="2/minute") as client:
        answers = [post(client, b'{"n": %d}' % n, "application/json") for n in range(3)]
        assert [a.status_code for a in answers] == [201, 201, 429]
        assert int(answers[2].headers["retry-after"]) >= 1
        first = cid_of(b'{"n": 0}')
        assert client.get(f"/content/{first}").status_code == 200  # reads are not counted
    assert len(stored(tmp_path)) == 2


def test_replicas_on_one_postgresql_database_share_the_store(
    escrow: Escrow, registry: Path, tmp_path: Path, postgres_url: str | None
) -> None:
    if postgres_url is None:
        pytest.skip("PostgreSQL did not start")
    database = fresh_database(postgres_url, f"content_{uuid.uuid4().hex[:12]}")
    url = escrow.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with (
        gateway(url, registry, DATABASE_URL=database, CONTENT_DIR=str(tmp_path / "one")) as one,
        gateway(
            url, registry, DATABASE_URL=database, CONTENT_DIR=str(tmp_path / "two"), RUN_INDEXER="false"
        ) as two,
    ):
        created = post(one, JPEG, "image/jpeg")
        assert created.status_code == 201, created.text
        served = two.get(f"/content/{created.json()['cid']}")
        assert served.status_code == 200 and served.content == JPEG
        assert post(two, JPEG, "image/jpeg").status_code == 200  # already there, for every replica
    assert not (tmp_path / "one").exists() and not (tmp_path / "two").exists()


def test_a_store_that_cannot_be_used_is_503_not_500(escrow: Escrow, registry: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("where the folder should be")
    url = escrow.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, CONTENT_DIR=str(blocked / "content")) as client:
        written = post(client, DOCUMENT, "application/json")
        for answer in (written, client.get(f"/content/{cid_of(DOCUMENT)}")):
            assert answer.status_code == 503, answer.text
            assert "cannot be" in answer.json()["detail"] and "retry-after" in answer.headers
