"""What one client may make the gateway hold or do: request bodies (413) and headers (431)
are bounded while they arrive, and the transaction builders and event streams are rate
limited per client (429), the client being the peer unless a trusted proxy forwarded it."""

from __future__ import annotations

import json
import re
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.gateway import Served, refused_stream, served, wait_indexed
from web3 import Web3

from crowdfund_api.http.protocol import HEAD_TIMEOUT, PIPELINE_LIMIT

BODY_LIMIT = 64 * 1024


@pytest.fixture(scope="module")
def running(w3: Web3, registry: Path, campaigns: dict[str, int]) -> Iterator[Served]:
    with served(w3.provider.endpoint_uri, registry) as gateway:  # type: ignore[attr-defined]
        wait_indexed(gateway.client, w3.eth.block_number)
        yield gateway


def answer(sock: socket.socket, timeout: float = 20) -> tuple[int, dict[str, str], Any]:
    """The status, headers and JSON body of the one answer the server sends on `sock`."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed before an answer: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    length = int(headers["content-length"])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "the connection closed in the middle of the answer"
        body += chunk
    return int(status_line.split()[1]), headers, json.loads(body[:length])


def post_head(path: str, *headers: str) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: gateway", "Content-Type: application/json", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_a_body_declared_too_long_is_refused_before_it_is_sent(running: Served) -> None:
    with socket.create_connection(("127.0.0.1", running.port)) as sock:
        # 100 MB announced, a few bytes sent: the answer comes without waiting for the rest.
        announced = post_head("/campaigns/transactions/create", "Content-Length: 100000000")
        sock.sendall(announced + b'{"sender": ')
        status, headers, body = answer(sock)
    assert status == 413
    assert headers["content-type"] == "application/json"
    assert str(BODY_LIMIT) in body["detail"]


def test_a_chunked_body_is_cut_off_at_the_limit(running: Served) -> None:
    """No Content-Length: the gateway counts what arrives and answers 413 as soon as it
    passes the limit, long before the client has sent its 200 MB."""
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    sent = 0
    with socket.create_connection(("127.0.0.1", running.port)) as sock:
        sock.sendall(post_head("/campaigns/1/transactions/claim", "Transfer-Encoding: chunked"))
        try:
            while sent < 200 * 2**20:
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    break
                sock.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the gateway hung up once it had answered
        status, _, body = answer(sock)
    assert status == 413, body
    assert "longer than" in body["detail"]
    assert sent < 20 * 2**20


def test_a_body_within_the_limit_is_read(running: Served) -> None:
    # Just under the limit, arriving in one read with its headers: neither 413 nor 431.
    body = json.dumps({"sender": "0x" + "1" * 40, "padding": " " * (BODY_LIMIT - 100)})
    response = running.client.post("/campaigns/1/transactions/claim", content=body)
    assert response.status_code not in (413, 431, 500)


def test_headers_too_long_are_refused_with_431(running: Served) -> None:
    with socket.create_connection(("127.0.0.1", running.port)) as sock:
        filler = b"X-Filler: " + b"a" * 100_000
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: gateway\r\n" + filler + b"\r\n\r\n")
        status, headers, body = answer(sock)
    assert status == 431
    assert headers["content-type"] == "application/json"
    assert "headers are longer than" in body["detail"]
    # Many headers of ordinary size count together; a request line likewise.
    many = {f"x-filler-{n}": "b" * 100 for n in range(400)}
    assert running.client.get("/health/live", headers=many).status_code == 431
    assert running.client.get("/health/live", params={"q": "c" * 40_000}).status_code == 431
    # Ordinary requests on a fresh connection are unaffected.
    assert running.client.get("/health/live").status_code == 200


@pytest.mark.parametrize("before", ["GET /health/live", "POST /campaigns/1/transactions/claim"])
def test_a_pipelined_request_with_headers_too_long_is_refused_after_the_one_before(
    running: Served, before: str
) -> None:
    """The second request arrives in the same read as the first (after its head, or after
    its body): its headers are counted all the same, and its 431 follows the first answer."""
    method, path = before.split()
    body = json.dumps({"sender": "0x" + "1" * 40}).encode() if method == "POST" else b""
    first = (
        f"{method} {path} HTTP/1.1\r\nHost: gateway\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )
    second = b"GET /health/live HTTP/1.1\r\nHost: gateway\r\nX-Filler: " + b"a" * 40_000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", running.port)) as sock:
        sock.sendall(first + second)
        sock.settimeout(20)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", received)]
    assert statuses[-1] == 431 and len(statuses) == 2, received[:500]
    assert statuses[0] != 431


def test_a_connection_that_sends_no_request_is_closed(running: Served) -> None:
    """Silent, or a header a byte at a time: either holds a file descriptor for nothing."""
    with (
        socket.create_connection(("127.0.0.1", running.port)) as silent,
        socket.create_connection(("127.0.0.1", running.port)) as trickle,
    ):
        trickle.sendall(b"GET /health/live HTTP/1.1\r\nHost: gateway\r\n")
        started, cut = time.monotonic(), None
        for _ in range(int(HEAD_TIMEOUT) + 10):
            time.sleep(1)
            try:
                trickle.sendall(b"X")  # a byte a second never makes the head complete
            except OSError:
                cut = time.monotonic() - started
                break
        assert cut is not None and cut <= HEAD_TIMEOUT + 3, cut
        silent.settimeout(5)
        assert silent.recv(100) == b""  # closed by the gateway too
    assert running.client.get("/health/live").status_code == 200


def test_a_flood_of_pipelined_requests_is_cut_off(running: Served) -> None:
    """Thousands of requests in one go, none of their answers read: the gateway answers
    a few and drops the connection, rather than hold them all."""
    request = b"GET /health/live HTTP/1.1\r\nHost: gateway\r\n\r\n"
    with socket.create_connection(("127.0.0.1", running.port)) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        try:
            sock.sendall(request * 20_000)
        except (BrokenPipeError, ConnectionResetError):
            pass  # dropped while still sending
        sock.settimeout(20)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    answered = received.count(b"HTTP/1.1 200")
    assert answered <= PIPELINE_LIMIT + 2, answered
    assert running.client.get("/health/live").status_code == 200


def tx_builder(client: httpx.Client, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/campaigns/1/transactions/claim", json={"sender": "0x" + "1" * 40}, headers=headers)


def test_a_burst_of_transaction_builds_is_answered_429(w3: Web3, registry: Path) -> None:
    endpoint = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with served(endpoint, registry, RATE_LIMIT_TX="3/minute") as gateway:
        wait_indexed(gateway.client, w3.eth.block_number)
        assert [tx_builder(gateway.client).status_code != 429 for _ in range(3)] == [True] * 3
        refused = tx_builder(gateway.client)
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "too many requests" in refused.json()["detail"]
        # Another X-Forwarded-For from a peer that is no trusted proxy buys no new budget.
        assert tx_builder(gateway.client, forwarded_for="203.0.113.7").status_code == 429
        # Reads are not limited.
        assert gateway.client.get("/campaigns/1").status_code == 200
    assert "Traceback" not in gateway.stderr()


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(w3: Web3, registry: Path) -> None:
    endpoint = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    env = {"RATE_LIMIT_TX": "2/minute", "TRUSTED_PROXIES": '["127.0.0.0/8"]'}
    with served(endpoint, registry, **env) as gateway:
        wait_indexed(gateway.client, w3.eth.block_number)
        first, second = "198.51.100.1", "198.51.100.2"
        assert [tx_builder(gateway.client, first).status_code != 429 for _ in range(2)] == [True, True]
        assert tx_builder(gateway.client, first).status_code == 429
        assert tx_builder(gateway.client, second).status_code != 429
        assert tx_builder(gateway.client, second).status_code != 429
        assert tx_builder(gateway.client, second).status_code == 429


def test_opening_event_streams_is_rate_limited(w3: Web3, registry: Path) -> None:
    endpoint = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with served(endpoint, registry, RATE_LIMIT_EVENTS="2/minute") as gateway:
        wait_indexed(gateway.client, w3.eth.block_number)
        for _ in range(2):
            with gateway.client.stream("GET", "/events") as stream:
                assert stream.status_code == 200
        refused = refused_stream(gateway.client)
        assert refused is not None and refused.status_code == 429
        assert int(refused.headers["Retry-After"]) >= 1
        assert refused.headers["content-type"] == "application/json"
