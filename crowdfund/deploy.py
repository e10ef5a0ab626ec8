"""Deploy the escrow (the package's shipped artifact) and record it in the deployment
registry."""

from __future__ import annotations

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
