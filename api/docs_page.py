"""The interactive API docs at /docs, served with Swagger UI from the project's own npm
install instead of FastAPI's default CDN, so that nothing a user opens here reaches beyond
the gateway."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from crowdfund.project import ROOT

SWAGGER_UI = ROOT / "node_modules" / "swagger-ui-dist"
ASSETS = "/docs-assets"


def mount(app: FastAPI) -> None:
    """Serve /docs (when `make setup` has installed swagger-ui-dist) and its assets."""
    if not (SWAGGER_UI / "swagger-ui-bundle.js").exists():
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
