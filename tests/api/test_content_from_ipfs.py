"""GET /content/{cid} for content the store lacks, fetched from an IPFS gateway that is
honest, lying, empty-handed, slow or down: only bytes that hash to the CID are served and
kept; every other answer is a clear status, and nothing is stored."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
import pytest
from support.chain import free_port
from support.gateway import gateway
from support.ipfs import FakeIpfs, fake_ipfs
from support.postgres import fresh_database
from web3 import Web3

from crowdfund.content import IMAGE_MAX, cid_of
from crowdfund.escrow import Escrow

TIMEOUT = 1.0  # IPFS_TIMEOUT for these gateways, in seconds


@pytest.fixture(scope="module")
def ipfs() -> Iterator[FakeIpfs]:
    with fake_ipfs() as fake:
        yield fake


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fetched")


@pytest.fixture(scope="module")
def api_over_ipfs(
    w3: Web3, escrow: Escrow, registry: Path, ipfs: FakeIpfs, folder: Path
) -> Iterator[httpx.Client]:
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    settings = {"CONTENT_DIR": str(folder), "IPFS_GATEWAY_URL": ipfs.url, "IPFS_TIMEOUT": str(TIMEOUT)}
    with gateway(url, registry, **settings) as client:
        yield client


def test_content_fetched_from_ipfs_is_checked_kept_and_served(
    api_over_ipfs: httpx.Client, ipfs: FakeIpfs, folder: Path
) -> None:
    document = b'{"title": "Fetched from IPFS"}'
    cid = ipfs.serve(document)
    served = api_over_ipfs.get(f"/content/{cid}")
    assert served.status_code == 200 and served.content == document
    assert served.headers["content-type"] == "application/json"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
    # Asked in the trustless format: the block's bytes, nothing a gateway renders.
    assert ipfs.asked[-1] == (f"/ipfs/{cid}?format=raw", "application/vnd.ipld.raw")
    assert (folder / cid).read_bytes() == document
    # Kept: the next reader is answered from the store.
    assert api_over_ipfs.get(f"/content/{cid}").content == document
    assert ipfs.times_asked(cid) == 1


def test_a_lying_ipfs_gateway_is_refused_and_nothing_is_kept(
    api_over_ipfs: httpx.Client, ipfs: FakeIpfs, folder: Path
) -> None:
    wanted = b'{"title": "The real one"}'
    cid = ipfs.serve(b'{"title": "Send your ETH to 0xbad"}', cid=cid_of(wanted))
    for _ in range(2):
        lie = api_over_ipfs.get(f"/content/{cid}")
        assert lie.status_code == 502
        assert "not its content" in lie.json()["detail"] and b"0xbad" not in lie.content
    assert not (folder / cid).exists()
    assert ipfs.times_asked(cid) == 2  # a lie is never remembered as the content


def test_content_the_ipfs_gateway_lacks_is_404(api_over_ipfs: httpx.Client) -> None:
    missing = api_over_ipfs.get(f"/content/{cid_of(b'nobody has this')}")
    assert missing.status_code == 404
    assert "nor at the IPFS gateway" in missing.json()["detail"]


def test_a_slow_ipfs_gateway_is_504_within_the_timeout(api_over_ipfs: httpx.Client, ipfs: FakeIpfs) -> None:
    cid = ipfs.serve(b'{"title": "too late"}', delay=TIMEOUT + 3)
    started = time.monotonic()
    slow = api_over_ipfs.get(f"/content/{cid}")
    assert slow.status_code == 504 and "did not answer within" in slow.json()["detail"]
    assert int(slow.headers["retry-after"]) >= 1
    assert time.monotonic() - started < TIMEOUT + 2


def test_an_ipfs_gateway_failing_is_503_with_retry_after(api_over_ipfs: httpx.Client, ipfs: FakeIpfs) -> None:
    cid = ipfs.serve(b"internal error", cid=cid_of(b'{"title": "behind a broken gateway"}'), status=500)
    failing = api_over_ipfs.get(f"/content/{cid}")
    assert failing.status_code == 503 and "answered 500" in failing.json()["detail"]
    assert "retry-after" in failing.headers


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(IMAGE_MAX), "more than the"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "SVG is refused"),
    ],
)
def test_content_past_the_cap_or_of_a_refused_kind_is_not_served_even_when_it_matches(
    api_over_ipfs: httpx.Client, ipfs: FakeIpfs, folder: Path, data: bytes, reason: str
) -> None:
    cid = ipfs.serve(data)
    refused = api_over_ipfs.get(f"/content/{cid}")
    assert refused.status_code == 502 and reason in refused.json()["detail"]
    assert not (folder / cid).exists()


def test_many_readers_of_one_missing_cid_make_one_fetch(api_over_ipfs: httpx.Client, ipfs: FakeIpfs) -> None:
    cid = ipfs.serve(b'{"title": "popular"}', delay=0.5)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: api_over_ipfs.get(f"/content/{cid}").status_code, range(6)))
    assert answers == [200] * 6
    assert ipfs.times_asked(cid) == 1


def test_an_ipfs_gateway_that_is_down_is_503_and_the_store_still_serves(
    w3: Web3, escrow: Escrow, registry: Path, tmp_path: Path
) -> None:
    held = b'{"title": "held locally"}'
    (tmp_path / cid_of(held)).write_bytes(held)
    down = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, CONTENT_DIR=str(tmp_path), IPFS_GATEWAY_URL=down) as client:
        unreachable = client.get(f"/content/{cid_of(b'elsewhere')}")
        assert unreachable.status_code == 503 and "did not answer" in unreachable.json()["detail"]
        assert "retry-after" in unreachable.headers
        assert client.get(f"/content/{cid_of(held)}").content == held


@pytest.mark.parametrize("where", ["folder", "postgresql"])
def test_spoilt_stored_bytes_are_replaced_by_checked_ones_from_ipfs(
    w3: Web3,
    escrow: Escrow,
    registry: Path,
    ipfs: FakeIpfs,
    tmp_path: Path,
    postgres_url: str | None,
    where: str,
) -> None:
    document = f'{{"title": "kept in the {where}"}}'.encode()
    cid = ipfs.serve(document)
    spoilt = b'{"title": "changed behind the gateway\'s back"}'
    settings = {"CONTENT_DIR": str(tmp_path), "IPFS_GATEWAY_URL": ipfs.url}
    if where == "postgresql":
        if postgres_url is None:
            pytest.skip("PostgreSQL did not start")
        settings["DATABASE_URL"] = fresh_database(postgres_url, f"content_{uuid.uuid4().hex[:12]}")
    url = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with gateway(url, registry, **settings) as client:
        assert client.get(f"/content/{cid}").content == document  # fetched and stored
        if where == "folder":
            (tmp_path / cid).write_bytes(spoilt)
        else:
            with psycopg.connect(settings["DATABASE_URL"], autocommit=True) as conn:
                conn.execute("UPDATE content SET data = %s WHERE cid = %s", (spoilt, cid))
        asked = ipfs.times_asked(cid)
        assert client.get(f"/content/{cid}").content == document  # fetched again, not the spoilt
        assert ipfs.times_asked(cid) == asked + 1
        assert client.get(f"/content/{cid}").content == document  # and kept: from the store
        assert ipfs.times_asked(cid) == asked + 1
