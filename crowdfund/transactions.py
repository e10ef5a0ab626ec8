"""Send a transaction from an unlocked node account (the local dev chain) or from a
decrypted keystore account, and wait for it; reverts come back in words."""

from __future__ import annotations

from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import ContractCustomError, ContractLogicError
from web3.types import TxParams, TxReceipt

from crowdfund.errors import EscrowError, decode_error

# An address the node signs for (anvil's dev accounts), or a local account whose key was
# decrypted from a keystore. A plain key is never accepted.
Sender = str | LocalAccount


class TransactionRejected(Exception):
    """The escrow refused the transaction; `error` says which rule it broke."""

    def __init__(self, error: EscrowError | None, detail: str) -> None:
        super().__init__(error.message if error else detail)
        self.error = error


def sender_address(sender: Sender) -> str:
    return sender if isinstance(sender, str) else sender.address


def rejection(exc: ContractLogicError) -> TransactionRejected:
    data = exc.data if isinstance(exc.data, str) else None
    error = decode_error(data) if data and len(data) >= 10 else None
    return TransactionRejected(error, str(exc))


def send(w3: Web3, sender: Sender, tx: TxParams, *, timeout: float = 120) -> TxReceipt:
    """Simulate `tx`, then send it and wait for its receipt."""
    tx = {**tx, "from": sender_address(sender)}
    try:
        w3.eth.call(tx)
        if "gas" not in tx:
            tx["gas"] = w3.eth.estimate_gas(tx)
    except (ContractCustomError, ContractLogicError) as exc:
        raise rejection(exc) from None
    if isinstance(sender, str):
        tx_hash = w3.eth.send_transaction(tx)
    else:
        filled: dict[str, Any] = dict(tx)
        filled.setdefault("nonce", w3.eth.get_transaction_count(sender.address, "pending"))
        filled.setdefault("chainId", w3.eth.chain_id)
        if "gasPrice" not in filled and "maxFeePerGas" not in filled:
            filled["maxPriorityFeePerGas"] = w3.eth.max_priority_fee
            filled["maxFeePerGas"] = (
                2 * w3.eth.get_block("latest")["baseFeePerGas"] + filled["maxPriorityFeePerGas"]
            )
        signed = sender.sign_transaction(filled)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash, timeout=timeout)
    if receipt["status"] != 1:
        raise TransactionRejected(None, f"transaction {tx_hash.hex()} reverted")
    return receipt
