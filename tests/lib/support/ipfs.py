"""A fake IPFS HTTP gateway for the tests: it serves, for each CID, what a test says (the
bytes, or a status, after a delay), and records what it was asked."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from crowdfund.content import cid_of


@dataclass
class FakeIpfs:
    """An IPFS gateway serving, for each CID, what a test says: the bytes to send (or a
    status), after how long."""

    url: str
    answers: dict[str, tuple[int, bytes, float]] = field(default_factory=dict)
    asked: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Accept)

    def serve(self, data: bytes, *, cid: str | None = None, status: int = 200, delay: float = 0) -> str:
        cid = cid or cid_of(data)
        self.answers[cid] = (status, data, delay)
        return cid

    def times_asked(self, cid: str) -> int:
        return sum(1 for path, _ in self.asked if cid in path)


@contextmanager
def fake_ipfs() -> Iterator[FakeIpfs]:
    """A FakeIpfs listening on loopback until the block ends."""
    fake = FakeIpfs("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            fake.asked.append((self.path, self.headers.get("Accept")))
            cid = self.path.removeprefix("/ipfs/").split("?")[0]
            status, data, delay = fake.answers.get(cid, (404, b"not found", 0))
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/vnd.ipld.raw")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the gateway gave up waiting, as it should

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
