"""The FastAPI application factory: `uvicorn --factory crowdfund_api.http.app:create_app`,
or `crowdfund serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from .. import gateway
from ..settings import Settings, get_settings
from . import docs_page, errors, page
from .routes import backers, campaigns, events, health, transactions


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with gateway.running(settings) as running:
            app.state.gateway = running
            yield

    app = FastAPI(
        title="crowdfund gateway",
        summary="All-or-nothing crowdfunding campaigns, read from an Ethereum node and its index.",
        version="0.2.0",
        lifespan=lifespan,
        # Both default doc pages load their scripts from a CDN; docs_page serves /docs locally.
        docs_url=None,
        redoc_url=None,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Last-Event-ID"],
        )

    errors.install(app, settings)
    for router in (health.router, campaigns.router, transactions.router, backers.router, events.router):
        app.include_router(router)
    page.mount(app, settings)
    docs_page.mount(app)
    return app
