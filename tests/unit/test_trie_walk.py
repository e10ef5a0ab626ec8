"""crowdfund.proofs.walk_trie on tries built here, with the shapes Ethereum's secure tries
almost never show (anvil's proofs, in tests/crowdfund/test_storage_slots.py, are branches and
leaves): extension nodes, odd and even hex-prefix paths, a node under 32 bytes held inline
in its parent, and a value in a branch."""

from __future__ import annotations

from typing import Any

import pytest
import rlp
from eth_utils.crypto import keccak

from crowdfund.proofs import ProofInvalid, walk_trie


def hex_prefix(nibbles: tuple[int, ...], leaf: bool) -> bytes:
    flag = (2 if leaf else 0) + len(nibbles) % 2
    padded = (flag, *nibbles) if len(nibbles) % 2 else (flag, 0, *nibbles)
    return bytes(padded[i] << 4 | padded[i + 1] for i in range(0, len(padded), 2))


class Trie:
    """A Merkle-Patricia trie of nibble paths, built whole: its root and every node that is
    referenced by hash (the proof of any path is among them)."""

    def __init__(self, items: dict[tuple[int, ...], bytes]) -> None:
        self.hashed: dict[bytes, bytes] = {}
        encoded = rlp.encode(self._node(items))
        self.root = keccak(encoded)  # the root is referenced by its hash whatever its size
        self.hashed[self.root] = encoded

    def _ref(self, node: Any) -> Any:
        encoded = rlp.encode(node)
        if len(encoded) < 32:
            return node  # inline
        self.hashed[keccak(encoded)] = encoded
        return keccak(encoded)

    def _node(self, items: dict[tuple[int, ...], bytes]) -> Any:
        if len(items) == 1:
            ((path, value),) = items.items()
            return [hex_prefix(path, True), value]
        common = 0
        paths = list(items)
        while all(len(p) > common for p in paths) and len({p[common] for p in paths}) == 1:
            common += 1
        if common:
            rest = {p[common:]: v for p, v in items.items()}
            return [hex_prefix(paths[0][:common], False), self._ref(self._node(rest))]
        branch: list[Any] = [b""] * 17
        for nibble in range(16):
            under = {p[1:]: v for p, v in items.items() if p and p[0] == nibble}
            if under:
                branch[nibble] = self._ref(self._node(under))
        branch[16] = items.get((), b"")
        return branch

    @property
    def proof(self) -> list[bytes]:
        return list(self.hashed.values())


# Two long paths sharing 31 nibbles (the root's branch takes the first, an extension with an
# even path the other 30), a leaf with an odd path, short paths whose leaves are small enough
# to be held inline in their branch, and one path that ends at a branch (its value).
SHARED = (*range(1, 16), *range(16))
ITEMS = {
    (*SHARED, 1): b"a" * 40,
    (*SHARED, 2): b"b" * 40,
    (9, 1, 2, 3): b"z" * 40,
    (7, 1): b"x",
    (7, 2): b"y",
    (7,): b"a value held by a branch node",
}


@pytest.fixture(scope="module")
def trie() -> Trie:
    return Trie(ITEMS)


def test_every_value_is_found_through_extensions_inline_nodes_and_branch_values(trie: Trie) -> None:
    kinds = {len(rlp.decode(node)) for node in trie.proof}
    assert kinds == {2, 17}  # extensions (and leaves) and branches, each by hash
    for path, value in ITEMS.items():
        assert walk_trie(trie.root, path, trie.proof) == value


def test_a_short_leaf_is_held_inline_and_still_found(trie: Trie) -> None:
    branch_7 = [
        rlp.decode(n) for n in trie.proof if len(rlp.decode(n)) == 17 and rlp.decode(n)[16] == ITEMS[(7,)]
    ]
    assert len(branch_7) == 1 and isinstance(branch_7[0][1], list)  # the leaf of (7, 1): inline
    assert walk_trie(trie.root, (7, 1), trie.proof) == b"x"


@pytest.mark.parametrize(
    "path",
    [
        (1, 2, 3, 9),  # leaves the extension's path halfway
        (7, 3),  # an empty slot of a branch
        (7, 1, 5),  # past an inline leaf whose path is shorter
        (2,),  # an empty slot of the root
        (*SHARED, 3),  # an empty slot of the branch under the extension
    ],
)
def test_a_path_the_trie_does_not_hold_is_proved_absent(trie: Trie, path: tuple[int, ...]) -> None:
    assert walk_trie(trie.root, path, trie.proof) is None


def test_a_missing_or_altered_node_is_refused(trie: Trie) -> None:
    path = next(iter(ITEMS))
    refused = 0
    for left_out in trie.hashed:
        fewer = [node for h, node in trie.hashed.items() if h != left_out]
        try:
            found = walk_trie(trie.root, path, fewer)
        except ProofInvalid as exc:
            assert "a node is missing or was altered" in str(exc)
            refused += 1
        else:
            assert found == ITEMS[path]  # a node off the path: not needed
    # The root, the extension, the branch under it and the leaf's: each is needed.
    assert refused == 4
    altered = [bytes(node[:-1]) + bytes([node[-1] ^ 1]) for node in trie.proof]
    with pytest.raises(ProofInvalid, match="a node is missing or was altered"):
        walk_trie(trie.root, path, altered)


def test_a_node_that_is_no_trie_node_is_refused() -> None:
    bad_prefix = rlp.encode([b"\x41\x23", b"v"])  # flag 4: no such hex-prefix
    with pytest.raises(ProofInvalid, match="unknown prefix"):
        walk_trie(keccak(bad_prefix), (1, 2, 3), [bad_prefix])
    three = rlp.encode([b"a", b"b", b"c"])
    with pytest.raises(ProofInvalid, match="neither a branch, an extension nor a leaf"):
        walk_trie(keccak(three), (1,), [three])
    not_rlp = b"\xf9\xff"
    with pytest.raises(ProofInvalid, match="is not RLP"):
        walk_trie(keccak(not_rlp), (1,), [not_rlp])
