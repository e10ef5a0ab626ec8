"""The interactive API docs at /docs, served with Swagger UI from files that ship with the
gateway (./docs_assets, copied from the npm package swagger-ui-dist when the project is
built) instead of FastAPI's default CDN, so that nothing a user opens here reaches beyond
the gateway."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_UI = Path(__file__).resolve().parent / "docs_assets"
# What the page needs of swagger-ui-dist; `make compile` copies these beside this module.
FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
ASSETS = "/docs-assets"


def mount(app: FastAPI) -> None:
    """Serve /docs and its assets; without the assets, /docs says how to get them."""
    if not all((SWAGGER_UI / name).exists() for name in FILES):

        @app.get("/docs", include_in_schema=False)
        async def missing() -> JSONResponse:
            return JSONResponse(
                {"detail": "the API docs' assets are not installed here: in a checkout, `make compile` "
                 "copies them into the package (then install it again if it is not editable); "
                 "the OpenAPI document is at /openapi.json"},
                status_code=404,
            )  # fmt: skip

        return
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_UI), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        )
