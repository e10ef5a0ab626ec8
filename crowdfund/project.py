"""Where the project's files live: the build output and the deployment registry.

ROOT is the checkout when the package runs from one (an editable install); an installed
wheel has no checkout, and only `in_checkout()` callers (compiling, exporting) look there.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "build"
CONTRACTS_DIR = ROOT / "contracts"


def in_checkout() -> bool:
    """True when the package runs from the project's repository, sources beside it."""
    return (ROOT / "brownie-config.yaml").is_file() and (CONTRACTS_DIR / "CrowdfundEscrow.sol").is_file()


def deployments_dir() -> Path:
    """The deployment registry's folder: `CROWDFUND_DEPLOYMENTS` when set, else the
    checkout's deployments/, else (an installed package) ~/.crowdfund/deployments, shared by
    the user's `crowdfund` commands and gateway."""
    override = os.environ.get("CROWDFUND_DEPLOYMENTS")
    if override:
        return Path(override)
    return ROOT / "deployments" if in_checkout() else Path.home() / ".crowdfund" / "deployments"
