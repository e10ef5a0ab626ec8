"""`make run` stopped and started again keeps the chain's clock and every demo campaign's
state: tools/run_local.sh itself, on free ports, with its chain in a temporary folder."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.chain import free_port
from support.run_local import make_run
from web3 import Web3

from crowdfund.demo import DAY, ETHER
from crowdfund.escrow import Escrow
from crowdfund.tokens import Token


def timestamps(w3: Web3) -> list[int]:
    return [int(w3.eth.get_block(n)["timestamp"]) for n in range(w3.eth.block_number + 1)]


def states(escrow: Escrow) -> list[str]:
    return [c.state.name for c in escrow.campaigns(1, 100)]


def test_a_restarted_make_run_keeps_the_clock_and_every_campaign_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 10}))
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path / "deployments"))  # read the script's registry
    with make_run(tmp_path, port) as first:
        assert "seeding demo campaigns:" in first
        escrow = Escrow.from_registry(w3)
        seeded = states(escrow)
        # The third went through the milestone vault, which collected it: Claimed.
        assert seeded == ["SUCCEEDED", "FAILED", "CLAIMED", "ACTIVE", "CANCELLED", "ACTIVE"]
        # The new chain started in the past; after the demo, its clock is the machine's.
        assert abs(timestamps(w3)[-1] - time.time()) < 120
        token = escrow.campaign(6).token
        assert Token(w3, token).balance_of(w3.eth.accounts[7]) == 1_000 * ETHER  # dev7 can pledge DMT
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

    with make_run(tmp_path, port) as second:
        assert "nothing to do" in second and "no demo seeding needed" in second
        assert "seeding demo campaigns:" not in second
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
