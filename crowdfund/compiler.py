"""The compiler pin, and compiling Solidity sources outside brownie's project build.

brownie-config.yaml's `compiler:` section is the one place that names the solc version
and its settings: brownie reads only that file (it cannot include another), so everything
else reads it through `pin()` here: the Makefile's toolchain step (with awk, before any
Python environment exists), `compile_files` below, the Slither script, the gas benchmark
and the tests. A test fails when package.json's solc-js or anything else disagrees.

This module works in a checkout only (it reads brownie-config.yaml and node_modules); the
installed package never compiles: it ships its contracts compiled (crowdfund.artifacts).
`compile_files` serves the contracts that exist only for tests and benchmarks, and
`compile_runtime` the runtime code `crowdfund verify-code` compares with the code on chain,
with the same pinned compiler (py-solc-x -> tools/solc.js -> solc-js) and the same settings.

    python -m crowdfund.compiler version      # the pinned solc version
    python -m crowdfund.compiler solc-args    # command-line flags for the pinned settings
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import solcx
import yaml
from eth_typing import HexStr

from crowdfund.artifacts import Artifact
from crowdfund.project import BUILD_DIR, ROOT
from crowdfund.verify import Immutable, immutable_names, immutables_from

CONFIG_FILE = ROOT / "brownie-config.yaml"
SOLCX_DIR = ROOT / ".toolchain" / "solcx"
CACHE_DIR = BUILD_DIR / "extra"


@dataclass(frozen=True)
class CompilerPin:
    """The solc version and settings every compile of the project uses."""

    version: str
    evm_version: str
    optimizer_enabled: bool
    optimizer_runs: int
    via_ir: bool
    remappings: tuple[str, ...]

    @property
    def optimizer(self) -> dict[str, Any]:
        """In the shape solc's standard JSON and brownie's build artifacts use."""
        return {"enabled": self.optimizer_enabled, "runs": self.optimizer_runs}

    def standard_settings(self) -> dict[str, Any]:
        """The `settings` of a standard-JSON input, less its output selection."""
        return {
            "remappings": list(self.remappings),
            "optimizer": self.optimizer,
            "viaIR": self.via_ir,
            "evmVersion": self.evm_version,
        }

    def command_line(self) -> list[str]:
        """The same settings as solc command-line flags (for crytic-compile and Slither)."""
        args = ["--evm-version", self.evm_version]
        if self.optimizer_enabled:
            args += ["--optimize", "--optimize-runs", str(self.optimizer_runs)]
        if self.via_ir:
            args.append("--via-ir")
        return args


@cache
def pin(config: Path = CONFIG_FILE) -> CompilerPin:
    section = yaml.safe_load(config.read_text())["compiler"]
    solc = section["solc"]
    optimizer = solc.get("optimizer") or {}
    return CompilerPin(
        version=str(solc["version"]),
        evm_version=str(section["evm_version"]),
        optimizer_enabled=bool(optimizer.get("enabled", False)),
        optimizer_runs=int(optimizer.get("runs", 200)),
        via_ir=bool(solc.get("viaIR", False)),
        remappings=tuple(solc.get("remappings") or ()),
    )


class CompilerMissing(RuntimeError):
    """The pinned compiler is not installed where py-solc-x looks (run `make setup`)."""


def _solc_binary(version: str) -> Path:
    binary = Path(os.environ.get("SOLCX_BINARY_PATH", SOLCX_DIR)) / f"solc-v{version}"
    if not binary.exists():
        raise CompilerMissing(f"solc {version} not found at {binary}; run `make setup` first")
    return binary


def _imported() -> list[str]:
    """What the files given may import, as it stands: the project's contracts (an interface
    changed changes every contract that imports it) and the OpenZeppelin release installed."""
    project = [f"{p.relative_to(ROOT)}:{p.read_text()}" for p in sorted((ROOT / "contracts").rglob("*.sol"))]
    openzeppelin = ROOT / "node_modules" / "@openzeppelin" / "contracts" / "package.json"
    return [*project, openzeppelin.read_text() if openzeppelin.exists() else ""]


def _standard_output(
    files: tuple[Path, ...], selection: dict[str, Any], announce: Callable[[], None] | None = None
) -> dict[str, Any]:
    """solc's standard-JSON output for `files` compiled together with the pinned settings,
    each named by its path in the checkout as brownie names it (so that the metadata, which
    records those names, comes out as brownie's build has it); cached in build/extra by
    sources, settings and the output asked for. `announce` is called before solc runs (not
    when the cache answers)."""
    compiler = pin()
    settings = compiler.standard_settings()
    sources = {str(f.resolve().relative_to(ROOT)): {"content": f.read_text()} for f in files}
    key = hashlib.sha256(
        json.dumps([compiler.version, settings, sources, selection, _imported()], sort_keys=True).encode()
    ).hexdigest()
    cached = CACHE_DIR / f"{key[:24]}.json"
    if cached.exists():
        found: dict[str, Any] = json.loads(cached.read_text())
        return found
    standard_input = {
        "language": "Solidity",
        "sources": sources,
        "settings": {**settings, "outputSelection": selection},
    }
    binary = _solc_binary(compiler.version)
    if announce is not None:
        announce()
    output: dict[str, Any] = solcx.compile_standard(
        standard_input, base_path=str(ROOT), allow_paths=[str(ROOT)], solc_binary=binary
    )
    kept = {"contracts": output["contracts"], "sources": output.get("sources", {})}
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(kept))
    return kept


def compile_files(*files: Path) -> dict[str, Artifact]:
    """Compile `files` together with the pinned settings and return every contract they
    define, by name (cached in build/extra by sources and settings)."""
    compiler = pin()
    output = _standard_output(files, {"*": {"*": ["abi", "evm.bytecode.object"]}})
    built = {
        "version": compiler.version,
        "optimizer": compiler.optimizer,
        "evm_version": compiler.evm_version,
        "via_ir": compiler.via_ir,
    }
    return {
        name: {
            "abi": contract["abi"],
            "bytecode": HexStr("0x" + contract["evm"]["bytecode"]["object"]),
            "compiler": built,
        }
        for by_name in output["contracts"].values()
        for name, contract in by_name.items()
    }


@dataclass(frozen=True)
class RuntimeBuild:
    """What a compile says about a contract's runtime code: the code (immutables left
    zero), where its immutables go, and the metadata JSON its trailer hashes."""

    source: str
    runtime_code: bytes
    immutables: tuple[Immutable, ...]
    metadata: str

    def pinned_sources(self) -> dict[str, str]:
        """The source files the metadata pins, with their keccak256: what another build's
        sources are checked against when only the metadata differs."""
        sources = json.loads(self.metadata).get("sources", {})
        return {path: str(entry.get("keccak256")) for path, entry in sorted(sources.items())}


def compile_runtime(*files: Path, announce: Callable[[], None] | None = None) -> dict[str, RuntimeBuild]:
    """The runtime code of every contract `files` define, by name, for comparing with the
    code at an address (crowdfund.verify); the AST names the immutables. `announce` is
    called before solc runs, which takes tens of seconds via IR."""
    output = _standard_output(
        files,
        {
            "*": {
                "*": ["metadata", "evm.deployedBytecode.object", "evm.deployedBytecode.immutableReferences"],
                "": ["ast"],
            }
        },
        announce,
    )
    names = {
        ident: name
        for unit in output["sources"].values()
        for ident, name in immutable_names(unit.get("ast")).items()
    }
    return {
        name: RuntimeBuild(
            source=source,
            runtime_code=bytes.fromhex(contract["evm"]["deployedBytecode"]["object"]),
            immutables=tuple(
                immutables_from(contract["evm"]["deployedBytecode"].get("immutableReferences", {}), names)
            ),
            metadata=contract["metadata"],
        )
        for source, by_name in output["contracts"].items()
        for name, contract in by_name.items()
    }


if __name__ == "__main__":
    what = sys.argv[1:] or ["version"]
    if what == ["version"]:
        print(pin().version)
    elif what == ["solc-args"]:
        print(" ".join(pin().command_line()))
    else:
        sys.exit("usage: python -m crowdfund.compiler [version | solc-args]")
