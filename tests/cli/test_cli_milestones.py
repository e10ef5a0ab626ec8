"""Milestone campaigns from the command line: `create --milestones`, `release`, `object`,
`withdraw-objection`, `refund` choosing the escrow or the vault, and `status` showing the
schedule, on a real chain."""

from __future__ import annotations

import pytest
from cli_support import DAY, ETHER, Cli, advance, created_id, dev, nonce, now
from web3 import Web3

from crowdfund.escrow import Escrow
from crowdfund.state import State
from crowdfund.units import format_time
from crowdfund.vault import Vault

SCHEDULE = "40%@end,30%@+60d,30%@+120d"


@pytest.fixture(scope="module")
def vault(w3: Web3, escrow: Escrow) -> Vault:
    return Vault.from_registry(w3)


def create(cli: Cli, schedule: str = SCHEDULE, goal: str = "3") -> int:
    args = ("--goal", goal, "--deadline", "2d", "--metadata", "ipfs://m", "--milestones", schedule)
    return created_id(cli("create", *args, "--json"))


def pledge(cli: Cli, campaign_id: int, amount: str, account: str) -> None:
    pledged = cli("pledge", str(campaign_id), amount, "--account", account)
    assert pledged.code == 0, pledged.text


def test_create_with_a_schedule_puts_the_campaign_in_the_vault(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    args = ("--goal", "3", "--deadline", "2d", "--metadata", "ipfs://m", "--milestones", SCHEDULE)
    created = cli("create", *args, "--json")
    campaign_id = created_id(created)

    campaign = escrow.campaign(campaign_id)
    assert campaign.creator == vault.address  # the vault is the creator in the escrow
    kept = vault.campaign(campaign_id)
    assert kept.creator == dev(w3, 0)
    deadline = campaign.deadline
    assert [(t.release_at, t.share_bps) for t in kept.tranches] == [
        (deadline, 4000),
        (deadline + 60 * DAY, 3000),
        (deadline + 120 * DAY, 3000),
    ]
    assert created.json["vault"] == vault.address
    assert created.json["milestones"] == [
        {"release_at": deadline, "share_bps": 4000},
        {"release_at": deadline + 60 * DAY, "share_bps": 3000},
        {"release_at": deadline + 120 * DAY, "share_bps": 3000},
    ]
    assert created.json["transactions"][0]["function"].startswith("createCampaign(")


@pytest.mark.parametrize(
    ("schedule", "said"),
    [
        ("40%@end,30%@+60d", "the shares add up to 70%, not 100%"),
        ("40%@end,60%@60d", "tranche 2: '60d' counts from what? write +60d"),
        ("60%@+60d,40%@end", "tranche 2 would be due at "),
        ("0%@end,100%@+1d", "tranche 1 has a share of 0%"),
        ("forty%@end,60%@+1d", "tranche 1: 'forty%' is not a share"),
        ("100%", "tranche 1 ('100%') has no due time: write it like 100%@+60d"),
        ("40,30,30", "tranche 1 ('40') has no due time: write it like 40%@+60d"),
        ("50%@end,50%@2020-01-01", "before the deadline"),
        ("100%@+1827d", "more than five years (1826 days) after the deadline"),
        ("50%@end,50%@someday", "tranche 2: 'someday' is not a due time"),
        (",".join(f"5%@+{i}d" for i in range(1, 21)), "a schedule has 1 to 12 tranches, not 20"),
    ],
)
def test_a_bad_schedule_is_refused_in_words_before_any_transaction(
    w3: Web3, cli: Cli, escrow: Escrow, schedule: str, said: str
) -> None:
    before = nonce(w3, dev(w3, 0))
    count = escrow.campaign_count()

    refused = cli(
        "create", "--goal", "1", "--deadline", "2d", "--metadata", "ipfs://m", "--milestones", schedule
    )

    assert refused.code == 2, refused.text
    assert said in refused.err
    assert nonce(w3, dev(w3, 0)) == before and escrow.campaign_count() == count


def test_release_pays_the_first_tranche_at_the_deadline_and_the_next_one_later(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    creator = dev(w3, 0)
    campaign_id = create(cli)
    pledge(cli, campaign_id, "2", "dev1")
    pledge(cli, campaign_id, "3", "dev2")

    early = cli("release", str(campaign_id), "--account", "dev3")
    assert early.code == 1
    assert f"campaign {campaign_id} runs until " in early.err  # the escrow's rule, through the vault

    advance(w3, 2 * DAY + 60)
    before = w3.eth.get_balance(creator)
    # Anyone may release; the money goes to the creator, who pays no gas here.
    first = cli("release", str(campaign_id), "--account", "dev3", "--json")
    assert first.code == 0, first.text
    assert w3.eth.get_balance(creator) == before + 2 * ETHER  # 40% of 5 ETH
    assert first.json["amount"] == str(2 * ETHER) and first.json["paid_tranches"] == 1
    assert escrow.campaign(campaign_id).state is State.CLAIMED
    assert w3.eth.get_balance(vault.address) >= 3 * ETHER

    deadline = escrow.campaign(campaign_id).deadline
    again = cli("release", str(campaign_id), "--account", "dev3")
    assert again.code == 1
    assert (
        f"nothing is due to the creator of campaign {campaign_id} yet; the next tranche is due at "
        f"{format_time(deadline + 60 * DAY)}" in again.err
    )

    advance(w3, 60 * DAY)
    second = cli("release", str(campaign_id), "--account", "dev3")
    assert second.code == 0, second.text
    assert w3.eth.get_balance(creator) == before + 2 * ETHER + 15 * ETHER // 10
    assert "2 of 3 tranches paid, 3.5 ETH released" in second.out
    assert (
        f"campaign {campaign_id}: 5 ETH of 3 ETH pledged (166%), Claimed (in tranches), ended" in second.out
    )
    listing = cli("status").out.splitlines()
    (row,) = [line for line in listing if line.split()[0] == str(campaign_id)]
    assert "Claimed (in tranches)" in row
    assert f"the next tranche is due at {format_time(deadline + 120 * DAY)}" in second.out

    status = cli("status", str(campaign_id), "--json")
    assert status.code == 0, status.text
    milestones = status.json["campaign"]["milestones"]
    assert [t["status"] for t in milestones["tranches"]] == ["paid", "paid", "upcoming"]
    assert [t["amount"] for t in milestones["tranches"]] == [str(2 * ETHER), *[str(15 * ETHER // 10)] * 2]
    assert milestones["released"] == str(35 * ETHER // 10) and milestones["unreleased"] == str(
        15 * ETHER // 10
    )
    assert milestones["creator"] == creator and milestones["halted"] is False
    text = cli("status", str(campaign_id)).out
    assert "3 tranches through the milestone vault" in text
    assert "released  3.5 ETH of 5 ETH; unreleased 1.5 ETH" in text

    claim = cli("claim", str(campaign_id))
    assert claim.code == 1 and f"use `crowdfund release {campaign_id}`" in claim.err


def test_objections_halt_the_campaign_and_backers_take_back_the_unreleased_share(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    campaign_id = create(cli, "25%@end,75%@+30d", goal="1")
    # Amounts that do not divide evenly: each refund is rounded down, the last takes the rest.
    pledge(cli, campaign_id, "1", "dev1")
    pledge(cli, campaign_id, "2000000000000000001wei", "dev2")
    pledged = 3 * ETHER + 1
    advance(w3, 2 * DAY + 60)
    assert cli("release", str(campaign_id), "--account", "dev3").code == 0
    released = pledged * 2500 // 10_000

    objected = cli("object", str(campaign_id), "--account", "dev1")
    assert objected.code == 0, objected.text
    assert vault.objection_of(campaign_id, dev(w3, 1)) == ETHER
    assert "objections now 1 ETH (33.33% of the pledged total)" in objected.out
    twice = cli("object", str(campaign_id), "--account", "dev1")
    assert twice.code == 1 and f"{dev(w3, 1)} already objects to campaign {campaign_id}" in twice.err

    assert cli("status", str(campaign_id), "--json").json["campaign"]["milestones"]["objections"] == str(
        ETHER
    )
    withdrawn = cli("withdraw-objection", str(campaign_id), "--account", "dev1", "--json")
    assert withdrawn.code == 0, withdrawn.text
    assert vault.objection_of(campaign_id, dev(w3, 1)) == 0 and withdrawn.json["objections"] == "0"
    none_left = cli("withdraw-objection", str(campaign_id), "--account", "dev1")
    assert none_left.code == 1 and "has no objection to campaign" in none_left.err

    not_yet = cli("refund", str(campaign_id), "--account", "dev1")
    assert not_yet.code == 1 and f"the vault does not refund campaign {campaign_id}: " in not_yet.err

    assert cli("object", str(campaign_id), "--account", "dev1").code == 0
    dry = cli("object", str(campaign_id), "--account", "dev2", "--dry-run")
    assert dry.code == 0, dry.text
    assert f"this objection halts campaign {campaign_id} for good" in dry.out
    assert not vault.campaign(campaign_id).halted
    halting = cli("object", str(campaign_id), "--account", "dev2")
    assert halting.code == 0, halting.text
    assert f"campaign {campaign_id} is halted for good" in halting.out
    assert "Claimed (halted), ended" in halting.out
    listing = cli("status").out.splitlines()
    (row,) = [line for line in listing if line.split()[0] == str(campaign_id)]
    assert "Claimed (halted)" in row
    late = cli("object", str(campaign_id), "--account", "dev3")
    assert late.code == 1 and f"campaign {campaign_id} was halted by its backers' objections" in late.err

    status = cli("status", str(campaign_id), "--json").json["campaign"]["milestones"]
    unreleased = pledged - released
    assert status["halted"] is True and status["refundable"] == str(unreleased)
    assert [t["status"] for t in status["tranches"]] == ["paid", "halted"]
    assert status["objection_bps"] == 10_000

    held = w3.eth.get_balance(vault.address)
    first = cli("refund", str(campaign_id), "--account", "dev1", "--json")
    assert first.code == 0, first.text
    expected = ETHER * unreleased // pledged  # the pledge times the unreleased share, rounded down
    assert first.json["refunded_by"] == "vault" and first.json["amount"] == str(expected)
    assert vault.refund_of(campaign_id, dev(w3, 1)) == (True, expected)
    assert w3.eth.get_balance(vault.address) == held - expected

    last = cli("refund", str(campaign_id), "--account", "dev2", "--json")
    assert last.code == 0, last.text
    assert int(last.json["amount"]) == unreleased - expected  # the last backer takes the rest
    assert w3.eth.get_balance(vault.address) == held - unreleased

    again = cli("refund", str(campaign_id), "--account", "dev2")
    assert again.code == 1 and "has already taken its refund" in again.err


def test_refund_of_a_failed_or_cancelled_milestone_campaign_comes_from_the_escrow(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    failed = create(cli, "100%@end", goal="10")
    pledge(cli, failed, "1.5", "dev1")
    cancelled = create(cli, "100%@+1d")
    pledge(cli, cancelled, "2", "dev1")

    not_creator = cli("cancel", str(cancelled), "--account", "dev1", "--yes")
    assert not_creator.code == 1
    assert f"only the creator {dev(w3, 0)} of campaign {cancelled} may do this" in not_creator.err
    updated = cli("update", str(cancelled), "ipfs://news", "--json")
    assert updated.code == 0, updated.text
    assert escrow.updates(cancelled, 0, w3.eth.block_number) == ["ipfs://news"]
    early = cli("object", str(failed), "--account", "dev1")
    assert early.code == 1
    assert f"campaign {failed} is Active: objections open once it has succeeded" in early.err
    assert cli("cancel", str(cancelled), "--yes").code == 0
    assert escrow.campaign(cancelled).state is State.CANCELLED

    advance(w3, 2 * DAY + 60)
    assert escrow.campaign(failed).state is State.FAILED
    for campaign_id, ended in ((failed, "failed (its goal was not reached"), (cancelled, "was cancelled")):
        late = cli("object", str(campaign_id), "--account", "dev1")
        assert late.code == 1
        assert f"campaign {campaign_id} {ended}" in late.err
        assert "its backers refund their whole pledge in the escrow" in late.err
    milestones = cli("status", str(failed), "--json").json["campaign"]["milestones"]
    assert [t["status"] for t in milestones["tranches"]] == ["void"]
    assert (milestones["unreleased"], milestones["refundable"]) == ("0", "0")
    for campaign_id, ended in ((failed, "failed"), (cancelled, "was cancelled")):
        text = cli("status", str(campaign_id)).out
        assert "1 tranche through the milestone vault" in text
        assert f"campaign {campaign_id} {ended}" in text
        assert "backers refund their whole pledge in the escrow" in text
        assert "the vault claims the funds" not in text and "halts the rest" not in text

    for campaign_id, amount in ((failed, 15 * ETHER // 10), (cancelled, 2 * ETHER)):
        held = w3.eth.get_balance(escrow.address)
        refunded = cli("refund", str(campaign_id), "--account", "dev1", "--json")
        assert refunded.code == 0, refunded.text
        assert refunded.json["refunded_by"] == "escrow" and refunded.json["amount"] == str(amount)
        assert w3.eth.get_balance(escrow.address) == held - amount
        assert vault.refund_of(campaign_id, dev(w3, 1)) == (False, 0)


def test_the_vault_commands_refuse_a_campaign_without_a_schedule(w3: Web3, cli: Cli, escrow: Escrow) -> None:
    plain = created_id(cli("create", "--goal", "1", "--deadline", "1d", "--metadata", "ipfs://p", "--json"))
    for command in ("release", "object", "withdraw-objection"):
        refused = cli(command, str(plain))
        assert refused.code == 1
        assert f"campaign {plain} was not created with a schedule" in refused.err
    assert now(w3) < escrow.campaign(plain).deadline


def test_a_dry_run_of_a_campaign_with_a_schedule_simulates_the_vaults_call_and_sends_nothing(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    before, count = nonce(w3, dev(w3, 0)), escrow.campaign_count()

    dry = cli(
        "create", "--goal", "1", "--deadline", "2d", "--metadata", "ipfs://d",
        "--milestones", "50%@end,50%@+30d", "--dry-run", "--json",
    )  # fmt: skip

    assert dry.code == 0, dry.text
    (planned,) = dry.json["transactions"]
    assert planned["to"] == vault.address and planned["function"].startswith("createCampaign(")
    assert planned["simulated"] is True and [m["share_bps"] for m in dry.json["milestones"]] == [5000, 5000]
    assert nonce(w3, dev(w3, 0)) == before and escrow.campaign_count() == count


def test_a_campaign_halted_before_any_release_and_left_past_the_claim_window_refunds_in_the_escrow(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    campaign_id = create(cli, "50%@end,50%@+30d", goal="1")
    pledge(cli, campaign_id, "1", "dev1")
    pledge(cli, campaign_id, "2", "dev2")
    advance(w3, 2 * DAY + 60)
    # The objections halt it before anybody released: the vault never claimed the funds.
    assert cli("object", str(campaign_id), "--account", "dev2").code == 0
    assert vault.campaign(campaign_id).halted and not vault.campaign(campaign_id).collected
    advance(w3, 181 * DAY)
    assert escrow.campaign(campaign_id).state is State.EXPIRED

    status = cli("status", str(campaign_id), "--json").json["campaign"]["milestones"]
    assert [t["status"] for t in status["tranches"]] == ["void", "void"]
    assert (status["halted"], status["refundable"], status["unreleased"]) == (True, "0", "0")
    assert f"campaign {campaign_id} expired" in cli("status", str(campaign_id)).out

    held = w3.eth.get_balance(escrow.address)
    refunded = cli("refund", str(campaign_id), "--account", "dev1", "--json")
    assert refunded.code == 0, refunded.text
    assert refunded.json["refunded_by"] == "escrow" and refunded.json["amount"] == str(ETHER)
    assert w3.eth.get_balance(escrow.address) == held - ETHER


def test_the_vault_is_refused_as_a_claims_payee_and_as_a_pledges_backer(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    plain = created_id(cli("create", "--goal", "1", "--deadline", "2d", "--metadata", "ipfs://p", "--json"))
    before = nonce(w3, dev(w3, 0)), nonce(w3, dev(w3, 1))

    backing = cli("pledge", str(plain), "1", "--for", vault.address, "--account", "dev1")
    assert backing.code == 2, backing.text
    assert f"{vault.address} is the milestone vault: a pledge to campaign {plain}" in backing.err
    assert "could never be taken back nor refunded" in backing.err

    assert cli("pledge", str(plain), "1", "--account", "dev1").code == 0
    advance(w3, 2 * DAY + 60)
    paying = cli("claim", str(plain), "--to", vault.address)
    assert paying.code == 2, paying.text
    assert f"claiming campaign {plain} to it would leave the funds where nothing" in paying.err
    assert escrow.pledge_of(plain, vault.address) == 0 and not escrow.campaign(plain).claimed
    assert nonce(w3, dev(w3, 0)) == before[0] and nonce(w3, dev(w3, 1)) == before[1] + 1


def test_a_tranche_left_unreleased_lapses_and_the_backers_take_back_the_rest(
    w3: Web3, cli: Cli, escrow: Escrow, vault: Vault
) -> None:
    campaign_id = create(cli, "50%@end,50%@+30d", goal="2")
    pledge(cli, campaign_id, "1", "dev1")
    pledge(cli, campaign_id, "3", "dev2")
    advance(w3, 2 * DAY + 60)
    # The creator has its first half paid elsewhere: a typo in the address is caught first.
    elsewhere = dev(w3, 7)
    letter = next(i for i, c in enumerate(elsewhere) if i > 1 and c.isalpha())
    typo = elsewhere[:letter] + elsewhere[letter].swapcase() + elsewhere[letter + 1 :]
    mistyped = cli("release", str(campaign_id), "--to", typo)
    assert mistyped.code == 2 and "wrong checksum" in mistyped.err
    dry = cli("release", str(campaign_id), "--to", elsewhere, "--dry-run", "--json")
    assert dry.code == 0, dry.text
    assert (dry.json["amount"], dry.json["to"]) == (str(2 * ETHER), elsewhere)
    before = w3.eth.get_balance(elsewhere)
    paid = cli("release", str(campaign_id), "--to", elsewhere)
    assert paid.code == 0, paid.text
    assert w3.eth.get_balance(elsewhere) == before + 2 * ETHER
    assert f"paid 2 ETH to {elsewhere}" in paid.out

    # Nobody releases the second half within 180 days of its due time: it lapses.
    deadline = escrow.campaign(campaign_id).deadline
    closes = deadline + 30 * DAY + 180 * DAY
    advance(w3, closes - now(w3) + 1)
    status = cli("status", str(campaign_id))
    assert "Claimed (lapsed)" in status.out and "lapsed    tranche 2 waited unreleased" in status.out
    late = cli("release", str(campaign_id))
    assert late.code == 1
    assert f"tranche 2 of campaign {campaign_id} was not released by {format_time(closes)}" in late.err
    objecting = cli("object", str(campaign_id), "--account", "dev2")
    assert objecting.code == 1 and "lapsed unreleased" in objecting.err
    refunded = cli("refund", str(campaign_id), "--account", "dev2")
    assert refunded.code == 0, refunded.text
    assert "refunded 1.5 ETH" in refunded.out and "lapsed unreleased" in refunded.out
    assert vault.refund_of(campaign_id, dev(w3, 2)) == (True, 15 * ETHER // 10)
