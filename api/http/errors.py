"""Every failure as an HTTP answer with a reason: 4xx for what the client can change,
503 with Retry-After for what the node or the index cannot answer now, 501 for a proof the
node cannot give, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import aiohttp
from eth_abi.exceptions import DecodingError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from crowdfund.content import ContentStoreUnavailable
from crowdfund.deployments import DeploymentNotFound
from crowdfund.networks import display_url

from ..index.follower import DatabaseUnavailable, IndexBehind
from ..node.proofs import ProofsUnavailable
from ..node.rpc import NodeUnavailable, RpcError, WrongChain
from ..node.simulate import Rejected
from ..settings import Settings


def _unavailable_reasons(settings: Settings) -> dict[type[Exception], Callable[[Exception], str]]:
    """What each fault of the node, the index or the deployment says in a 503."""
    where = display_url(str(settings.rpc_url))
    return {
        NodeUnavailable: lambda exc: f"{exc} ({where})",
        # Nothing is answered from a node on another chain; the index is left as it is.
        WrongChain: str,
        IndexBehind: str,
        DatabaseUnavailable: str,
        ContentStoreUnavailable: str,
        DeploymentNotFound: lambda exc: f"{exc}; deploy the escrow or set ESCROW_ADDRESS",
        # A read the node refused, typically at a block a reorg has just replaced.
        RpcError: lambda exc: f"the node refused a read ({exc}); the chain may have just reorganised",
        aiohttp.ClientError: lambda exc: f"the node at {where} did not answer: {type(exc).__name__}",
        TimeoutError: lambda exc: f"the node at {where} did not answer: {type(exc).__name__}",
        SQLAlchemyError: lambda exc: f"the index database did not answer: {type(exc).__name__}",
        DecodingError: lambda exc: (
            f"the escrow's answer could not be decoded ({exc}); is ESCROW_ADDRESS right?"
        ),
    }


def install(app: FastAPI, settings: Settings) -> None:
    retry = {"Retry-After": str(settings.retry_after)}
    for error, reason in _unavailable_reasons(settings).items():

        async def unavailable(
            _: Request, exc: Exception, reason: Callable[[Exception], str] = reason
        ) -> JSONResponse:
            return JSONResponse({"detail": reason(exc)}, status_code=503, headers=retry)

        app.add_exception_handler(error, unavailable)

    @app.exception_handler(Rejected)
    async def rejected(_: Request, exc: Rejected) -> JSONResponse:
        body = {"detail": exc.detail, "rule": exc.rule, "values": exc.values}
        return JSONResponse(body, status_code=404 if exc.rule == "CampaignNotFound" else 409)

    @app.exception_handler(ProofsUnavailable)
    async def unprovable(_: Request, exc: ProofsUnavailable) -> JSONResponse:
        # Not a passing fault: this node will never prove, so no Retry-After.
        return JSONResponse({"detail": str(exc)}, status_code=501)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # A body that is not even JSON is malformed input like any other: 422, not 400.
        status = 422 if exc.status_code == 400 else exc.status_code
        detail = (
            f"the request body is not valid JSON ({exc.detail})" if exc.status_code == 400 else exc.detail
        )
        return JSONResponse({"detail": detail}, status_code=status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return JSONResponse({"detail": reasons}, status_code=422)
