"""The escrow's ABI as data, so that the gateway and the CLI run without compiling.

`crowdfund/abi/CrowdfundEscrow.json` is exported from brownie's build by
`python -m crowdfund.abi` (run by `make compile`); a test fails when it drifts from the
build.
"""

from __future__ import annotations

import hashlib
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from crowdfund.project import BUILD_DIR

ABI_FILE = Path(__file__).with_name("abi") / "CrowdfundEscrow.json"
ARTIFACT = BUILD_DIR / "contracts" / "CrowdfundEscrow.json"

ABI = list[dict[str, Any]]


@cache
def escrow_abi() -> ABI:
    abi: ABI = json.loads(ABI_FILE.read_text())
    return abi


def abi_hash(abi: ABI) -> str:
    """A stable fingerprint of an ABI, recorded with each deployment."""
    canonical = json.dumps(abi, sort_keys=True, separators=(",", ":"))
    return "0x" + hashlib.sha256(canonical.encode()).hexdigest()


def export() -> bool:
    """Write the ABI from the build; returns True when the file changed."""
    abi = json.loads(ARTIFACT.read_text())["abi"]
    text = json.dumps(abi, indent=1, sort_keys=True) + "\n"
    if ABI_FILE.exists() and ABI_FILE.read_text() == text:
        return False
    ABI_FILE.parent.mkdir(exist_ok=True)
    ABI_FILE.write_text(text)
    escrow_abi.cache_clear()
    return True


if __name__ == "__main__":
    if not ARTIFACT.exists():
        sys.exit(f"{ARTIFACT} is missing: compile first (make compile)")
    print("escrow ABI updated" if export() else "escrow ABI unchanged")
