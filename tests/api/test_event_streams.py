"""GET /events within what the gateway can afford: a cap on open streams (503 past it,
while every other request still answers), replays bounded (`event: refetch`), and a
client that stops reading dropped after SSE_SEND_TIMEOUT, nothing logged as an error,
and little kept in the kernel for it meanwhile."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from support.gateway import Served, eventually, refused_stream, served, sse, wait_indexed
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund_api.http.streams import STREAM_SEND_BUFFER

END_OF_BLOCK = 2**31 - 1
# Pledges: their replay (~7 MB) is more than the socket buffers of one connection hold
# (up to 4 MB the sender's with Linux's default tcp_wmem).
BULK = 20_000
REPLAY_BYTES = 6 * 2**20


def rpc(endpoint: str, *calls: tuple[str, list[object]]) -> list[object]:
    batch = [{"jsonrpc": "2.0", "id": n, "method": m, "params": p} for n, (m, p) in enumerate(calls)]
    answers = httpx.post(endpoint, json=batch, timeout=120).json()
    assert all("error" not in a for a in answers), str([a for a in answers if "error" in a])[:500]
    return [a["result"] for a in answers]


@pytest.fixture(scope="module")
def busy(w3: Web3, escrow: Escrow, campaigns: dict[str, int]) -> int:
    """Thousands of small pledges, sent in batches and mined together; the head's number."""
    endpoint = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    data = escrow.contract.encode_abi("pledge", args=[campaigns["active1"], 1])
    backers = w3.eth.accounts[1:10]
    rpc(endpoint, ("evm_setAutomine", [False]))
    # Nonces and gas given: the node takes a batch's transactions concurrently.
    nonces = [w3.eth.get_transaction_count(b) for b in backers]
    pledge = {"to": escrow.address, "value": "0x1", "data": data, "gas": hex(200_000)}
    sends = [
        ("eth_sendTransaction", [{**pledge, "from": backers[n % 9], "nonce": hex(nonces[n % 9] + n // 9)}])
        for n in range(BULK)
    ]
    for start in range(0, BULK, 400):
        rpc(endpoint, *sends[start : start + 400])
    while int(rpc(endpoint, ("txpool_status", []))[0]["pending"], 16):  # type: ignore[index]
        rpc(endpoint, *[("evm_mine", [])] * 10)
    rpc(endpoint, ("evm_setAutomine", [True]))
    return w3.eth.block_number


@contextmanager
def start(w3: Web3, registry: Path, head: int, **env: str) -> Iterator[Served]:
    with served(w3.provider.endpoint_uri, registry, **env) as gateway:  # type: ignore[attr-defined]
        wait_indexed(gateway.client, head, timeout=120)
        yield gateway


def near_the_end(client: httpx.Client, campaign_id: int) -> str:
    """A Last-Event-ID four of the bulk pledges before the last."""
    fifth = client.get(f"/campaigns/{campaign_id}/pledges", params={"limit": 5}).json()["items"][-1]
    return f"{fifth['block_number']}-{fifth['log_index']}"


def open_stream(stack: ExitStack, client: httpx.Client, **headers: str) -> httpx.Response:
    return stack.enter_context(client.stream("GET", "/events", headers=headers))


def test_streams_past_the_cap_are_refused_and_everything_else_still_answers(
    w3: Web3, registry: Path, busy: int
) -> None:
    with start(w3, registry, busy, SSE_MAX_CLIENTS="3") as gateway:
        with ExitStack() as stack:
            streams = [open_stream(stack, gateway.client) for _ in range(3)]
            assert [s.status_code for s in streams] == [200] * 3
            refused = refused_stream(gateway.client)
            assert refused is not None and refused.status_code == 503
            assert int(refused.headers["Retry-After"]) >= 1
            assert "event streams" in refused.json()["detail"]
            assert gateway.client.get("/health/live").status_code == 200
            assert gateway.client.get("/campaigns").status_code == 200
        # Closed streams give their places back.
        eventually(lambda: refused_stream(gateway.client) is None, 30, "a place given back")
        assert "Traceback" not in gateway.stderr()


def test_a_replay_from_too_far_back_is_told_to_refetch(
    w3: Web3, registry: Path, escrow: Escrow, campaigns: dict[str, int], busy: int
) -> None:
    with start(w3, registry, busy, SSE_REPLAY_LIMIT="500") as gateway:
        tip = gateway.client.get("/health").json()["block"]
        with gateway.client.stream("GET", "/events", headers={"Last-Event-ID": "0-0"}) as stream:
            events = sse(stream)
            refetch = next(events)
            assert refetch["event"] == "refetch"
            assert refetch["id"] == f"{tip['number']}-{END_OF_BLOCK}-{tip['hash'][2:18]}"
            assert refetch["data"] == {"block": tip["number"], "hash": tip["hash"]}
            # The stream goes on from there: the next event is a new one.
            receipt = escrow.pledge(w3.eth.accounts[2], campaigns["active2"], 777)
            following = next(events)
        assert following["event"] == "pledged" and following["data"]["amount"] == "777"
        assert following["data"]["block_number"] == receipt["blockNumber"]
        # The refetch's id is one to resume from, and a replay within the bound is a replay.
        resumed = {"Last-Event-ID": refetch["id"]}
        with gateway.client.stream("GET", "/events", headers=resumed) as stream:
            assert stream.status_code == 200
            assert next(sse(stream))["data"]["transaction_hash"] == receipt["transactionHash"].to_0x_hex()
        near = near_the_end(gateway.client, campaigns["active1"])
        with gateway.client.stream("GET", "/events", headers={"Last-Event-ID": near}) as stream:
            assert next(sse(stream))["event"] == "pledged"


def test_a_client_that_stops_reading_is_dropped_and_nothing_is_logged_as_an_error(
    w3: Web3, registry: Path, campaigns: dict[str, int], busy: int
) -> None:
    env = {"SSE_MAX_CLIENTS": "1", "SSE_SEND_TIMEOUT": "2", "SSE_REPLAY_LIMIT": str(10 * BULK)}
    with start(w3, registry, busy, **env) as gateway:
        near = near_the_end(gateway.client, campaigns["active1"])

        def come_and_go(n: int) -> bool | None:
            headers = {"Last-Event-ID": "0-0" if n % 3 == 0 else near}
            with gateway.client.stream("GET", "/events", headers=headers) as stream:
                if stream.status_code == 503:
                    return None  # the previous client's place is not given back yet
                assert stream.status_code == 200
                for _ in zip(range(n % 4), sse(stream), strict=False):
                    pass
            return True

        # Many clients come and go, some mid-replay, some once it has ended.
        for n in range(150):
            eventually(lambda: come_and_go(n), 30, "a stream opened")  # noqa: B023

        def silent_client() -> socket.socket | None:
            """One that asks for the whole history and, past the status line, reads none of it."""
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", gateway.port))
            sock.sendall(b"GET /events HTTP/1.1\r\nHost: gateway\r\nLast-Event-ID: 0-0\r\n\r\n")
            if sock.recv(12) == b"HTTP/1.1 200":
                return sock
            sock.close()
            return None

        # What the silent client asks for is more than the connection can buffer.
        def replay_bytes() -> int | None:
            replayed = 0
            with gateway.client.stream("GET", "/events", headers={"Last-Event-ID": "0-0"}) as stream:
                if stream.status_code == 503:
                    return None
                for chunk in stream.iter_bytes():
                    replayed += len(chunk)
                    if replayed > REPLAY_BYTES:
                        break
            return replayed

        assert eventually(replay_bytes, 30, "a stream opened") > REPLAY_BYTES

        with eventually(silent_client, 30, "the silent client's stream opened") as silent:
            # It holds the one place while the gateway tries to send to it, and then loses it.
            refused = refused_stream(gateway.client)
            assert refused is not None and refused.status_code == 503
            eventually(lambda: refused_stream(gateway.client) is None, 60, "the silent client dropped")
            assert gateway.client.get("/health/live").status_code == 200
            # The gateway cut the connection: what is left is read to its end, or refused.
            silent.settimeout(30)
            try:
                while silent.recv(1 << 20):
                    pass
            except ConnectionResetError:
                pass
    log = gateway.stderr()
    assert "Traceback" not in log and "ERROR" not in log, log[-3000:]


def _unsent(server_port: int, client_port: int) -> int:
    """Bytes the kernel holds unsent on the gateway's side of a loopback connection
    (tx_queue in /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(address.split(":")[1], 16) for address in fields[1:3])
        if (local, remote) == (server_port, client_port):
            return int(fields[4].split(":")[0], 16)
    raise AssertionError(f"no connection from {client_port} to {server_port}")


def test_the_kernel_holds_little_for_a_client_that_reads_nothing(
    w3: Web3, registry: Path, escrow: Escrow, campaigns: dict[str, int], busy: int
) -> None:
    # The whole history is replayed, and the client is kept while its buffers fill.
    with start(w3, registry, busy, SSE_REPLAY_LIMIT=str(10 * BULK), SSE_SEND_TIMEOUT="60") as gateway:
        with socket.socket() as silent:
            silent.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            silent.connect(("127.0.0.1", gateway.port))
            silent.sendall(b"GET /events HTTP/1.1\r\nHost: gateway\r\nLast-Event-ID: 0-0\r\n\r\n")
            assert silent.recv(12) == b"HTTP/1.1 200"
            client_port = silent.getsockname()[1]
            held = []
            for _ in range(30):
                time.sleep(0.1)
                held.append(_unsent(gateway.port, client_port))
    # The replay is megabytes; what waits in the kernel stays at the stream's buffer
    # (doubled by the kernel) plus a segment or two in flight.
    assert max(held) <= 2 * STREAM_SEND_BUFFER + 16 * 2**10, held
    assert max(held) > 0, held
