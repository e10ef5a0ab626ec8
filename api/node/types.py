"""What the node layer hands up: plain frozen values, no HTTP schemas."""

from __future__ import annotations

from dataclasses import dataclass

from crowdfund.escrow import ETH
from crowdfund.units import Currency


@dataclass(frozen=True)
class Block:
    """A block an answer is read at: by number for people, by hash for the node (EIP-1898),
    so that a reorg can never answer from another block."""

    number: int
    hash: str


@dataclass(frozen=True)
class TokenInfo:
    """What a campaign counts in: ETH (the zero address) or an ERC-20 token."""

    address: str
    symbol: str
    decimals: int

    @property
    def is_eth(self) -> bool:
        return self.address == ETH

    @property
    def currency(self) -> Currency:
        """As the domain package counts amounts in it (crowdfund.units)."""
        return Currency(self.symbol, self.decimals, self.address)


@dataclass(frozen=True)
class UnsignedTx:
    """A transaction for the sender's wallet to sign, simulated at a block first."""

    sender: str
    to: str
    data: str
    value: int
    chain_id: int
    gas: int


@dataclass(frozen=True)
class SlotProof:
    """One storage slot's EIP-1186 proof: the slot, its value, the trie nodes from the
    account's storage root to it (0x-hex each, as the node sent them)."""

    key: str
    value: str
    proof: tuple[str, ...]


@dataclass(frozen=True)
class StorageProof:
    """eth_getProof of the escrow at `block`: its account (and the trie nodes from the
    block's state root to it) and the slots an answer's figures come from."""

    block: Block
    address: str
    balance: str
    nonce: str
    code_hash: str
    storage_hash: str
    account_proof: tuple[str, ...]
    storage: tuple[SlotProof, ...]
