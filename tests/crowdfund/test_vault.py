"""crowdfund.vault over a real vault: campaigns with a schedule, releases, objections and
refunds, and the vault's refusals in words."""

from __future__ import annotations

import pytest
from web3 import Web3

from crowdfund import deployments
from crowdfund.deploy import deploy_vault
from crowdfund.escrow import Escrow
from crowdfund.schedule import MAX_RELEASE_DELAY, MAX_TRANCHES, Tranche, check
from crowdfund.transactions import TransactionRejected
from crowdfund.units import UnitError, format_time
from crowdfund.vault import Vault

ETHER = 10**18
DAY = 86_400


@pytest.fixture
def vault(w3: Web3, escrow: Escrow) -> Vault:
    deploy_vault(w3, w3.eth.accounts[0], deployments.load(w3.eth.chain_id))
    return Vault.from_registry(w3)


def now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def succeeded(
    w3: Web3, escrow: Escrow, vault: Vault, pledges: dict[str, int]
) -> tuple[int, tuple[Tranche, ...]]:
    """A campaign of two halves (at the deadline, 30 days after) by accounts[0], with
    `pledges`, just past its deadline: succeeded, not yet claimed."""
    deadline = now(w3) + DAY
    tranches = (Tranche(deadline, 5000), Tranche(deadline + 30 * DAY, 5000))
    campaign_id = vault.create_campaign(
        w3.eth.accounts[0], tranches, goal=ETHER, deadline=deadline, metadata_uri="ipfs://v"
    )
    for backer, amount in pledges.items():
        escrow.pledge(backer, campaign_id, amount)
    advance(w3, DAY + 1)
    return campaign_id, tranches


