"""The page tests' fixtures; they live in page_kit, which the tests also import from (a
module named conftest would be ambiguous beside the other test folders' conftest files)."""

from page_kit import browser, chromium, demo, gateway_url, metadata_host, visit

__all__ = ["browser", "chromium", "demo", "gateway_url", "metadata_host", "visit"]
