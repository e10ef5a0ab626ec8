"""tools/solc.js answers py-solc-x, brownie and crytic-compile like a native solc."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from eth_utils import keccak

from crowdfund.compiler import pin

ROOT = Path(__file__).resolve().parents[2]
SOLC = ROOT / ".toolchain" / "solcx" / f"solc-v{pin().version}"

PLAIN = """// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
contract Counter { uint256 public n; function bump() external { n += 1; } }
"""


COMPILE_STDIN = "process.stdout.write(require('solc').compile(require('fs').readFileSync(0, 'utf8')))"


def solc(*args: str, stdin: str = "", cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SOLC), *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120
    )


def standard_input(sources: dict[str, str], selection: list[str] | None = None) -> str:
    return json.dumps(
        {
            "language": "Solidity",
            "sources": {name: {"content": text} for name, text in sources.items()},
            "settings": {
                **pin().standard_settings(),
                "outputSelection": {"*": {"*": selection or ["evm.bytecode.object"]}},
            },
        }
    )


def test_version_in_native_format() -> None:
    result = solc("--version")
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1].startswith(f"Version: {pin().version}+commit.")


def test_same_bytecode_as_solc_js_called_directly() -> None:
    payload = standard_input({"Counter.sol": PLAIN})
    direct = subprocess.run(
        ["node", "-e", COMPILE_STDIN],
        input=payload, capture_output=True, text=True, cwd=ROOT, check=True,
    )  # fmt: skip
    via_adapter = solc("--standard-json", stdin=payload)
    assert via_adapter.returncode == 0
    ours = json.loads(via_adapter.stdout)["contracts"]["Counter.sol"]["Counter"]["evm"]["bytecode"]["object"]
    theirs = json.loads(direct.stdout)["contracts"]["Counter.sol"]["Counter"]["evm"]["bytecode"]["object"]
    assert ours == theirs and len(ours) > 100


def test_imports_resolve_from_disk_through_remappings() -> None:
    source = (ROOT / "contracts/demo/DemoToken.sol").read_text()
    result = solc(
        "--standard-json", "--allow-paths", str(ROOT), stdin=standard_input({"DemoToken.sol": source})
    )
    output = json.loads(result.stdout)
    assert not [e for e in output.get("errors", []) if e["severity"] == "error"]
    assert output["contracts"]["DemoToken.sol"]["DemoToken"]["evm"]["bytecode"]["object"]


def test_large_output_is_not_truncated() -> None:
    source = (ROOT / "contracts/CrowdfundEscrow.sol").read_text()
    interface = (ROOT / "contracts/interfaces/ICrowdfundEscrow.sol").read_text()
    payload = standard_input(
        {"contracts/CrowdfundEscrow.sol": source, "contracts/interfaces/ICrowdfundEscrow.sol": interface},
        ["abi", "evm.bytecode", "evm.deployedBytecode", "evm.assembly", "metadata", "storageLayout"],
    )
    result = solc("--standard-json", stdin=payload)
    assert len(result.stdout) > 300_000  # far past a pipe's 64 KiB buffer
    output = json.loads(result.stdout)  # would fail on a cut-off document
    assert output["contracts"]["contracts/CrowdfundEscrow.sol"]["CrowdfundEscrow"]["abi"]


def test_compile_errors_stay_in_the_json_with_exit_zero_like_native() -> None:
    result = solc("--standard-json", stdin=standard_input({"Bad.sol": "contract Bad { function }"}))
    assert result.returncode == 0
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["severity"] == "error" and errors[0]["type"] == "ParserError"


def test_import_outside_allowed_paths_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "Outside.sol"
    outside.write_text(PLAIN)
    source = f'pragma solidity ^0.8.0; import "{outside}"; contract Uses {{}}'
    result = solc("--standard-json", "--base-path", str(ROOT), stdin=standard_input({"Uses.sol": source}))
    messages = " ".join(e["message"] for e in json.loads(result.stdout)["errors"])
    assert "outside of allowed directories" in messages


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--no-such-flag"], "unrecognised option"), (["--allow-paths"], "needs a value"), ([], "no input")],
)
def test_usage_errors_exit_nonzero(args: list[str], message: str) -> None:
    result = solc(*args)
    assert result.returncode == 1
    assert message in result.stderr


def test_combined_json_for_crytic_compile(tmp_path: Path) -> None:
    (tmp_path / "Counter.sol").write_text(PLAIN)
    result = solc("Counter.sol", "--combined-json", "abi,bin,bin-runtime,hashes", cwd=tmp_path)
    assert result.returncode == 0
    contract = json.loads(result.stdout)["contracts"]["Counter.sol:Counter"]
    assert contract["hashes"] == {sig: keccak(text=sig)[:4].hex() for sig in ("bump()", "n()")}
    assert contract["bin"] and contract["bin-runtime"]


def test_combined_json_takes_the_pinned_settings_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "Counter.sol").write_text(PLAIN)
    result = solc("Counter.sol", "--combined-json", "metadata", *pin().command_line(), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    metadata = json.loads(json.loads(result.stdout)["contracts"]["Counter.sol:Counter"]["metadata"])
    assert metadata["settings"]["optimizer"]["enabled"] == pin().optimizer_enabled
    assert metadata["settings"]["optimizer"]["runs"] == pin().optimizer_runs
    assert metadata["settings"]["evmVersion"] == pin().evm_version
    assert metadata["settings"].get("viaIR", False) == pin().via_ir


def test_combined_json_reports_missing_file_and_syntax_errors(tmp_path: Path) -> None:
    missing = solc("Nope.sol", "--combined-json", "abi", cwd=tmp_path)
    assert missing.returncode == 1 and "File not found" in missing.stderr
    (tmp_path / "Bad.sol").write_text("contract Bad { function }")
    bad = solc("Bad.sol", "--combined-json", "abi", cwd=tmp_path)
    assert bad.returncode == 1 and "ParserError" in bad.stderr
