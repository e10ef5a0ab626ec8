"""`crowdfund deploy` deploys and records the escrow and its milestone vault once per chain,
adds the vault to a registry from before it, and compiles first when the build is stale."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cli_support import Cli, dev, nonce
from web3 import Web3

from crowdfund.abi import abi_hash, escrow_abi, vault_abi
from crowdfund.cli.deploy import build_is_stale
from crowdfund.compiler import pin
from crowdfund.deploy import deploy_escrow
from crowdfund.vault import Vault


def test_deploy_records_the_escrow_then_refuses_to_redeploy_unless_forced(
    w3: Web3, cli: Cli, home: Path
) -> None:
    record_file = home / "deployments" / f"{w3.eth.chain_id}.json"
    assert not record_file.exists()
    assert cli("status").code == 1  # nothing deployed yet: it says so and how to fix it

    first = cli("deploy", "--json")

    assert first.code == 0, first.text
    record = json.loads(record_file.read_text())
    assert record["address"] == first.json["deployment"]["address"]
    assert w3.eth.get_code(record["address"]) != b""
    receipt = w3.eth.get_transaction_receipt(record["transaction"])
    assert receipt["contractAddress"] == record["address"] and receipt["blockNumber"] == record["block"]
    assert record["compiler"].startswith(f"{pin().version}+commit.")
    assert record["abi_hash"] == abi_hash(escrow_abi())
    assert first.json["transactions"][0]["gas_used"] == receipt["gasUsed"]
    assert [t["function"] for t in first.json["transactions"]] == [
        "deploy CrowdfundEscrow",
        "deploy MilestoneVault",
    ]
    vault = Vault.from_registry(w3)
    assert vault.contract.functions.escrow().call() == record["address"]
    assert record["vault_address"] == vault.address and record["vault_abi_hash"] == abi_hash(vault_abi())

    again = cli("deploy")
    assert again.code == 1
    assert f"already deployed on chain {w3.eth.chain_id} at {record['address']}" in again.err
    assert json.loads(record_file.read_text()) == record

    forced = cli("deploy", "--force", "--json")
    assert forced.code == 0, forced.text
    assert (
        json.loads(record_file.read_text())["address"]
        == forced.json["deployment"]["address"]
        != record["address"]
    )


def test_dry_run_deploys_nothing(w3: Web3, cli: Cli, home: Path) -> None:
    record_file = home / "deployments" / f"{w3.eth.chain_id}.json"
    before_record = record_file.read_text() if record_file.exists() else None
    before_nonce = nonce(w3, dev(w3, 0))

    dry = cli("deploy", "--force", "--dry-run", "--json")

    assert dry.code == 0, dry.text
    (planned,) = dry.json["transactions"]
    assert planned["from"] == dev(w3, 0) and planned["to"] is None and planned["gas"] > 1_000_000
    assert nonce(w3, dev(w3, 0)) == before_nonce
    assert (record_file.read_text() if record_file.exists() else None) == before_record


def test_a_build_older_than_any_source_is_stale(tmp_path: Path) -> None:
    artifact, source = tmp_path / "Escrow.json", tmp_path / "Escrow.sol"
    assert build_is_stale(artifact, [])  # missing
    source.write_text("contract Escrow {}")
    artifact.write_text("{}")
    os.utime(source, (1_000, 1_000))
    os.utime(artifact, (2_000, 2_000))
    assert not build_is_stale(artifact, [source])
    os.utime(source, (3_000, 3_000))
    assert build_is_stale(artifact, [source])


def test_a_reset_chain_is_noticed(w3: Web3, cli: Cli, home: Path) -> None:
    record_file = home / "deployments" / f"{w3.eth.chain_id}.json"
    record = json.loads(record_file.read_text())
    record_file.write_text(json.dumps({**record, "address": Web3.to_checksum_address("0x" + "12" * 20)}))
    try:
        stale = cli("status")
        assert stale.code == 1
        assert "there is no contract there (was the local chain reset?)" in stale.err
    finally:
        record_file.write_text(json.dumps(record))


def test_if_missing_adds_the_vault_beside_an_escrow_recorded_before_it(
    w3: Web3, cli: Cli, home: Path
) -> None:
    record_file = home / "deployments" / f"{w3.eth.chain_id}.json"
    escrow = deploy_escrow(w3, dev(w3, 0), force=True)  # a record as written before the vault
    older = json.loads(record_file.read_text())
    assert "vault_address" not in older

    refused = cli("deploy")
    assert refused.code == 1 and "or --if-missing to add the milestone vault beside it" in refused.err
    added = cli("deploy", "--if-missing", "--json")

    assert added.code == 0, added.text
    assert [t["function"] for t in added.json["transactions"]] == ["deploy MilestoneVault"]
    record = json.loads(record_file.read_text())
    assert {k: record[k] for k in older} == older  # the escrow's record is kept as it was
    assert w3.eth.get_code(record["vault_address"]) != b""
    assert Vault.from_registry(w3).contract.functions.escrow().call() == escrow.address

    again = cli("deploy", "--if-missing")
    assert again.code == 0 and "nothing to do" in again.out
    assert json.loads(record_file.read_text()) == record
