"""Fixtures: a fresh anvil per module and a deployment registry in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.chain import anvil
from web3 import Web3

from crowdfund.deploy import deploy_escrow
from crowdfund.escrow import Escrow


@pytest.fixture(scope="module")
def w3() -> Iterator[Web3]:
    with anvil() as w3:
        yield w3


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CROWDFUND_DEPLOYMENTS", str(tmp_path))
    return tmp_path


@pytest.fixture
def escrow(w3: Web3, registry: Path) -> Escrow:
    deploy_escrow(w3, w3.eth.accounts[0], force=True)
    return Escrow.from_registry(w3)
