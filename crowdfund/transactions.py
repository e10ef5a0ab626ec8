"""Send a transaction from an unlocked node account (the local dev chain) or from a
decrypted keystore account, and wait for it; reverts come back in words."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError, TimeExhausted, TransactionNotFound
from web3.types import TxParams, TxReceipt

from crowdfund.errors import EscrowError, decode_error

# An address the node signs for (anvil's dev accounts), or a local account whose key was
# decrypted from a keystore. A plain key is never accepted.
Sender = str | LocalAccount


class TransactionRejected(Exception):
    """The escrow refused the transaction; `error` says which rule it broke. A refusal in
    simulation sent nothing; one `on_chain` was mined, reverted, and cost `gas_used`."""

    def __init__(
        self, error: EscrowError | None, detail: str, *, on_chain: bool = False, gas_used: int = 0
    ) -> None:
        super().__init__(error.message if error else detail)
        self.error = error
        self.on_chain = on_chain
        self.gas_used = gas_used


@dataclass(frozen=True)
class Progress:
    """Where a sent transaction stands: pending (`block` None) or mined with some confirmations."""

    tx_hash: str
    block: int | None
    confirmations: int
    wanted: int
    elapsed: float


@dataclass(frozen=True)
class _Watch:
    on_progress: Callable[[Progress], None] | None = None
    confirmations: int = 1
    timeout: float | None = None


# Set by `watch()` around any code that sends (the escrow's methods, deploy_escrow), so that
# callers who show progress need not thread a callback through every signature.
_watch: ContextVar[_Watch | None] = ContextVar("crowdfund_transactions_watch", default=None)


@contextmanager
def watch(
    on_progress: Callable[[Progress], None] | None, *, confirmations: int = 1, timeout: float | None = None
) -> Iterator[None]:
    """Within this block, every `send` reports its progress to `on_progress`, waits for
    `confirmations` blocks (the including block counts as one), and gives up after
    `timeout` seconds instead of its own."""
    token = _watch.set(_Watch(on_progress, max(1, confirmations), timeout))
    try:
        yield
    finally:
        _watch.reset(token)


def sender_address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else sender.address


def rejection(exc: ContractLogicError) -> TransactionRejected:
    return TransactionRejected(decode_error(exc.data if isinstance(exc.data, str) else None), str(exc))


def simulate(w3: Web3, sender: Sender, tx: TxParams) -> TxParams:
    """Run `tx` as the next block would without sending it; returns it with `from` and an
    estimated `gas`, or raises TransactionRejected with the rule it would break.

    The pending block, not the latest: its time is the node's now, which is when the
    transaction runs. On a chain that mines only when there are transactions (a local
    node), the latest block may be hours old, and a deadline passed since would pass the
    dry run and then revert."""
    tx = {**tx, "from": sender_address(sender)}
    try:
        w3.eth.call(tx, "pending")
        if "gas" not in tx:
            tx["gas"] = w3.eth.estimate_gas(tx, "pending")
    except (ContractCustomError, ContractLogicError) as exc:
        raise rejection(exc) from None
    return tx


def fill(w3: Web3, tx: TxParams) -> dict[str, Any]:
    """`tx` with the nonce, chain id and fees a signer needs (EIP-1559 fees where the chain
    has a base fee, a legacy gas price elsewhere)."""
    filled: dict[str, Any] = dict(tx)
    filled.setdefault("nonce", w3.eth.get_transaction_count(filled["from"], "pending"))
    filled.setdefault("chainId", w3.eth.chain_id)
    if "gasPrice" not in filled and "maxFeePerGas" not in filled:
        base_fee = w3.eth.get_block("latest").get("baseFeePerGas")
        if base_fee is None:
            filled["gasPrice"] = w3.eth.gas_price
        else:
            filled["maxPriorityFeePerGas"] = w3.eth.max_priority_fee
            filled["maxFeePerGas"] = 2 * base_fee + filled["maxPriorityFeePerGas"]
    return filled


def _wait(w3: Web3, tx_hash: HexBytes, timeout: float) -> TxReceipt:
    watch = _watch.get() or _Watch()
    timeout = watch.timeout or timeout
    shown = "0x" + bytes(tx_hash).hex()
    started, poll = time.monotonic(), 0.05
    while True:
        elapsed = time.monotonic() - started
        try:
            receipt: TxReceipt | None = w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            receipt = None
        if receipt is None:
            progress = Progress(shown, None, 0, watch.confirmations, elapsed)
        else:
            confirmations = w3.eth.block_number - receipt["blockNumber"] + 1
            progress = Progress(shown, receipt["blockNumber"], confirmations, watch.confirmations, elapsed)
        if watch.on_progress:
            watch.on_progress(progress)
        if receipt is not None and (progress.confirmations >= watch.confirmations or receipt["status"] != 1):
            return receipt
        if elapsed > timeout:
            raise TimeExhausted(
                f"transaction {shown} is not {'mined' if receipt is None else 'confirmed'} after "
                f"{timeout:.0f} s; it may still be: look it up before sending again"
            )
        time.sleep(poll)
        poll = min(poll * 2, 2.0)


def send(w3: Web3, sender: Sender, tx: TxParams, *, timeout: float = 120) -> TxReceipt:
    """Simulate `tx`, then send it and wait for its receipt."""
    tx = simulate(w3, sender, tx)
    if isinstance(sender, str):
        tx_hash = w3.eth.send_transaction(tx)
    else:
        signed = sender.sign_transaction(fill(w3, tx))
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = _wait(w3, tx_hash, timeout)
    if receipt["status"] != 1:
        raise _reverted_on_chain(w3, tx, receipt)
    return receipt


def _reverted_on_chain(w3: Web3, tx: TxParams, receipt: TxReceipt) -> TransactionRejected:
    """Why a mined transaction reverted (it passed simulation, but the chain moved on: a
    block's time, another transaction first): replayed in its block for the rule."""
    block, shown = receipt["blockNumber"], "0x" + bytes(receipt["transactionHash"]).hex()
    detail = f"transaction {shown} reverted in block {block}"
    error = None
    try:
        replay = {key: tx[key] for key in ("from", "to", "data", "value") if key in tx}
        w3.eth.call(cast(TxParams, replay), block)
    except (ContractCustomError, ContractLogicError) as exc:
        error = decode_error(exc.data if isinstance(exc.data, str) else None)
        detail = f"{detail}: {exc}"
    return TransactionRejected(error, detail, on_chain=True, gas_used=int(receipt["gasUsed"]))
