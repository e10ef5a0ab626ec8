"""Seed the local chain with demo campaigns (once: skipped when campaigns exist).

brownie run scripts/seed_demo.py --network crowdfund-local
"""

from __future__ import annotations

from brownie import web3

from crowdfund import demo
from crowdfund.escrow import Escrow


def main() -> None:
    if web3.eth.chain_id != 31337:
        raise SystemExit("demo campaigns are only for the local development chain (chain id 31337)")
    escrow = Escrow.from_registry(web3)
    if escrow.campaign_count():
        print(f"the escrow already holds {escrow.campaign_count()} campaigns; no demo seeding needed")
        return
    print("seeding demo campaigns:")
    demo.seed(web3, escrow)
