"""The FastAPI application factory: `uvicorn --factory crowdfund_api.http.app:create_app`,
or `crowdfund serve`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import crowdfund
from crowdfund.content import CONTENT_MAX

from .. import gateway
from ..services.campaigns import follow_moves
from ..settings import Settings, get_settings
from . import docs_page, errors, page
from .limits import BodyLimit
from .ratelimit import RateLimits
from .routes import backers, campaigns, content, events, health, transactions
from .streams import StreamGuard, default_max_clients


def quiet_collector() -> None:
    """Keep the garbage collector's full collections rare and short: each walks every
    object the process holds and stops every request meanwhile, up to 100 ms once a second
    on a live chain with a thousand event streams open. Everything loaded so far (web3,
    pydantic's models, the ABI) lives as long as the process and is put out of its sight;
    full collections come after ten times as many young ones as by default. Garbage
    without cycles is freed at once as ever; only cycles wait longer."""
    gc.freeze()
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, full * 10)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway.running(settings) as running:
            follow_moves(running)
            app.state.gateway = running
            quiet_collector()
            yield

    app = FastAPI(
        title="crowdfund gateway",
        summary="All-or-nothing crowdfunding campaigns, read from an Ethereum node and its index.",
        version=crowdfund.__version__,
        lifespan=lifespan,
        # Both default doc pages load their scripts from a CDN; docs_page serves /docs locally.
        docs_url=None,
        redoc_url=None,
    )
    # Middleware, innermost first: a refusal made by one still passes through CORS (so a
    # page can read it), and the client it names is the one a trusted proxy forwarded.
    app.add_middleware(
        StreamGuard,
        path="/events",
        max_clients=default_max_clients() if settings.sse_max_clients is None else settings.sse_max_clients,
        send_timeout=settings.sse_send_timeout,
        retry_after=settings.retry_after,
    )
    app.add_middleware(
        BodyLimit, limit=settings.body_limit, paths={"/content": max(settings.body_limit, CONTENT_MAX)}
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Last-Event-ID"],
        )
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.state.settings = settings
    app.state.rate_limits = RateLimits(
        {
            "tx": settings.rate_limit_tx,
            "events": settings.rate_limit_events,
            "content": settings.rate_limit_content,
        }
    )

    errors.install(app, settings)
    for module in (health, campaigns, transactions, backers, events, content):
        app.include_router(module.router)
    page.mount(app)
    docs_page.mount(app)
    return app
