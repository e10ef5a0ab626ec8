"""Register the project's networks in brownie's network list, safely for every clone.

brownie keeps its networks in one file per user (~/.brownie/network-config.yaml), shared by
every project and every clone of this one. `brownie networks delete/add` rewrites it in
place, so two clones setting up at once could interleave and leave it half-written or with
duplicate ids, after which brownie refuses to start anywhere. Here the file is changed
under an exclusive lock and replaced atomically (a reader sees the old file or the new one,
never a mix); entries with the project's ids are replaced, duplicates included, and every
other entry is kept as it was.

    python tools/brownie_networks.py --default BROWNIE_DEFAULT_YAML --contracts-port 18546

The networks (all anvil, started and stopped by brownie or the tests on 127.0.0.1):
    crowdfund-contracts-<port>  the contract tests, one per port so clones can test side by side
    crowdfund-local             the chain of `make run` (18545), for --network crowdfund-local
    crowdfund-bench             `make bench-gas` (18547)
    crowdfund-pytest            the brownie script tests (18548)
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

HOST = "http://127.0.0.1"


def contracts_network(port: int) -> str:
    return f"crowdfund-contracts-{port}"


def ours(contracts_port: int) -> list[dict[str, Any]]:
    """The project's development networks, in brownie's format."""
    # As brownie's own `development` network, plus step tracing for coverage.
    contracts = {"accounts": 10, "base_fee": 0, "gas_limit": 12_000_000, "port": contracts_port,
                 "steps_tracing": True}  # fmt: skip
    entries = [(contracts_network(contracts_port), contracts), ("crowdfund-local", {"port": 18545}),
               ("crowdfund-bench", {"port": 18547}), ("crowdfund-pytest", {"port": 18548})]  # fmt: skip
    return [
        {"id": id_, "name": id_, "cmd": "anvil", "host": HOST, "cmd_settings": cmd} for id_, cmd in entries
    ]


def merged(config: dict[str, Any], contracts_port: int) -> dict[str, Any]:
    """`config` with the project's networks in it, once each."""
    mine = ours(contracts_port)
    ids = {entry["id"] for entry in mine}
    kept = [entry for entry in config.get("development") or [] if entry.get("id") not in ids]
    return {**config, "development": kept + mine}


def register(path: Path, default: Path, contracts_port: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            shutil.copyfile(default, path)  # what brownie itself writes on its first start
        config = yaml.safe_load(path.read_text()) or {}
        fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".network-config.", suffix=".yaml")
        try:
            with os.fdopen(fd, "w") as out:
                yaml.safe_dump(merged(config, contracts_port), out, sort_keys=False)
            os.replace(scratch, path)
        except BaseException:
            os.unlink(scratch)
            raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default", type=Path, required=True, help="brownie's packaged network-config.yaml")
    parser.add_argument("--contracts-port", type=int, required=True)
    parser.add_argument("--config", type=Path, default=Path.home() / ".brownie" / "network-config.yaml")
    args = parser.parse_args()
    register(args.config, args.default, args.contracts_port)


if __name__ == "__main__":
    main()
