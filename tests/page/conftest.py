"""The page tests' fixtures; they live in page_kit, which the tests also import from (a
module named conftest would be ambiguous beside the other test folders' conftest files)."""

import pytest
from page_kit import browser, chromium, demo, gateway_url, visit

__all__ = ["browser", "chromium", "demo", "gateway_url", "visit"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "moves_clock_far: moves the shared demo chain's clock past every demo campaign's "
        "deadline; run after the other tests",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The page tests share one chain: a test that moves its clock months ahead would leave
    # the demo campaigns ended for every test after it, so such tests run last.
    items.sort(key=lambda item: item.get_closest_marker("moves_clock_far") is not None)
