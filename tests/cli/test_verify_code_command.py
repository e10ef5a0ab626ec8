"""`crowdfund verify-code` against a real deployment on anvil: identical after `crowdfund
deploy`, and what it says when the code at an address has been doctored (anvil_setCode)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_support import Cli, run_cli
from support.chain import free_port
from web3 import Web3

from crowdfund import compiler, deployments
from crowdfund.cli import verify_code
from crowdfund.deployments import Deployment
from crowdfund.escrow import Escrow
from crowdfund.verify import split_trailer

ELSEWHERE = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture(scope="module")
def deployment(escrow: Escrow, w3: Web3) -> Deployment:
    record = deployments.load(w3.eth.chain_id)
    assert record.vault_address is not None
    return record


def code_at(w3: Web3, address: str) -> bytes:
    return bytes(w3.eth.get_code(Web3.to_checksum_address(address)))


def set_code(w3: Web3, address: str, code: bytes) -> None:
    w3.provider.make_request("anvil_setCode", [address, "0x" + code.hex()])  # type: ignore[arg-type]


@contextmanager
def doctored(w3: Web3, address: str, code: bytes) -> Iterator[None]:
    """`code` at `address` for the time of the block, the real code back after it."""
    real = code_at(w3, address)
    set_code(w3, address, code)
    try:
        yield
    finally:
        set_code(w3, address, real)


def test_a_fresh_deployment_is_identical_to_a_fresh_compile_of_the_checkout(
    cli: Cli, deployment: Deployment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A compile of its own, not one cached by an earlier run.
    monkeypatch.setattr(compiler, "CACHE_DIR", tmp_path)
    said = cli("verify-code")
    assert said.code == 0, said.text
    assert said.err.startswith(
        "compiling contracts/CrowdfundEscrow.sol, contracts/MilestoneVault.sol with solc "
    )
    lines = said.out.splitlines()
    assert f"CrowdfundEscrow at {deployment.address}: identical (runtime code " in said.out
    assert any(
        line.startswith(f"MilestoneVault at {deployment.vault_address}: identical (")
        and line.endswith(f"its escrow (immutable _escrow) {deployment.address})")
        for line in lines
    ), said.out
    assert lines[-1].startswith("identical:")

    document = cli("verify-code", "--json").json
    assert document["identical"] is True
    assert document["compared_with"]["compiler"]["version"] == compiler.pin().version
    escrow, vault = document["contracts"]
    assert (escrow["contract"], escrow["verdict"], escrow["address_from"]) == (
        "CrowdfundEscrow", "identical", "registry",
    )  # fmt: skip
    assert escrow["metadata"]["on_chain"] == escrow["metadata"]["compiled"]
    assert escrow["metadata"]["on_chain"]["solc"] == compiler.pin().version
    assert escrow["metadata"]["on_chain"]["ipfs"].startswith("ipfs://Qm")
    pinned = escrow["metadata"]["compiled_sources"]
    assert "contracts/CrowdfundEscrow.sol" in pinned
    assert "node_modules/@openzeppelin/contracts/utils/math/SafeCast.sol" in pinned
    assert all(len(keccak) == 66 for keccak in pinned.values())
    assert (vault["verdict"], vault["vault_escrow"]) == ("identical", deployment.address)
    assert vault["immutables"]["_escrow"].endswith(deployment.address[2:].lower())


def test_another_contract_s_code_at_the_escrow_s_address_is_a_bytecode_difference(
    cli: Cli, w3: Web3, deployment: Deployment
) -> None:
    assert deployment.vault_address is not None
    with doctored(w3, deployment.address, code_at(w3, deployment.vault_address)):
        said = cli("verify-code")
        document = cli("verify-code", "--json")
    assert said.code == 1, said.text
    assert f"CrowdfundEscrow at {deployment.address}: DIFFERS: the bytecode differs from byte " in said.out
    assert said.out.splitlines()[-1] == "not identical: CrowdfundEscrow"
    assert document.code == 1
    escrow, vault = document.json["contracts"]
    assert escrow["verdict"] == "bytecode differs"
    assert isinstance(escrow["first_difference"], int)
    assert escrow["runtime_size"]["on_chain"] == len(code_at(w3, deployment.vault_address))
    assert vault["verdict"] == "identical"  # the vault itself was not touched
    assert document.json["identical"] is False


def test_one_byte_changed_in_the_metadata_hash_is_a_metadata_difference(
    cli: Cli, w3: Web3, deployment: Deployment
) -> None:
    real = code_at(w3, deployment.address)
    executable, trailer = split_trailer(real)
    assert trailer is not None
    changed = bytearray(real)
    changed[len(executable) + 10] ^= 0xFF  # inside the 34-byte IPFS multihash
    with doctored(w3, deployment.address, bytes(changed)):
        said = cli("verify-code")
    assert said.code == 1, said.text
    assert (
        f"CrowdfundEscrow at {deployment.address}: DIFFERS: same bytecode, different metadata: the sources "
        "or the compiler settings differ" in said.out
    )
    assert f"metadata compiled: {trailer.ipfs}" in said.out
    assert "source files by keccak256 (--json lists them)" in said.out


def test_another_compiler_named_in_the_trailer_on_chain_is_said_beside_the_pin(
    cli: Cli, w3: Web3, deployment: Deployment
) -> None:
    real = code_at(w3, deployment.address)
    _, trailer = split_trailer(real)
    assert trailer is not None and trailer.raw.endswith(bytes.fromhex("64736f6c6343") + real[-5:])
    changed = bytearray(real)
    changed[-5:-2] = bytes([0, 8, 20])  # the "solc" field: 0.8.20
    with doctored(w3, deployment.address, bytes(changed)):
        said = cli("verify-code")
    assert said.code == 1, said.text
    assert "DIFFERS: same bytecode and metadata hash, but the trailer differs in solc" in said.out
    assert "metadata on chain: ipfs://" in said.out and "(solc 0.8.20)" in said.out
    assert "source files by keccak256" not in said.out  # the sources are not in question
    assert f"  compiled with solc 0.8.20, this checkout pins {compiler.pin().version}" in said.out


def test_an_address_without_code_is_a_finding(cli: Cli) -> None:
    said = cli("verify-code", "--address", ELSEWHERE)
    assert said.code == 1, said.text
    assert f"CrowdfundEscrow: no contract at {ELSEWHERE}" in said.out
    assert "MilestoneVault at" not in said.out  # only the addresses named are verified


def test_a_vault_over_another_escrow_is_named(cli: Cli, w3: Web3, deployment: Deployment) -> None:
    # The escrow's own code at a second address: identical there, but the vault pays from the first.
    other = "0x00000000000000000000000000000000c0ffee00"
    with doctored(w3, other, code_at(w3, deployment.address)):
        said = cli("verify-code", "--address", other, "--vault-address", str(deployment.vault_address))
        document = cli(
            "verify-code", "--address", other, "--vault-address", str(deployment.vault_address), "--json"
        )
    assert said.code == 1, said.text
    other = Web3.to_checksum_address(other)
    assert f"CrowdfundEscrow at {other}: identical" in said.out
    assert (
        f"MilestoneVault at {deployment.vault_address}: DIFFERS: the runtime code is the compiled one"
        in said.out
    )
    assert f"its immutable _escrow names the escrow {deployment.address}, not {other}" in said.out
    escrow, vault = document.json["contracts"]
    assert (escrow["verdict"], escrow["address_from"]) == ("identical", "given")
    assert (vault["verdict"], vault["identical"], vault["vault_escrow"]) == (
        "immutable differs", False, deployment.address,
    )  # fmt: skip
    assert vault["reason"] == vault["findings"][0]


def test_a_node_that_does_not_answer_is_an_error(home: Path) -> None:
    said = run_cli("verify-code", "--rpc-url", f"http://127.0.0.1:{free_port()}")
    assert said.code == 1
    assert said.err.startswith("error: cannot reach the node at http://127.0.0.1:")


def test_an_installed_package_without_sources_refuses(
    cli: Cli, deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify_code, "in_checkout", lambda: False)
    said = cli("verify-code", "--json")
    assert said.code == 1
    assert "run it from a checkout of the project" in said.json["error"]["message"]
