"""A bound on what one request's body may make the gateway hold: 413 past it, enforced
while the bytes arrive, never after buffering them. (The headers' bound is in protocol.py.)"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class _BodyTooLarge(Exception):
    pass


def _too_large(limit: int) -> JSONResponse:
    # Connection: close, since the rest of the body is never read.
    return JSONResponse(
        {"detail": f"the request body is longer than the {limit} bytes this gateway accepts"},
        status_code=413,
        headers={"Connection": "close"},
    )


class BodyLimit:
    """Refuses a body longer than `limit` bytes with 413: at once when Content-Length says
    so, else (chunked, or a Content-Length that lies) as soon as the bytes received pass it.
    The application never sees more than `limit` bytes, or a path's own limit in `paths`
    (POST /content takes images, which are larger than any other body)."""

    def __init__(self, app: ASGIApp, limit: int, paths: dict[str, int] | None = None) -> None:
        self.app, self.default, self.paths = app, limit, paths or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.paths.get(scope["path"], self.default)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, send)
            return
        received, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            # Once the body is too long, whatever the application makes of the cut-off
            # read (FastAPI calls it malformed) is replaced by the 413.
            if not exceeded:
                started = True
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _BodyTooLarge:
            pass
        if exceeded and not started:
            await _too_large(limit)(scope, receive, send)
