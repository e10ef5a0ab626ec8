"""pledgeWithPermit: EIP-2612 permits, front-run permits, bad permits and ETH campaigns."""

import pytest
from eth_account import Account
from helpers import ETHER, assert_event, assert_no_event

from crowdfund import permit


@pytest.fixture(scope="module")
def sign_permit(keys):
    """sign_permit(token, owner, spender, value, deadline, nonce=None, signer=owner) -> (v, r, s)."""

    def _sign(token, owner, spender, value, deadline, nonce=None, signer=None):
        _, name, version, chain_id, verifying_contract, _, _ = token.eip712Domain()
        message = permit.typed_data(
            permit.domain(name, version, chain_id, verifying_contract),
            owner=str(owner),
            spender=str(spender),
            value=value,
            nonce=token.nonces(owner) if nonce is None else nonce,
            deadline=deadline,
        )
        signed = Account.sign_typed_data(keys[str(signer or owner)], full_message=message)
        return signed.v, signed.r.to_bytes(32, "big"), signed.s.to_bytes(32, "big")

    return _sign


@pytest.fixture
def permit_owner(accounts, token, escrow):
    """A holder of 1000 tokens that has not approved the escrow."""
    owner = accounts[6]
    token.approve(escrow, 0, {"from": owner})
    return owner


@pytest.fixture
def campaign(create_campaign, token):
    return create_campaign(token=token, goal=1_000)


def test_valid_permit_pledges_in_one_transaction(escrow, token, campaign, permit_owner, sign_permit, clock):
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline)
    before = token.balanceOf(permit_owner)

    tx = escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": permit_owner})

    assert_event(
        tx,
        "Pledged",
        emitter=escrow,
        id=campaign.id,
        backer=permit_owner,
        payer=permit_owner,
        amount=250,
        newTotal=250,
    )
    assert_event(tx, "Approval", emitter=token, owner=permit_owner, spender=escrow, value=250)
    assert token.nonces(permit_owner) == 1
    assert token.allowance(permit_owner, escrow) == 0
    assert token.balanceOf(permit_owner) == before - 250
    assert token.balanceOf(escrow) == 250
    assert escrow.pledgeOf(campaign.id, permit_owner) == 250


def test_front_run_permit_still_pledges(escrow, token, campaign, permit_owner, mallory, sign_permit, clock):
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline)
    # Someone copies the permit from the mempool and submits it first: the nonce is spent.
    token.permit(permit_owner, escrow, 250, deadline, v, r, s, {"from": mallory})
    assert token.nonces(permit_owner) == 1
    assert token.allowance(permit_owner, escrow) == 250

    tx = escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": permit_owner})

    assert_event(
        tx, "Pledged", id=campaign.id, backer=permit_owner, payer=permit_owner, amount=250, newTotal=250
    )
    assert_no_event(tx, "Approval")
    assert token.nonces(permit_owner) == 1
    assert token.allowance(permit_owner, escrow) == 0
    assert escrow.pledgeOf(campaign.id, permit_owner) == 250
    assert escrow.pledgeOf(campaign.id, mallory) == 0


def test_bad_signature_without_allowance_fails(
    escrow, token, campaign, permit_owner, mallory, sign_permit, clock, assert_reverts
):
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline, signer=mallory)
    with assert_reverts("PermitFailed", token, 0, 250):
        escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": permit_owner})
    assert token.nonces(permit_owner) == 0
    assert escrow.pledgeOf(campaign.id, permit_owner) == 0


def test_permit_for_another_amount_fails(
    escrow, token, campaign, permit_owner, sign_permit, clock, assert_reverts
):
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 100, deadline)
    with assert_reverts("PermitFailed", token, 0, 250):
        escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": permit_owner})


def test_someone_elses_permit_cannot_be_used(
    escrow, token, campaign, permit_owner, mallory, sign_permit, clock, assert_reverts
):
    # The permit names its owner; the escrow always uses the caller as owner.
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline)
    token.approve(escrow, 0, {"from": mallory})
    with assert_reverts("PermitFailed", token, 0, 250):
        escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": mallory})
    assert token.nonces(permit_owner) == 0


