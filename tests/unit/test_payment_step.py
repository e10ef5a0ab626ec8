"""How a pledge is paid: ETH with the call, an allowance, a permit, or an approval first."""

from __future__ import annotations

import pytest

from crowdfund.payment import BalanceShort, PaymentStep, pledge_payment


class Permit:
    """Answers whether a permit can be signed, and records that it was asked."""

    def __init__(self, can: bool) -> None:
        self.can, self.asked = can, 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.can


def test_eth_travels_with_the_pledge_whatever_the_allowance() -> None:
    permit = Permit(True)
    assert pledge_payment(is_eth=True, balance=10, amount=10, allowance=0, permit=permit) is PaymentStep.ETH
    assert permit.asked == 0


@pytest.mark.parametrize("allowance", [10, 11, 2**256 - 1])
def test_an_allowance_that_covers_the_pledge_is_used_without_asking_for_a_permit(allowance: int) -> None:
    permit = Permit(True)
    step = pledge_payment(is_eth=False, balance=10, amount=10, allowance=allowance, permit=permit)
    assert step is PaymentStep.EXISTING_ALLOWANCE
    assert permit.asked == 0


@pytest.mark.parametrize(("can_permit", "step"), [(True, PaymentStep.PERMIT), (False, PaymentStep.APPROVE)])
def test_an_allowance_one_short_asks_for_a_permit_once(can_permit: bool, step: PaymentStep) -> None:
    permit = Permit(can_permit)
    assert pledge_payment(is_eth=False, balance=10, amount=10, allowance=9, permit=permit) is step
    assert permit.asked == 1


@pytest.mark.parametrize("is_eth", [True, False])
def test_a_payer_holding_one_unit_too_little_is_told_both_figures(is_eth: bool) -> None:
    permit = Permit(True)
    with pytest.raises(BalanceShort) as short:
        pledge_payment(is_eth=is_eth, balance=9, amount=10, allowance=10, permit=permit)
    assert (short.value.balance, short.value.amount) == (9, 10)
    assert "holds 9 base units, less than the 10 pledged" in str(short.value)
    assert permit.asked == 0
