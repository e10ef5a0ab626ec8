"""The index's event decoder: one-word events, and a link at the end of the data, are read
straight from the hex, and must decode exactly as eth_abi does, refusing what it refuses."""

from __future__ import annotations

import random
from typing import Any

import pytest
from eth_abi import encode
from eth_abi.exceptions import NonEmptyPaddingBytes
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from crowdfund.events import _checksummed, _decode, _events_by_topic, _read_words, decode_event, topics
from crowdfund_api.index.events import LogReader, decode_log

PLEDGED = "0x" + keccak(text="Pledged(uint256,address,address,uint256,uint256)").hex()


def _word(types: list[str], values: list[Any]) -> str:
    return "0x" + encode(types, values).hex()


def _pledged(backer: str, payer: str, amount: int, total: int) -> dict[str, Any]:
    return {
        "blockNumber": "0x2a",
        "logIndex": "0x3",
        "blockHash": "0x" + "ab" * 32,
        "transactionHash": "0x" + "cd" * 32,
        "topics": [PLEDGED, _word(["uint256"], [7]), _word(["address"], [backer])],
        "data": _word(["address", "uint256", "uint256"], [payer, amount, total]),
    }


def test_checksums_match_eip55() -> None:
    rng = random.Random(5)
    for _ in range(2_000):
        digits = rng.randbytes(20).hex()
        assert _checksummed(digits) == to_checksum_address("0x" + digits)


def test_a_pledge_decodes_to_its_row() -> None:
    backer, payer = "0x" + "1f" * 20, "0x" + "a0" * 20
    row = decode_log(_pledged(backer, payer, 2**255 + 1, 2**256 - 1), 1_700_000_000)
    assert row == {
        "block_number": 42,
        "log_index": 3,
        "block_hash": "0x" + "ab" * 32,
        "timestamp": 1_700_000_000,
        "transaction_hash": "0x" + "cd" * 32,
        "campaign_id": 7,
        "kind": "pledged",
        "backer": to_checksum_address(backer),
        "payer": to_checksum_address(payer),
        "amount": str(2**255 + 1),
        "new_total": str(2**256 - 1),
        "uri": None,
    }


def test_an_address_with_dirty_padding_is_refused_as_eth_abi_refuses_it() -> None:
    log = _pledged("0x" + "1f" * 20, "0x" + "a0" * 20, 1, 1)
    log["topics"][2] = "0x" + "11" * 32
    with pytest.raises(NonEmptyPaddingBytes):
        decode_log(log, 0)


UPDATED = "0x" + keccak(text="CampaignUpdated(uint256,string)").hex()


def _updated(data: str) -> dict[str, Any]:
    return {
        "blockNumber": "0x2a",
        "logIndex": "0x3",
        "blockHash": "0x" + "ab" * 32,
        "transactionHash": "0x" + "cd" * 32,
        "topics": [UPDATED, _word(["uint256"], [7])],
        "data": data,
    }


@pytest.mark.parametrize(
    "link",
    [b"", b"ipfs://x", b"a" * 32, b"b" * 33, "caf\u00e9 \u2603".encode(), b"\xff\xfe not utf-8", b"l" * 9000],
)
def test_a_link_read_from_the_hex_decodes_as_eth_abi_decodes_it(link: bytes) -> None:
    log = _updated(_word(["bytes"], [link]))
    spec = _events_by_topic()[UPDATED]
    fast = _read_words(spec, log["topics"][1:], log["data"])
    assert fast is not None and fast == _decode(spec, log["topics"][1:], log["data"])


def test_a_link_with_dirty_padding_is_refused_as_eth_abi_refuses_it() -> None:
    data = _word(["bytes"], [b"ipfs://x"])
    with pytest.raises(NonEmptyPaddingBytes):
        decode_log(_updated(data[:-1] + "1"), 0)


def _claimed(topics: list[str], amount: int) -> dict[str, Any]:
    return {
        "blockNumber": "0x2a",
        "logIndex": "0x0",
        "blockHash": "0x" + "ab" * 32,
        "transactionHash": "0x" + "cd" * 32,
        "topics": topics,
        "data": _word(["uint256"], [amount]),
    }


def test_a_claim_names_its_recipient_and_one_logged_before_claim_to_its_creator() -> None:
    creator, to = "0x" + "1f" * 20, "0x" + "a0" * 20
    claimed = "0x" + keccak(text="Claimed(uint256,address,address,uint256)").hex()
    earlier = "0x" + keccak(text="Claimed(uint256,address,uint256)").hex()
    assert {claimed, earlier} <= set(topics())
    now = decode_event(
        _claimed(
            [claimed, _word(["uint256"], [7]), _word(["address"], [creator]), _word(["address"], [to])], 5
        )
    )
    before = decode_event(_claimed([earlier, _word(["uint256"], [7]), _word(["address"], [creator])], 5))
    assert now == (
        "Claimed",
        {"id": 7, "creator": to_checksum_address(creator), "to": to_checksum_address(to), "amount": 5},
    )
    assert before == (
        "Claimed",
        {"id": 7, "creator": to_checksum_address(creator), "to": to_checksum_address(creator), "amount": 5},
    )
    row = decode_log(_claimed([earlier, _word(["uint256"], [7]), _word(["address"], [creator])], 5), 1)
    assert row is not None and (row["kind"], row["backer"], row["amount"]) == (
        "claimed",
        to_checksum_address(creator),
        "5",
    )


def test_the_reader_reads_every_pledge_as_the_general_decoder_does() -> None:
    rng = random.Random(7)
    logs = []
    for n in range(300):
        log = _pledged("0x" + rng.randbytes(20).hex(), "0x" + rng.randbytes(20).hex(),
                       rng.randrange(2**256), rng.randrange(2**256))  # fmt: skip
        log["logIndex"] = hex(n)
        if n % 3 == 0:  # nodes may write hex in capitals
            log["topics"] = [log["topics"][0], *(t.upper().replace("0X", "0x") for t in log["topics"][1:])]
            log["data"] = log["data"].upper().replace("0X", "0x")
        logs.append(log)
    rows = LogReader().rows(logs, {42: ("0x" + "ab" * 32, 1_700_000_000)})
    assert rows == [decode_log(log, 1_700_000_000) for log in logs]


def test_the_reader_leaves_a_pledge_with_dirty_padding_to_the_general_decoder() -> None:
    log = _pledged("0x" + "1f" * 20, "0x" + "a0" * 20, 1, 1)
    log["data"] = "0x" + "11" * 12 + log["data"][26:]
    with pytest.raises(NonEmptyPaddingBytes):
        LogReader().rows([log], {42: ("0x" + "ab" * 32, 0)})