def test_a_campaign_with_a_schedule_is_created_released_halted_and_refunded(
    w3: Web3, escrow: Escrow, vault: Vault
) -> None:
    creator, alice, bob = w3.eth.accounts[:3]
    campaign_id, tranches = succeeded(w3, escrow, vault, {alice: ETHER, bob: 3 * ETHER})
    assert escrow.campaign(campaign_id).creator == vault.address
    assert vault.campaign(campaign_id).tranches == tranches
    before = w3.eth.get_balance(creator)
    receipt = vault.release(bob, campaign_id)
    assert vault.released_amount(receipt) == 2 * ETHER
    assert w3.eth.get_balance(creator) == before + 2 * ETHER

    assert not vault.halted_in(vault.object(alice, campaign_id))
    assert vault.halted_in(vault.object(bob, campaign_id))
    kept = vault.campaign(campaign_id)
    assert kept.halted and kept.objections == 4 * ETHER and kept.refundable == 2 * ETHER
    assert kept.refund_due(3 * ETHER, 4 * ETHER) == 15 * ETHER // 10

    held = w3.eth.get_balance(vault.address)
    vault.refund(bob, campaign_id)
    assert vault.refund_of(campaign_id, bob) == (True, 15 * ETHER // 10)
    assert w3.eth.get_balance(vault.address) == held - 15 * ETHER // 10

    with pytest.raises(TransactionRejected, match=f"campaign {campaign_id} has nothing left to release"):
        vault.release(creator, campaign_id)
    with pytest.raises(TransactionRejected, match=f"campaign {campaign_id} was halted by its backers"):
        vault.withdraw_objection(alice, campaign_id)


def test_the_vaults_refusals_are_said_in_words(w3: Web3, escrow: Escrow, vault: Vault) -> None:
    creator, stranger = w3.eth.accounts[:2]
    deadline = now(w3) + DAY
    # Past the CLI's own checks: the vault's rule, decoded.
    short = (Tranche(deadline, 4000), Tranche(deadline + DAY, 5000))
    with pytest.raises(TransactionRejected, match=r"the tranches' shares add up to 90% instead of 100%"):
        vault.create_campaign(creator, short, goal=ETHER, deadline=deadline, metadata_uri="ipfs://v")
    backwards = (Tranche(deadline + 2 * DAY, 5000), Tranche(deadline + DAY, 5000))
    with pytest.raises(TransactionRejected) as info:
        vault.create_campaign(creator, backwards, goal=ETHER, deadline=deadline, metadata_uri="ipfs://v")
    assert info.value.error is not None and info.value.error.name == "ReleaseTimeInvalid"
    assert str(info.value).startswith(f"tranche 2 would be due at {format_time(deadline + DAY)}, outside ")

    one = (Tranche(deadline, 10_000),)
    campaign_id = vault.create_campaign(creator, one, goal=ETHER, deadline=deadline, metadata_uri="ipfs://v")
    with pytest.raises(TransactionRejected, match=f"only the creator {creator} of campaign {campaign_id}"):
        vault.cancel(stranger, campaign_id)
    with pytest.raises(TransactionRejected, match=f"campaign {campaign_id} has not succeeded: it is Active"):
        vault.object(stranger, campaign_id)
    with pytest.raises(TransactionRejected, match=f"the vault does not refund campaign {campaign_id}: "):
        vault.refund(stranger, campaign_id)
    plain = escrow.create_campaign(creator, goal=ETHER, deadline=deadline, metadata_uri="ipfs://p")
    with pytest.raises(
        TransactionRejected, match=f"campaign {plain} was not created through the milestone vault"
    ):
        vault.release(creator, plain)


def test_a_halt_before_any_release_refunds_what_was_not_due_and_pays_the_creator_the_rest(
    w3: Web3, escrow: Escrow, vault: Vault
) -> None:
    creator, alice, bob = w3.eth.accounts[:3]
    campaign_id, _ = succeeded(w3, escrow, vault, {alice: ETHER, bob: 2 * ETHER})

    assert vault.halted_in(vault.object(bob, campaign_id))  # 2 of 3 ETH: halted before the vault claimed
    kept = vault.campaign(campaign_id)
    assert kept.halted and not kept.collected and kept.pledged == 3 * ETHER
    # The first tranche was due at the halt: it stays the creator's; the second goes back.
    assert kept.refund_due(2 * ETHER, 3 * ETHER) == ETHER

    vault.refund(bob, campaign_id)  # claims from the escrow, then refunds
    assert vault.refund_of(campaign_id, bob) == (True, ETHER)
    before = w3.eth.get_balance(creator)
    assert vault.released_amount(vault.release(alice, campaign_id)) == 15 * ETHER // 10
    assert w3.eth.get_balance(creator) == before + 15 * ETHER // 10
    vault.refund(alice, campaign_id)
    assert vault.refund_of(campaign_id, alice) == (True, ETHER // 2)
    assert vault.campaign(campaign_id).refunded == vault.campaign(campaign_id).refundable == 15 * ETHER // 10


def test_the_schedule_rules_checked_before_sending_are_the_vaults_on_each_boundary(
    w3: Web3, escrow: Escrow, vault: Vault
) -> None:
    creator = w3.eth.accounts[0]
    deadline = now(w3) + DAY

    def create(tranches: tuple[Tranche, ...]) -> int:
        return vault.create_campaign(
            creator, tranches, goal=ETHER, deadline=deadline, metadata_uri="ipfs://b"
        )

    latest = (Tranche(deadline + MAX_RELEASE_DELAY, 10_000),)
    check(latest, deadline)
    assert vault.campaign(create(latest)).tranches == latest
    too_late = (Tranche(deadline + MAX_RELEASE_DELAY + 1, 10_000),)
    with pytest.raises(UnitError):
        check(too_late, deadline)
    with pytest.raises(TransactionRejected, match="tranche 1 would be due at"):
        create(too_late)

    most = tuple(
        Tranche(deadline + i * DAY, 10_000 // MAX_TRANCHES + (i < 10_000 % MAX_TRANCHES))
        for i in range(MAX_TRANCHES)
    )
    check(most, deadline)
    assert len(vault.campaign(create(most)).tranches) == MAX_TRANCHES
    one_more = (*most[:-1], Tranche(deadline + 20 * DAY, 400), Tranche(deadline + 21 * DAY, 433))
    with pytest.raises(UnitError):
        check(one_more, deadline)
    with pytest.raises(TransactionRejected, match=f"a schedule has 1 to {MAX_TRANCHES} tranches, not 13"):
        create(one_more)
