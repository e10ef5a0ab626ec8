"""The HTTP protocol `crowdfund serve` runs: uvicorn's httptools protocol with what the
gateway needs from the connection itself, which ASGI does not reach.

- A bound on a request's line and headers: past it the answer is 431 and the connection
  closes. httptools has no such bound, and h11's (uvicorn's h11_max_incomplete_event_size)
  answers 400.
- A way to drop the client: the scope's extension `crowdfund.drop` aborts the connection
  at once. Closing it politely waits for buffered bytes to leave, which never happens when
  the client has stopped reading; an aborted connection ends the request as a disconnect,
  the way a client hanging up does, with nothing logged."""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DROP = "crowdfund.drop"


def bounded_protocol(header_limit: int) -> type[HttpToolsProtocol]:
    class BoundedProtocol(HttpToolsProtocol):
        _head = 0  # bytes received since the current request began, until its headers end
        _in_head = True
        _refused = False

        def data_received(self, data: bytes) -> None:
            if self._refused:
                return
            if self._in_head:
                # Up to the blank line that ends the headers: a body arriving in the same
                # read is not counted as headers.
                end = data.find(b"\r\n\r\n")
                self._head += len(data) if end < 0 else end
                if self._head > header_limit:
                    self._refuse()
                    return
            super().data_received(data)

        def on_headers_complete(self) -> None:
            self._in_head = False
            self.scope.setdefault("extensions", {})[DROP] = {"abort": self.transport.abort}
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self._in_head, self._head = True, 0
            super().on_message_complete()

        def _refuse(self) -> None:
            self._refused = True
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
