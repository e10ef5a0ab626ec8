"""Answers of the node are read under a cap while they arrive: a declared length past it is
refused unread, a body that goes on (plain, chunked without end, or inflating from a few
kilobytes of gzip) is abandoned at it with its connection closed, and what fits is read
whole. Each against a real HTTP server on localhost."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp import web
from support.chain import free_port
from support.loop import run

from crowdfund_api.node.bounded import TooLong, read_bounded
from crowdfund_api.node.rpc import AnswerTooLarge, BadAnswer, Chain, NodeClient, NodeUnavailable

LIMIT = 4 * 2**20
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@asynccontextmanager
async def serving(handler: Handler) -> AsyncIterator[str]:
    """An HTTP server on a free port answering every POST with `handler`; yields its URL."""
    app = web.Application()
    app.router.add_post("/", handler)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


async def read(url: str, limit: int = LIMIT) -> bytes:
    async with aiohttp.ClientSession() as session, session.post(url) as response:
        return bytes(await read_bounded(response, limit))


class Endless:
    """A chunked body that never ends: zeros, a MiB at a time, until the reader hangs up."""

    def __init__(self) -> None:
        self.sent = 0
        self.hung_up = asyncio.Event()

    async def answer(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        try:
            while True:
                await response.write(b"0" * 2**20)
                self.sent += 2**20
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            self.hung_up.set()
        return response


def test_an_answer_up_to_the_limit_is_read_whole() -> None:
    body = b"x" * LIMIT

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=body)

    async def go() -> bytes:
        async with serving(handler) as url:
            return await read(url)

    assert run(go) == body


def test_a_declared_length_past_the_limit_is_refused_unread() -> None:
    # The server declares a gigabyte and sends almost nothing: only the header can have
    # refused it, at once, without waiting for a byte of the body.
    async def go() -> float:
        done = asyncio.Event()

        async def handler(request: web.Request) -> web.StreamResponse:
            response = web.StreamResponse(headers={"Content-Length": str(2**30)})
            await response.prepare(request)
            await response.write(b"[")
            await asyncio.wait_for(done.wait(), 30)
            return response

        async with serving(handler) as url:
            started = time.monotonic()
            with pytest.raises(TooLong):
                await read(url)
            done.set()
            return time.monotonic() - started

    assert run(go) < 5


def test_a_body_without_end_is_abandoned_at_the_limit_and_its_connection_closed() -> None:
    endless = Endless()

    async def go() -> tuple[int, int]:
        async with serving(endless.answer) as url:
            tracemalloc.start()
            try:
                with pytest.raises(TooLong):
                    await read(url)
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
            # The server learns that nobody reads any more: the connection was closed, not
            # kept (and drained) for another request.
            await asyncio.wait_for(endless.hung_up.wait(), 10)
            return peak, endless.sent

    peak, sent = run(go)
    # What the kernel's buffers took besides: the server got no further than a few MiB past.
    assert sent < LIMIT + 16 * 2**20
    # Held at most once, with room for the server's own chunks in this process.
    assert peak < 2 * LIMIT + 8 * 2**20, f"{peak / 2**20:.0f} MiB held"


def test_a_compressed_body_is_counted_as_it_inflates() -> None:
    # 64 MiB of zeros compressed to about 64 KiB: the declared length fits, the content not.
    bomb = gzip.compress(b"0" * 64 * 2**20)
    assert len(bomb) < LIMIT

    async def handler(request: web.Request) -> web.Response:
        return web.Response(body=bomb, headers={"Content-Encoding": "gzip"})

    async def go() -> int:
        async with serving(handler) as url:
            tracemalloc.start()
            try:
                with pytest.raises(TooLong):
                    await read(url)
                return tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    assert run(go) < 2 * LIMIT + 8 * 2**20


def jsonrpc(answer: Callable[[Any], Any]) -> Handler:
    """A node answering each request with answer(request), a batch with one answer each, in
    reverse order (JSON-RPC promises no order)."""

    async def handler(request: web.Request) -> web.Response:
        body = orjson.loads(await request.read())
        if isinstance(body, list):
            out: Any = [{"jsonrpc": "2.0", "id": call["id"], "result": answer(call)} for call in body][::-1]
        else:
            out = {"jsonrpc": "2.0", "id": body["id"], "result": answer(body)}
        return web.Response(body=orjson.dumps(out), content_type="application/json")

    return handler


def test_the_node_answering_past_the_limit_is_a_node_fault_and_the_next_answer_is_read() -> None:
    huge = {"value": True}

    def answer(call: Any) -> Any:
        return "0x" + "0" * (LIMIT if huge["value"] else 4)

    async def go() -> tuple[AnswerTooLarge, Any]:
        async with serving(jsonrpc(answer)) as url:
            client = NodeClient(url, timeout=10, answer_limit=LIMIT)
            try:
                with pytest.raises(AnswerTooLarge) as caught:
                    await client.request("eth_call", [])
                huge["value"] = False
                return caught.value, await client.request("eth_call", [])
            finally:
                await client.close()

    fault, after = run(go)
    # A 503 with Retry-After like any malformed answer, never cached, and naming the setting.
    assert isinstance(fault, BadAnswer) and isinstance(fault, NodeUnavailable)
    assert "eth_call" in str(fault) and "RPC_ANSWER_LIMIT" in str(fault)
    assert after == "0x0000"


def test_a_batch_too_long_for_the_limit_is_asked_in_halves_when_its_calls_allow() -> None:
    # Eight answers of a MiB each (as hostile tokens' symbols could be) pass a 4 MiB limit
    # together; in halves and quarters they fit, and come back in the order asked.
    sizes: list[int] = []

    def answer(call: Any) -> Any:
        return "0x" + call["params"][0] * 2**19

    async def counted(request: web.Request) -> web.StreamResponse:
        body = orjson.loads(await request.read())
        sizes.append(len(body) if isinstance(body, list) else 1)
        return await jsonrpc(answer)(request)

    async def go() -> tuple[list[Any], Exception]:
        async with serving(counted) as url:
            chain = Chain(NodeClient(url, timeout=10, answer_limit=LIMIT), "0x" + "00" * 20, 1, None)
            try:
                calls = [("eth_call", [f"{n:02x}"]) for n in range(8)]
                answers = await chain.batch(calls, divisible=True)
                with pytest.raises(AnswerTooLarge) as whole:
                    await chain.batch(calls)  # headers that must come with their chain id, say
                return answers, whole.value
            finally:
                await chain.client.close()

    answers, whole = run(go)
    assert answers == ["0x" + f"{n:02x}" * 2**19 for n in range(8)]
    assert sizes[:7] == [8, 4, 2, 2, 4, 2, 2] and sizes[7] == 8
    assert isinstance(whole, AnswerTooLarge)
