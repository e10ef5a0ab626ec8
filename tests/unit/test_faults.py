"""What the gateway makes of a node's malformed answers, and how long it waits after faults."""

from __future__ import annotations

import pytest

from crowdfund_api.index.backoff import BACKOFF_LIMIT, backoff
from crowdfund_api.node.rpc import BadAnswer, NodeUnavailable, WrongChain, quantity


@pytest.mark.parametrize("answer, number", [("0x0", 0), ("0x1a", 26), ("0xFF", 255)])
def test_a_quantity_is_read(answer: str, number: int) -> None:
    assert quantity(answer, "eth_blockNumber") == number


@pytest.mark.parametrize(
    "answer",
    [None, "", "0x", "0xzz", "26", 26, 26.0, [], {}, "x" * 500]
    # What int() would take: underscores, spaces, and more than 256 bits of digits.
    + ["0x1_0", " 0x10", "0x10\n", "0x1" + "0" * 64, "0x" + "f" * 1_000_000],
)
def test_anything_else_is_a_bad_answer_that_counts_as_a_node_fault(answer: object) -> None:
    with pytest.raises(BadAnswer) as caught:
        quantity(answer, "eth_blockNumber")
    assert isinstance(caught.value, NodeUnavailable)  # a 503, like a node that does not answer
    assert "eth_blockNumber" in str(caught.value)
    assert len(str(caught.value)) < 120  # a garbage answer never floods the log


def test_another_chain_is_named_with_the_one_the_index_holds() -> None:
    said = str(WrongChain(4242, 31337))
    assert said.startswith("wrong chain: the node serves chain 4242, the index holds chain 31337")
    assert "RPC_URL" in said and "DATABASE_URL" in said  # and how to get out of it


def test_the_pause_doubles_after_each_failure_up_to_the_limit() -> None:
    pauses = [backoff(0.2, n) for n in range(8)]
    assert pauses[:4] == [0.2, 0.4, 0.8, 1.6]
    assert pauses[-1] == BACKOFF_LIMIT
    assert pauses == sorted(pauses)
    assert backoff(0.2, 10_000) == BACKOFF_LIMIT  # no overflow after a long outage
    assert backoff(30.0, 3) == 30.0  # never shorter than the poll interval
