"""Pick the account a brownie script signs with."""

from __future__ import annotations

from brownie import accounts, network
from eth_account import Account

from crowdfund.transactions import Sender


def signer(keystore_id: str | None) -> Sender:
    """A keystore account by its brownie id (asks for its password), or on a local
    development chain, the node's first unlocked account."""
    if keystore_id:
        # brownie decrypts the keystore after a password prompt; the key stays in memory.
        return Account.from_key(accounts.load(keystore_id).private_key)
    if network.show_active() in ("development", "crowdfund-local") or network.is_connected() and accounts:
        return str(accounts[0].address)
    raise SystemExit(
        "name a keystore account: brownie run scripts/deploy.py main <account-id> --network NAME"
    )
