"""Milestone campaigns through the gateway, over a real vault: answers with the schedule,
the released and unreleased amounts, the objections and the halt; the builders of the
vault's actions and their refusals; the stream of the vault's events; a reorg that takes a
halt back; and a gateway over an escrow without a vault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from eth_utils.crypto import keccak
from support.gateway import eventually, gateway, served, sse, wait_indexed
from support.proxy import rpc_proxy
from web3 import Web3

from crowdfund import deployments
from crowdfund.demo import DAY, ETHER
from crowdfund.deploy import deploy_vault
from crowdfund.escrow import Escrow
from crowdfund.schedule import Tranche
from crowdfund.vault import Vault


def now(w3: Web3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def advance(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def with_vault(w3: Web3) -> Vault:
    deploy_vault(w3, w3.eth.accounts[0], deployments.load(w3.eth.chain_id))
    return Vault.from_registry(w3)


def two_halves(w3: Web3, escrow: Escrow, vault: Vault) -> tuple[int, int]:
    """A campaign by accounts[0] paid in two halves (at the deadline, 30 days after), with
    1 ETH from accounts[1] and 3 ETH from accounts[2]; its id and deadline."""
    deadline = now(w3) + DAY
    tranches = (Tranche(deadline, 5000), Tranche(deadline + 30 * DAY, 5000))
    campaign_id = vault.create_campaign(
        w3.eth.accounts[0], tranches, goal=ETHER, deadline=deadline, metadata_uri="ipfs://m"
    )
    escrow.pledge(w3.eth.accounts[1], campaign_id, ETHER)
    escrow.pledge(w3.eth.accounts[2], campaign_id, 3 * ETHER)
    return campaign_id, deadline


def indexed(api: httpx.Client, w3: Web3, path: str) -> Any:
    wait_indexed(api, w3.eth.block_number)
    answer = api.get(path)
    assert answer.status_code == 200, answer.text
    return answer.json()


def build(api: httpx.Client, campaign_id: int | None, action: str, **body: Any) -> httpx.Response:
    path = (
        "/campaigns/transactions/create"
        if campaign_id is None
        else f"/campaigns/{campaign_id}/transactions/{action}"
    )
    return api.post(path, json=body)


def refused(answer: httpx.Response, rule: str, words: str) -> None:
    assert answer.status_code == 409, answer.text
    assert answer.json()["rule"] == rule
    assert words in answer.json()["detail"]


def test_a_milestone_campaign_is_answered_from_creation_through_a_halt_and_refunds(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    creator, alice, bob, stranger = w3.eth.accounts[0], *w3.eth.accounts[1:3], w3.eth.accounts[5]
    vault = with_vault(w3)
    campaign_id, deadline = two_halves(w3, escrow, vault)
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        detail = indexed(api, w3, f"/campaigns/{campaign_id}")
        assert api.get("/health").json()["vault"] == vault.address
        assert detail["creator"] == vault.address and detail["state"] == "active"
        milestones = detail["milestones"]
        assert milestones["creator"] == creator
        assert [
            (t["release_at"], t["share_bps"], t["amount"], t["status"]) for t in milestones["tranches"]
        ] == [
            (deadline, 5000, str(2 * ETHER), "upcoming"),
            (deadline + 30 * DAY, 5000, str(2 * ETHER), "upcoming"),
        ]
        assert (milestones["released"], milestones["unreleased"], milestones["halted_at"]) == (
            "0",
            str(4 * ETHER),
            None,
        )
        assert api.get("/campaigns/1").json()["milestones"] is None
        items = {i["id"]: i["milestones"] for i in api.get("/campaigns").json()["items"]}
        assert items[1] is None and items[campaign_id]["tranche_count"] == 2
        assert "tranches" not in items[campaign_id]
        by_creator = api.get("/campaigns", params={"creator": creator}).json()["items"]
        assert [c["id"] for c in by_creator] == [campaign_id, 1]
        assert api.get("/campaigns", params={"creator": alice}).json()["items"] == []

        # Before the deadline: cancel and update go through the vault, the vault's own
        # actions are refused with its rules (or the escrow's) in words.
        for action, body in (("cancel", {}), ("update", {"uri": "ipfs://u"})):
            answer = build(api, campaign_id, action, sender=creator, **body)
            assert answer.status_code == 200, answer.text
            assert answer.json()["transaction"]["to"] == vault.address
        assert build(api, 1, "cancel", sender=creator).json()["transaction"]["to"] == escrow.address
        refused(build(api, campaign_id, "cancel", sender=alice), "NotCreator", "creator")
        refused(build(api, campaign_id, "release", sender=bob), "CampaignNotEnded", f"campaign {campaign_id}")
        refused(
            build(api, 1, "object", sender=alice),
            "NotAVaultCampaign",
            "not created through the milestone vault",
        )
        for action in ("release", "object", "withdraw-objection"):
            missing = build(api, 999, action, sender=alice)
            assert missing.status_code == 404, missing.text
            assert missing.json()["rule"] == "CampaignNotFound"
            assert missing.json()["detail"] == "campaign 999 does not exist"
        # The vault claims a milestone campaign: its creator is pointed at release.
        refused(
            build(api, campaign_id, "claim", sender=creator),
            "ReleasedNotClaimed",
            f"use POST /campaigns/{campaign_id}/transactions/release to pay the tranches that are due",
        )
        halves = [
            {"release_at": deadline, "share_bps": 4000},
            {"release_at": deadline + DAY, "share_bps": 6000},
        ]
        created = build(
            api, None, "create", sender=creator, goal=str(ETHER), deadline=deadline, metadata_uri="ipfs://n",
            schedule=halves,
        )  # fmt: skip
        assert created.status_code == 200, created.text
        assert created.json()["transaction"]["to"] == vault.address
        refused(
            build(
                api, None, "create", sender=creator, goal=str(ETHER), deadline=deadline, metadata_uri="ipfs://n",
                schedule=[{"release_at": deadline, "share_bps": 4000}],
            ),
            "ScheduleInvalid",
            "the shares add up to 40%, not 100%",
        )  # fmt: skip

        # Past the deadline the first half is due; a release claims it and pays it.
        advance(w3, DAY + 1)
        tranches = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]["tranches"]
        assert [t["status"] for t in tranches] == ["due", "upcoming"]
        answer = build(api, campaign_id, "release", sender=stranger)
        assert answer.status_code == 200 and answer.json()["transaction"]["to"] == vault.address
        vault.release(bob, campaign_id)
        detail = indexed(api, w3, f"/campaigns/{campaign_id}")
        milestones = detail["milestones"]
        assert detail["state"] == "claimed"
        assert [t["status"] for t in milestones["tranches"]] == ["paid", "upcoming"]
        assert milestones["collected"] and milestones["received"] == str(4 * ETHER)
        assert (milestones["released"], milestones["unreleased"]) == (str(2 * ETHER), str(2 * ETHER))
        assert milestones["next_release_at"] == deadline + 30 * DAY
        refused(build(api, campaign_id, "release", sender=bob), "NothingToRelease", "the next tranche is due")
        refused(build(api, campaign_id, "object", sender=stranger), "NotABacker", stranger)
        refused(build(api, campaign_id, "withdraw-objection", sender=bob), "NoObjection", bob)

        # Objections: a quarter of the total, then more than half, which halts the campaign.
        vault.object(alice, campaign_id)
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        assert (milestones["objections"], milestones["objection_bps"]) == (str(ETHER), 2500)
        held = api.get(f"/campaigns/{campaign_id}/backers/{alice}").json()["milestones"]
        assert (held["objection"], held["refunded"], held["refund"]) == (str(ETHER), False, "0")
        assert held["withdraw_objection"] == {"allowed": True, "amount": str(ETHER), "reason": None}
        assert not held["object"]["allowed"] and "already objects" in held["object"]["reason"]
        bobs = api.get(f"/campaigns/{campaign_id}/backers/{bob}").json()["milestones"]
        assert bobs["object"] == {"allowed": True, "amount": str(3 * ETHER), "reason": None}
        refused(build(api, campaign_id, "object", sender=alice), "AlreadyObjected", alice)
        refused(
            build(api, campaign_id, "refund", sender=alice),
            "NotRefundable",
            "it refunds once backers holding more",
        )
        receipt = vault.object(bob, campaign_id)
        halted_at = w3.eth.get_block(receipt["blockNumber"])["timestamp"]
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        assert (milestones["objection_bps"], milestones["halted_at"]) == (10_000, halted_at)
        assert [t["status"] for t in milestones["tranches"]] == ["paid", "halted"]
        assert (milestones["refundable"], milestones["next_release_at"]) == (str(2 * ETHER), None)
        refused(build(api, campaign_id, "withdraw-objection", sender=alice), "CampaignHalted", "halted")

        # Refunds come from the vault: each backer's share of the unreleased half.
        answer = build(api, campaign_id, "refund", sender=bob)
        assert answer.status_code == 200 and answer.json()["transaction"]["to"] == vault.address
        refund = api.get(f"/campaigns/{campaign_id}/backers/{bob}").json()["refund"]
        assert refund == {"allowed": True, "amount": str(3 * ETHER // 2), "reason": None}
        vault.refund(bob, campaign_id)
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        assert (milestones["refunded"], milestones["unreleased"]) == (str(3 * ETHER // 2), str(ETHER // 2))
        held = api.get(f"/campaigns/{campaign_id}/backers/{bob}").json()["milestones"]
        assert (held["objection"], held["refunded"], held["refund"]) == (
            str(3 * ETHER),
            True,
            str(3 * ETHER // 2),
        )
        assert not held["object"]["allowed"] and "was halted" in held["object"]["reason"]
        refused(build(api, campaign_id, "refund", sender=bob), "AlreadyRefunded", bob)

        # The stream carries the vault's events among the escrow's, in order.
        with api.stream("GET", "/events", headers={"Last-Event-ID": "0-0"}) as stream:
            kinds, totals = [], {}
            for event in sse(stream):
                if event["data"].get("campaign_id") == campaign_id:
                    kinds.append((event["event"], event["data"]["backer"], event["data"]["amount"]))
                    totals[event["event"]] = event["data"]["new_total"]
                if event["event"] == "vault_refunded":
                    break
        assert kinds == [
            ("created", vault.address, str(ETHER)),
            ("scheduled", creator, None),
            ("pledged", alice, str(ETHER)),
            ("pledged", bob, str(3 * ETHER)),
            ("claimed", vault.address, str(4 * ETHER)),
            ("collected", None, str(4 * ETHER)),
            ("released", creator, str(2 * ETHER)),
            ("objected", alice, str(ETHER)),
            ("objected", bob, str(3 * ETHER)),
            ("halted", None, str(4 * ETHER)),
            ("vault_refunded", bob, str(3 * ETHER // 2)),
        ]
        # What was released and refunded in all, as the vault's events add them up.
        assert (totals["released"], totals["vault_refunded"]) == (str(2 * ETHER), str(3 * ETHER // 2))


def test_a_reorg_that_takes_a_halt_back_leaves_no_trace(
    chain: tuple[Web3, Escrow, Path], database_url: str
) -> None:
    w3, escrow, registry = chain
    alice, bob, carol = w3.eth.accounts[1:4]
    vault = with_vault(w3)
    campaign_id, _ = two_halves(w3, escrow, vault)
    advance(w3, DAY + 1)
    vault.release(alice, campaign_id)
    vault.object(alice, campaign_id)
    with gateway(w3.provider.endpoint_uri, registry, DATABASE_URL=database_url) as api:  # type: ignore[attr-defined]
        before = indexed(api, w3, f"/campaigns/{campaign_id}")
        standing = api.get(f"/campaigns/{campaign_id}/backers/{bob}").json()
        assert standing["milestones"]["objection"] == "0"
        vault.object(bob, campaign_id)
        assert indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]["halted_at"] is not None

        # The block of bob's objection (and the halt) is replaced by an empty one.
        answer = w3.provider.make_request("anvil_reorg", [1, []])  # type: ignore[arg-type]
        assert "error" not in answer, answer
        new_head = w3.eth.get_block("latest")["hash"].to_0x_hex()
        eventually(lambda: api.get("/health").json()["block"]["hash"] == new_head, what="following the fork")

        after = api.get(f"/campaigns/{campaign_id}").json()
        assert after["milestones"] == before["milestones"]
        assert api.get(f"/campaigns/{campaign_id}/backers/{bob}").json()["milestones"]["objection"] == "0"
        # A pledge after the fork marks the end of what the stream replays.
        escrow.pledge(carol, 1, ETHER)
        with api.stream("GET", "/events", headers={"Last-Event-ID": "0-0"}) as stream:
            kinds = []
            for event in sse(stream):
                if event["data"].get("campaign_id") == campaign_id:
                    kinds.append(event["event"])
                if event["event"] == "pledged" and event["data"]["backer"] == carol:
                    break
        assert kinds == [
            "created",
            "scheduled",
            "pledged",
            "pledged",
            "claimed",
            "collected",
            "released",
            "objected",
        ]
        refused(
            build(api, campaign_id, "refund", sender=bob),
            "NotRefundable",
            "it refunds once backers holding more",
        )


def test_a_gateway_over_an_escrow_without_a_vault_answers_as_before(chain: tuple[Web3, Escrow, Path]) -> None:
    w3, escrow, registry = chain
    alice = w3.eth.accounts[1]
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        detail = indexed(api, w3, "/campaigns/1")
        assert detail["milestones"] is None and detail["pledged"] == str(ETHER)
        assert api.get("/health").json()["vault"] is None
        assert api.get(f"/campaigns/1/backers/{alice}").json()["milestones"] is None
        refused(build(api, 1, "refund", sender=alice), "RefundsNotOpen", "campaign 1 is Active")
        for action in ("release", "object", "withdraw-objection"):
            refused(build(api, 1, action, sender=alice), "NoMilestoneVault", "no milestone vault is deployed")
    # A vault address that names no vault over this escrow (here the escrow itself) is refused.
    with gateway(w3.provider.endpoint_uri, registry, VAULT_ADDRESS=escrow.address) as api:  # type: ignore[attr-defined]
        health = eventually(lambda: api.get("/health").json().get("components"), what="a first look")
        assert health["node"]["status"] == "failing"
        assert "is no milestone vault over the escrow" in health["node"]["detail"]


def test_a_malformed_vault_log_is_left_out_and_the_escrows_events_still_indexed(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    alice, carol = w3.eth.accounts[1], w3.eth.accounts[3]
    vault = with_vault(w3)
    campaign_id, _ = two_halves(w3, escrow, vault)
    advance(w3, DAY + 1)
    vault.release(alice, campaign_id)
    objected = "0x" + keccak(text="Objected(uint256,address,uint256,uint256)").hex()

    def cut_objections(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in logs:
            if entry["address"].lower() == vault.address.lower() and entry["topics"][0] == objected:
                entry["data"] = entry["data"][:40]  # shorter than the event's three words
        return logs

    with rpc_proxy(w3.provider.endpoint_uri) as proxy:  # type: ignore[attr-defined]
        proxy.rewrite("eth_getLogs", cut_objections)
        vault.object(alice, campaign_id)
        escrow.pledge(carol, 1, ETHER)
        with served(proxy.url, registry) as running:
            api = running.client
            health = wait_indexed(api, w3.eth.block_number)
            assert health["status"] == "ok"
            assert api.get("/campaigns/1").json()["pledged"] == str(2 * ETHER)
            milestones = api.get(f"/campaigns/{campaign_id}").json()["milestones"]
            assert (milestones["objections"], milestones["halted_at"]) == ("0", None)
            assert milestones["released"] == str(2 * ETHER)
            assert "a milestone vault log was left out of the index" in running.stderr()


def test_a_milestone_campaign_nobody_released_in_time_expires_and_its_tranches_are_void(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    alice = w3.eth.accounts[1]
    vault = with_vault(w3)
    campaign_id, _ = two_halves(w3, escrow, vault)
    advance(w3, 182 * DAY)
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        detail = indexed(api, w3, f"/campaigns/{campaign_id}")
        assert detail["state"] == "expired"
        milestones = detail["milestones"]
        assert [t["status"] for t in milestones["tranches"]] == ["void", "void"]
        assert (milestones["unreleased"], milestones["next_release_at"]) == ("0", None)
        expired = api.get("/campaigns", params={"state": "expired"}).json()["items"]
        assert [c["id"] for c in expired] == [campaign_id]
        refused(build(api, campaign_id, "release", sender=alice), "ClaimWindowClosed", "expired")
        # Backers take their whole pledge back in the escrow.
        refund = build(api, campaign_id, "refund", sender=alice)
        assert refund.status_code == 200, refund.text
        assert refund.json()["transaction"]["to"] == escrow.address
        standing = api.get(f"/campaigns/{campaign_id}/backers/{alice}").json()
        assert standing["refund"] == {"allowed": True, "amount": str(ETHER), "reason": None}


def test_a_campaign_halted_before_any_release_and_left_past_the_claim_window_refunds_in_the_escrow(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    alice, bob = w3.eth.accounts[1:3]
    vault = with_vault(w3)
    campaign_id, _ = two_halves(w3, escrow, vault)
    advance(w3, DAY + 1)
    # Bob's 3 of the 4 ETH halt it before anybody released: the vault never claimed the funds.
    vault.object(bob, campaign_id)
    advance(w3, 181 * DAY)
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        detail = indexed(api, w3, f"/campaigns/{campaign_id}")
        assert detail["state"] == "expired"
        milestones = detail["milestones"]
        assert milestones["halted_at"] is not None and not milestones["collected"]
        assert [t["status"] for t in milestones["tranches"]] == ["void", "void"]
        assert (milestones["refundable"], milestones["unreleased"]) == ("0", "0")
        # The whole pledge comes back from the escrow, as for any expired campaign.
        standing = api.get(f"/campaigns/{campaign_id}/backers/{alice}").json()
        assert standing["refund"] == {"allowed": True, "amount": str(ETHER), "reason": None}
        ended = f"campaign {campaign_id} expired (nobody released it within 180 days of its deadline)"
        assert standing["milestones"]["object"]["reason"].startswith(ended)
        refused(build(api, campaign_id, "object", sender=alice), "CampaignNotSucceeded", ended)
        answer = build(api, campaign_id, "refund", sender=alice)
        assert answer.status_code == 200, answer.text
        tx = answer.json()["transaction"]
        assert tx["to"] == escrow.address
        before = w3.eth.get_balance(escrow.address)
        sent = w3.eth.send_transaction({"from": alice, "to": tx["to"], "data": tx["data"]})
        assert w3.eth.wait_for_transaction_receipt(sent)["status"] == 1
        assert w3.eth.get_balance(escrow.address) == before - ETHER
        assert escrow.pledge_of(campaign_id, alice) == 0


def test_the_vault_is_refused_as_a_claims_payee_and_as_a_pledges_backer(
    chain: tuple[Web3, Escrow, Path],
) -> None:
    w3, escrow, registry = chain
    creator, alice = w3.eth.accounts[0], w3.eth.accounts[1]
    vault = with_vault(w3)
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        indexed(api, w3, "/campaigns/1")
        backing = api.post(
            "/campaigns/1/transactions/pledge",
            json={"sender": alice, "amount": str(ETHER), "backer": vault.address},
        )
        refused(backing, "VaultAsBacker", f"{vault.address} is the milestone vault")
        assert "could never be taken back nor refunded" in backing.json()["detail"]
        paying = build(api, 1, "claim", sender=creator, to=vault.address)
        refused(paying, "VaultAsPayee", "where nothing can ever pay them out")
        # Another payee or backer is built as before.
        assert build(api, 1, "pledge", sender=alice, amount=str(ETHER), backer=creator).status_code == 200


def test_a_tranche_left_unreleased_lapses_back_to_the_backers(chain: tuple[Web3, Escrow, Path]) -> None:
    w3, escrow, registry = chain
    vault = with_vault(w3)
    creator, alice, bob = w3.eth.accounts[0], w3.eth.accounts[1], w3.eth.accounts[2]
    campaign_id, deadline = two_halves(w3, escrow, vault)
    with gateway(w3.provider.endpoint_uri, registry) as api:  # type: ignore[attr-defined]
        advance(w3, DAY + 60)
        # Succeeded, nobody released it yet: the escrow's claim window is what must be beaten.
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        assert (milestones["release_closes_at"], milestones["lapsed"]) == (deadline + 180 * DAY, False)
        vault.release(alice, campaign_id)  # anyone: 2 ETH to the creator
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        closes = deadline + 30 * DAY + 180 * DAY
        assert milestones["release_closes_at"] == closes

        advance(w3, closes - now(w3))
        milestones = indexed(api, w3, f"/campaigns/{campaign_id}")["milestones"]
        assert [t["status"] for t in milestones["tranches"]] == ["paid", "lapsed"]
        assert (milestones["lapsed"], milestones["release_closes_at"]) == (True, None)
        assert milestones["refundable"] == str(2 * ETHER)
        # Nobody recorded the lapse yet: the vault would still take an objection, which would
        # change nothing; the gateway refuses it, in words.
        held = indexed(api, w3, f"/campaigns/{campaign_id}/backers/{bob}")
        assert not held["milestones"]["object"]["allowed"]
        assert "lapsed unreleased" in held["milestones"]["object"]["reason"]
        assert held["refund"] == {"allowed": True, "amount": str(3 * ETHER // 2), "reason": None}
        refused(build(api, campaign_id, "object", sender=bob), "ReleaseWindowClosed", "lapsed unreleased")
        refused(
            build(api, campaign_id, "release", sender=creator, to=alice),
            "ReleaseWindowClosed",
            f"tranche 2 of campaign {campaign_id} was not released by",
        )
        vault.refund(bob, campaign_id)
        history = indexed(api, w3, f"/campaigns/{campaign_id}/pledges")["items"]
        assert [(e["kind"], e["backer"], e["amount"]) for e in history[:2]] == [
            ("vault_refunded", bob, str(3 * ETHER // 2)),
            ("lapsed", None, str(2 * ETHER)),
        ]
