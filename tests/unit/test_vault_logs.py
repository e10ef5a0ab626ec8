"""The milestone vault's logs as index rows: decoded strictly, and a log that does not fit its
event, or says what the vault cannot have said, is left out instead of stopping the index."""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi import encode
from eth_utils.crypto import keccak

from crowdfund_api.index.vault import decode_log, logged_by

VAULT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CREATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
TOKEN = "0x0000000000000000000000000000000000000000"
CREATED = "VaultCampaignCreated(uint256,address,address,uint64,uint64[],uint16[])"
OBJECTED = "Objected(uint256,address,uint256,uint256)"
HALTED = "Halted(uint256,uint64,uint256,uint256)"
HALT_TYPES = ["uint64", "uint256", "uint256"]


def _hex(types: list[str], values: list[Any]) -> str:
    return "0x" + encode(types, values).hex()


def _log(signature: str, topics: list[str], data: str) -> dict[str, Any]:
    return {
        "address": VAULT.lower(),
        "blockNumber": "0x2a",
        "logIndex": "0x1",
        "blockHash": "0x" + "ab" * 32,
        "transactionHash": "0x" + "cd" * 32,
        "topics": ["0x" + keccak(text=signature).hex(), *topics],
        "data": data,
    }


def _created(release_at: list[int], shares: list[int]) -> dict[str, Any]:
    topics = [_hex(["uint256"], [3]), _hex(["address"], [CREATOR]), _hex(["address"], [TOKEN])]
    return _log(CREATED, topics, _hex(["uint64", "uint64[]", "uint16[]"], [1000, release_at, shares]))


def test_a_schedule_is_decoded_with_the_deadline_for_a_first_zero() -> None:
    row = decode_log(_created([0, 2000], [4000, 6000]), 900)
    assert row is not None
    assert (row["kind"], row["campaign_id"], row["backer"]) == ("scheduled", 3, CREATOR)
    assert row["scheduled"]["schedule"] == "[[1000, 4000], [2000, 6000]]"
    assert logged_by(_created([0], [10_000]), VAULT) and not logged_by(_created([0], [10_000]), None)


@pytest.mark.parametrize(
    "entry",
    [
        _created([0, 2000], [4000, 5000]),  # shares short of the whole
        _created([0, 2000, 3000], [4000, 6000]),  # times without shares
        _created([3000, 2000], [4000, 6000]),  # times going back
        _created([], []),  # no tranche
        _log(OBJECTED, [_hex(["uint256"], [3])], _hex(["uint256", "uint256"], [1, 1])),  # no backer topic
        _log(OBJECTED, [_hex(["uint256"], [3]), _hex(["address"], [CREATOR])], "0x1234"),  # short data
        _log(HALTED, [_hex(["uint256"], [3])], _hex(HALT_TYPES, [899, 2, 3])),  # not its block's time
        _log(HALTED, [_hex(["uint256"], [0])], _hex(HALT_TYPES, [900, 2, 3])),  # campaign 0
        {"topics": []},
    ],
)
def test_a_malformed_vault_log_is_left_out(entry: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    assert decode_log(entry, 900) is None
    if entry["topics"]:
        assert "a milestone vault log was left out of the index" in caplog.text
