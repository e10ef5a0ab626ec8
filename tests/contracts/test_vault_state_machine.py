"""Stateful fuzzing of the milestone vault over the escrow: campaigns created through the
vault, pledges, unpledges and refunds in the escrow, releases (to the creator or elsewhere),
objections, withdrawals, vault refunds, tranches that lapse, a token that may start taking
a fee, and time jumps."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from brownie import chain, web3
from brownie.test import strategy
from eth_abi import decode as abi_decode
from eth_utils import keccak
from helpers import BPS, CLAIM_WINDOW, DAY, MAX_UINT256, RELEASE_WINDOW, URI, ZERO_ADDRESS, State
from hypothesis import HealthCheck, Verbosity

# CI profile by default; a deeper run uses e.g. CROWDFUND_VAULT_SM_EXAMPLES=500 CROWDFUND_VAULT_SM_STEPS=50.
EXAMPLES = int(os.environ.get("CROWDFUND_VAULT_SM_EXAMPLES", "40"))
STEPS = int(os.environ.get("CROWDFUND_VAULT_SM_STEPS", "30"))
SHOW_STATS = bool(os.environ.get("CROWDFUND_SM_STATS"))
OUTCOMES: Counter = Counter()

MAX_CAMPAIGNS = 4
GAS = hex(3_000_000)
FEE_BPS = 500  # the fee the token may start taking: 5%


def _rpc(method: str, params: list):
    response = web3.provider.make_request(method, params)
    assert "error" not in response, f"{method}: {response['error']}"
    return response["result"]


def _send_and_wait(tx: dict) -> dict:
    response = web3.provider.make_request("eth_sendTransactionSync", [tx])
    if "result" in response:
        return response["result"]
    tx_hash = _rpc("eth_sendTransaction", [tx])
    for _ in range(10_000):
        receipt = _rpc("eth_getTransactionReceipt", [tx_hash])
        if receipt is not None:
            return receipt
        time.sleep(0.001)
    raise TimeoutError(f"transaction {tx_hash} was not mined")


def _lower(value):
    return value.lower() if isinstance(value, str) and value.startswith("0x") else value


# --------------------------------------------------------------------------- model


@dataclass
class VaultModel:
    """What the vault should know about one of its campaigns."""

    id: int
    creator: str
    is_token: bool
    goal: int
    deadline: int
    times: list[int]
    shares: list[int]
    paid: int = 0
    claimed: bool = False
    pledged: int = 0  # known once claimed or first objected to
    received: int = 0
    released: int = 0
    halted_at: int = 0
    cancelled: bool = False
    lapsed: bool = False  # a lapse recorded (by a refund)
    objections: dict[str, int] = field(default_factory=dict)
    refunds: dict[str, int] = field(default_factory=dict)  # the first refunds opened
    refund_pledges: dict[str, int] = field(default_factory=dict)
    lapse_refunds: dict[str, int] = field(default_factory=dict)  # tranches due at a halt, lapsed
    lapse_refund_pledges: dict[str, int] = field(default_factory=dict)

    def due_bps(self, limit: int) -> tuple[int, int]:
        """(tranches due by `limit`, their shares)."""
        count = bps = 0
        for at, share in zip(self.times, self.shares, strict=True):
            if at > limit:
                break
            count, bps = count + 1, bps + share
        return count, bps

    def refundable(self) -> int:
        """What a halt gives the backers: the tranches not due at the halt."""
        _, bps = self.due_bps(self.halted_at)
        return self.received - self.received * bps // BPS

    def closes_at(self, claimed: bool | None = None) -> int:
        """When the first unpaid tranche the creator may still be paid stops being payable (0: none)."""
        if not (self.claimed if claimed is None else claimed) or self.paid == len(self.times):
            return 0
        at = self.times[self.paid]
        if self.halted_at and at > self.halted_at:
            return 0
        return at + RELEASE_WINDOW

    def lapsed_by(self, now: int) -> bool:
        closes = self.closes_at()
        return self.lapsed or (closes != 0 and now >= closes)

    def first_shared(self) -> int:
        """What the first refunds opened share: a halt's, or everything not released."""
        return self.refundable() if self.halted_at else self.received - self.released

    def lapse_shared(self) -> int:
        """What the tranches due at a halt, lapsed, give the backers."""
        _, bps = self.due_bps(self.halted_at)
        return self.received * bps // BPS - self.released

    def shared_by(self, now: int) -> int:
        if self.lapsed_by(now):
            return self.received - self.released
        return self.refundable() if self.halted_at else 0

    def refunded(self) -> int:
        return sum(self.refunds.values()) + sum(self.lapse_refunds.values())


