"""Proofs of the escrow's storage (EIP-1186): which slots hold a campaign and a pledge, how
their words decode into the figures answers show, and the checks that tie a proof to a
block header (the header's hash, Merkle-Patricia trie proofs) without trusting who sent it.

The layout is CrowdfundEscrow's (docs/gas.md, "storage layout"): `_campaignCount` in slot 0,
`_campaigns` (id => Campaign, four slots per campaign) in slot 1, `_pledges` (id << 160 |
backer => amount) in slot 2. ReentrancyGuardTransient keeps its lock in transient storage,
so it takes no slot. A test reads these slots from a real deployment with eth_getStorageAt
and compares them with getCampaign and pledgeOf (tests/crowdfund/test_storage_slots.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import rlp
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from rlp.exceptions import DecodingError

CAMPAIGNS_SLOT = 1
PLEDGES_SLOT = 2

# Slot 0 of a Campaign: pledged (104 bits), goal (104), deadline (40), flags (8), from the
# lowest bits up; slot 1: creator (160), startsAt (40).
_AMOUNT_BITS = 104
_GOAL_SHIFT = 104
_DEADLINE_SHIFT = 208
_FLAGS_SHIFT = 248
_CANCELLED = 8
_CLAIMED = 16

# The root of an empty trie: keccak(rlp(b"")), the storage root of an account without storage.
EMPTY_ROOT = keccak(rlp.encode(b""))

# What the figures of a campaign are called, in answers and here.
CAMPAIGN_FIELDS = (
    "goal",
    "cap",
    "pledged",
    "starts_at",
    "deadline",
    "claimed",
    "cancelled",
    "creator",
    "token",
)


# Slots, keys and ids are uint256: the EVM's arithmetic on them wraps around 2^256.
_UINT256 = 2**256 - 1


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


def _mapping_slot(key: int, slot: int) -> int:
    """Where Solidity keeps `mapping[key]` of the mapping declared at `slot`: keccak(key . slot)."""
    return int.from_bytes(keccak(_word(key) + _word(slot)), "big")


def slots_of_campaign(campaign_id: int) -> tuple[int, int, int, int]:
    """The four slots of a campaign's struct: the packed hot word, creator and start, token,
    cap. ValueError for an id that is no uint256."""
    if not 0 <= campaign_id <= _UINT256:
        raise ValueError(f"{campaign_id} is not a campaign id (a uint256)")
    base = _mapping_slot(campaign_id, CAMPAIGNS_SLOT)
    return (base, (base + 1) & _UINT256, (base + 2) & _UINT256, (base + 3) & _UINT256)


def pledge_key(campaign_id: int, backer: str) -> int:
    """The escrow's `_pledgeKey`: id << 160 | backer, in uint256 (the shift drops the bits
    past 256, as the escrow's does; every created id is far below 2^96)."""
    return ((campaign_id << 160) & _UINT256) | int(backer, 16)


def slot_of_pledge(campaign_id: int, backer: str) -> int:
    return _mapping_slot(pledge_key(campaign_id, backer), PLEDGES_SLOT)


@dataclass(frozen=True)
class StoredCampaign:
    """A campaign's figures as its storage words say them."""

    goal: int
    cap: int
    pledged: int
    starts_at: int
    deadline: int
    claimed: bool
    cancelled: bool
    creator: str
    token: str

    @property
    def exists(self) -> bool:
        # The escrow's own test (`_existing`): a created campaign always has a deadline.
        return self.deadline != 0


