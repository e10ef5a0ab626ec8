"""Page cursors come back as the position they hold; anything else is a 422."""

from __future__ import annotations

import base64

import pytest
from fastapi import HTTPException

from crowdfund_api.http.cursors import decode_cursor, encode_cursor


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("position", [(0,), (7,), (123, 4), (10**18 - 1, 0)])
def test_a_cursor_decodes_to_the_position_it_was_made_from(position: tuple[int, ...]) -> None:
    cursor = encode_cursor(position)
    assert cursor is not None and "=" not in cursor
    assert decode_cursor(cursor, len(position)) == position


def test_no_position_makes_no_cursor() -> None:
    assert encode_cursor(None) is None


@pytest.mark.parametrize(
    ("cursor", "parts"),
    [
        ("", 1),
        ("not base64 at all!", 1),
        ("a", 1),  # a length base64 cannot have
        (b64("garbage"), 1),
        (b64("before:5"), 1),
        (b64("after:"), 1),
        (b64("after:5"), 2),  # too few parts
        (b64("after:5:6"), 1),  # too many parts
        (b64("after:-5"), 1),
        (b64("after:+5"), 1),
        (b64("after: 5"), 1),
        (b64("after:5x"), 1),
        (b64("after:²"), 1),
        (b64("after:١٢"), 1),  # Arabic-Indic digits, which int() would read
        (b64("after:" + "9" * 19), 1),  # longer than any BIGINT position
        (base64.urlsafe_b64encode(b"after:\xff").decode(), 1),  # not UTF-8
    ],
)
def test_a_cursor_this_gateway_did_not_issue_is_refused_with_422(cursor: str, parts: int) -> None:
    with pytest.raises(HTTPException) as refused:
        decode_cursor(cursor, parts)
    assert refused.value.status_code == 422
    assert "is not one this gateway issued" in str(refused.value.detail)
