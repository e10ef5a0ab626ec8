"""Campaign content by CID: verified bytes from the gateway's own store, or fetched from
the IPFS gateway, checked and kept; and storing what a creator publishes.

`verified` is the one way to the bytes a link names: whatever reads a campaign's metadata
or image goes through it, so that nothing unchecked is ever shown as content.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from crowdfund.content import (
    MEDIA_TYPES,
    Content,
    ContentMismatch,
    ContentRefused,
    Kind,
    accepted,
    checked,
    parse_cid,
)
from crowdfund.links import Link
from crowdfund.metadata import CampaignMetadata

from ..gateway import Gateway
from .types import Found

log = logging.getLogger("crowdfund.gateway")


class ContentNotFound(LookupError):
    """Neither the store nor the IPFS gateway has the content; the reason says where it was
    looked for."""


async def verified(gateway: Gateway, cid: str) -> Content:
    """The content `cid` names. Raises ValueError for a malformed CID, ContentNotFound,
    ContentMismatch (the IPFS gateway sent other bytes; nothing is stored), ContentRefused
    (the CID's bytes, but not content this suite accepts; nothing is stored), an IpfsFault,
    or ContentStoreUnavailable."""
    parse_cid(cid)
    store, ipfs = gateway.content, gateway.ipfs
    data = await asyncio.to_thread(store.get, cid)
    spoilt = False
    if data is not None:
        try:
            return checked(cid, data)
        except ContentMismatch:
            # Changed on disk or in the table since it was stored: never served as it, and
            # replaced once the right bytes are found.
            log.error("the stored content of %s in %s does not match its CID", cid, store.where)
            spoilt = True
    if ipfs is None:
        raise ContentNotFound(f"{cid} is not in this gateway's store, and no IPFS gateway is configured")
    data = await ipfs.fetch(cid)
    if data is None:
        raise ContentNotFound(
            f"{cid} is neither in this gateway's store nor at the IPFS gateway {ipfs.where}"
        )
    found = checked(cid, data)
    await asyncio.to_thread(store.put, cid, data, spoilt)
    return found


def campaign_metadata(gateway: Gateway, link: Link) -> Found[CampaignMetadata]:
    """What a campaign's metadata link names, as far as it is known now (services.documents):
    never waited for."""
    # A link cut short is not the link on chain: it names nothing to check.
    uri = "" if link.truncated else link.text
    return gateway.documents.campaign(uri, functools.partial(verified, gateway))


async def publish(gateway: Gateway, data: bytes, declared: Kind) -> tuple[Content, bool]:
    """Store `data` if it is content this suite accepts, of the kind its sender declared
    (else ContentRefused): the content, and whether it is new to the store."""
    found = accepted(data)
    if found.kind != declared:
        # A sender that says one thing and sends another is refused, not corrected.
        raise ContentRefused(
            "unsupported", f"the body is {found.media_type} but was sent as {MEDIA_TYPES[declared]}"
        )
    added = await asyncio.to_thread(gateway.content.put, found.cid, data)
    # A campaign linking to it may have been shown as unavailable: no longer believed.
    gateway.documents.arrived(found.cid)
    return found, added
