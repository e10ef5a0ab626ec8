"""Per-client rate limits: each named policy (the transaction builders, opening an event
stream, and whatever else needs one later) is a list of `limits` rates, counted per
client in a moving window. A request past one is answered 429 with Retry-After.

The client is the connection's peer address, or the one a trusted proxy forwarded
(TRUSTED_PROXIES: uvicorn's ProxyHeadersMiddleware rewrites the peer before this runs);
an X-Forwarded-For from anyone else is ignored, so that it cannot buy a fresh budget."""

from __future__ import annotations

import math
import time
from typing import Any

from fastapi import Depends, HTTPException, Request
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from . import schemas

TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"model": schemas.Problem, "description": "too many requests from this client; see Retry-After"}
}


class RateLimits:
    def __init__(self, policies: dict[str, str]) -> None:
        # An empty policy is no limit at all.
        self.policies: dict[str, list[RateLimitItem]] = {
            name: parse_many(rates) for name, rates in policies.items() if rates.strip()
        }
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def take(self, policy: str, client: str) -> int | None:
        """Count one request of `client` under `policy`: None when it is within every rate,
        else the seconds until it would be (and nothing is counted)."""
        rates = self.policies.get(policy, [])
        for rate in rates:
            if not self._limiter.test(rate, policy, client):
                reset = self._limiter.get_window_stats(rate, policy, client).reset_time
                return max(1, math.ceil(reset - time.time()))
        for rate in rates:
            self._limiter.hit(rate, policy, client)
        return None


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limited(policy: str) -> Any:
    """A dependency counting the request under `policy`; 429 past it."""

    async def check(request: Request) -> None:
        limits: RateLimits = request.app.state.rate_limits
        wait = limits.take(policy, client_of(request))
        if wait is not None:
            raise HTTPException(
                429,
                f"too many requests from {client_of(request)} ({policy}); try again in {wait} s",
                headers={"Retry-After": str(wait)},
            )

    return Depends(check)
