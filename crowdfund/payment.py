"""How a pledge is paid: the one decision, for the CLI and the gateway alike.

ETH travels with the pledge. A token is taken by the escrow with `transferFrom`, so the
backer first needs an allowance: one that already covers the amount is used as it is;
else an EIP-2612 permit, signed off chain, makes the pledge one transaction; else an
approval goes first.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum


class PaymentStep(Enum):
    ETH = "eth"
    EXISTING_ALLOWANCE = "existing-allowance"
    PERMIT = "permit"
    APPROVE = "approve"


class BalanceShort(Exception):
    """The payer holds less than the pledge; each edge words it in its own units."""

    def __init__(self, balance: int, amount: int) -> None:
        super().__init__(f"the payer holds {balance} base units, less than the {amount} pledged")
        self.balance = balance
        self.amount = amount


def pledge_payment(
    *, is_eth: bool, balance: int, amount: int, allowance: int, permit: Callable[[], bool]
) -> PaymentStep:
    """Which step pays a pledge of `amount` by a payer holding `balance`, whose allowance to
    the escrow is `allowance` (ignored for ETH). `permit()` says whether a permit can be
    signed here (a token with EIP-2612, a signer at hand, the payer's own pledge); it is
    asked only when the allowance falls short, since finding out costs reads."""
    if balance < amount:
        raise BalanceShort(balance, amount)
    if is_eth:
        return PaymentStep.ETH
    if allowance >= amount:
        return PaymentStep.EXISTING_ALLOWANCE
    return PaymentStep.PERMIT if permit() else PaymentStep.APPROVE
