"""Deploying records the escrow in the registry, once per chain unless forced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web3 import Web3

from crowdfund import deployments
from crowdfund.abi import abi_hash, escrow_abi
from crowdfund.compiler import pin
from crowdfund.deploy import AlreadyDeployed, deploy_escrow


def test_deploy_records_address_block_tx_compiler_and_abi_hash(w3: Web3, registry: Path) -> None:
    deployment = deploy_escrow(w3, w3.eth.accounts[0])

    record = json.loads((registry / f"{w3.eth.chain_id}.json").read_text())
    assert record["address"] == deployment.address
    receipt = w3.eth.get_transaction_receipt(record["transaction"])
    assert receipt["contractAddress"] == deployment.address
    assert receipt["blockNumber"] == record["block"]
    assert record["compiler"].startswith(f"{pin().version}+commit.")
    assert record["abi_hash"] == abi_hash(escrow_abi())
    assert w3.eth.get_code(deployment.address) != b""


def test_second_deploy_is_refused_unless_forced(w3: Web3, registry: Path) -> None:
    first = deploy_escrow(w3, w3.eth.accounts[0])
    with pytest.raises(AlreadyDeployed, match=first.address):
        deploy_escrow(w3, w3.eth.accounts[0])
    assert deployments.load(w3.eth.chain_id) == first

    second = deploy_escrow(w3, w3.eth.accounts[0], force=True)
    assert second.address != first.address
    assert deployments.load(w3.eth.chain_id) == second


def test_stale_record_without_code_is_replaced(w3: Web3, registry: Path) -> None:
    deployments.save(
        deployments.Deployment(w3.eth.chain_id, "0x" + "12" * 20, 1, "0x" + "00" * 32, pin().version, "0x00")
    )
    fresh = deploy_escrow(w3, w3.eth.accounts[0])
    assert fresh.address != Web3.to_checksum_address("0x" + "12" * 20)
