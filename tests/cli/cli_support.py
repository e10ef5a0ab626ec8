"""Fixtures: a fresh anvil per module with its own deployment registry and home folder
(keystores, brownie networks), and a runner that drives `crowdfund` as a user does."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_typing import ChecksumAddress
from support.chain import anvil
from web3 import Web3

from crowdfund import artifacts
from crowdfund.cli import main
from crowdfund.escrow import Escrow
from crowdfund.transactions import send

ETHER = 10**18
DAY = 86_400


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    @property
    def text(self) -> str:
        return self.out + self.err


Cli = Callable[..., Run]


def run_cli(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A home folder of its own (no keystores, no brownie networks) and a registry folder,
    for the whole module: the real ~/.brownie is never touched."""
    folder = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(folder))
        mp.setenv("CROWDFUND_DEPLOYMENTS", str(folder / "deployments"))
        mp.delenv("CROWDFUND_KEYSTORE_DIR", raising=False)
        mp.delenv("RPC_URL", raising=False)
        yield folder


@pytest.fixture(scope="module")
def w3(home: Path) -> Iterator[Web3]:
    with anvil() as w3:
        yield w3


@pytest.fixture(scope="module")
def rpc_url(w3: Web3) -> str:
    url: str = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    return url


@pytest.fixture(scope="module")
def cli(rpc_url: str) -> Cli:
    """`cli("pledge", "1", "2ether")`: the command against this module's chain."""

    def run(*args: str) -> Run:
        return run_cli(*args, "--rpc-url", rpc_url)

    return run


@pytest.fixture(scope="module")
def escrow(w3: Web3, cli: Cli) -> Escrow:
    deployed = cli("deploy")
    assert deployed.code == 0, deployed.text
    return Escrow.from_registry(w3)


def advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def dev(w3: Web3, index: int) -> ChecksumAddress:
    return w3.eth.accounts[index]


def nonce(w3: Web3, address: str) -> int:
    return w3.eth.get_transaction_count(Web3.to_checksum_address(address))


def deploy_token(w3: Web3, symbol: str, decimals: int, holders: dict[str, int]) -> Any:
    """A DemoToken (ERC-20 with EIP-2612 permits, open minting) minted to `holders`, as a
    web3 contract."""
    artifact = artifacts.load(artifacts.DEMO_TOKEN)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = send(
        w3, dev(w3, 0), {"data": factory.constructor(f"Test {symbol}", symbol, decimals).data_in_transaction}
    )
    token = w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])
    for holder, amount in holders.items():
        send(
            w3,
            holder,
            {"to": token.address, "data": token.functions.mint(holder, amount)._encode_transaction_data()},
        )
    return token


def created_id(run: Run) -> int:
    assert run.code == 0, run.text
    campaign_id: int = run.json["campaign"]["id"]
    return campaign_id
