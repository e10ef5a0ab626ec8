"""An IPFS HTTP gateway as a source of campaign content, asked in the trustless format
(`application/vnd.ipld.raw`: the block's bytes as they are hashed, nothing rendered).

Like the node, the IPFS gateway is trusted for nothing: its answer is bounded in time and
size while it arrives, and the caller checks the bytes against their CID before any use.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import aiohttp

from crowdfund.networks import display_url

from .bounded import TooLong, read_bounded

RAW = "application/vnd.ipld.raw"


class IpfsFault(Exception):
    """The IPFS gateway gave no usable answer; the reason names it."""


class IpfsUnavailable(IpfsFault):
    """It could not be reached or answered with a server error: worth asking again later."""


class IpfsTimeout(IpfsUnavailable):
    """It did not answer in time (or sent the answer too slowly)."""


class IpfsBadAnswer(IpfsFault):
    """It answered something that cannot be the content: a refusal of the request, or more
    bytes than any content may have."""


class IpfsTooLarge(IpfsBadAnswer):
    """It sent more bytes than any content may have: whatever it is, it is not content."""


class IpfsGateway:
    def __init__(self, url: str, timeout: float, max_bytes: int) -> None:
        self.url = url.rstrip("/")
        self.where = display_url(self.url)
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None
        # The fetches under way, by CID: many requests for one missing CID make one fetch.
        self._fetching: dict[str, asyncio.Future[bytes | None]] = {}

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def fetch(self, cid: str) -> bytes | None:
        """The bytes the IPFS gateway gives for `cid` (unchecked), or None when it has none."""
        fetching = self._fetching.get(cid)
        if fetching is None:
            fetching = asyncio.ensure_future(self._fetch(cid))
            self._fetching[cid] = fetching
            fetching.add_done_callback(lambda done: self._done(cid, done))
        # Shielded: one client hanging up does not cancel the fetch the others wait for.
        return await asyncio.shield(fetching)

    def _done(self, cid: str, fetching: asyncio.Future[bytes | None]) -> None:
        self._fetching.pop(cid, None)
        # Its fault is each waiter's answer; when every waiter has hung up, it is nobody's,
        # and asyncio would log it as never retrieved.
        if not fetching.cancelled():
            fetching.exception()

    async def _fetch(self, cid: str) -> bytes | None:
        url = f"{self.url}/ipfs/{quote(cid)}?format=raw"
        try:
            # One deadline for the whole answer: a gateway that sends a byte a second is
            # as slow as one that sends nothing.
            async with asyncio.timeout(self.timeout):
                async with self._client().get(url, headers={"Accept": RAW}) as response:
                    if response.status in (404, 410):
                        return None
                    if response.status >= 500:
                        raise IpfsUnavailable(f"the IPFS gateway at {self.where} answered {response.status}")
                    if response.status != 200:
                        raise IpfsBadAnswer(
                            f"the IPFS gateway at {self.where} refused the request ({response.status})"
                        )
                    return bytes(await read_bounded(response, self.max_bytes))
        except TooLong:
            raise IpfsTooLarge(
                f"the IPFS gateway at {self.where} sent more than the {self.max_bytes:,} bytes "
                "content may have"
            ) from None
        except TimeoutError:
            raise IpfsTimeout(
                f"the IPFS gateway at {self.where} did not answer within {self.timeout:g} s"
            ) from None
        except aiohttp.ClientError as exc:
            raise IpfsUnavailable(
                f"the IPFS gateway at {self.where} did not answer: {type(exc).__name__}"
            ) from exc

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
