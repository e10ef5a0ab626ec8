"""The gateway serves the page at / with nothing to build, and keeps it out of its API."""

from __future__ import annotations

import httpx
from page_kit import Demo


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


def test_the_page_shows_images_from_the_gateway_alone(gateway_url: str) -> None:
    # Campaign images are the gateway's /content, checked against their CIDs: an image from
    # a creator's host would tell it who is looking.
    with httpx.Client(base_url=gateway_url) as client:
        policy = client.get("/").headers["content-security-policy"]
        assert "img-src 'self' data:;" in policy
        # The page's own settings (the IPFS gateway it once read documents through) are gone.
        assert client.get("/page/config.json").status_code == 404


def test_the_page_is_not_part_of_the_api_document(gateway_url: str, demo: Demo) -> None:
    with httpx.Client(base_url=gateway_url) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths
    assert not any(path.startswith("/static") for path in paths)
