"""The audit's replay: events become each campaign's books, and a log that is no event of
the escrow, does not decode, or contradicts the events before it is a finding, never a crash."""

from __future__ import annotations

from eth_abi import encode
from eth_utils.crypto import keccak

from crowdfund.audit.logs import Log
from crowdfund.audit.replay import Books, replay_escrow
from crowdfund.escrow import ETH

BACKER = "0x000000000000000000000000000000000000bAC1"  # EIP-55


def topic(signature: str) -> str:
    return "0x" + keccak(text=signature).hex()


def word(value: int | str) -> str:
    return "0x" + encode(["address" if isinstance(value, str) else "uint256"], [value]).hex()


CREATED = topic("CampaignCreated(uint256,address,address,uint256,uint256,uint64,uint64,string)")
PLEDGED = topic("Pledged(uint256,address,address,uint256,uint256)")


def created(block: int, campaign: int) -> Log:
    data = encode(["uint256", "uint256", "uint64", "uint64", "string"], [10, 0, 1, 2, "ipfs://x"])
    return (block, 0, [CREATED, word(campaign), word(BACKER), word(ETH)], "0x" + data.hex())


def pledged(block: int, campaign: int, amount: int, new_total: int) -> Log:
    data = encode(["address", "uint256", "uint256"], [BACKER, amount, new_total])
    return (block, 0, [PLEDGED, word(campaign), word(BACKER)], "0x" + data.hex())


def test_pledges_add_up_to_each_campaign_s_total_and_each_backer_s_pledge() -> None:
    books = Books()
    replay_escrow(books, [created(1, 1), pledged(2, 1, 3, 3), pledged(3, 1, 4, 7)])
    assert books.findings == []
    assert (books.campaigns[1].total, books.campaigns[1].pledges) == (7, {BACKER: 7})
    assert books.owed() == {ETH: 7} and books.events["Pledged"] == 2


def test_a_log_that_is_no_escrow_event_or_does_not_decode_is_a_finding() -> None:
    books = Books()
    unknown: Log = (4, 1, [topic("Transfer(address,address,uint256)")], "0x")
    cut_short: Log = (5, 0, [PLEDGED, word(1), word(BACKER)], "0x1234")
    replay_escrow(books, [created(1, 1), unknown, cut_short, pledged(6, 1, 5, 5)])
    kinds = [(f.kind, f.block) for f in books.findings]
    assert kinds == [("unknown log", 4), ("undecodable log", 5)]
    assert "an event it does not declare" in books.findings[0].message
    assert books.campaigns[1].total == 5  # the logs after them are still replayed


def test_an_event_contradicting_the_ones_before_it_is_a_finding() -> None:
    books = Books()
    replay_escrow(books, [pledged(1, 9, 1, 1), created(2, 1), pledged(3, 1, 3, 4)])
    first, second = books.findings
    assert first.kind == "inconsistent event" and "names campaign 9, which no event created" in first.message
    assert (second.campaign, second.expected, second.found) == (1, 3, 4)
    assert "gives a new total of 4 base units; the events up to it add up to 3 base units" in second.message
