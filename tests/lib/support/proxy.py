"""A misbehaving JSON-RPC proxy in front of a real node, for the tests of a faulty node.

It forwards every request (single or batch) to `upstream`, which a test may switch to
another node at any time, and can be told to spoil the answers to chosen methods:

    with rpc_proxy(anvil_url) as proxy:
        proxy.spoil("eth_blockNumber", "null")   # "result": null
        proxy.spoil("eth_getLogs", "drop")       # the connection is closed, no answer
        proxy.heal()                             # every answer is the node's again
        proxy.pending_as_latest = True           # as providers without a pending block
        proxy.rewrite("eth_getLogs", f)          # the result is f(the node's result)
        proxy.reply("eth_call", f)               # f(params): {"result": ...} or {"error": ...}
                                                 # in place of the node's answer, or None
        proxy.spoil("eth_call", "huge")          # 100 MB of valid JSON, sent chunked
        proxy.flooded                            # bytes of such answers sent so far
        proxy.batch_limit = 100                  # bigger batches refused whole, as geth does

The server runs on its own event loop in a thread, so that the tests stay synchronous.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from aiohttp import ClientSession, web

from support.chain import free_port

# What a spoiled answer is:
#   null     the result is null
#   garbage  the result is a string that is not hex
#   number   the result is a JSON number where JSON-RPC promises a hex string
#   empty    the result is an object with none of the fields it should have
#   error    a JSON-RPC error instead of the result
#   drop     the connection is closed without an answer (the whole request, batch or not)
#   hang     no answer at all until the proxy stops or heals
#   huge     an answer of HUGE bytes of valid JSON (the result a hex string of zeros),
#            chunked: no Content-Length warns the reader, only counting can stop it
#   endless  the same, but the hex string never ends
Spoil = Literal["null", "garbage", "number", "empty", "error", "drop", "hang", "huge", "endless"]
SPOILED: dict[str, Any] = {"null": None, "garbage": "not a quantity", "number": 12, "empty": {}}
HUGE = 100_000_000
FLOOD_CHUNK = b"0" * 2**20


class RpcProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.spoiled: dict[str, Spoil] = {}
        self.rewritten: dict[str, Callable[[Any], Any]] = {}
        self.replied: dict[str, Callable[[list[Any]], dict[str, Any] | None]] = {}
        self.seen: dict[str, int] = {}  # requests per method, spoiled or not
        self.flooded = 0  # bytes sent in huge and endless answers
        self._stopping = False
        # Calls asked at the pending block are answered at the latest, as by providers
        # that keep no pending block.
        self.pending_as_latest = False
        # Batches of more requests are refused as a whole, in geth's words.
        self.batch_limit: int | None = None
        self.refused_batches = 0
        self._loop = asyncio.new_event_loop()
        self._healed = asyncio.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="rpc-proxy", daemon=True)

    def spoil(self, method: str, how: Spoil) -> None:
        self.spoiled[method] = how

    def rewrite(self, method: str, how: Callable[[Any], Any]) -> None:
        """Answer `method` with `how` applied to the node's result (errors pass unchanged)."""
        self.rewritten[method] = how

    def reply(self, method: str, how: Callable[[list[Any]], dict[str, Any] | None]) -> None:
        """Answer `method` with what `how` makes of the request's params (a "result" or an
        "error"), or with the node's own answer where it gives None: a node's wording of a
        failure for chosen calls only, say."""
        self.replied[method] = how

    def heal(self) -> None:
        self.spoiled.clear()
        self.rewritten.clear()
        self.replied.clear()
        self._loop.call_soon_threadsafe(self._healed.set)

    def count(self, method: str) -> int:
        return self.seen.get(method, 0)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        calls = body if isinstance(body, list) else [body]
        for call in calls:
            self.seen[call.get("method", "")] = self.seen.get(call.get("method", ""), 0) + 1
        if isinstance(body, list) and self.batch_limit is not None and len(body) > self.batch_limit:
            self.refused_batches += 1
            refusal = {"jsonrpc": "2.0", "id": None, "error": {"code": -32600, "message": "batch too large"}}
            return web.Response(text=json.dumps(refusal), content_type="application/json")
        ways = {self.spoiled.get(call.get("method", "")) for call in calls} - {None}
        if "hang" in ways:
            self._healed.clear()
            await self._healed.wait()
        if "drop" in ways and request.transport is not None:
            request.transport.close()
            return web.Response()
        if ways & {"huge", "endless"}:
            return await self._flood(request, calls[0].get("id"), batch=isinstance(body, list),
                                     endless="endless" in ways)  # fmt: skip
        if self.pending_as_latest:
            for call in calls:
                call["params"] = ["latest" if p == "pending" else p for p in call.get("params", [])]
        async with self._session.post(self.upstream, json=body) as upstream:
            answer = await upstream.json(content_type=None)
        answers = answer if isinstance(answer, list) else [answer]
        by_id = {call.get("id"): call for call in calls}
        for entry in answers:
            call = by_id.get(entry.get("id"), {})
            method = call.get("method", "")
            how = self.spoiled.get(method)
            replied = self.replied[method](call.get("params", [])) if method in self.replied else None
            if replied is not None:
                entry.pop("result", None)
                entry.pop("error", None)
                entry.update(replied)
            if method in self.rewritten and "result" in entry:
                entry["result"] = self.rewritten[method](entry["result"])
            if how == "error":
                entry.pop("result", None)
                entry["error"] = {"code": -32000, "message": "spoiled by the test proxy"}
            elif how in SPOILED:
                entry.pop("error", None)
                entry["result"] = SPOILED[how]
        return web.Response(text=json.dumps(answer), content_type="application/json")

    async def _flood(self, request: web.Request, id_: Any, batch: bool, endless: bool) -> web.StreamResponse:
        """A result of hex zeros, HUGE bytes long or without end, sent until the reader hangs up."""
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        head = json.dumps({"jsonrpc": "2.0", "id": id_, "result": "0x"})[:-2].encode()
        try:
            await response.write(b"[" * batch + head)
            sent = 0
            while (endless or sent < HUGE) and not self._stopping:
                await response.write(FLOOD_CHUNK)
                sent += len(FLOOD_CHUNK)
                self.flooded += len(FLOOD_CHUNK)
            await response.write(b'"}' + b"]" * batch)
        except ConnectionError:
            pass  # the reader hung up: what it should do
        return response

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)

        async def start() -> web.AppRunner:
            self._session = ClientSession()
            app = web.Application()
            app.router.add_post("/{tail:.*}", self._handle)
            runner = web.AppRunner(app, handle_signals=False)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", self.port).start()
            return runner

        self._runner = self._loop.run_until_complete(start())
        self._ready.set()
        self._loop.run_forever()

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(timeout=10)

    def stop(self) -> None:
        async def shutdown() -> None:
            self._stopping = True
            self._healed.set()
            await self._runner.cleanup()
            await self._session.close()

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


@contextmanager
def rpc_proxy(upstream: str) -> Iterator[RpcProxy]:
    """A proxy to `upstream` on a free port; its `url` is what the gateway is given."""
    proxy = RpcProxy(upstream)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
