"""The escrow's ABI, from the package's shipped artifact (crowdfund.artifacts), so that
the gateway and the CLI run without compiling."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from crowdfund import artifacts

ABI = list[dict[str, Any]]


def escrow_abi() -> ABI:
    return artifacts.load(artifacts.ESCROW)["abi"]


def abi_hash(abi: ABI) -> str:
    """A stable fingerprint of an ABI, recorded with each deployment."""
    canonical = json.dumps(abi, sort_keys=True, separators=(",", ":"))
    return "0x" + hashlib.sha256(canonical.encode()).hexdigest()


if __name__ == "__main__":  # the export's former name
    artifacts.main()
