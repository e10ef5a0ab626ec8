"""The FastAPI application: `uvicorn api.main:app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from eth_abi.exceptions import DecodingError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import docs_page, gateway, page
from api.chain import NodeUnavailable, RpcError
from api.follower import IndexBehind
from api.routes import backers, campaigns, events, health, transactions
from api.settings import Settings, get_settings
from api.simulate import Rejected
from crowdfund.deployments import DeploymentNotFound
from crowdfund.networks import display_url


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

    def unavailable(detail: str) -> JSONResponse:
        return JSONResponse(
            {"detail": detail}, status_code=503, headers={"Retry-After": str(settings.retry_after)}
        )

    @app.exception_handler(NodeUnavailable)
    async def node_unavailable(_: Request, exc: NodeUnavailable) -> JSONResponse:
        return unavailable(f"{exc} ({display_url(str(settings.rpc_url))})")

    @app.exception_handler(IndexBehind)
    async def index_behind(_: Request, exc: IndexBehind) -> JSONResponse:
        return unavailable(str(exc))

    @app.exception_handler(DeploymentNotFound)
    async def no_deployment(_: Request, exc: DeploymentNotFound) -> JSONResponse:
        return unavailable(f"{exc}; deploy the escrow or set ESCROW_ADDRESS")

    @app.exception_handler(RpcError)
    async def node_refused(_: Request, exc: RpcError) -> JSONResponse:
        # A read the node refused, typically at a block a reorg has just replaced.
        return unavailable(f"the node refused a read ({exc}); the chain may have just reorganised")

    for error in (aiohttp.ClientError, TimeoutError):

        @app.exception_handler(error)
        async def node_error(_: Request, exc: Exception) -> JSONResponse:
            where = display_url(str(settings.rpc_url))
            return unavailable(f"the node at {where} did not answer: {type(exc).__name__}")

    @app.exception_handler(Rejected)
    async def rejected(_: Request, exc: Rejected) -> JSONResponse:
        body = {"detail": exc.detail, "rule": exc.rule, "values": exc.values}
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # A body that is not even JSON is malformed input like any other: 422, not 400.
        status = 422 if exc.status_code == 400 else exc.status_code
        detail = (
            f"the request body is not valid JSON ({exc.detail})" if exc.status_code == 400 else exc.detail
        )
        return JSONResponse({"detail": detail}, status_code=status, headers=exc.headers)

    @app.exception_handler(SQLAlchemyError)
    async def index_unavailable(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        return unavailable(f"the index database did not answer: {type(exc).__name__}")

    @app.exception_handler(DecodingError)
    async def undecodable(_: Request, exc: DecodingError) -> JSONResponse:
        return unavailable(f"the escrow's answer could not be decoded ({exc}); is ESCROW_ADDRESS right?")

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"detail": reasons}, status_code=422)

    for router in (health.router, campaigns.router, transactions.router, backers.router, events.router):
        app.include_router(router)
    page.mount(app, settings)
    docs_page.mount(app)
    return app


app = create_app()