def escrow_state(view, now: int) -> State:
    """The escrow's state of a campaign at `now`, from its view (as CrowdfundEscrow._state)."""
    if view["claimed"]:
        return State.Claimed
    if view["cancelled"]:
        return State.Cancelled
    if now < view["startsAt"]:
        return State.Upcoming
    if now < view["deadline"]:
        return State.Active
    if view["pledged"] < view["goal"]:
        return State.Failed
    return State.Succeeded if now < view["deadline"] + CLAIM_WINDOW else State.Expired


def claim_error(view, now: int) -> str | None:
    """The escrow's error for the vault's claim at `now` (as CrowdfundEscrow._claim)."""
    if view["claimed"]:
        return "AlreadyClaimed"
    if view["cancelled"]:
        return "CampaignIsCancelled"
    if now < view["deadline"]:
        return "CampaignNotEnded"
    if view["pledged"] < view["goal"]:
        return "GoalNotReached"
    if now >= view["deadline"] + CLAIM_WINDOW:
        return "ClaimWindowClosed"
    return None


# --------------------------------------------------------------------------- machine


class VaultMachine:
    """Every vault transaction is checked against the model (the error's name, or the amounts
    in its events); the invariants compare the chain with the model after every step."""

    st_index = strategy("uint8")
    st_actor = strategy("uint8", max_value=4)
    st_amount = strategy("uint16", min_value=1, max_value=1_000)
    st_goal = strategy("uint16", min_value=1, max_value=1_500)
    st_count = strategy("uint8", min_value=1, max_value=5)
    st_gap = strategy("uint32", min_value=1, max_value=20 * DAY)
    st_duration = strategy("uint32", min_value=120, max_value=4 * DAY)
    st_seconds = strategy("uint32", max_value=2 * DAY)
    st_edge = strategy("uint8", max_value=15)
    st_offset = strategy("int8", min_value=-1, max_value=1)
    st_bool = strategy("bool")
    st_choice = strategy("uint8", max_value=3)

    def __init__(cls, escrow, vault, token, actors, decoder):
        cls.escrow = escrow
        cls.vault = vault
        cls.token = token
        cls.actors = [a.address.lower() for a in actors]
        cls.decoder = decoder
        cls.events_by_topic = {}
        for contract in (escrow, vault):
            for item in contract.abi:
                if item["type"] == "event":
                    types = ",".join(i["type"] for i in item["inputs"])
                    cls.events_by_topic[keccak(text=f"{item['name']}({types})")] = item

    def setup(self):
        self.campaigns: list[VaultModel] = []
        self.fee_on = False
        self.now = int(_rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        self.step = 0
        self._cache = (-1, None)
        assert web3.eth.get_balance(self.vault.address) == 0
        assert self.token.balanceOf(self.vault) == 0

    # ------------------------------------------------------------------ plumbing

    def _send(self, sender: str, contract, fn, *args, value: int = 0, at: int | None = None):
        """(block timestamp, error name or None, events as (name, args)) of a transaction."""
        at = at if at is not None else self.now + 1
        _rpc("evm_setNextBlockTimestamp", [at])
        tx = {
            "from": sender,
            "to": contract.address,
            "data": fn.encode_input(*args),
            "value": hex(value),
            "gas": GAS,
            "gasPrice": "0x0",
        }
        receipt = _send_and_wait(tx)
        self.now = at
        self.step += 1
        if int(receipt["status"], 16) == 1:
            return None, self._decode_logs(receipt["logs"])
        trace = _rpc("debug_traceTransaction", [receipt["transactionHash"], {"tracer": "callTracer"}])
        name, _ = self.decoder.decode(bytes.fromhex(trace.get("output", "0x")[2:]))
        return name, []

    def _decode_logs(self, logs) -> list:
        events = []
        for log in logs:
            topic = bytes.fromhex(log["topics"][0][2:])
            if topic not in self.events_by_topic:
                continue  # the token's Transfer events
            abi = self.events_by_topic[topic]
            topics = iter(log["topics"][1:])
            plain = [i for i in abi["inputs"] if not i["indexed"]]
            data = iter(abi_decode([i["type"] for i in plain], bytes.fromhex(log["data"][2:])))
            args = {}
            for i in abi["inputs"]:
                if i["indexed"]:
                    args[i["name"]] = abi_decode([i["type"]], bytes.fromhex(next(topics)[2:]))[0]
                else:
                    args[i["name"]] = next(data)
            events.append((abi["name"], {k: _lower(v) for k, v in args.items()}))
        return events

    def _calls(self, calls):
        """Batched eth_calls: [(contract, fn name, args)] -> decoded results."""
        requests = [
            ("eth_call", [{"to": c.address, "data": getattr(c, fn).encode_input(*args)}, "latest"])
            for c, fn, args in calls
        ]
        responses = web3.provider.make_batch_request(requests)
        return [
            getattr(c, fn).decode_output(r["result"]) for (c, fn, _), r in zip(calls, responses, strict=True)
        ]

    def _backer(self, c: VaultModel, actor: int, choice: int) -> str:
        """Mostly (choice > 0) one of the four actors who backed the first campaigns."""
        return self.actors[actor % 4] if choice else self.actors[actor]

    def _pick(self, index: int) -> VaultModel | None:
        return self.campaigns[index % len(self.campaigns)] if self.campaigns else None

    def _outcome(self, name: str, error: str | None, expected: str | None):
        OUTCOMES[f"{name}: {error or 'ok'}"] += 1
        assert error == expected, f"{name} at {self.now}: reverted with {error}, model expected {expected}"

    def _escrow_view(self, c: VaultModel):
        return self.escrow.getCampaign(c.id)

    def _received_now(self, amount: int) -> int:
        """What a transfer of `amount` brings the recipient with the token's current fee."""
        return amount - amount * FEE_BPS // BPS if self.fee_on else amount

    # ------------------------------------------------------------------ rules: escrow side

    def initialize_campaigns(self, st_actor, st_goal, st_count, st_gap, st_duration, st_choice, st_bool):
        """Every run starts with an ETH and a token campaign on the same schedule, backed by
        four actors with 1/6 to 4/6 of the goal each (so they succeed unless unpledged); half
        of the runs then start at their deadline, where the vault's own rules begin."""
        for is_token in (False, True):
            self.rule_create(st_actor, is_token, st_goal, st_count, st_gap, st_duration, st_choice)
            c = self.campaigns[-1]
            for i, backer in enumerate(self.actors[:4]):
                amount = max(1, st_goal * (i + 1) // 6)
                value = 0 if is_token else amount
                error, _ = self._send(backer, self.escrow, self.escrow.pledge, c.id, amount, value=value)
                assert error is None
        if st_bool:
            _rpc("evm_setNextBlockTimestamp", [self.campaigns[-1].deadline])
            _rpc("evm_mine", [])
            self.step += 1
            self.now = self.campaigns[-1].deadline

    def rule_create(self, st_actor, st_bool, st_goal, st_count, st_gap, st_duration, st_choice):
        if len(self.campaigns) >= MAX_CAMPAIGNS:
            return
        creator = self.actors[st_actor]
        deadline = self.now + 1 + st_duration
        times, at = [], deadline
        for i in range(st_count):
            at = deadline if (i == 0 and st_choice == 0) else at + st_gap * (i + 1)
            times.append(at)
        shares = [BPS // st_count] * st_count
        shares[-1] += BPS - sum(shares)
        given = [0 if (i == 0 and t == deadline) else t for i, t in enumerate(times)]
        token = self.token.address if st_bool else ZERO_ADDRESS
        args = (token, st_goal, 0, 0, deadline, URI, given, shares)
        error, events = self._send(creator, self.vault, self.vault.createCampaign, *args)
        self._outcome("create", error, None)
        created = dict(events)["VaultCampaignCreated"]
        self.campaigns.append(VaultModel(created["id"], creator, st_bool, st_goal, deadline, times, shares))

    def rule_pledge(self, st_index, st_actor, st_amount):
        c = self._pick(st_index)
        if c is None or self.now + 1 >= c.deadline:
            return
        value = 0 if c.is_token else st_amount
        error, _ = self._send(
            self.actors[st_actor], self.escrow, self.escrow.pledge, c.id, st_amount, value=value
        )
        # with the fee on, the escrow refuses token pledges (it checks what arrived)
        expected = "CampaignIsCancelled" if c.cancelled else None
        if expected is None and c.is_token and self.fee_on:
            expected = "TransferAmountMismatch"
        self._outcome("pledge", error, expected)

    def rule_unpledge(self, st_index, st_actor, st_amount):
        c = self._pick(st_index)
        if c is None:
            return
        OUTCOMES["unpledge"] += 1
        self._send(self.actors[st_actor], self.escrow, self.escrow.unpledge, c.id, st_amount)

    def rule_escrow_refund(self, st_index, st_actor):
        c = self._pick(st_index)
        if c is None:
            return
        OUTCOMES["escrow refund"] += 1
        self._send(self.actors[st_actor], self.escrow, self.escrow.refund, c.id)

    def rule_cancel(self, st_index, st_actor, st_choice):
        c = self._pick(st_index)
        if c is None or st_choice:  # rare: it ends the campaign
            return
        sender = self.actors[st_actor]
        at = self.now + 1
        if sender != c.creator:
            expected = "NotCreator"
        elif c.cancelled:
            expected = "CampaignIsCancelled"
        elif at >= c.deadline:
            expected = "CampaignEnded"
        else:
            expected = None
        error, _ = self._send(sender, self.vault, self.vault.cancel, c.id, at=at)
        self._outcome("cancel", error, expected)
        c.cancelled = c.cancelled or error is None

    def rule_toggle_fee(self, st_bool):
        self.fee_on = st_bool
        self._send(self.actors[0], self.token, self.token.setFeeBps, FEE_BPS if st_bool else 0)

    # ------------------------------------------------------------------ rules: vault side

    def _claim(self, c: VaultModel, view) -> None:
        """Model of the vault's claim at self.now (after a successful transaction)."""
        c.claimed = True
        if not c.pledged:
            c.pledged = view["pledged"]
        c.received = self._received_now(view["pledged"]) if c.is_token else view["pledged"]

    def rule_release(self, st_index, st_actor):
        c = self._pick(st_index)
        if c is not None:
            self._release(c, self.actors[st_actor], None)

    def rule_release_to(self, st_index, st_actor, st_choice):
        """Mostly the creator, to one of the actors; sometimes another sender, or the zero address."""
        c = self._pick(st_index)
        if c is None:
            return
        sender = self.actors[st_actor] if st_choice == 0 else c.creator
        self._release(c, sender, ZERO_ADDRESS if st_choice == 3 else self.actors[(st_actor + 1) % 5])

    def _release(self, c: VaultModel, sender: str, to: str | None):
        """release (to None) or releaseTo(to), checked against the model."""
        view = self._escrow_view(c)
        at = self.now + 1
        expected = None
        if to is not None and sender != c.creator:
            expected = "NotCreator"
        elif to == ZERO_ADDRESS:
            expected = "InvalidPayee"
        elif not c.claimed:
            expected = claim_error(view, at)
        if expected is None:
            limit = c.halted_at or at
            due, bps = c.due_bps(limit)
            received = (
                c.received
                if c.claimed
                else (self._received_now(view["pledged"]) if c.is_token else view["pledged"])
            )
            amount = received * bps // BPS - c.released
            if c.claimed and due == c.paid and amount == 0:
                expected = "NothingToRelease"
            elif due != c.paid and at >= c.times[c.paid] + RELEASE_WINDOW:
                expected = "ReleaseWindowClosed"
        if to is None:
            error, events = self._send(sender, self.vault, self.vault.release, c.id, at=at)
        else:
            error, events = self._send(sender, self.vault, self.vault.releaseTo, c.id, to, at=at)
        self._outcome("release" if to is None else "releaseTo", error, expected)
        if error:
            return
        if not c.claimed:
            self._claim(c, view)
            assert dict(events)["Collected"] == {"id": c.id, "pledged": c.pledged, "received": c.received}
        released = dict(events).get("Released")
        if due != c.paid or amount:
            payee = c.creator if to is None else to
            assert released == {"id": c.id, "creator": payee, "amount": amount, "paidTranches": due}
            c.paid, c.released = due, c.released + amount
        else:
            assert released is None

    def rule_object(self, st_index, st_actor, st_choice):
        c = self._pick(st_index)
        if c is None:
            return
        backer = self._backer(c, st_actor, st_choice)
        view = self._escrow_view(c)
        weight = self.escrow.pledgeOf(c.id, backer)
        at = self.now + 1
        if c.halted_at:
            expected = "CampaignHalted"
        elif c.lapsed:
            expected = "ReleaseWindowClosed"
        elif at >= c.times[-1]:
            expected = "NoTrancheToCome"
        elif c.objections.get(backer):
            expected = "AlreadyObjected"
        elif not c.claimed and escrow_state(view, at) != State.Succeeded:
            expected = "CampaignNotSucceeded"
        elif weight == 0:
            expected = "NotABacker"
        else:
            expected = None
        error, events = self._send(backer, self.vault, self.vault.object, c.id, at=at)
        self._outcome("object", error, expected)
        if error:
            return
        if not c.pledged:
            c.pledged = view["pledged"]
        c.objections[backer] = weight
        total = sum(c.objections.values())
        got = dict(events)
        assert got["Objected"] == {"id": c.id, "backer": backer, "weight": weight, "objections": total}
        assert ("Halted" in got) == (2 * total > c.pledged)
        if 2 * total > c.pledged:
            c.halted_at = at

    def rule_withdraw(self, st_index, st_actor, st_choice):
        c = self._pick(st_index)
        if c is None:
            return
        backer = self._backer(c, st_actor, st_choice)
        if c.halted_at:
            expected = "CampaignHalted"
        elif c.lapsed:
            expected = "ReleaseWindowClosed"
        else:
            expected = None if c.objections.get(backer) else "NoObjection"
        error, events = self._send(backer, self.vault, self.vault.withdrawObjection, c.id)
        self._outcome("withdrawObjection", error, expected)
        if error is None:
            weight = c.objections.pop(backer)
            total = sum(c.objections.values())
            assert dict(events)["ObjectionWithdrawn"] == {
                "id": c.id,
                "backer": backer,
                "weight": weight,
                "objections": total,
            }

    def rule_refund(self, st_index, st_actor, st_choice):
        c = self._pick(st_index)
        if c is None:
            return
        backer = self._backer(c, st_actor, st_choice)
        view = self._escrow_view(c)
        pledge = self.escrow.pledgeOf(c.id, backer)
        at = self.now + 1
        expected = None
        if not c.claimed:
            expected = "NotRefundable" if not c.halted_at else claim_error(view, at)
        closes = c.closes_at(claimed=True)
        lapses_now = not c.lapsed and closes != 0 and at >= closes
        lapsed = c.lapsed or lapses_now
        takes_first = backer not in c.refunds
        takes_lapsed = bool(c.halted_at) and lapsed and backer not in c.lapse_refunds
        if expected is not None:
            pass
        elif not c.halted_at and not lapsed:
            expected = "NotRefundable"
        elif pledge == 0:
            expected = "NotABacker"
        elif not (takes_first or takes_lapsed):
            expected = "AlreadyRefunded"
        error, events = self._send(backer, self.vault, self.vault.refund, c.id, at=at)
        self._outcome("refund", error, expected)
        if error:
            return
        if not c.claimed:
            self._claim(c, view)
        got = dict(events)
        if lapses_now:
            OUTCOMES["lapse recorded" + (" after a halt" if c.halted_at else "")] += 1
            c.lapsed = True
            shared = c.lapse_shared() if c.halted_at else c.first_shared()
            lapse = {"id": c.id, "tranche": c.paid, "closedAt": closes, "amount": shared}
            assert got["ReleaseLapsed"] == lapse
        else:
            assert "ReleaseLapsed" not in got
        amount = 0
        if takes_first:
            left = c.first_shared() - sum(c.refunds.values())
            amount = pledge * left // (c.pledged - sum(c.refund_pledges.values()))
            c.refunds[backer], c.refund_pledges[backer] = amount, pledge
        if takes_lapsed:
            left = c.lapse_shared() - sum(c.lapse_refunds.values())
            share = pledge * left // (c.pledged - sum(c.lapse_refund_pledges.values()))
            c.lapse_refunds[backer], c.lapse_refund_pledges[backer] = share, pledge
            amount += share
        assert got["RefundPaid"] == {"id": c.id, "backer": backer, "pledge": pledge, "amount": amount}

    def rule_majority_objects(self, st_index):
        """The two largest backers of the first campaigns object, one after the other."""
        for actor in (3, 2):
            self.rule_object(st_index, actor, 1)

    def rule_everyone_refunds(self, st_index):
        for actor in range(len(self.actors)):
            self.rule_refund(st_index, actor, 0)

    # ------------------------------------------------------------------ rules: time

    def rule_sleep(self, st_seconds):
        chain.sleep(st_seconds)
        chain.mine()
        self.step += 1
        self.now = int(_rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def rule_warp_to_edge(self, st_index, st_edge, st_offset):
        """Mines a block one second before, at or after a campaign's deadline, one of its
        release times or the end of its claim window, so that the next step lands there."""
        c = self._pick(st_index)
        if c is None:
            return
        edges = [c.deadline, *c.times, c.deadline + CLAIM_WINDOW, *(t + RELEASE_WINDOW for t in c.times)]
        target = edges[st_edge % len(edges)] + st_offset
        if target > self.now:
            _rpc("evm_setNextBlockTimestamp", [target])
            _rpc("evm_mine", [])
            self.step += 1
            self.now = target

    def rule_creator_walks_away(self, st_index, st_offset, st_choice):
        """A release (if nobody claimed the campaign yet); for one run in four, the majority
        objects just after the first unpaid tranche fell due (a halt that leaves it owed to the
        creator); then a block one second before, at or after the end of that tranche's release
        window, as if nobody had released it since; then, unless st_choice is 0, one backer
        after another asks for a refund."""
        c = self._pick(st_index)
        if c is None:
            return
        if not c.claimed:
            self._release(c, c.creator, None)  # paid once, or claimed, first
        if st_choice == 3 and c.claimed and not c.halted_at and c.paid < len(c.times):
            due = c.times[c.paid]
            if due >= self.now:
                _rpc("evm_setNextBlockTimestamp", [due])
                _rpc("evm_mine", [])
                self.step += 1
                self.now = due
            self.rule_majority_objects(st_index)
        closes = c.closes_at()
        OUTCOMES[f"walk away: {'ok' if closes else 'nothing owed'}"] += 1
        if closes and closes + st_offset > self.now:
            _rpc("evm_setNextBlockTimestamp", [closes + st_offset])
            _rpc("evm_mine", [])
            self.step += 1
            self.now = closes + st_offset
            if st_choice:
                self.rule_everyone_refunds(st_index)

    # ------------------------------------------------------------------ invariants

    def _read(self):
        """The chain as the invariants see it, read once per step in one batch."""
        if self._cache[0] != self.step:
            self._cache = (self.step, self._read_now())
        return self._cache[1]

    def _read_now(self):
        calls = [(self.vault, "getCampaign", (c.id,)) for c in self.campaigns]
        calls += [(self.escrow, "getCampaign", (c.id,)) for c in self.campaigns]
        for c in self.campaigns:
            for a in self.actors:
                calls += [
                    (self.vault, "objectionOf", (c.id, a)),
                    (self.vault, "refundOf", (c.id, a)),
                    (self.escrow, "pledgeOf", (c.id, a)),
                ]
        calls += [(self.token, "balanceOf", (self.vault.address,))]
        results = self._calls(calls)
        n, k = len(self.campaigns), len(self.actors)
        vault_views, escrow_views = results[:n], results[n : 2 * n]
        per_actor = results[2 * n : -1]
        backers = [[per_actor[(i * k + j) * 3 : (i * k + j) * 3 + 3] for j in range(k)] for i in range(n)]
        return vault_views, escrow_views, backers, results[-1]

    def invariant_the_vault_matches_the_model(self):
        vault_views, escrow_views, backers, _ = self._read()
        for c, v, e, rows in zip(self.campaigns, vault_views, escrow_views, backers, strict=True):
            got = (v["collected"], v["paidTranches"], v["haltedAt"], v["received"], v["released"])
            want = (c.claimed, c.paid, c.halted_at, c.received if c.claimed else 0, c.released)
            assert got == want, f"campaign {c.id}: chain {got} != model {want}"
            assert list(v["releaseAt"]) == c.times and list(v["shareBps"]) == c.shares
            assert v["pledged"] == c.pledged
            assert e["claimed"] == c.claimed
            assert (v["releaseClosesAt"], v["lapsed"]) == (c.closes_at(), c.lapsed_by(self.now))
            for a, (objection, refund, _) in zip(self.actors, rows, strict=True):
                assert objection == c.objections.get(a, 0)
                paid = c.refunds.get(a, 0) + c.lapse_refunds.get(a, 0)
                assert tuple(refund) == (a in c.refunds, paid)

    def invariant_released_refunded_and_held_add_up_to_what_was_received(self):
        vault_views, _, _, token_held = self._read()
        held = {False: web3.eth.get_balance(self.vault.address), True: token_held}
        for is_token in (False, True):
            owed = sum(
                v["received"] - v["released"] - v["refunded"]
                for c, v in zip(self.campaigns, vault_views, strict=True)
                if c.is_token == is_token
            )
            assert held[is_token] == owed, (
                f"{'token' if is_token else 'ETH'}: holds {held[is_token]}, owes {owed}"
            )

    def invariant_refunds_never_exceed_the_unreleased_share(self):
        vault_views, _, _, _ = self._read()
        for c, v in zip(self.campaigns, vault_views, strict=True):
            shared = c.shared_by(self.now) if c.claimed else 0
            assert (v["refundable"], v["refunded"]) == (shared, c.refunded())
            assert c.refunded() <= shared
            assert v["released"] <= c.received - shared
            for backer, amount in c.refunds.items():
                assert amount >= c.refund_pledges[backer] * c.first_shared() // c.pledged
            for backer, amount in c.lapse_refunds.items():
                assert amount >= c.lapse_refund_pledges[backer] * c.lapse_shared() // c.pledged

    def invariant_nothing_stays_locked_once_every_backer_has_refunded(self):
        vault_views, _, backers, _ = self._read()
        for c, v, rows in zip(self.campaigns, vault_views, backers, strict=True):
            if not c.claimed or not (c.halted_at or c.lapsed) or c.lapsed_by(self.now) != c.lapsed:
                continue  # refunds not open, or a lapse nobody has recorded yet
            pledged = [a for a, (_, _, pledge) in zip(self.actors, rows, strict=True) if pledge]
            lapsed_too = c.halted_at and c.lapsed
            if all(a in c.refunds and (not lapsed_too or a in c.lapse_refunds) for a in pledged):
                held = v["received"] - v["released"] - v["refunded"]
                if c.lapsed:
                    assert held == 0
                else:  # what is left is exactly the creator's, due at the halt and not yet released
                    _, bps = c.due_bps(c.halted_at)
                    assert held == c.received * bps // BPS - c.released

    def invariant_what_the_vault_holds_has_a_way_out(self):
        """No money frozen: whatever the vault holds for a campaign, its creator may still be
        paid it (a tranche to come, or due within its window) or a backer may still take it."""
        vault_views, _, backers, _ = self._read()
        for c, v, rows in zip(self.campaigns, vault_views, backers, strict=True):
            if not c.claimed or v["received"] - v["released"] - v["refunded"] == 0:
                continue
            lapsed = c.lapsed_by(self.now)
            unpaid = c.paid < len(c.times) and not (c.halted_at and c.times[c.paid] > c.halted_at)
            creator_may_be_paid = unpaid and not lapsed
            pledged = [a for a, (_, _, pledge) in zip(self.actors, rows, strict=True) if pledge]
            backers_may_take = (c.halted_at or lapsed) and any(
                a not in c.refunds or (c.halted_at and lapsed and a not in c.lapse_refunds) for a in pledged
            )
            assert creator_may_be_paid or backers_may_take, f"campaign {c.id}: {v} is frozen"

    def invariant_objections_never_exceed_the_pledged_total(self):
        vault_views, escrow_views, backers, _ = self._read()
        for c, v, e, rows in zip(self.campaigns, vault_views, escrow_views, backers, strict=True):
            assert v["objections"] == sum(objection for objection, _, _ in rows)
            assert v["objections"] <= (c.pledged or e["pledged"])
            if e["claimed"]:  # pledges are fixed then: weights are the pledges
                for objection, _, pledge in rows:
                    assert objection in (0, pledge)

    def invariant_releases_follow_the_schedule(self):
        for c in self.campaigns:
            if c.paid:
                assert c.times[c.paid - 1] <= (c.halted_at or self.now)
            _, bps = c.due_bps(c.times[c.paid - 1] if c.paid else 0)
            assert c.released == (c.received * bps // BPS if c.paid else 0)


@pytest.fixture(scope="module")
def fee_token(deploy, escrow, vault, deployer, accounts):
    tok = deploy("FeeSwitchToken", sender=deployer)
    for account in accounts[1:6]:
        tok.mint(account, 10**9, {"from": deployer})
        tok.approve(escrow, MAX_UINT256, {"from": account})
    return tok


@pytest.mark.skip_coverage
def test_vault_state_machine(state_machine, escrow, vault, fee_token, accounts, error_decoder):
    settings = {
        "max_examples": EXAMPLES,
        "stateful_step_count": STEPS,
        "deadline": None,
        "verbosity": Verbosity.normal,
        "suppress_health_check": [HealthCheck.too_slow],
    }
    OUTCOMES.clear()
    state_machine(VaultMachine, escrow, vault, fee_token, accounts[1:6], error_decoder, settings=settings)
    if SHOW_STATS:
        print(
            f"\n{sum(OUTCOMES.values())} transactions:",
            ", ".join(f"{k} {v}" for k, v in OUTCOMES.most_common()),
        )
