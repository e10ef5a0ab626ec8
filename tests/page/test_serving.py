"""The gateway serves the page at / with nothing to build, and keeps it out of its API."""

from __future__ import annotations

import httpx
from page_kit import Demo, MetadataHost


def test_the_page_and_its_modules_are_served_with_a_strict_policy(gateway_url: str) -> None:
    with httpx.Client(base_url=gateway_url) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert page.headers["cache-control"] == "no-cache"
        assert '<script type="module" src="/static/js/app.js">' in page.text
        module = client.get("/static/js/app.js")
        assert module.status_code == 200 and "javascript" in module.headers["content-type"]
        assert module.headers["content-security-policy"] == policy
        assert client.get("/static/js/nothing.js").status_code == 404


def test_the_page_settings_name_the_ipfs_gateway(gateway_url: str, metadata_host: MetadataHost) -> None:
    with httpx.Client(base_url=gateway_url) as client:
        assert client.get("/page/config.json").json() == {"ipfs_gateway": f"{metadata_host.url}/ipfs/"}


def test_the_page_is_not_part_of_the_api_document(gateway_url: str, demo: Demo) -> None:
    with httpx.Client(base_url=gateway_url) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and "/page/config.json" not in paths
    assert not any(path.startswith("/static") for path in paths)
