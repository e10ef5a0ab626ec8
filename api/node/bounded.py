"""HTTP answers from parties trusted for nothing (the node, an IPFS gateway), read under a
cap: counted while they arrive and abandoned past it, so that no answer, however long or
never-ending, makes the process hold more than the cap."""

from __future__ import annotations

import aiohttp

# What one read from the stream may hand over: small beside any cap, large enough that a
# long honest answer costs few turns of the event loop.
READ_CHUNK = 64 * 2**10


class TooLong(Exception):
    """The answer is longer than `limit` bytes; its connection was closed unread."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an answer of more than {limit:,} bytes")
        self.limit = limit


async def read_bounded(response: aiohttp.ClientResponse, limit: int) -> bytearray:
    """The body of `response` (decompressed, as aiohttp hands it over), or TooLong as soon as
    it is longer than `limit`: nothing of it is kept, and the connection is closed rather
    than given back to the pool, since the rest of that answer would still be on it."""
    if response.content_length is not None and response.content_length > limit:
        response.close()
        raise TooLong(limit)
    body = bytearray()
    async for chunk in response.content.iter_chunked(READ_CHUNK):
        if len(body) + len(chunk) > limit:
            response.close()
            raise TooLong(limit)
        body += chunk
    return body
