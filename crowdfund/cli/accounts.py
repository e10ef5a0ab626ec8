"""`crowdfund accounts`: list, create and import encrypted keystore accounts (brownie's
folder and format)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from crowdfund import keystore
from crowdfund.cli.context import Context, UsageError, ask_secret


def _folder(ctx: Context) -> Path:
    return ctx.keystore_dir


NO_TERMINAL = "no terminal to type the password at: pass --password-file PATH"


def _secret(prompt: str, without_terminal: str = NO_TERMINAL) -> str:
    return ask_secret(prompt, without_terminal)


def _new_password(ctx: Context, account_id: str) -> str:
    if ctx.args.password_file:
        password, readable_by_others = keystore.read_password_file(Path(ctx.args.password_file))
        if readable_by_others:
            ctx.out.warn(
                f"{ctx.args.password_file} can be read by other users; `chmod 600 {ctx.args.password_file}`"
            )
        return password
    password = _secret(f"password to encrypt {account_id!r} with: ")
    if _secret("the same password again: ") != password:
        raise UsageError("the two passwords differ; nothing was saved")
    return password


def _shown(account: keystore.KeystoreAccount) -> dict[str, str]:
    return {"id": account.id, "address": account.address, "path": str(account.path)}


def list_accounts(ctx: Context) -> dict[str, Any]:
    folder = _folder(ctx)
    found = keystore.list_accounts(folder)
    if found:
        ctx.out.table(["ACCOUNT", "ADDRESS"], [[a.id, a.address] for a in found])
    else:
        ctx.out.line(f"no keystore accounts in {folder}; create one with `crowdfund accounts new ID`")
    ctx.out.line("(on the local chain, anvil's unlocked accounts are dev0, dev1, ...: --account dev1)")
    return {"keystore_dir": str(folder), "accounts": [_shown(a) for a in found]}


def new(ctx: Context) -> dict[str, Any]:
    folder = _folder(ctx)
    if (folder / f"{ctx.args.account_id}.json").exists():
        raise keystore.KeystoreError(f"keystore account {ctx.args.account_id!r} already exists in {folder}")
    password = _new_password(ctx, ctx.args.account_id)
    account = keystore.create(folder, ctx.args.account_id, password)
    ctx.out.line(f"created keystore account {account.id!r}: {account.address}")
    ctx.out.line(f"  saved encrypted in {account.path}; fund it before it sends transactions")
    return {"account": _shown(account)}


def import_(ctx: Context) -> dict[str, Any]:
    folder = _folder(ctx)
    if (folder / f"{ctx.args.account_id}.json").exists():
        raise keystore.KeystoreError(f"keystore account {ctx.args.account_id!r} already exists in {folder}")
    # Typed at a hidden prompt: a key never travels as an argument or a file.
    key = _secret("private key (hidden): ", "no terminal to type the private key at: run this in a terminal")
    password = _new_password(ctx, ctx.args.account_id)
    account = keystore.import_key(folder, ctx.args.account_id, key, password)
    ctx.out.line(f"imported keystore account {account.id!r}: {account.address}")
    ctx.out.line(f"  saved encrypted in {account.path}")
    return {"account": _shown(account)}


def register(commands: argparse._SubParsersAction[Any], parents: dict[str, argparse.ArgumentParser]) -> None:
    options = [parents["output"], parents["keystore"]]
    parser = commands.add_parser(
        "accounts",
        parents=options,
        help="list, create or import encrypted keystore accounts",
        description="Keystore accounts are brownie's: encrypted JSON files in ~/.brownie/accounts, used with "
        "--account ID. On the local chain, anvil's unlocked accounts dev0, dev1, ... need no keystore.",
    )
    parser.set_defaults(run=list_accounts)
    actions = parser.add_subparsers(title="actions", metavar="ACTION")
    actions.add_parser("list", parents=options, help="list keystore accounts (the default)").set_defaults(
        run=list_accounts
    )
    for name, run, text in (
        ("new", new, "create a new random account, encrypted under a password"),
        ("import", import_, "encrypt an existing private key, typed at a hidden prompt"),
    ):
        action = actions.add_parser(name, parents=options, help=text, description=text)
        action.add_argument("account_id", metavar="ID", help="the account's name, used as --account ID")
        action.set_defaults(run=run)
