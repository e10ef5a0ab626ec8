"""Deploy the escrow and the milestone vault beside it (the package's shipped artifacts)
and record them in the deployment registry."""

from __future__ import annotations

from dataclasses import replace

from eth_abi.abi import encode
from eth_typing import HexStr
from web3 import Web3

from crowdfund import artifacts, deployments
from crowdfund.abi import abi_hash
from crowdfund.deployments import Deployment
from crowdfund.transactions import Sender, send


class AlreadyDeployed(Exception):
    def __init__(self, deployment: Deployment) -> None:
        super().__init__(
            f"the escrow is already deployed on chain {deployment.chain_id} at {deployment.address} "
            f"(block {deployment.block}); pass force=True (--force) to deploy another one"
        )
        self.deployment = deployment


def current(w3: Web3) -> Deployment | None:
    """The registry's deployment for this chain, if its contract is really there.

    A record whose address has no code is stale (a local chain that was reset)."""
    deployment = deployments.find(w3.eth.chain_id)
    if deployment is None or not w3.eth.get_code(Web3.to_checksum_address(deployment.address)):
        return None
    return deployment


def deploy_escrow(w3: Web3, sender: Sender, *, force: bool = False) -> Deployment:
    existing = current(w3)
    if existing and not force:
        raise AlreadyDeployed(existing)
    artifact = artifacts.load(artifacts.ESCROW)
    receipt = send(w3, sender, {"data": artifact["bytecode"]})
    deployment = Deployment(
        chain_id=w3.eth.chain_id,
        address=str(receipt["contractAddress"]),
        block=receipt["blockNumber"],
        transaction="0x" + bytes(receipt["transactionHash"]).hex(),
        compiler=artifact["compiler"]["version"],
        abi_hash=abi_hash(artifact["abi"]),
    )
    deployments.save(deployment)
    return deployment


def vault_is_live(w3: Web3, deployment: Deployment) -> bool:
    """Whether the record names a vault and its contract is there."""
    address = deployment.vault_address
    return address is not None and bool(w3.eth.get_code(Web3.to_checksum_address(address)))


def vault_creation_code(escrow: str) -> HexStr:
    """The vault's creation code with its constructor argument, the escrow it works over."""
    bytecode = artifacts.load(artifacts.VAULT)["bytecode"]
    return HexStr(bytecode + encode(["address"], [Web3.to_checksum_address(escrow)]).hex())


def deploy_vault(w3: Web3, sender: Sender, escrow: Deployment) -> Deployment:
    """Deploy a vault over the recorded escrow; returns the escrow's record with the vault
    added, as saved in the registry (an older vault there is replaced)."""
    receipt = send(w3, sender, {"data": vault_creation_code(escrow.address)})
    deployment = replace(
        escrow,
        vault_address=str(receipt["contractAddress"]),
        vault_block=receipt["blockNumber"],
        vault_transaction="0x" + bytes(receipt["transactionHash"]).hex(),
        vault_abi_hash=abi_hash(artifacts.load(artifacts.VAULT)["abi"]),
    )
    deployments.save(deployment)
    return deployment
