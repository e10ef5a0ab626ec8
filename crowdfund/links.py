"""Metadata and update links as the chain holds them: any bytes a creator chose.

The escrow takes a `string` without looking at it, so a link may be megabytes long or not
UTF-8 at all. It is read here into bounded text, the same way for every reader: invalid
UTF-8 becomes U+FFFD, and a link longer than MAX_LINK characters is cut there and said
to be cut.
"""

from __future__ import annotations

from typing import NamedTuple

# Longer than any real link (URLs beyond 2,000 characters break in browsers), and small
# enough that a page of campaigns at the cap stays a small answer.
MAX_LINK = 2048


class Link(NamedTuple):
    text: str  # at most MAX_LINK characters
    truncated: bool  # the link on chain is longer than `text`


def link_text(raw: bytes) -> str:
    """A link's bytes as text to store: cut one character past the cap, so that whether it
    was cut can still be told from what is stored (see `bounded`)."""
    # Decoding only a prefix: a character is at most 4 bytes in UTF-8.
    return raw[: 4 * (MAX_LINK + 1)].decode("utf-8", "replace")[: MAX_LINK + 1]


def bounded(text: str) -> Link:
    """A stored (or freshly decoded) link as it is shown."""
    return Link(text[:MAX_LINK], len(text) > MAX_LINK)
