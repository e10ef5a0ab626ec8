"""Event streams held within what the process can afford: at most `max_clients` open at
once (past it 503 with Retry-After, so that file descriptors remain for every other
request, /health/live included), what the kernel buffers for each is bounded, and a
client that stops reading is dropped after `send_timeout` seconds rather than holding its
stream, and its buffers, for ever."""

from __future__ import annotations

import asyncio
import logging
import resource
import socket

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .protocol import DROP

log = logging.getLogger(__name__)

# File descriptors kept for everything but streams: ordinary requests, the database, the node.
FD_HEADROOM = 256
# What the kernel may hold unsent for one stream's client (it doubles the figure for its
# own bookkeeping). Left alone, it grows a connection's buffer up to net.ipv4.tcp_wmem's
# maximum (4 MB by default) for a client that reads slowly, kernel memory the gateway pays
# for every stream; a stream's events arrive block by block, and this much is seconds of them.
STREAM_SEND_BUFFER = 32 * 2**10


def raise_fd_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass  # the soft limit stays; the default cap follows it
    return soft


def default_max_clients() -> int:
    """Half the open-file limit, and never so many that the headroom is eaten."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(1, min(soft // 2, soft - FD_HEADROOM))


class StreamGuard:
    def __init__(
        self, app: ASGIApp, path: str, max_clients: int, send_timeout: float, retry_after: int
    ) -> None:
        self.app, self.path = app, path
        self.max_clients, self.send_timeout, self.retry_after = max_clients, send_timeout, retry_after
        self.open = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        if self.open >= self.max_clients:
            full = JSONResponse(
                {"detail": f"the gateway serves {self.open} event streams, its most; try again later"},
                status_code=503,
                headers={"Retry-After": str(self.retry_after)},
            )
            await full(scope, receive, send)
            return
        connection = scope.get("extensions", {}).get(DROP, {})
        abort = connection.get("abort")
        if (sock := connection.get("socket")) is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, STREAM_SEND_BUFFER)

        async def timed(message: Message) -> None:
            try:
                # asyncio.timeout rather than wait_for: no task per message, which a thousand
                # streams sending every block would pay for.
                async with asyncio.timeout(self.send_timeout):
                    await send(message)
            except TimeoutError:
                if abort is None:
                    raise
                # The client stopped reading: drop it. The stream then ends as it does
                # when a client hangs up (its next receive is a disconnect).
                log.info("dropped an event stream whose client read nothing for %s s", self.send_timeout)
                abort()

        self.open += 1
        try:
            await self.app(scope, receive, timed)
        finally:
            self.open -= 1
