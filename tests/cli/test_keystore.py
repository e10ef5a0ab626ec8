"""Keystore accounts: made, listed and imported with `crowdfund accounts`, unlocked by a
password (prompt or file) to sign; a wrong password sends nothing; keys never shown."""

from __future__ import annotations

import getpass
import json
import stat
from pathlib import Path

import pytest
from cli_support import DAY, ETHER, Cli, created_id, deploy_token, dev, nonce, run_cli
from eth_account import Account
from web3 import Web3

from crowdfund.escrow import Escrow

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def password_file(home: Path) -> Path:
    path = home / "password.txt"
    path.write_text(PASSWORD + "\n")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="module")
def alice(w3: Web3, home: Path, password_file: Path) -> str:
    """A keystore account with 10 ETH on the chain."""
    made = run_cli("accounts", "new", "alice", "--password-file", str(password_file), "--json")
    assert made.code == 0, made.text
    address: str = made.json["account"]["address"]
    w3.provider.make_request("anvil_setBalance", [address, hex(10 * ETHER)])  # type: ignore[arg-type]
    return address


def test_new_account_is_an_owner_only_brownie_keystore(home: Path, alice: str) -> None:
    path = home / ".brownie" / "accounts" / "alice.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    encrypted = json.loads(path.read_text())
    assert Web3.to_checksum_address(encrypted["address"]) == alice
    key = Account.decrypt(encrypted, PASSWORD)
    listed = run_cli("accounts")
    assert listed.code == 0 and "alice" in listed.out and alice in listed.out
    assert key.hex() not in listed.text

    taken = run_cli("accounts", "new", "alice", "--password-file", str(home / "password.txt"))
    assert taken.code == 1 and "already exists" in taken.err


def test_pledge_signed_by_a_keystore_with_a_password_file(
    w3: Web3, cli: Cli, escrow: Escrow, alice: str, password_file: Path
) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "5", "--deadline", "3d", "--metadata", "ipfs://k", "--json")
    )

    pledged = cli(
        "pledge", str(campaign_id), "1.5", "--account", "alice", "--password-file", str(password_file)
    )

    assert pledged.code == 0, pledged.text
    assert escrow.pledge_of(campaign_id, alice) == 15 * ETHER // 10
    assert PASSWORD not in pledged.text


def test_wrong_password_sends_nothing(w3: Web3, cli: Cli, escrow: Escrow, alice: str, home: Path) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "5", "--deadline", "3d", "--metadata", "ipfs://w", "--json")
    )
    wrong = home / "wrong.txt"
    wrong.write_text("not the password\n")
    wrong.chmod(0o600)
    before = nonce(w3, alice)

    refused = cli("pledge", str(campaign_id), "1", "--account", "alice", "--password-file", str(wrong))

    assert refused.code == 1
    assert "wrong password for keystore account 'alice'" in refused.err
    assert nonce(w3, alice) == before
    assert escrow.pledge_of(campaign_id, alice) == 0


def test_password_prompt_and_no_terminal(
    w3: Web3, cli: Cli, escrow: Escrow, alice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "5", "--deadline", "3d", "--metadata", "ipfs://p", "--json")
    )
    prompts: list[str] = []

    def typed(prompt: str = "", stream: object = None) -> str:
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr(getpass, "getpass", typed)
    assert cli("pledge", str(campaign_id), "0.5", "--account", "alice").code == 0
    assert prompts == [f"password for keystore account 'alice' ({alice}): "]
    assert escrow.pledge_of(campaign_id, alice) == ETHER // 2

    def no_terminal(prompt: str = "", stream: object = None) -> str:
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)
    stuck = cli("pledge", str(campaign_id), "0.5", "--account", "alice")
    assert stuck.code == 2 and "pass --password-file PATH" in stuck.err
    assert escrow.pledge_of(campaign_id, alice) == ETHER // 2


