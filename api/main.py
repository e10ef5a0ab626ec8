"""The FastAPI application: `uvicorn api.main:app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from api.chain import NODE_ERRORS, ChainHolder, NodeUnavailable
from api.routes import campaigns, health
from api.settings import Settings, get_settings
from crowdfund.deployments import DeploymentNotFound


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.chain = ChainHolder(str(settings.rpc_url), settings.escrow_address, settings.rpc_timeout)
        yield
        await app.state.chain.close()

    app = FastAPI(
        title="crowdfund gateway",
        summary="All-or-nothing crowdfunding campaigns, read from an Ethereum node.",
        version="0.1.0",
        lifespan=lifespan,
    )
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"])

    def unavailable(detail: str) -> JSONResponse:
        return JSONResponse(
            {"detail": detail}, status_code=503, headers={"Retry-After": str(settings.retry_after)}
        )

    @app.exception_handler(NodeUnavailable)
    async def node_unavailable(_: Request, exc: NodeUnavailable) -> JSONResponse:
        return unavailable(str(exc))

    @app.exception_handler(DeploymentNotFound)
    async def no_deployment(_: Request, exc: DeploymentNotFound) -> JSONResponse:
        return unavailable(f"{exc}; deploy the escrow or set ESCROW_ADDRESS")

    for error in NODE_ERRORS:

        @app.exception_handler(error)
        async def node_error(_: Request, exc: Exception) -> JSONResponse:
            return unavailable(f"the node at {settings.rpc_url} did not answer: {type(exc).__name__}")

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"detail": reasons}, status_code=422)

    app.include_router(health.router)
    app.include_router(campaigns.router)
    return app


app = create_app()
