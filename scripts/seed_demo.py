"""Seed the local chain with demo campaigns (once: skipped when campaigns exist), as
`crowdfund demo` does.

brownie run scripts/seed_demo.py --network crowdfund-local
"""

from __future__ import annotations

from brownie import web3

from crowdfund import demo
from crowdfund.escrow import Escrow
from crowdfund.vault import VaultNotDeployed


def main() -> None:
    try:
        demo.require_local_chain(web3)  # before the registry, which may have no record there
        demo.seed_if_empty(web3, Escrow.from_registry(web3))
    except (demo.NotLocalChain, VaultNotDeployed) as exc:
        raise SystemExit(str(exc)) from None
