"""Opaque page cursors: a position in a list, base64 so that clients do not build them."""

from __future__ import annotations

import base64
import binascii

from fastapi import HTTPException


def encode_cursor(position: tuple[int, ...] | None) -> str | None:
    if position is None:
        return None
    text = "after:" + ":".join(str(p) for p in position)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> tuple[int, ...]:
    """The position a cursor of ours holds; 422 for anything else."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, *values = text.split(":")
        # isascii(): isdigit() also accepts digits of other scripts, which int() reads.
        ok = all(v.isascii() and v.isdigit() and len(v) < 19 for v in values)
        if prefix != "after" or len(values) != parts or not ok:
            raise ValueError(text)
        return tuple(int(v) for v in values)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(422, f"cursor {cursor!r} is not one this gateway issued") from None
