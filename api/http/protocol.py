"""The HTTP protocol `crowdfund serve` runs: uvicorn's httptools protocol with what the
gateway needs from the connection itself, which ASGI does not reach.

- A bound on a request's line and headers: past it the answer is 431 (after the answers
  to any requests pipelined before it) and the connection closes. httptools has no such
  bound, and h11's (uvicorn's h11_max_incomplete_event_size) answers 400.
- Bounds on what a connection may hold: its request's head within HEAD_TIMEOUT seconds,
  and at most PIPELINE_LIMIT requests waiting behind the one being answered.
- A way to drop the client: the scope's extension `crowdfund.drop` aborts the connection
  at once, and gives its socket (to bound what the kernel holds for a slow reader).
  Closing a connection politely waits for buffered bytes to leave, which never happens
  when the client has stopped reading; an aborted connection ends the request as a
  disconnect, the way a client hanging up does, with nothing logged."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DROP = "crowdfund.drop"
# Seconds a client has to send a request's line and headers once it has connected or begun
# them: a client that sends nothing, or a byte now and then, holds a connection (a file
# descriptor) for nothing; it is closed.
HEAD_TIMEOUT = 10.0
# Requests one connection may have waiting behind the one being answered. Each is parsed
# into memory as soon as it arrives: a client that sends thousands in one go and reads
# nothing would make the gateway hold them all; it is cut off instead.
PIPELINE_LIMIT = 32


def bounded_protocol(header_limit: int) -> type[HttpToolsProtocol]:
    class BoundedProtocol(HttpToolsProtocol):
        # Two counts, because neither alone sees every byte of a request's head:
        # - `_raw`, the bytes received while a head is incomplete: httptools buffers a
        #   header until its end, so this is what bounds one that never ends;
        # - `_parsed`, the request line and headers as the parser hands them over: a
        #   pipelined request arriving in the same read as the one before it (after its
        #   head or its body) is counted here, where the read's bytes were not.
        _raw = 0
        _parsed = 0
        _in_head = True
        _refused = False

        _head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._time_head()

        def connection_lost(self, exc: Exception | None) -> None:
            self._untime_head()
            super().connection_lost(exc)

        def _time_head(self) -> None:
            self._untime_head()
            self._head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_too_slow)

        def _untime_head(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _head_too_slow(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                # Up to the blank line that ends the headers: a body arriving in the same
                # read is not counted as headers.
                end = data.find(b"\r\n\r\n")
                self._raw += len(data) if end < 0 else end
                if self._raw > header_limit:
                    self._refuse()
                    return
            super().data_received(data)

        def on_message_begin(self) -> None:
            self._parsed = 0
            self._time_head()
            super().on_message_begin()

        def on_url(self, url: bytes) -> None:
            self._count(len(url) + len(b"GET  HTTP/1.1\r\n"))
            super().on_url(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            self._count(len(name) + len(value) + len(b": \r\n"))
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            if self._refused:
                return  # the parser finishes the read it was given; nothing of it is served
            self._in_head = False
            self._untime_head()
            self.scope.setdefault("extensions", {})[DROP] = {
                "abort": self.transport.abort,
                "socket": self.transport.get_extra_info("socket"),
            }
            super().on_headers_complete()
            if len(self.pipeline) > PIPELINE_LIMIT:
                self._refused = True  # nothing more of this read is parsed into requests
                self.transport.abort()

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if self._refused:
                return
            self._in_head, self._raw = True, 0
            super().on_message_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if self._refused:
                self._answer_refusal()

        def _count(self, size: int) -> None:
            self._parsed += size
            if self._parsed > header_limit and not self._refused:
                self._refuse()

        def _refuse(self) -> None:
            """Read nothing more from this client, and answer 431 once every request
            before this one has been answered: answers go out in the order asked."""
            self._refused = True
            self._answer_refusal()

        def _answer_refusal(self) -> None:
            if self.pipeline or (self.cycle is not None and not self.cycle.response_complete):
                return  # on_response_complete calls again
            if self.transport.is_closing():
                return
            detail = f"the request line and headers are longer than the {header_limit} bytes accepted"
            body = json.dumps({"detail": detail}).encode()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                b"content-type: application/json\r\n"
                b"content-length: %d\r\n"
                b"connection: close\r\n\r\n" % len(body) + body
            )
            self.transport.close()

    return BoundedProtocol
