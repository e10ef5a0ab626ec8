"""The compiled contracts the package ships as data: the escrow, the milestone vault and the
local demo token.

`crowdfund/artifacts/<Name>.json` holds a contract's ABI, its creation bytecode and the
compiler that built it (version and settings). `make compile` exports them from brownie's
build (`python -m crowdfund.artifacts`, committed like the sources they come from), and a
test fails when they drift from the build. Everything the package does at run time reads
these files, so an installed wheel deploys and talks to the escrow without a checkout.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any, TypedDict

from eth_typing import HexStr

DATA_DIR = Path(__file__).with_name("artifacts")
ESCROW = "CrowdfundEscrow"
# contracts/MilestoneVault.sol: pays a campaign's creator in tranches from the escrow.
VAULT = "MilestoneVault"
# contracts/demo/DemoToken.sol: open minting, for the local demo chain only.
DEMO_TOKEN = "DemoToken"
SHIPPED = (ESCROW, VAULT, DEMO_TOKEN)


class Artifact(TypedDict):
    abi: list[dict[str, Any]]
    bytecode: HexStr  # creation code, 0x-prefixed
    compiler: dict[str, Any]  # version, optimizer, evm_version, via_ir


class ArtifactMissing(FileNotFoundError):
    pass


def path_for(name: str) -> Path:
    return DATA_DIR / f"{name}.json"


@cache
def load(name: str) -> Artifact:
    try:
        artifact: Artifact = json.loads(path_for(name).read_text())
    except FileNotFoundError:
        raise ArtifactMissing(
            f"{path_for(name)} is missing: this installation of crowdfund is incomplete "
            "(in a checkout, `make compile` exports it)"
        ) from None
    return artifact


def from_build(build_file: Path, via_ir: bool) -> Artifact:
    """The parts of a brownie build artifact that the package ships.

    brownie records the version, optimizer and EVM version it compiled with, but not
    viaIR, which comes from the pin it compiled with."""
    built = json.loads(build_file.read_text())
    bytecode = built["bytecode"]
    return {
        "abi": built["abi"],
        "bytecode": HexStr(bytecode if bytecode.startswith("0x") else "0x" + bytecode),
        "compiler": {**built["compiler"], "via_ir": via_ir},
    }


def export(build_dir: Path, via_ir: bool) -> list[str]:
    """Write the shipped artifacts from brownie's build; returns the names that changed."""
    changed = []
    for name in SHIPPED:
        text = json.dumps(from_build(build_dir / f"{name}.json", via_ir), indent=1, sort_keys=True) + "\n"
        target = path_for(name)
        if target.exists() and target.read_text() == text:
            continue
        target.parent.mkdir(exist_ok=True)
        target.write_text(text)
        changed.append(name)
    load.cache_clear()
    return changed


def main() -> None:
    # Checkout-only imports: the installed package never reads the build or the pin.
    from crowdfund.compiler import pin
    from crowdfund.project import BUILD_DIR

    build_dir = BUILD_DIR / "contracts"
    missing = [name for name in SHIPPED if not (build_dir / f"{name}.json").exists()]
    if missing:
        sys.exit(f"{', '.join(missing)} missing from {build_dir}: compile first (make compile)")
    changed = export(build_dir, pin().via_ir)
    print(f"exported {', '.join(changed)} to {DATA_DIR}" if changed else "exported artifacts unchanged")


if __name__ == "__main__":
    main()
