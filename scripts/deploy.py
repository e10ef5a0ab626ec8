"""Deploy the escrow to the active brownie network and record it in
deployments/<chain id>.json.

    brownie run scripts/deploy.py --network crowdfund-local
    brownie run scripts/deploy.py main <keystore-id> --network <name>
"""

from __future__ import annotations

from brownie import web3

from crowdfund.deploy import AlreadyDeployed, current, deploy_escrow
from crowdfund.deployments import path_for
from scripts._accounts import signer


def main(keystore_id: str | None = None, force: str = "false") -> None:
    existing = current(web3)
    if existing and force.lower() != "true":
        print(f"escrow already deployed on chain {existing.chain_id} at {existing.address}; nothing to do")
        return
    try:
        deployment = deploy_escrow(web3, signer(keystore_id), force=True)
    except AlreadyDeployed as exc:  # another process deployed in between
        raise SystemExit(str(exc)) from None
    print(
        f"escrow deployed on chain {deployment.chain_id} at {deployment.address} "
        f"(block {deployment.block}, tx {deployment.transaction}); "
        f"recorded in {path_for(deployment.chain_id)}"
    )
