"""`crowdfund publish FILE` against a live gateway: the link printed names the file's bytes
and the gateway serves them; a missing file, refused content, a refusing, absent or
dishonest gateway each end in a clear error."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from cli_support import run_cli
from support.chain import free_port
from support.gateway import gateway

from crowdfund.content import cid_of
from crowdfund.escrow import Escrow

DOCUMENT = b'{"title": "Community garden", "summary": "Raised beds for the school"}\n'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(17)


@pytest.fixture(scope="module")
def api(rpc_url: str, home: Path, escrow: Escrow) -> Iterator[httpx.Client]:
    with gateway(rpc_url, home / "deployments") as client:
        yield client


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def test_publish_prints_the_link_the_gateway_serves(api: httpx.Client, tmp_path: Path) -> None:
    path = write(tmp_path, "garden.json", DOCUMENT)
    published = run_cli("publish", str(path), "--gateway", str(api.base_url))
    assert published.code == 0, published.text
    cid = cid_of(DOCUMENT)
    assert published.out.splitlines()[-1] == f"ipfs://{cid}"
    assert api.get(f"/content/{cid}").content == DOCUMENT

    again = run_cli("publish", str(path), "--gateway", str(api.base_url), "--json")
    assert again.code == 0, again.text
    assert again.json == {
        "file": str(path),
        "cid": cid,
        "uri": f"ipfs://{cid}",
        "media_type": "application/json",
        "size": len(DOCUMENT),
        "gateway": str(api.base_url).rstrip("/"),
        "new": False,
    }


def test_publish_sends_an_image_as_its_type(
    api: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CROWDFUND_GATEWAY", str(api.base_url))  # instead of --gateway
    published = run_cli("publish", str(write(tmp_path, "cover.png", PNG)), "--json")
    assert published.code == 0, published.text
    assert published.json["media_type"] == "image/png" and published.json["new"] is True
    assert api.get(f"/content/{cid_of(PNG)}").headers["content-type"] == "image/png"


def test_a_missing_file_is_a_wrong_command_line(tmp_path: Path) -> None:
    missing = run_cli("publish", str(tmp_path / "nowhere.json"))
    assert missing.code == 2 and "no such file" in missing.err


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "SVG is refused"),
        (b'{"title": "Garden",}', "not valid JSON"),
        (b"GIF89a" + bytes(20), "neither a JSON document nor"),
    ],
)
def test_content_that_is_not_accepted_is_refused_before_sending(
    api: httpx.Client, tmp_path: Path, data: bytes, reason: str
) -> None:
    refused = run_cli("publish", str(write(tmp_path, "file", data)), "--gateway", str(api.base_url))
    assert refused.code == 1 and reason in refused.err
    assert api.get(f"/content/{cid_of(data)}").status_code == 404


def test_a_refused_upload_gives_the_gateway_s_reason(rpc_url: str, home: Path, tmp_path: Path) -> None:
    with gateway(rpc_url, home / "deployments", CONTENT_UPLOADS="false") as client:
        refused = run_cli(
            "publish", str(write(tmp_path, "g.json", DOCUMENT)), "--gateway", str(client.base_url)
        )
    assert refused.code == 1
    assert "refused" in refused.err and "(403)" in refused.err and "read-only" in refused.err


def test_a_gateway_that_is_down_is_said_to_be(tmp_path: Path) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    refused = run_cli("publish", str(write(tmp_path, "g.json", DOCUMENT)), "--gateway", down, "--json")
    assert refused.code == 1 and "did not answer" in refused.err
    assert refused.json["error"]["kind"] == "refused"


def test_a_gateway_naming_other_bytes_is_not_believed(tmp_path: Path) -> None:
    other = cid_of(b"what the gateway would have linked instead")

    class Dishonest(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"cid": other, "uri": f"ipfs://{other}"}).encode()
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Dishonest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        refused = run_cli("publish", str(write(tmp_path, "g.json", DOCUMENT)), "--gateway", url)
    finally:
        server.shutdown()
        server.server_close()
    assert refused.code == 1
    assert f"answered {other}" in refused.err and cid_of(DOCUMENT) in refused.err
    assert "ipfs://" not in refused.out
