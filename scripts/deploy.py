"""Deploy the escrow and the milestone vault beside it to the active brownie network and
record them in deployments/<chain id>.json (an escrow recorded before the vault existed
gets its vault).

    brownie run scripts/deploy.py --network crowdfund-local
    brownie run scripts/deploy.py main <keystore-id> --network <name>
"""

from __future__ import annotations

from brownie import web3

from crowdfund.deploy import AlreadyDeployed, current, deploy_escrow, deploy_vault, vault_is_live
from crowdfund.deployments import path_for
from scripts._accounts import signer


def main(keystore_id: str | None = None, force: str = "false") -> None:
    existing = current(web3)
    if existing and force.lower() != "true" and vault_is_live(web3, existing):
        print(f"escrow already deployed on chain {existing.chain_id} at {existing.address}; nothing to do")
        return
    sender = signer(keystore_id)
    if existing and force.lower() != "true":
        escrow = existing
    else:
        try:
            escrow = deploy_escrow(web3, sender, force=True)
        except AlreadyDeployed as exc:  # another process deployed in between
            raise SystemExit(str(exc)) from None
        print(
            f"escrow deployed on chain {escrow.chain_id} at {escrow.address} "
            f"(block {escrow.block}, tx {escrow.transaction})"
        )
    deployment = deploy_vault(web3, sender, escrow)
    print(
        f"milestone vault deployed at {deployment.vault_address} (block {deployment.vault_block}, "
        f"tx {deployment.vault_transaction}); recorded in {path_for(deployment.chain_id)}"
    )
