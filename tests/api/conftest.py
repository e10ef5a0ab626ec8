"""Fixtures: anvil with the escrow and a few campaigns, and the gateway over it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support.chain import anvil
from support.gateway import gateway, wait_indexed
from support.postgres import fresh_database, postgres_server, unusable_reason
from support.proxy import RpcProxy, rpc_proxy
from web3 import Web3

from crowdfund.demo import DAY, ETHER, deploy_demo_token
from crowdfund.deploy import deploy_escrow
from crowdfund.escrow import Escrow
from crowdfund.transactions import send


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("deployments")


@pytest.fixture(scope="module")
def w3(registry: Path) -> Iterator[Web3]:
    with anvil() as w3:
        yield w3


@pytest.fixture(scope="module")
def escrow(w3: Web3, registry: Path) -> Escrow:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CROWDFUND_DEPLOYMENTS", str(registry))
        deploy_escrow(w3, w3.eth.accounts[0])
        return Escrow.from_registry(w3)


@pytest.fixture(scope="module")
def campaigns(w3: Web3, escrow: Escrow) -> dict[str, int]:
    """Seven campaigns: failed, succeeded, then five active (one in a token, one cancelled)."""
    creator, alice, bob = w3.eth.accounts[:3]

    def deadline(days: float) -> int:
        return int(w3.eth.get_block("latest")["timestamp"] + days * DAY)

    ids = {
        "failed": escrow.create_campaign(
            creator, goal=5 * ETHER, deadline=deadline(1), metadata_uri="ipfs://f"
        )
    }
    escrow.pledge(alice, ids["failed"], ETHER)
    ids["succeeded"] = escrow.create_campaign(
        creator, goal=ETHER, deadline=deadline(1), metadata_uri="ipfs://s"
    )
    escrow.pledge(bob, ids["succeeded"], 2 * ETHER)
    w3.provider.make_request("evm_increaseTime", [2 * DAY])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    for n in range(3):
        ids[f"active{n}"] = escrow.create_campaign(
            creator, goal=(n + 1) * ETHER, deadline=deadline(10), metadata_uri=f"ipfs://a{n}"
        )
    escrow.pledge(alice, ids["active0"], ETHER // 4)
    ids["cancelled"] = escrow.create_campaign(
        creator, goal=ETHER, deadline=deadline(5), metadata_uri="ipfs://c"
    )
    escrow.cancel(creator, ids["cancelled"])
    token = deploy_demo_token(w3, creator)
    ids["token"] = escrow.create_campaign(
        creator,
        goal=100 * ETHER,
        cap=200 * ETHER,
        deadline=deadline(30),
        metadata_uri="ipfs://t",
        token=token,
    )
    abi = [{"name": n, "type": "function", "stateMutability": "nonpayable", "outputs": [],
            "inputs": [{"name": "a", "type": "address"}, {"name": "v", "type": "uint256"}]}
           for n in ("mint", "approve")]  # fmt: skip
    contract = w3.eth.contract(address=Web3.to_checksum_address(token), abi=abi)
    for call in (
        contract.functions.mint(bob, 30 * ETHER),
        contract.functions.approve(escrow.address, 30 * ETHER),
    ):
        send(w3, bob, {"to": token, "data": call._encode_transaction_data()})
    escrow.pledge(bob, ids["token"], 30 * ETHER, eth=False)
    return ids


@pytest.fixture(scope="module")
def api(w3: Web3, registry: Path, campaigns: dict[str, int]) -> Iterator[httpx.Client]:
    with gateway(w3.provider.endpoint_uri, registry) as client:  # type: ignore[attr-defined]
        wait_indexed(client, w3.eth.block_number)
        yield client


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """One PostgreSQL server for the session, started on first use; None when it cannot run."""
    if unusable_reason() is not None:
        yield None
        return
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, postgres_url: str | None) -> str:
    """An empty index database: a SQLite file, then a database on a real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/index.sqlite"
    if postgres_url is None:
        pytest.skip(unusable_reason() or "PostgreSQL did not start")
    return fresh_database(postgres_url, f"index_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Web3, Escrow, Path]]:
    """A fresh anvil of the test's own with the escrow and one campaign (id 1) that alice
    pledged 1 ETH to, for tests that change the chain or the index under a gateway."""
    registry = tmp_path / "deployments"
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(registry))
    with anvil() as w3:
        deploy_escrow(w3, w3.eth.accounts[0])
        escrow = Escrow.from_registry(w3)
        deadline = w3.eth.get_block("latest")["timestamp"] + 10 * DAY
        escrow.create_campaign(
            w3.eth.accounts[0], goal=5 * ETHER, deadline=deadline, metadata_uri="ipfs://c1"
        )
        escrow.pledge(w3.eth.accounts[1], 1, ETHER)
        yield w3, escrow, registry


@pytest.fixture
def proxy(chain: tuple[Web3, Escrow, Path]) -> Iterator[RpcProxy]:
    """A proxy in front of `chain`'s node that counts requests and spoils chosen answers."""
    with rpc_proxy(chain[0].provider.endpoint_uri) as proxy:  # type: ignore[attr-defined]
        yield proxy
