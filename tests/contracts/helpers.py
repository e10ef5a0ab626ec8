"""Constants and plain helpers shared by the contract tests (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any

from brownie import web3
from brownie.exceptions import VirtualMachineError
from eth_abi import decode as abi_decode
from eth_utils import keccak

ROOT = Path(__file__).resolve().parents[2]
SOLIDITY_DIR = Path(__file__).resolve().parent / "solidity"
ESCROW_BUILD = ROOT / "build" / "contracts" / "CrowdfundEscrow.json"
VAULT_BUILD = ROOT / "build" / "contracts" / "MilestoneVault.json"

ZERO_ADDRESS = "0x" + "00" * 20
DAY = 86_400
GOAL_LOCK = DAY
MAX_DURATION = 366 * DAY
CLAIM_WINDOW = 180 * DAY
MAX_AMOUNT = 2**104 - 1
MAX_UINT256 = 2**256 - 1
# MilestoneVault
MAX_TRANCHES = 12
BPS = 10_000
MAX_RELEASE_DELAY = 1826 * DAY
RELEASE_WINDOW = 180 * DAY  # a tranche lapses when not released within it once due
ETHER = 10**18
TOKEN_UNIT = 10**18
URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"

# The standard anvil dev accounts (well-known test keys; used only by the tests).
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"


class State(IntEnum):
    Upcoming = 0
    Active = 1
    Succeeded = 2
    Failed = 3
    Cancelled = 4
    Claimed = 5
    Expired = 6


# --------------------------------------------------------------------------- clock


class Clock:
    """Block-timestamp control on anvil. Never uses brownie's wall-clock model (chain.time),
    which drifts from the chain once an exact timestamp has been set."""

    @staticmethod
    def now() -> int:
        """Timestamp of the latest block (the time eth_call sees)."""
        return web3.eth.get_block("latest")["timestamp"]

    def at(self, ts: int) -> int:
        """The next block (so the next transaction, reverted or not) gets exactly `ts`."""
        assert ts >= self.now(), f"cannot go back in time to {ts} (latest block is {self.now()})"
        response = web3.provider.make_request("evm_setNextBlockTimestamp", [ts])
        assert "error" not in response, response
        return ts

    def mine_at(self, ts: int) -> int:
        """Mines an empty block at exactly `ts`, so that views (eth_call) see that time."""
        self.at(ts)
        response = web3.provider.make_request("evm_mine", [])
        assert "error" not in response, response
        assert self.now() == ts
        return ts

    @staticmethod
    def of(tx) -> int:
        """Timestamp of the block that holds transaction `tx`."""
        return web3.eth.get_block(tx.block_number)["timestamp"]


# --------------------------------------------------------------------------- deployment


def deploy_raw(artifact: dict[str, Any], *args, sender, value: int = 0) -> str:
    """Deploys a compiled artifact; returns the address it was created at (its code may be
    gone again, e.g. a constructor that self-destructs)."""
    factory = web3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    args = tuple(str(a.address) if hasattr(a, "address") else a for a in args)
    data = factory.constructor(*args).data_in_transaction
    tx_hash = web3.eth.send_transaction(
        {"from": str(sender), "data": data, "value": value, "gas": 6_000_000, "gasPrice": 0}
    )
    receipt = web3.eth.wait_for_transaction_receipt(tx_hash)
    assert receipt.status == 1, "deployment reverted"
    return receipt.contractAddress


# --------------------------------------------------------------------------- custom errors


def _canonical_type(param: dict[str, Any]) -> str:
    if param["type"].startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return param["type"]


class ErrorDecoder:
    """Decodes revert data against the custom errors of the escrow (first) and of every
    test contract, plus Solidity's built-in Error(string) and Panic(uint256)."""

    def __init__(self, *abis: list[dict[str, Any]]):
        self.by_selector: dict[bytes, tuple[str, list[str]]] = {}
        builtin = [
            {"type": "error", "name": "Error", "inputs": [{"type": "string"}]},
            {"type": "error", "name": "Panic", "inputs": [{"type": "uint256"}]},
        ]
        for abi in (*abis, builtin):
            for item in abi:
                if item.get("type") != "error":
                    continue
                types = [_canonical_type(p) for p in item["inputs"]]
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self.by_selector.setdefault(selector, (item["name"], types))

    def decode(self, data: bytes) -> tuple[str | None, tuple]:
        """(name, args) of revert data; (None, ()) for empty revert data."""
        data = bytes(data)
        if not data:
            return None, ()
        if data[:4] not in self.by_selector:
            raise AssertionError(f"revert data with an unknown selector: 0x{data.hex()}")
        name, types = self.by_selector[data[:4]]
        return name, tuple(abi_decode(types, data[4:]))