def test_dry_run_needs_no_password(
    w3: Web3, cli: Cli, escrow: Escrow, alice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    campaign_id = created_id(
        cli("create", "--goal", "5", "--deadline", "3d", "--metadata", "ipfs://d", "--json")
    )
    monkeypatch.setattr(getpass, "getpass", lambda *a, **k: pytest.fail("asked for a password"))
    before = nonce(w3, alice)

    dry = cli("pledge", str(campaign_id), "2", "--account", "alice", "--dry-run", "--json")

    assert dry.code == 0, dry.text
    (planned,) = dry.json["transactions"]
    assert planned["from"] == alice and planned["value"] == str(2 * ETHER) and planned["nonce"] == before
    assert nonce(w3, alice) == before and escrow.pledge_of(campaign_id, alice) == 0


def test_keystore_signs_permits_locally(
    w3: Web3, cli: Cli, escrow: Escrow, alice: str, password_file: Path
) -> None:
    token = deploy_token(w3, "KST", 18, {})
    w3.eth.send_transaction(
        {
            "from": dev(w3, 0),
            "to": token.address,
            "data": token.functions.mint(alice, 100 * ETHER)._encode_transaction_data(),
        }
    )
    campaign_id = created_id(
        cli(
            "create",
            "--goal",
            "50",
            "--deadline",
            f"{2 * DAY}s",
            "--token",
            token.address,
            "--metadata",
            "x",
            "--json",
        )
    )
    before = nonce(w3, alice)

    pledged = cli(
        "pledge",
        str(campaign_id),
        "30",
        "--account",
        "alice",
        "--password-file",
        str(password_file),
        "--json",
    )

    assert pledged.code == 0, pledged.text
    assert pledged.json["allowance_step"] == "permit"
    assert nonce(w3, alice) == before + 1
    assert escrow.pledge_of(campaign_id, alice) == 30 * ETHER


def test_import_takes_the_key_at_a_hidden_prompt(
    home: Path, password_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "0x" + bytes(Account.create().key).hex()  # made here, held by no one
    monkeypatch.setattr(getpass, "getpass", lambda prompt="", stream=None: key)

    imported = run_cli("accounts", "import", "dev9copy", "--password-file", str(password_file), "--json")

    assert imported.code == 0, imported.text
    assert imported.json["account"]["address"] == Account.from_key(key).address
    assert key[2:] not in imported.text
    encrypted = json.loads((home / ".brownie" / "accounts" / "dev9copy.json").read_text())
    assert Account.decrypt(encrypted, PASSWORD).hex() == key[2:]


def test_keystore_dir_override(tmp_path: Path, password_file: Path) -> None:
    made = run_cli(
        "accounts", "new", "ops", "--keystore-dir", str(tmp_path), "--password-file", str(password_file)
    )
    assert made.code == 0, made.text
    assert (tmp_path / "ops.json").exists()
    assert "ops" in run_cli("accounts", "--keystore-dir", str(tmp_path)).out


def test_an_unfunded_keystore_is_told_it_needs_gas(
    w3: Web3, cli: Cli, escrow: Escrow, password_file: Path
) -> None:
    made = run_cli("accounts", "new", "empty", "--password-file", str(password_file), "--json")
    address = made.json["account"]["address"]

    refused = cli("create", "--goal", "1", "--deadline", "1d", "--metadata", "x", "--account", "empty",
                  "--password-file", str(password_file))  # fmt: skip

    assert refused.code == 1
    assert f"({address} needs ETH for the gas)" in refused.err
    assert nonce(w3, address) == 0


def test_a_dry_run_checks_that_the_account_can_pay_for_the_gas(
    w3: Web3, cli: Cli, escrow: Escrow, tmp_path: Path
) -> None:
    password_file = tmp_path / "pw"
    password_file.write_text("hunter2\n")
    password_file.chmod(0o600)
    made = run_cli("accounts", "new", "broke", "--password-file", str(password_file), "--json")
    address = made.json["account"]["address"]

    dry = cli("deploy", "--force", "--dry-run", "--account", "broke", "--password-file", str(password_file))

    assert dry.code == 1, dry.text
    assert f"{address} holds 0 ETH, less than the" in dry.err and "deploy CrowdfundEscrow may cost" in dry.err
    assert "the simulation passes" not in dry.out
