"""Clones setting up side by side share brownie's network list: registering the project's
networks at once from many processes leaves it whole, each id once, other entries kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from support.chain import ROOT

TOOL = ROOT / "tools" / "brownie_networks.py"
DEFAULT = next(
    (ROOT / ".venv-brownie" / "lib").glob("python3*/site-packages/brownie/data/network-config.yaml")
)


def register(config: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(TOOL),
            "--default",
            str(DEFAULT),
            "--contracts-port",
            str(port),
            "--config",
            str(config),
        ]
    )


def test_many_clones_at_once_leave_one_whole_network_list(tmp_path: Path) -> None:
    config = tmp_path / ".brownie" / "network-config.yaml"
    config.parent.mkdir()
    # What an interrupted setup of old could leave: the same id twice.
    broken = yaml.safe_load(DEFAULT.read_text())
    twice = {"id": "crowdfund-local", "name": "x", "cmd": "anvil", "host": "http://127.0.0.1",
             "cmd_settings": {"port": 18575}}  # fmt: skip
    broken["development"] += [twice, {**twice, "cmd_settings": {"port": 18545}}]
    config.write_text(yaml.safe_dump(broken))

    ports = range(19000, 19012)
    for proc in [register(config, port) for port in ports]:
        assert proc.wait(timeout=60) == 0

    networks = yaml.safe_load(config.read_text())
    ids = [entry["id"] for entry in networks["development"]]
    assert len(ids) == len(set(ids)), "an id is listed twice"
    local = next(e for e in networks["development"] if e["id"] == "crowdfund-local")
    assert local["cmd_settings"]["port"] == 18545
    assert {f"crowdfund-contracts-{port}" for port in ports} <= set(ids)
    assert {"development", "anvil", "hardhat"} <= set(ids)  # brownie's own, untouched
    assert networks["live"] == broken["live"]
    assert not list(config.parent.glob(".network-config.*"))  # no scratch files left


def test_a_new_user_gets_brownie_s_defaults_and_the_project_s_networks(tmp_path: Path) -> None:
    config = tmp_path / "home" / ".brownie" / "network-config.yaml"
    assert register(config, 18546).wait(timeout=60) == 0
    ids = {entry["id"] for entry in yaml.safe_load(config.read_text())["development"]}
    assert {"development", "crowdfund-contracts-18546", "crowdfund-local", "crowdfund-pytest"} <= ids
