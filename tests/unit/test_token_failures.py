"""Whose fault a failed token read is, from the node's words: the token's own code (kept as
the token's answer) or the node's trouble (a 503, asked again next time)."""

from __future__ import annotations

import pytest

from crowdfund_api.node.rpc import RpcError
from crowdfund_api.node.tokens import node_failed, token_failed


@pytest.mark.parametrize(
    "error",
    [
        {"code": 3, "message": "execution reverted", "data": "0x"},
        {"code": 3, "message": "execution reverted: header not found"},  # a revert's own words
        {"code": -32000, "message": "execution reverted"},
        {"code": -32000, "message": "out of gas"},
        {"code": -32000, "message": "return data out of bounds"},
        {"code": -32000, "message": "gas uint64 overflow"},
        {"code": -32000, "message": "write protection"},
        {"code": -32000, "message": "max call depth exceeded"},
        {"code": -32000, "message": "invalid opcode: INVALID"},
        {"code": -32000, "message": "stack underflow (0 <=> 1)"},
        {"code": -32000, "message": "invalid jump destination"},
        {"code": -32015, "message": "VM execution error."},
        {"code": -32603, "message": "EVM error OutOfGas"},
    ],
)
def test_a_failure_of_the_tokens_code_is_the_tokens(error: dict[str, object]) -> None:
    assert token_failed(RpcError(error)) and not node_failed(RpcError(error))


@pytest.mark.parametrize(
    "error",
    [
        {"code": -32000, "message": "header not found"},
        {"code": -32000, "message": "missing trie node 1a2b (path )"},
        {"code": -32005, "message": "daily request count exceeded, request rate limited"},
        {"code": 429, "message": "Too Many Requests"},
        {"code": -32000, "message": "execution aborted (timeout = 5s)"},
        {"code": -32000, "message": "request timed out"},
        {"code": -32002, "message": "resource unavailable"},
    ],
)
def test_the_nodes_trouble_is_never_the_tokens(error: dict[str, object]) -> None:
    assert node_failed(RpcError(error)) and not token_failed(RpcError(error))


def test_a_wording_that_says_neither_is_left_to_a_second_call() -> None:
    # Tokens._node_answers settles it: tests/api/test_hostile_tokens.py shows both ways.
    unknown = RpcError({"code": -32000, "message": "vm: a new wording"})
    assert not node_failed(unknown) and not token_failed(unknown)
