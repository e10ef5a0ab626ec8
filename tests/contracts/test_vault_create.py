"""vault createCampaign: the campaign is created in the escrow with the vault as its creator,
on a schedule checked tranche by tranche."""

import pytest
from helpers import (
    BPS,
    DAY,
    ETHER,
    MAX_RELEASE_DELAY,
    MAX_TRANCHES,
    URI,
    ZERO_ADDRESS,
    State,
    assert_event,
)


@pytest.fixture
def deadline(clock):
    return clock.now() + 30 * DAY


def create(vault, sender, deadline, release_at, share_bps, token=ZERO_ADDRESS, goal=10 * ETHER):
    return vault.createCampaign(token, goal, 0, 0, deadline, URI, release_at, share_bps, {"from": sender})


def test_the_vault_is_the_creator_in_the_escrow(vault, escrow, creator, deadline):
    release_at = [0, deadline + 30 * DAY, deadline + 60 * DAY, deadline + 90 * DAY]
    tx = create(vault, creator, deadline, release_at, [1_000, 2_000, 3_000, 4_000])

    campaign_id = tx.return_value
    assert campaign_id == escrow.campaignCount()
    assert_event(
        tx,
        "CampaignCreated",
        emitter=escrow,
        id=campaign_id,
        creator=vault,
        token=ZERO_ADDRESS,
        goal=10 * ETHER,
        cap=0,
        startsAt=tx.timestamp,
        deadline=deadline,
        metadataURI=URI,
    )
    assert_event(
        tx,
        "VaultCampaignCreated",
        emitter=vault,
        id=campaign_id,
        creator=creator,
        token=ZERO_ADDRESS,
        deadline=deadline,
        releaseAt=release_at,
        shareBps=[1_000, 2_000, 3_000, 4_000],
    )
    view = vault.getCampaign(campaign_id)
    assert view["id"] == campaign_id
    assert view["creator"] == creator
    assert view["token"] == ZERO_ADDRESS
    assert view["deadline"] == deadline
    assert list(view["releaseAt"]) == [deadline, *release_at[1:]]
    assert list(view["shareBps"]) == [1_000, 2_000, 3_000, 4_000]
    assert (view["paidTranches"], view["collected"], view["pledged"], view["released"]) == (0, False, 0, 0)
    assert (view["objections"], view["haltedAt"], view["refunded"]) == (0, 0, 0)
    escrow_view = escrow.getCampaign(campaign_id)
    assert escrow_view["creator"] == vault
    assert escrow_view["state"] == State.Active


def test_a_campaign_made_in_the_escrow_directly_is_not_the_vaults(
    vault, escrow, create_campaign, assert_reverts
):
    c = create_campaign()
    with assert_reverts("NotAVaultCampaign", c.id):
        vault.getCampaign(c.id)
    with assert_reverts("NotAVaultCampaign", 999):
        vault.getCampaign(999)


def test_token_campaign(vault, token, creator, deadline):
    tx = create(vault, creator, deadline, [0], [BPS], token=token)
    view = vault.getCampaign(tx.return_value)
    assert view["token"] == token
    assert list(view["releaseAt"]) == [deadline]
    assert tx.events["VaultCampaignCreated"]["token"] == token


