"""A chain with a million escrow events for the scale benchmark, seeded once and cached.

BenchSeeder (benchmarks/solidity) creates many campaigns, or makes many pledges, per
transaction through the escrow's public entry points; each transaction is mined into its
own block. Seeding a million events takes minutes, so the chain is dumped by anvil
(`--dump-state`, blocks and receipts included) and kept gzipped under .bench/, keyed by
the escrow's and the seeder's bytecode and the seeding plan: a rerun loads it in seconds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from bench_procs import anvil, scratch_file
from web3 import Web3

from crowdfund import artifacts
from crowdfund.artifacts import Artifact
from crowdfund.compiler import compile_files
from crowdfund.deploy import deploy_escrow
from crowdfund.project import ROOT

SEEDER_SOURCE = ROOT / "benchmarks" / "solidity" / "BenchSeeder.sol"
DAY = 86_400
# anvil recomputes the state root at every block over all of the escrow's storage, which
# a million events fill: few large blocks (above mainnet's gas limit) keep seeding in minutes.
BLOCK_GAS = 2_000_000_000
CAMPAIGNS_PER_TX = 2_000  # ~51k gas each
PLEDGES_PER_TX = 2_500  # ~21k-40k gas each: one transaction, and 2,500 escrow events, per block
PLEDGE_WEI = 10**12


@dataclass(frozen=True)
class Plan:
    campaigns: int
    pledges: int
    backers: int

    @property
    def events(self) -> int:
        return self.campaigns + self.pledges


@dataclass(frozen=True)
class ScaleChain:
    plan: Plan
    escrow: str
    first_block: int  # the escrow's deployment block: where indexing starts
    head: int
    seed_seconds: float  # how long seeding took when the cache was made


def _rpc(client: httpx.Client, url: str, method: str, params: list[Any]) -> Any:
    answer = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).json()
    if "error" in answer:
        raise RuntimeError(f"{method}: {answer['error']}")
    return answer["result"]


def _key(plan: Plan, seeder_bytecode: str) -> str:
    escrow = artifacts.load(artifacts.ESCROW)["bytecode"]
    material = json.dumps([escrow, seeder_bytecode, asdict(plan), CAMPAIGNS_PER_TX, PLEDGES_PER_TX])
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def _seed(url: str, w3: Web3, plan: Plan, seeder: Artifact, scratch: Path) -> tuple[str, int, int]:
    """Deploy the escrow and the seeder and send the plan; returns the escrow, its block and the head."""
    os.environ["CROWDFUND_DEPLOYMENTS"] = str(scratch / "deployments")
    sender = w3.eth.accounts[0]
    deployment = deploy_escrow(w3, sender)
    contract = w3.eth.contract(abi=seeder["abi"], bytecode=seeder["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        contract.constructor(deployment.address).transact({"from": sender})
    )
    bound = w3.eth.contract(address=receipt["contractAddress"], abi=seeder["abi"])
    deadline = w3.eth.get_block("latest")["timestamp"] + 300 * DAY  # beyond every block seeding mines

    calls: list[tuple[str, dict[str, Any]]] = []
    for first in range(0, plan.campaigns, CAMPAIGNS_PER_TX):
        count = min(CAMPAIGNS_PER_TX, plan.campaigns - first)
        data = bound.encode_abi("createMany", [count, 10**18, deadline, "ipfs://bench/scale.json"])
        calls.append(("campaigns", {"data": data, "value": "0x0"}))
    for first in range(0, plan.pledges, PLEDGES_PER_TX):
        count = min(PLEDGES_PER_TX, plan.pledges - first)
        args = [first, count, plan.campaigns, plan.backers, PLEDGE_WEI]
        calls.append(
            ("pledges", {"data": bound.encode_abi("pledgeMany", args), "value": hex(count * PLEDGE_WEI)})
        )

    started = time.perf_counter()
    with httpx.Client(timeout=120) as client:
        # Mined one by one on request: anvil's automine answers before the block is made,
        # and a transaction sent in between could be given a nonce already taken.
        _rpc(client, url, "evm_setAutomine", [False])
        nonce = int(_rpc(client, url, "eth_getTransactionCount", [sender, "latest"]), 16)
        for n, (_, call) in enumerate(calls, 1):
            tx = {"from": sender, "to": bound.address, "gas": hex(BLOCK_GAS - 1), "nonce": hex(nonce), **call}
            tx_hash = _rpc(client, url, "eth_sendTransaction", [tx])
            _rpc(client, url, "evm_mine", [])
            nonce += 1
            if n % max(1, len(calls) // 20) == 0 or n == len(calls):
                if _rpc(client, url, "eth_getTransactionReceipt", [tx_hash])["status"] != "0x1":
                    raise RuntimeError(f"seeding transaction {tx_hash} failed")
                elapsed = time.perf_counter() - started
                done = f"{n * 100 // len(calls):3d}%  {n:,} of {len(calls):,} transactions"
                print(f"    {done}, {elapsed:.0f} s", flush=True)
        _rpc(client, url, "evm_setAutomine", [True])
        head = int(_rpc(client, url, "eth_blockNumber", []), 16)
    return deployment.address, deployment.block, head


@contextmanager
def scale_chain(plan: Plan, scratch: Path, *anvil_args: str) -> Iterator[tuple[str, ScaleChain]]:
    """anvil holding `plan`'s events, from the cache or seeded now (and cached)."""
    seeder = compile_files(SEEDER_SOURCE)["BenchSeeder"]
    key = _key(plan, seeder["bytecode"])
    cached, record = scratch_file(f"scale-{key}.json.gz"), scratch_file(f"scale-{key}.meta.json")
    if not (cached.exists() and record.exists()):
        what = f"{plan.campaigns:,} campaigns and {plan.pledges:,} pledges"
        print(f"  seeding {what} (cached as {cached.name}) ...", flush=True)
        dump = scratch / "seeded.json"
        started = time.perf_counter()
        # anvil writes the dump when it stops, which takes a while for a million events; it
        # keeps no state of past blocks meanwhile (copying the state per block slows seeding).
        with anvil(
            "--dump-state", str(dump), "--prune-history", "--gas-limit", str(BLOCK_GAS), stop_timeout=600
        ) as (url, w3):
            escrow, first_block, head = _seed(url, w3, plan, seeder, scratch)
        seconds = time.perf_counter() - started
        print(f"  seeded in {seconds:.0f} s; compressing {dump.stat().st_size / 1e6:,.0f} MB ...", flush=True)
        with dump.open("rb") as source, gzip.open(f"{cached}.partial", "wb", compresslevel=1) as target:
            shutil.copyfileobj(source, target, 1 << 20)
        os.replace(f"{cached}.partial", cached)
        dump.unlink()
        chain = ScaleChain(plan, escrow, first_block, head, seconds)
        record.write_text(json.dumps({**asdict(chain), "plan": asdict(plan)}))
    meta = json.loads(record.read_text())
    chain = ScaleChain(**{**meta, "plan": Plan(**meta["plan"])})
    state = scratch / "state.json"
    started = time.perf_counter()
    with gzip.open(cached, "rb") as source, state.open("wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)
    with anvil("--load-state", str(state), "--gas-limit", str(BLOCK_GAS), *anvil_args, start_timeout=600) as (
        url,
        _,
    ):
        print(f"  chain loaded from {cached.name} in {time.perf_counter() - started:.0f} s "
              f"(blocks {chain.first_block:,} to {chain.head:,})", flush=True)  # fmt: skip
        state.unlink()
        yield url, chain
