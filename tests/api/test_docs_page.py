"""/docs works offline: Swagger UI comes from the gateway itself, not from a CDN."""

from __future__ import annotations

import re

import httpx


def test_docs_page_loads_only_local_assets(api: httpx.Client) -> None:
    page = api.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources, page.text
    for source in sources:
        assert source.startswith("/"), f"/docs loads {source} from elsewhere"
        assert api.get(source).status_code == 200, source
    assert "/openapi.json" in page.text
    assert api.get("/redoc").status_code == 404
