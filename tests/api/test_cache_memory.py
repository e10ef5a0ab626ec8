"""The answer cache is bounded in bytes: sweeping list cursors over a page of campaigns
whose links are at the cap (every page repeats them, ~230 KB an answer) leaves the
gateway's memory where CACHE_BYTES says."""

from __future__ import annotations

from pathlib import Path

from support.gateway import served, wait_indexed
from support.memory import rss
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund_api.http.cursors import encode_cursor

LINK = "ipfs://" + "a" * 500_000  # served cut to 2,048 characters (crowdfund.links)
PAGE = 100
SWEEP = 1_200  # distinct list queries; kept whole they would take ~270 MB


def test_sweeping_distinct_queries_over_a_huge_link_keeps_memory_bounded(
    w3: Web3, registry: Path, escrow: Escrow, campaigns: dict[str, int]
) -> None:
    creator = w3.eth.accounts[0]
    deadline = int(w3.eth.get_block("latest")["timestamp"] + 10 * DAY)
    escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri=LINK)
    for _ in range(PAGE):
        escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri=LINK[:2100])
    endpoint = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    with served(endpoint, registry, CACHE_BYTES=str(8 * 2**20)) as gateway:
        wait_indexed(gateway.client, w3.eth.block_number)
        first = gateway.client.get("/campaigns", params={"limit": PAGE})
        assert first.status_code == 200 and len(first.content) > PAGE * 2048
        before = rss(gateway.process.pid)
        # Every cursor past the newest id is another cache key for the same whole list.
        for n in range(SWEEP):
            page = gateway.client.get(
                "/campaigns", params={"limit": PAGE, "cursor": encode_cursor((10_000 + n,))}
            )
            assert page.status_code == 200 and len(page.content) > PAGE * 2048
        grown = rss(gateway.process.pid) - before
    assert grown < 150 * 2**20, f"the gateway grew by {grown / 2**20:.0f} MB"
