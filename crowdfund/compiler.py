"""Compile Solidity sources outside brownie's project build, with a cache on disk.

brownie builds `contracts/` into `build/`; this module serves the rest: contracts that
exist only for tests, benchmarks and the local demo chain. It drives the same pinned
compiler (py-solc-x -> tools/solc.js -> solc-js) with the same import mapping.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any, TypedDict

import solcx

from crowdfund.project import BUILD_DIR, ROOT

SOLC_VERSION = "0.8.37"
SOLCX_DIR = ROOT / ".toolchain" / "solcx"
CACHE_DIR = BUILD_DIR / "extra"
REMAPPINGS = ["@openzeppelin/contracts=node_modules/@openzeppelin/contracts"]


class Artifact(TypedDict):
    abi: list[dict[str, Any]]
    bytecode: str


class CompilerMissing(RuntimeError):
    """The pinned compiler is not installed where py-solc-x looks (run `make setup`)."""


def _solc_binary() -> Path:
    binary = Path(os.environ.get("SOLCX_BINARY_PATH", SOLCX_DIR)) / f"solc-v{SOLC_VERSION}"
    if not binary.exists():
        raise CompilerMissing(f"solc {SOLC_VERSION} not found at {binary}; run `make setup` first")
    return binary


def compile_files(*files: Path) -> dict[str, Artifact]:
    """Compile `files` together and return every contract they define, by name."""
    sources = {str(f.resolve().relative_to(ROOT)): {"content": f.read_text()} for f in files}
    key = hashlib.sha256(json.dumps([SOLC_VERSION, REMAPPINGS, sources], sort_keys=True).encode()).hexdigest()
    cached = CACHE_DIR / f"{key[:24]}.json"
    if cached.exists():
        result: dict[str, Artifact] = json.loads(cached.read_text())
        return result
    standard_input = {
        "language": "Solidity",
        "sources": sources,
        "settings": {
            "remappings": REMAPPINGS,
            "optimizer": {"enabled": True, "runs": 200},
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    output = solcx.compile_standard(
        standard_input, base_path=str(ROOT), allow_paths=[str(ROOT)], solc_binary=_solc_binary()
    )
    result = {
        name: {"abi": contract["abi"], "bytecode": "0x" + contract["evm"]["bytecode"]["object"]}
        for by_name in output["contracts"].values()
        for name, contract in by_name.items()
    }
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(result))
    return result