@pytest.mark.parametrize("count", [0, 1, MAX_TRANCHES, MAX_TRANCHES + 1])
def test_one_to_twelve_tranches(vault, creator, deadline, assert_reverts, count):
    release_at = [deadline + (i + 1) * DAY for i in range(count)]
    shares = [BPS // count + (BPS % count if i == 0 else 0) for i in range(count)] if count else []
    if count == 0 or count > MAX_TRANCHES:
        with assert_reverts("TrancheCountInvalid", count, MAX_TRANCHES):
            create(vault, creator, deadline, release_at, shares)
        return
    view = vault.getCampaign(create(vault, creator, deadline, release_at, shares).return_value)
    assert list(view["releaseAt"]) == release_at
    assert list(view["shareBps"]) == shares


def test_lengths_must_match(vault, creator, deadline, assert_reverts):
    with assert_reverts("ScheduleLengthMismatch", 2, 3):
        create(vault, creator, deadline, [0, deadline + DAY], [5_000, 2_500, 2_500])
    with assert_reverts("ScheduleLengthMismatch", 2, 1):
        create(vault, creator, deadline, [0, deadline + DAY], [BPS])


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_an_explicit_first_time_comes_after_the_deadline(vault, creator, deadline, assert_reverts, offset):
    at = deadline + offset
    if offset <= 0:
        with assert_reverts("ReleaseTimeInvalid", 0, at, deadline + 1, deadline + MAX_RELEASE_DELAY):
            create(vault, creator, deadline, [at, deadline + DAY], [5_000, 5_000])
    else:
        view = vault.getCampaign(
            create(vault, creator, deadline, [at, deadline + DAY], [5_000, 5_000]).return_value
        )
        assert list(view["releaseAt"]) == [deadline + 1, deadline + DAY]


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_times_strictly_increase(vault, creator, deadline, assert_reverts, offset):
    second = deadline + DAY
    third = second + offset
    if offset <= 0:
        with assert_reverts("ReleaseTimeInvalid", 2, third, second + 1, deadline + MAX_RELEASE_DELAY):
            create(vault, creator, deadline, [0, second, third], [5_000, 2_500, 2_500])
    else:
        create(vault, creator, deadline, [0, second, third], [5_000, 2_500, 2_500])


def test_only_the_first_time_may_be_zero(vault, creator, deadline, assert_reverts):
    with assert_reverts("ReleaseTimeInvalid", 1, 0, deadline + 1, deadline + MAX_RELEASE_DELAY):
        create(vault, creator, deadline, [0, 0], [5_000, 5_000])
    # the second entry after a first 0 must still come after the deadline
    with assert_reverts("ReleaseTimeInvalid", 1, deadline, deadline + 1, deadline + MAX_RELEASE_DELAY):
        create(vault, creator, deadline, [0, deadline], [5_000, 5_000])


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_at_most_five_years_after_the_deadline(vault, creator, deadline, assert_reverts, offset):
    last = deadline + MAX_RELEASE_DELAY + offset
    if offset > 0:
        with assert_reverts("ReleaseTimeInvalid", 1, last, deadline + 1, deadline + MAX_RELEASE_DELAY):
            create(vault, creator, deadline, [0, last], [5_000, 5_000])
    else:
        view = vault.getCampaign(create(vault, creator, deadline, [0, last], [5_000, 5_000]).return_value)
        assert view["releaseAt"][1] == last


def test_no_share_may_be_zero(vault, creator, deadline, assert_reverts):
    with assert_reverts("ShareIsZero", 1):
        create(vault, creator, deadline, [0, deadline + DAY, deadline + 2 * DAY], [5_000, 0, 5_000])


@pytest.mark.parametrize("delta", [-1, 0, 1])
def test_shares_add_up_to_10000(vault, creator, deadline, assert_reverts, delta):
    shares = [6_000, 4_000 + delta]
    if delta:
        with assert_reverts("ShareSumInvalid", BPS + delta, BPS):
            create(vault, creator, deadline, [0, deadline + DAY], shares)
    else:
        create(vault, creator, deadline, [0, deadline + DAY], shares)


def test_the_escrows_rules_apply_with_its_errors(vault, creator, deadline, clock, assert_reverts):
    with assert_reverts("GoalIsZero"):
        create(vault, creator, deadline, [0], [BPS], goal=0)
    when = clock.at(clock.now() + 1)
    with assert_reverts("DeadlineNotAfterStart", when, when):
        vault.createCampaign(ZERO_ADDRESS, ETHER, 0, 0, when, URI, [0], [BPS], {"from": creator})
    with assert_reverts("TokenHasNoCode", creator):
        create(vault, creator, deadline, [0], [BPS], token=creator)
