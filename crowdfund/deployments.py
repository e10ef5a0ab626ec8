"""The deployment registry: one JSON file per chain id, the one place that knows where
the escrow and its milestone vault live on each network."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from eth_utils.address import to_checksum_address

from crowdfund.project import deployments_dir


@dataclass(frozen=True)
class Deployment:
    """The escrow (`address`, ...) and the milestone vault beside it (`vault_...`). A registry
    written before the vault existed has no vault fields: they read as None until
    `crowdfund deploy --if-missing` adds the vault."""

    chain_id: int
    address: str
    block: int
    transaction: str
    compiler: str
    abi_hash: str
    vault_address: str | None = None
    vault_block: int | None = None
    vault_transaction: str | None = None
    vault_abi_hash: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", to_checksum_address(self.address))
        if self.vault_address is not None:
            object.__setattr__(self, "vault_address", to_checksum_address(self.vault_address))


class DeploymentNotFound(LookupError):
    def __init__(self, chain_id: int, path: Path) -> None:
        super().__init__(f"no escrow deployment recorded for chain {chain_id} ({path} is missing)")
        self.chain_id = chain_id


def path_for(chain_id: int) -> Path:
    return deployments_dir() / f"{chain_id}.json"


def load(chain_id: int) -> Deployment:
    path = path_for(chain_id)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise DeploymentNotFound(chain_id, path) from None
    return Deployment(**data)


def find(chain_id: int) -> Deployment | None:
    try:
        return load(chain_id)
    except DeploymentNotFound:
        return None


def save(deployment: Deployment) -> Path:
    path = path_for(deployment.chain_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Without a vault, the record keeps the older format, which older readers load.
    record = {k: v for k, v in asdict(deployment).items() if v is not None}
    path.write_text(json.dumps(record, indent=2) + "\n")
    return path
