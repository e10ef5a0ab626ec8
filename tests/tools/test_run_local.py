"""`make run` stopped and started again keeps the chain's clock and every demo campaign's
state, and its gateway shows each demo campaign's document and image as verified:
tools/run_local.sh itself, on free ports, with its chain in a temporary folder."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.chain import free_port
from support.gateway import eventually
from support.run_local import make_run
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund.tokens import Token


def timestamps(w3: Web3) -> list[int]:
    return [int(w3.eth.get_block(n)["timestamp"]) for n in range(w3.eth.block_number + 1)]


def states(escrow: Escrow) -> list[str]:
    return [c.state.name for c in escrow.campaigns(1, 100)]


def shown_verified(api: httpx.Client) -> list[dict[str, Any]]:
    """The gateway's campaigns, once every one's document is verified (fetched from the
    content store in the background: `unavailable` until then)."""

    def verified() -> list[dict[str, Any]] | None:
        try:
            answer = api.get("/campaigns", params={"limit": 100})
        except httpx.TransportError:
            return None
        items: list[dict[str, Any]] = answer.json()["items"] if answer.status_code == 200 else []
        done = len(items) == 6 and all(c["metadata_status"] == "verified" for c in items)
        return sorted(items, key=lambda c: c["id"]) if done else None

    return eventually(verified, timeout=60, what="the demo campaigns' documents verified")


def test_a_restarted_make_run_keeps_the_clock_and_every_campaign_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port, api_port = free_port(), free_port()
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 10}))
    api = httpx.Client(base_url=f"http://127.0.0.1:{api_port}", timeout=10)
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path / "deployments"))  # read the script's registry
    with make_run(tmp_path, port, api_port) as first:
        assert "seeding demo campaigns:" in first
        escrow = Escrow.from_registry(w3)
        seeded = states(escrow)
        # The third went through the milestone vault, which collected it: Claimed.
        assert seeded == ["SUCCEEDED", "FAILED", "CLAIMED", "ACTIVE", "CANCELLED", "ACTIVE"]
        # The new chain started in the past; after the demo, its clock is the machine's.
        assert abs(timestamps(w3)[-1] - time.time()) < 120
        token = escrow.campaign(6).token
        assert Token(w3, token).balance_of(w3.eth.accounts[7]) == 1_000 * ETHER  # dev7 can pledge DMT
        # The demo wrote its documents and images beside the chain, where the gateway serves them.
        for item in shown_verified(api):
            assert item["title"] and item["summary"]
            assert api.get(item["image"]).headers["content-type"] == "image/png"
        assert len(list((tmp_path / "chain" / "content").iterdir())) == 16  # 8 documents, 8 images
        # A chain whose clock ran ahead (evm_increaseTime, as tests and tools do) must not
        # come back older after the restart.
        w3.provider.make_request("evm_increaseTime", [2 * DAY])  # type: ignore[arg-type]
        w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
        last = timestamps(w3)[-1]
        assert last > time.time() + DAY
    assert (tmp_path / "chain" / "state.json").exists()
    # Its own steps and a clear stop: no warnings of the tools under it, no colour codes
    # (the output is not a terminal), no traceback on Ctrl-C.
    (said,) = [log.read_text() for log in tmp_path.glob("run-*.log")]
    assert said.rstrip().endswith("==> stopped"), said[-500:]
    for noise in ("\x1b[", "Warning", "Traceback", "Brownie v", "block height"):
        assert noise not in said, noise

    with make_run(tmp_path, port, api_port) as second:
        assert "nothing to do" in second and "no demo seeding needed" in second
        assert "seeding demo campaigns:" not in second
        assert [c["title"] for c in shown_verified(api)][0] == "Zine printing run"
        garden = escrow.campaign(4).pledged
        escrow.pledge(w3.eth.accounts[4], 4, ETHER)
        now = int(w3.eth.get_block("latest")["timestamp"])
        new_id = escrow.create_campaign(
            w3.eth.accounts[5], goal=ETHER, deadline=now + DAY, metadata_uri="ipfs://demo/new.json"
        )

        ticks = timestamps(w3)
        assert ticks == sorted(ticks), "a block is older than the one before it"
        assert ticks[-1] > last
        assert states(escrow)[:6] == seeded
        assert escrow.campaign(4).pledged == garden + ETHER
        assert escrow.campaign(new_id).state.name == "ACTIVE"