def normalize(value: Any) -> Any:
    """Makes expected and decoded error or event arguments comparable."""
    if hasattr(value, "address"):  # brownie Account or Contract
        return str(value.address).lower()
    if isinstance(value, IntEnum):
        return int(value)
    if isinstance(value, str) and value.startswith("0x") and len(value) == 42:
        return value.lower()
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return tuple(normalize(v) for v in value)
    return value


def revert_data(exc: VirtualMachineError) -> bytes:
    """The raw revert data behind a brownie VirtualMachineError.

    On the development network brownie broadcasts reverting transactions, so they are mined
    and their data comes from the call tracer. A reverted eth_call (a view) carries the data
    in the RPC error that brownie wraps."""
    if exc.txid:
        trace = web3.provider.make_request("debug_traceTransaction", [exc.txid, {"tracer": "callTracer"}])
        return bytes.fromhex(trace["result"].get("output", "0x")[2:])
    payload = exc.args[0] if exc.args else None
    if getattr(payload, "rpc_response", None):  # web3's Web3RPCError
        payload = payload.rpc_response["error"]
    elif isinstance(payload, ValueError) and payload.args:
        payload = payload.args[0]
    data = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(data, str):
        raise AssertionError(f"cannot find the revert data in {exc!r}")
    return bytes.fromhex(data[2:])


@dataclass
class Revert:
    """What `assert_reverts` caught: the decoded error and, for a mined transaction, its id,
    block timestamp and gas used."""

    name: str | None = None
    args: tuple = ()
    data: bytes = b""
    txid: str = ""
    timestamp: int | None = None
    gas_used: int | None = None


# --------------------------------------------------------------------------- events


def assert_event(tx, name: str, emitter=None, index: int = 0, count: int = 1, **expected):
    """Asserts that `tx` emitted `count` events `name` and that the `index`-th one has exactly
    the arguments `expected` (every argument must be named), emitted by `emitter` if given."""
    events = tx.events[name] if name in tx.events else []
    assert len(events) == count, f"expected {count} {name} event(s), got {len(events)}: {tx.events}"
    event = events[index]
    got = {k: normalize(v) for k, v in dict(event).items()}
    want = {k: normalize(v) for k, v in expected.items()}
    assert got == want, f"{name}: got {got}, expected {want}"
    if emitter is not None:
        assert event.address.lower() == str(emitter.address).lower()


def assert_no_event(tx, name: str):
    assert name not in tx.events, f"unexpected {name} event: {tx.events[name]}"


# --------------------------------------------------------------------------- campaigns & balances


@dataclass
class Campaign:
    """A campaign as created by the `create_campaign` fixture."""

    id: int
    creator: Any
    token: str
    goal: int
    cap: int
    starts_at: int
    deadline: int
    created_at: int
    tx: Any


@dataclass
class VaultCampaign(Campaign):
    """A campaign as created through the vault by the `create_vault_campaign` fixture:
    `creator` is the real creator; `release_at` holds the effective times (the deadline for
    a first entry given as 0)."""

    release_at: tuple[int, ...] = ()
    share_bps: tuple[int, ...] = ()


def address_of(who) -> str:
    return str(getattr(who, "address", who))


def eth_balance(who) -> int:
    return web3.eth.get_balance(address_of(who))
