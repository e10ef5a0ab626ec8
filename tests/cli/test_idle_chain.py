"""A local chain that sat idle: its last block is older than the machine's clock, and the
next block will carry the machine's time. Durations count from now, not from that block;
the dry run is made at the next block's time, so that what it refuses is what the chain
would; and where a node cannot run it there (no pending block), a transaction that passed
it but reverted on chain says so, with its rule in words and the gas it cost."""

from __future__ import annotations

import time

from cli_support import Cli, dev, now, run_cli
from support.proxy import rpc_proxy
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


def test_the_dry_run_refuses_what_the_next_block_would(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    last = idle(w3)
    # In the future of the last block, in the past of the block that would include it.
    start = f"@{last + 2}"
    refused = cli("create", "--goal", "1", "--start", start, "--deadline", "1d", "--metadata", "x", "--json")
    assert refused.code == 1
    assert "is in the past" in refused.err and "reverted on chain" not in refused.err
    assert refused.json["error"]["kind"] == "refused"  # by the dry run: nothing was sent
    assert escrow.campaign_count() == 1  # the first test's campaign only


def test_a_revert_on_chain_names_the_rule_and_the_gas(w3: Web3, escrow: Escrow) -> None:
    last = idle(w3)
    start = f"@{last + 2}"
    # A node that runs the dry run at its latest block, when the chain has sat idle: the
    # dry run passes, and the block that includes the transaction refuses it.
    with rpc_proxy(w3.provider.endpoint_uri) as proxy:  # type: ignore[attr-defined]
        proxy.pending_as_latest = True
        refused = run_cli(
            "create", "--goal", "1", "--start", start, "--deadline", "1d", "--metadata", "x", "--json",
            "--rpc-url", proxy.url,
        )  # fmt: skip
    assert refused.code == 1
    assert "reverted on chain" in refused.err and "gas spent" in refused.err
    assert "is in the past" in refused.err  # StartInPast, in words
    assert "would be reverted" not in refused.err
    error = refused.json["error"]
    assert error["rule"] == "StartInPast" and error["gas_used"] > 21_000
    assert escrow.campaign_count() == 1  # the first test's campaign only
    assert dev(w3, 0) == escrow.campaign(1).creator
