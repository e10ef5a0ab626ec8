"""The HTTP protocol `crowdfund serve` runs: uvicorn's httptools protocol with what the
gateway needs from the connection itself, which ASGI does not reach.

- A bound on a request's line and headers: past it the answer is 431 (after the answers
  to any requests pipelined before it) and the connection closes. httptools has no such
  bound, and h11's (uvicorn's h11_max_incomplete_event_size) answers 400.
- A way to drop the client: the scope's extension `crowdfund.drop` aborts the connection
  at once, and gives its socket (to bound what the kernel holds for a slow reader).
  Closing a connection politely waits for buffered bytes to leave, which never happens
  when the client has stopped reading; an aborted connection ends the request as a
  disconnect, the way a client hanging up does, with nothing logged."""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DROP = "crowdfund.drop"


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
            self.scope.setdefault("extensions", {})[DROP] = {
                "abort": self.transport.abort,
                "socket": self.transport.get_extra_info("socket"),
            }
            super().on_headers_complete()

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