def test_expired_permit_fails(escrow, token, campaign, permit_owner, sign_permit, clock, assert_reverts):
    deadline = clock.now() + 100
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline)
    clock.at(deadline + 1)
    with assert_reverts("PermitFailed", token, 0, 250):
        escrow.pledgeWithPermit(campaign.id, 250, deadline, v, r, s, {"from": permit_owner})


def test_bad_permit_with_partial_allowance_reports_it(
    escrow, token, campaign, permit_owner, mallory, sign_permit, clock, assert_reverts
):
    token.approve(escrow, 249, {"from": permit_owner})
    v, r, s = sign_permit(token, permit_owner, escrow, 250, clock.now() + 3600, signer=mallory)
    with assert_reverts("PermitFailed", token, 249, 250):
        escrow.pledgeWithPermit(campaign.id, 250, clock.now() + 3600, v, r, s, {"from": permit_owner})


def test_bad_permit_with_enough_allowance_still_pledges(
    escrow, token, campaign, permit_owner, sign_permit, clock
):
    token.approve(escrow, 300, {"from": permit_owner})
    tx = escrow.pledgeWithPermit(campaign.id, 250, 0, 27, b"\x00" * 32, b"\x00" * 32, {"from": permit_owner})
    assert_event(
        tx, "Pledged", id=campaign.id, backer=permit_owner, payer=permit_owner, amount=250, newTotal=250
    )
    assert token.allowance(permit_owner, escrow) == 50


def test_permit_on_an_eth_campaign_is_refused(
    escrow, token, create_campaign, permit_owner, sign_permit, clock, assert_reverts
):
    c = create_campaign(goal=ETHER)
    deadline = clock.now() + 3600
    v, r, s = sign_permit(token, permit_owner, escrow, 250, deadline)
    with assert_reverts("NotATokenCampaign", c.id):
        escrow.pledgeWithPermit(c.id, 250, deadline, v, r, s, {"from": permit_owner})
    assert token.nonces(permit_owner) == 0


def test_unknown_campaign(escrow, token, campaign, permit_owner, sign_permit, clock, assert_reverts):
    v, r, s = sign_permit(token, permit_owner, escrow, 1, clock.now() + 3600)
    with assert_reverts("CampaignNotFound", campaign.id + 1):
        escrow.pledgeWithPermit(campaign.id + 1, 1, clock.now() + 3600, v, r, s, {"from": permit_owner})


def test_window_cap_and_amount_checks_still_apply(
    escrow, token, create_campaign, permit_owner, sign_permit, clock, assert_reverts
):
    c = create_campaign(token=token, goal=100, cap=200, starts_at=clock.now() + 1000)
    far = c.deadline + 3600

    v, r, s = sign_permit(token, permit_owner, escrow, 50, far)
    clock.at(c.starts_at - 1)
    with assert_reverts("PledgesNotOpen", c.id, c.starts_at, c.starts_at - 1):
        escrow.pledgeWithPermit(c.id, 50, far, v, r, s, {"from": permit_owner})

    v, r, s = sign_permit(token, permit_owner, escrow, 201, far)
    clock.at(c.starts_at)
    with assert_reverts("CapExceeded", c.id, 200, 201):
        escrow.pledgeWithPermit(c.id, 201, far, v, r, s, {"from": permit_owner})

    v, r, s = sign_permit(token, permit_owner, escrow, 0, far)
    with assert_reverts("ZeroAmount"):
        escrow.pledgeWithPermit(c.id, 0, far, v, r, s, {"from": permit_owner})

    v, r, s = sign_permit(token, permit_owner, escrow, 50, far)
    clock.at(c.deadline)
    with assert_reverts("PledgesClosed", c.id, c.deadline, c.deadline):
        escrow.pledgeWithPermit(c.id, 50, far, v, r, s, {"from": permit_owner})
    # every failure rolled the permit back with it
    assert token.nonces(permit_owner) == 0
    assert token.allowance(permit_owner, escrow) == 0
