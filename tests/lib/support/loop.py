"""Running a coroutine from a synchronous test."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any


def run(body: Callable[[], Awaitable[Any]]) -> Any:
    # In a thread of its own: in the whole suite, the browser tests' driver may still hold
    # an event loop in this thread, and asyncio.run refuses to start inside one.
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, body()).result()  # type: ignore[arg-type]
