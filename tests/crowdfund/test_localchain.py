"""The local chain's clock goes on from its last block, never from an earlier moment."""

from __future__ import annotations

import time

import pytest
from support.chain import anvil
from web3 import Web3

from crowdfund.demo import DAY
from crowdfund.localchain import continue_clock


def latest(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def test_a_chain_behind_the_machine_clock_is_left_alone(w3: Web3) -> None:
    assert continue_clock(w3, now=latest(w3) + 100) is None


def test_a_chain_ahead_of_the_machine_clock_goes_on_from_its_last_block(w3: Web3) -> None:
    w3.provider.make_request("evm_increaseTime", [2 * DAY])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    last = latest(w3)
    assert last > time.time() + DAY

    assert continue_clock(w3) == last + 1
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    assert latest(w3) == last + 1


def test_only_the_local_chain_has_its_clock_set() -> None:
    with anvil(None, "--chain-id", "1337") as other, pytest.raises(ValueError, match="31337"):
        continue_clock(other)
