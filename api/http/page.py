"""The backer page: plain HTML, CSS and JavaScript modules from ./static, served at `/`
with nothing to build."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "static"

# Scripts, styles and images come only from the gateway itself, so that text from a
# campaign's metadata can never run as code, and no image can tell a creator's host who is
# looking: campaign images are the gateway's /content, checked against their CIDs (`data:`
# is the page's empty icon, which keeps browsers from asking for /favicon.ico).
# `connect-src *`: a wallet whose provider is a script in the page (as in some in-app
# browsers, and the page's tests) speaks to its own node; the page itself asks only the
# gateway.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Revalidate on every load (cheap: the files carry an ETag), so that a browser never runs
# the modules of an older page against a newer gateway.
HEADERS = {"Cache-Control": "no-cache", "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


class _StaticFiles(StaticFiles):
    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers.update(HEADERS)
        return response


def mount(app: FastAPI) -> None:
    """Serve the page at `/` and its files under /static; none of it is in the OpenAPI document."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers=HEADERS)

    app.include_router(router)
    app.mount("/static", _StaticFiles(directory=STATIC), name="static")