def decode_campaign_slots(values: Sequence[int]) -> StoredCampaign:
    """The figures held in the words of `slots_of_campaign`, in that order."""
    hot, creator_word, token_word, cap = values
    mask = (1 << _AMOUNT_BITS) - 1
    flags = (hot >> _FLAGS_SHIFT) & 0xFF
    return StoredCampaign(
        goal=(hot >> _GOAL_SHIFT) & mask,
        cap=cap,
        pledged=hot & mask,
        starts_at=(creator_word >> 160) & ((1 << 40) - 1),
        deadline=(hot >> _DEADLINE_SHIFT) & ((1 << 40) - 1),
        claimed=bool(flags & _CLAIMED),
        cancelled=bool(flags & _CANCELLED),
        creator=to_checksum_address(_word(creator_word & ((1 << 160) - 1))[12:]),
        token=to_checksum_address(_word(token_word & ((1 << 160) - 1))[12:]),
    )


# ------------------------------------------------------------------------ block headers

# The header's fields in the order they are hashed; each fork appended its own, and a
# header holds exactly those of the forks its chain has reached (London's baseFeePerGas,
# Shanghai's withdrawalsRoot, Cancun's blob gas and beacon root, Prague's requestsHash).
_HEADER_FIELDS = (
    "parentHash",
    "sha3Uncles",
    "miner",
    "stateRoot",
    "transactionsRoot",
    "receiptsRoot",
    "logsBloom",
    "difficulty",
    "number",
    "gasLimit",
    "gasUsed",
    "timestamp",
    "extraData",
    "mixHash",
    "nonce",
    "baseFeePerGas",
    "withdrawalsRoot",
    "blobGasUsed",
    "excessBlobGas",
    "parentBeaconBlockRoot",
    "requestsHash",
)
_HEADER_QUANTITIES = frozenset(
    {
        "difficulty",
        "number",
        "gasLimit",
        "gasUsed",
        "timestamp",
        "baseFeePerGas",
        "blobGasUsed",
        "excessBlobGas",
    }
)
_FIRST_OPTIONAL = _HEADER_FIELDS.index("baseFeePerGas")


class ProofInvalid(Exception):
    """A proof, or a header, that does not hold: said in words."""


