"""Any network by name (brownie's network config) or URL; off the local chain, only a
keystore signs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from cli_support import ETHER, run_cli
from support.chain import anvil, free_port
from web3 import Web3

from crowdfund.escrow import Escrow

OTHER_CHAIN = 4242


@pytest.fixture(scope="module")
def other_chain(home: Path) -> Iterator[Web3]:
    """A chain that is not the local development chain, as a public testnet would be."""
    with anvil(None, "--chain-id", str(OTHER_CHAIN)) as w3:
        yield w3


@pytest.fixture(scope="module")
def networks(home: Path, rpc_url: str, other_chain: Web3) -> Path:
    """brownie networks of this home folder, as `brownie networks add` writes them."""
    local_port = int(rpc_url.rsplit(":", 1)[1])
    other_url = other_chain.provider.endpoint_uri  # type: ignore[attr-defined]
    config = {
        "development": [
            {"id": "mylocal", "name": "Local", "host": "http://127.0.0.1", "cmd": "anvil",
             "cmd_settings": {"port": local_port}},
        ],
        "live": [
            {"name": "Test", "networks": [
                {"id": "mytestnet", "name": "Testnet", "host": other_url, "chainid": OTHER_CHAIN},
                {"id": "mislabelled", "name": "Wrong id", "host": other_url, "chainid": 1},
                {"id": "needs-key", "name": "Keyed", "host": "https://rpc.example/$CROWDFUND_TEST_API_KEY",
                 "chainid": 11155111},
            ]},
        ],
    }  # fmt: skip
    path = home / ".brownie" / "network-config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def operator(home: Path, other_chain: Web3) -> tuple[str, Path]:
    """A funded keystore account for the other chain, and its password file."""
    password = home / "operator-password"
    password.write_text("operator password\n")
    password.chmod(0o600)
    made = run_cli("accounts", "new", "operator", "--password-file", str(password), "--json")
    assert made.code == 0, made.text
    address: str = made.json["account"]["address"]
    other_chain.provider.make_request("anvil_setBalance", [address, hex(10 * ETHER)])  # type: ignore[arg-type]
    return address, password


def test_network_by_brownie_name(w3: Web3, networks: Path, escrow: Escrow) -> None:
    listed = run_cli("status", "--network", "mylocal", "--json")
    assert listed.code == 0, listed.text
    assert listed.json["chain_id"] == w3.eth.chain_id and listed.json["network"] == "mylocal"
    # The network options work before the command too.
    assert run_cli("--network", "mylocal", "status").code == 0


def test_rpc_url_from_the_environment_unless_a_network_is_named(
    w3: Web3, other_chain: Web3, rpc_url: str, networks: Path, escrow: Escrow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPC_URL", rpc_url)
    assert run_cli("status", "--json").json["chain_id"] == w3.eth.chain_id
    monkeypatch.setenv("RPC_URL", other_chain.provider.endpoint_uri)  # type: ignore[attr-defined]
    assert run_cli("status", "--json", "--network", "mylocal").json["chain_id"] == w3.eth.chain_id


def test_other_chains_demand_a_keystore_account(other_chain: Web3, networks: Path) -> None:
    before = other_chain.eth.get_transaction_count(other_chain.eth.accounts[0])

    unnamed = run_cli("deploy", "--network", "mytestnet")
    assert unnamed.code == 2
    assert f"chain {OTHER_CHAIN} is not the local development chain: name the keystore account" in unnamed.err

    dev_account = run_cli("deploy", "--network", "mytestnet", "--account", "dev0")
    assert dev_account.code == 2 and "usable only on the local chain" in dev_account.err

    assert other_chain.eth.get_transaction_count(other_chain.eth.accounts[0]) == before


def test_deploy_and_run_a_campaign_on_another_chain_with_a_keystore(
    other_chain: Web3, networks: Path, operator: tuple[str, Path], home: Path
) -> None:
    address, password = operator
    signing = ("--network", "mytestnet", "--account", "operator", "--password-file", str(password))

    missing = run_cli("status", "--network", "mytestnet")
    assert missing.code == 1 and "crowdfund deploy --network mytestnet" in missing.err

    deployed = run_cli("deploy", *signing, "--json")
    assert deployed.code == 0, deployed.text
    record = json.loads((home / "deployments" / f"{OTHER_CHAIN}.json").read_text())
    assert record["address"] == deployed.json["deployment"]["address"]
    assert other_chain.eth.get_transaction(record["transaction"])["from"] == address

    made = run_cli("create", "--goal", "1", "--deadline", "30d", "--metadata", "ipfs://t", *signing, "--json")
    assert made.code == 0, made.text
    escrow = Escrow(other_chain, record["address"])
    assert escrow.campaign(made.json["campaign"]["id"]).creator == address


def test_network_errors(networks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = run_cli("status", "--network", "nowhere")
    assert unknown.code == 2 and "no network named 'nowhere'" in unknown.err

    mislabelled = run_cli("status", "--network", "mislabelled")
    assert mislabelled.code == 1
    assert "network mislabelled should be chain 1, but the node at" in mislabelled.err
    assert f"is chain {OTHER_CHAIN}" in mislabelled.err

    monkeypatch.delenv("CROWDFUND_TEST_API_KEY", raising=False)
    keyless = run_cli("status", "--network", "needs-key")
    assert keyless.code == 1 and "needs CROWDFUND_TEST_API_KEY set in the environment" in keyless.err

    nobody = run_cli("status", "--rpc-url", f"http://127.0.0.1:{free_port()}")
    assert nobody.code == 1 and "cannot reach the node" in nobody.err

    not_http = run_cli("status", "--rpc-url", "ftp://example.org")
    assert not_http.code == 2 and "not an http(s) JSON-RPC URL" in not_http.err


def test_api_keys_in_urls_are_not_printed(networks: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWDFUND_TEST_API_KEY", "s3cr3t-project-id")
    unreachable = run_cli("status", "--network", "needs-key", "--json")
    assert unreachable.code == 1
    assert "s3cr3t-project-id" not in unreachable.text
    assert "https://rpc.example/…" in unreachable.err
