"""Seed the local chain with demo campaigns (once: skipped when campaigns exist), as
`crowdfund demo` does, their documents and images into the gateway's content folder
($CONTENT_DIR, else .chain/content).

brownie run scripts/seed_demo.py --network crowdfund-local
"""

from __future__ import annotations

import os
from pathlib import Path

from brownie import web3

from crowdfund import demo
from crowdfund.content import DEFAULT_CONTENT_DIR, FolderStore
from crowdfund.escrow import Escrow
from crowdfund.vault import VaultNotDeployed


def main() -> None:
    try:
        demo.require_local_chain(web3)  # before the registry, which may have no record there
        content = FolderStore(Path(os.environ.get("CONTENT_DIR", DEFAULT_CONTENT_DIR)))
        demo.seed_if_empty(web3, Escrow.from_registry(web3), content)
    except (demo.NotLocalChain, VaultNotDeployed) as exc:
        raise SystemExit(str(exc)) from None