def _hex_bytes(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("0x"):
        raise ProofInvalid(f"{what} is not 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise ProofInvalid(f"{what} is not 0x-hex") from None


def header_hash(header: Mapping[str, Any]) -> bytes:
    """keccak(rlp(header)) from the fields of a JSON-RPC block, as the chain hashes it. The
    fields of later forks are taken while present; one missing before one present is no
    header any fork ever made."""
    fields: list[Any] = []
    for position, name in enumerate(_HEADER_FIELDS):
        value = header.get(name)
        if value is None:
            if position < _FIRST_OPTIONAL:
                raise ProofInvalid(f"the header has no {name}")
            if any(header.get(later) is not None for later in _HEADER_FIELDS[position + 1 :]):
                raise ProofInvalid(f"the header has no {name}, but fields of later forks")
            break
        if name in _HEADER_QUANTITIES:
            # Quantities are RLP integers (big-endian, no leading zeros), sent as "0x0", "0x1a".
            if not (isinstance(value, str) and value.startswith("0x") and 2 < len(value) <= 66):
                raise ProofInvalid(f"the header's {name} is not a quantity")
            try:
                fields.append(int(value, 16))
            except ValueError:
                raise ProofInvalid(f"the header's {name} is not a quantity") from None
        else:
            fields.append(_hex_bytes(value, f"the header's {name}"))
    return keccak(rlp.encode(fields))


# ------------------------------------------------------------ Merkle-Patricia trie proofs


def _nibbles(data: bytes) -> list[int]:
    return [n for byte in data for n in (byte >> 4, byte & 0x0F)]


def _hex_prefix(encoded: bytes) -> tuple[list[int], bool]:
    """A leaf's or an extension's path (hex-prefix encoding): its nibbles, and whether it is a leaf."""
    if not encoded:
        raise ProofInvalid("a trie node has an empty path")
    flag = encoded[0] >> 4
    if flag > 3:
        raise ProofInvalid("a trie node's path has an unknown prefix")
    nibbles = _nibbles(encoded)
    # An odd path keeps its first nibble beside the flag; an even one pads it with a zero.
    return (nibbles[1:] if flag & 1 else nibbles[2:]), flag >= 2


def trie_value(root: bytes, key: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The value the trie of `root` holds at keccak(`key`) (a secure trie, as Ethereum's
    state and storage tries are), or None when the proof shows that it holds none there."""
    return walk_trie(root, _nibbles(keccak(key)), proof)


def walk_trie(root: bytes, path: Sequence[int], proof: Sequence[bytes]) -> bytes | None:
    """The value at the nibble `path` of the trie of `root`, or None when the proof shows
    that it holds none there. ProofInvalid when the nodes given do not lead from the root
    along the path: a node missing, altered (its hash no longer matches its parent's
    reference) or malformed."""
    by_hash = {keccak(node): node for node in proof}
    reference: Any = root
    depth = 0
    while True:
        if isinstance(reference, list):
            node = reference  # a node under 32 bytes, held inline in its parent
        elif reference == b"":
            return None
        elif isinstance(reference, bytes) and len(reference) == 32:
            raw = by_hash.get(reference)
            if raw is None:
                if reference == EMPTY_ROOT and depth == 0:
                    return None
                raise ProofInvalid(
                    f"the proof has no node hashing to 0x{reference.hex()} (at depth {depth} of the "
                    "path): a node is missing or was altered"
                )
            try:
                node = rlp.decode(raw)
            except DecodingError:
                raise ProofInvalid(f"a node of the proof (at depth {depth}) is not RLP") from None
        else:
            raise ProofInvalid(f"a trie node (at depth {depth}) holds a malformed reference")
        if not isinstance(node, list):
            raise ProofInvalid(f"a trie node (at depth {depth}) is not a list")
        if len(node) == 17:
            if depth == len(path):
                return node[16] or None
            reference = node[path[depth]]
            depth += 1
        elif len(node) == 2 and isinstance(node[0], bytes):
            nibbles, leaf = _hex_prefix(node[0])
            rest = list(path[depth:])
            if leaf:
                return node[1] if rest == nibbles else None
            if rest[: len(nibbles)] != nibbles:
                return None  # the path leaves the trie here: nothing is stored at the key
            depth += len(nibbles)
            reference = node[1]
        else:
            raise ProofInvalid(f"a trie node (at depth {depth}) is neither a branch, an extension nor a leaf")


@dataclass(frozen=True)
class Account:
    nonce: int
    balance: int
    storage_root: bytes
    code_hash: bytes


def proved_account(state_root: bytes, address: str, account_proof: Sequence[bytes]) -> Account | None:
    """The account at `address` in the state of `state_root`; None when the proof shows none."""
    value = trie_value(state_root, bytes.fromhex(address[2:]), account_proof)
    if value is None:
        return None
    try:
        fields = rlp.decode(value)
    except DecodingError:
        raise ProofInvalid("the account's record is not RLP") from None
    if not (isinstance(fields, list) and len(fields) == 4 and all(isinstance(f, bytes) for f in fields)):
        raise ProofInvalid("the account's record is not [nonce, balance, storage root, code hash]")
    nonce, balance, storage_root, code_hash = fields
    return Account(int.from_bytes(nonce, "big"), int.from_bytes(balance, "big"), storage_root, code_hash)


def proved_slot(storage_root: bytes, slot: int, storage_proof: Sequence[bytes]) -> int:
    """The word in `slot` of the storage of `storage_root`: 0 where the proof shows none."""
    value = trie_value(storage_root, _word(slot), storage_proof)
    if value is None:
        return 0
    try:
        word = rlp.decode(value)
    except DecodingError:
        raise ProofInvalid(f"the value of slot {hex(slot)} is not RLP") from None
    if not isinstance(word, bytes) or len(word) > 32:
        raise ProofInvalid(f"the value of slot {hex(slot)} is not a word")
    return int.from_bytes(word, "big")
