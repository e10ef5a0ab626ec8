"""What an audit reports: a finding (the books do not add up) or a note (they do, with
something an auditor should know), each said in words and carried with its figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Finding:
    kind: str  # what is wrong: "shortfall", "pledge mismatch", "undecodable log", ...
    message: str  # in words, amounts in the asset's units when known
    campaign: int | None = None
    asset: str | None = None  # the token's address; the zero address for ETH
    backer: str | None = None
    expected: int | None = None  # base units
    found: int | None = None
    block: int | None = None  # where a log comes into it

    def as_json(self) -> dict[str, Any]:
        """Amounts as decimal strings in base units; absent fields left out."""
        return {
            key: str(value) if key in ("expected", "found") else value
            for key, value in self.__dict__.items()
            if value is not None
        }
