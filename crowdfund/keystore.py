"""Encrypted keystore accounts, in brownie's folder and format, so that accounts made by
`brownie accounts new` and by `crowdfund accounts new` are the same accounts.

A key is only ever held in memory after its password was given; it is never read from a
plain file, an argument or the environment, and never printed.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class KeystoreError(Exception):
    """A keystore account cannot be used or made; the message says what to do."""


class AccountNotFound(KeystoreError):
    pass


class WrongPassword(KeystoreError):
    pass


@dataclass(frozen=True)
class KeystoreAccount:
    id: str
    address: str
    path: Path


def default_dir() -> Path:
    """brownie's keystore folder; `CROWDFUND_KEYSTORE_DIR` points elsewhere."""
    override = os.environ.get("CROWDFUND_KEYSTORE_DIR")
    return Path(override) if override else Path.home() / ".brownie" / "accounts"


def _read(path: Path) -> KeystoreAccount:
    data = json.loads(path.read_text())
    return KeystoreAccount(path.stem, to_checksum_address(data["address"]), path)


def list_accounts(folder: Path) -> list[KeystoreAccount]:
    if not folder.is_dir():
        return []
    return [_read(path) for path in sorted(folder.glob("*.json"))]


def find(folder: Path, account_id: str) -> KeystoreAccount:
    path = folder / f"{account_id}.json"
    if not path.exists():
        known = ", ".join(a.id for a in list_accounts(folder)) or "none"
        raise AccountNotFound(
            f"no keystore account {account_id!r} in {folder} (known: {known}); "
            "create one with `crowdfund accounts new ID`"
        )
    return _read(path)


def unlock(account: KeystoreAccount, password: str) -> LocalAccount:
    try:
        key = Account.decrypt(json.loads(account.path.read_text()), password)
    except ValueError:
        raise WrongPassword(f"wrong password for keystore account {account.id!r} ({account.path})") from None
    unlocked: LocalAccount = Account.from_key(key)
    return unlocked


def save(folder: Path, account_id: str, account: LocalAccount, password: str) -> KeystoreAccount:
    """Encrypt `account` under `password` into `folder/<id>.json`, readable by its owner only."""
    if not _ID.match(account_id):
        raise KeystoreError(f"{account_id!r} is not a usable account id: letters, digits, '.', '_' and '-'")
    if not password:
        raise KeystoreError("refusing to encrypt a key under an empty password")
    path = folder / f"{account_id}.json"
    if path.exists():
        raise KeystoreError(f"keystore account {account_id!r} already exists ({path}); choose another id")
    folder.mkdir(parents=True, exist_ok=True)
    encrypted = Account.encrypt(account.key, password)
    # Created with owner-only permissions from the start, not chmod-ed after writing.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as file:
        json.dump(encrypted, file)
    return KeystoreAccount(account_id, account.address, path)


def create(folder: Path, account_id: str, password: str) -> KeystoreAccount:
    """A new random account, saved encrypted."""
    return save(folder, account_id, Account.create(), password)


def import_key(folder: Path, account_id: str, private_key: str, password: str) -> KeystoreAccount:
    try:
        account: LocalAccount = Account.from_key(private_key.strip())
    except (ValueError, TypeError):
        raise KeystoreError("that is not a private key (64 hex digits, with or without 0x)") from None
    return save(folder, account_id, account, password)


def read_password_file(path: Path) -> tuple[str, bool]:
    """The password in `path` (its first line) and whether others than the owner can read it."""
    try:
        text = path.read_text()
        mode = path.stat().st_mode
    except OSError as exc:
        raise KeystoreError(f"cannot read the password file {path}: {exc.strerror}") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise KeystoreError(f"the password file {path} is empty")
    return lines[0], bool(mode & (stat.S_IRWXG | stat.S_IRWXO))
