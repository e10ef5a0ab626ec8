"""A local chain that sat idle: its last block is older than the machine's clock, and the
next block will carry the machine's time. Durations count from now, not from that block;
and a transaction that passed simulation but reverted on chain says so, with its rule in
words and the gas it cost."""

from __future__ import annotations

import time

from cli_support import Cli, dev, now
from web3 import Web3

from crowdfund.escrow import Escrow

IDLE = 5  # seconds the chain sits with no new block


def idle(w3: Web3) -> int:
    """Mine a block, then let the chain sit; returns that last block's time."""
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    last = now(w3)
    time.sleep(IDLE)
    return last


def test_a_duration_counts_from_now_on_an_idle_chain(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    last = idle(w3)
    made = cli("create", "--goal", "1", "--deadline", "3s", "--metadata", "ipfs://soon", "--json")
    assert made.code == 0, made.text
    deadline = escrow.campaign(made.json["campaign"]["id"]).deadline
    assert deadline >= last + IDLE + 3  # from the machine's clock, not from the old block


def test_a_revert_on_chain_names_the_rule_and_the_gas(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    last = idle(w3)
    # In the future of the last block, so the simulation passes; in the past of the block
    # that will include it.
    start = f"@{last + 2}"
    refused = cli("create", "--goal", "1", "--start", start, "--deadline", "1d", "--metadata", "x", "--json")
    assert refused.code == 1
    assert "reverted on chain" in refused.err and "gas spent" in refused.err
    assert "is in the past" in refused.err  # StartInPast, in words
    assert "would be reverted" not in refused.err
    error = refused.json["error"]
    assert error["rule"] == "StartInPast" and error["gas_used"] > 21_000
    assert escrow.campaign_count() == 1  # the first test's campaign only
    assert dev(w3, 0) == escrow.campaign(1).creator
