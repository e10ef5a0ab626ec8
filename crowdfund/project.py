"""Where the project's files live: the build output and the deployment registry."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / "build"


def deployments_dir() -> Path:
    """The deployment registry's folder; `CROWDFUND_DEPLOYMENTS` overrides it."""
    return Path(os.environ.get("CROWDFUND_DEPLOYMENTS", ROOT / "deployments"))
