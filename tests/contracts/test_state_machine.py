"""Stateful fuzzing of the escrow against a Python model: campaigns, money and time."""

from __future__ import annotations

import os
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from brownie import chain, web3
from brownie.test import strategy
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import keccak
from helpers import (
    CLAIM_WINDOW,
    DAY,
    GOAL_LOCK,
    MAX_AMOUNT,
    MAX_DURATION,
    MAX_UINT256,
    ZERO_ADDRESS,
    State,
)
from hypothesis import HealthCheck, Verbosity

from crowdfund import permit

# CI profile by default; a deep run uses e.g. CROWDFUND_SM_EXAMPLES=2000 CROWDFUND_SM_STEPS=50.
EXAMPLES = int(os.environ.get("CROWDFUND_SM_EXAMPLES", "200"))
STEPS = int(os.environ.get("CROWDFUND_SM_STEPS", "30"))
# CROWDFUND_SM_STATS=1 (with -s) prints how often each outcome (event or error) occurred.
SHOW_STATS = bool(os.environ.get("CROWDFUND_SM_STATS"))
OUTCOMES: Counter = Counter()

MAX_CAMPAIGNS = 6
URI = "ipfs://sm"
GAS = hex(3_000_000)
# A campaign near the 2^104 limit of a total counts its raw amounts in these units, so that a
# few pledges reach the limit; each actor holds enough ETH and tokens to pledge it six times.
BIG_UNIT = 2**94
ACTOR_FUNDS = 2**112

# Edges of the state diagram; a campaign may take several in one step (a time jump can
# carry it from Upcoming through Active to Failed), but never go back. An expired
# campaign reads Failed once refunds take its total below the goal.
EDGES = {
    State.Upcoming: {State.Active, State.Cancelled},
    State.Active: {State.Succeeded, State.Failed, State.Cancelled},
    State.Succeeded: {State.Claimed, State.Expired},
    State.Failed: set(),
    State.Cancelled: set(),
    State.Claimed: set(),
    State.Expired: {State.Failed},
}


def _reachable(state: State) -> set[State]:
    seen, todo = {state}, [state]
    while todo:
        for nxt in EDGES[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


REACHABLE = {s: _reachable(s) for s in State}


def _rpc(method: str, params: list):
    response = web3.provider.make_request(method, params)
    assert "error" not in response, f"{method}: {response['error']}"
    return response["result"]


def _send_and_wait(tx: dict) -> dict:
    """Sends a transaction and returns its receipt. anvil mines asynchronously after
    eth_sendTransaction; eth_sendTransactionSync (EIP-7966) returns the receipt directly."""
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
class ModelCampaign:
    id: int
    creator: str
    is_token: bool
    goal: int
    cap: int
    starts_at: int
    deadline: int
    pledged: int = 0
    cancelled: bool = False
    claimed: bool = False
    pledges: dict[str, int] = field(default_factory=dict)

    def state(self, now: int) -> State:
        if self.claimed:
            return State.Claimed
        if self.cancelled:
            return State.Cancelled
        if now < self.starts_at:
            return State.Upcoming
        if now < self.deadline:
            return State.Active
        if self.pledged < self.goal:
            return State.Failed
        return State.Succeeded if now < self.deadline + CLAIM_WINDOW else State.Expired

    def window_error(self, now: int):
        """The error `_requireOpen` gives at `now`, or None while pledges are open."""
        if now >= self.deadline:
            if self.cancelled:
                return ("CampaignIsCancelled", (self.id,))
            return ("PledgesClosed", (self.id, self.deadline, now))
        if self.cancelled:
            return ("CampaignIsCancelled", (self.id,))
        if now < self.starts_at:
            return ("PledgesNotOpen", (self.id, self.starts_at, now))
        return None


def is_active(c: ModelCampaign, now: int) -> bool:
    return c.state(now) == State.Active


def unit(c: ModelCampaign | None) -> int:
    """What one raw amount is worth in campaign `c`: BIG_UNIT near the 2^104 limit, else 1."""
    return BIG_UNIT if c is not None and c.goal > 2**64 else 1


@dataclass
class Expect:
    """A predicted outcome: an error (name, args), or events plus the model update."""

    error: tuple | None = None
    events: list = field(default_factory=list)
    apply: object = None


def fail(name, *args) -> Expect:
    return Expect(error=(name, tuple(args)))


# --------------------------------------------------------------------------- machine


class EscrowMachine:
    """Random campaigns (ETH and token), pledges, unpledges, cancels, claims, refunds and time
    jumps. Every transaction is checked against the model (exact error and arguments, or exact
    events); the invariants compare the whole chain state with the model after every step."""

    st_index = strategy("uint8")
    st_actor = strategy("uint8", max_value=5)
    st_amount = strategy("uint16", max_value=1_000)
    st_goal = strategy("uint16", max_value=1_000)
    st_cap = strategy("uint16", max_value=1_200)
    st_choice = strategy("uint8", max_value=4)
    st_when = strategy("uint8", max_value=39)
    st_delay = strategy("uint32", max_value=DAY)
    st_duration = strategy("uint32", max_value=6 * DAY)
    st_seconds = strategy("uint32", max_value=4 * DAY)
    st_edge = strategy("uint8", max_value=3)
    st_offset = strategy("int8", min_value=-1, max_value=1)
    st_bool = strategy("bool")
    st_size = strategy("uint8", max_value=7)

    def __init__(cls, escrow, token, lens, actors, decoder, keys):
        cls.escrow = escrow
        cls.token = token
        cls.lens = lens
        cls.actors = [a.address.lower() for a in actors]
        cls.decoder = decoder
        cls.keys = {a.lower(): key for a, key in keys.items()}
        _, name, version, chain_id, verifying_contract, _, _ = token.eip712Domain()
        cls.permit_domain = permit.domain(name, version, chain_id, verifying_contract)
        cls.events_by_topic = {}
        for item in escrow.abi:
            if item["type"] == "event":
                types = ",".join(i["type"] for i in item["inputs"])
                cls.events_by_topic[keccak(text=f"{item['name']}({types})")] = item

    def setup(self):
        self.campaigns: list[ModelCampaign] = []
        snap = self._read_snapshot()
        self.eth = {a: snap["actorEth"][i] for i, a in enumerate(self.actors)}
        self.tok = {a: snap["actorToken"][i] for i, a in enumerate(self.actors)}
        self.escrow_eth, self.escrow_tok = snap["escrowEth"], snap["escrowToken"]
        assert (self.escrow_eth, self.escrow_tok) == (0, 0)
        self.allowance = dict(zip(self.actors, snap["allowances"], strict=True))  # the escrow's
        self.nonce = dict(zip(self.actors, snap["nonces"], strict=True))  # for permits
        self.step = 0
        self.now = snap["timestamp"]  # the latest block's time, as far as the machine knows
        self._snap = (self.step, snap)
        self.seen_states: dict[int, State] = {}

    # ------------------------------------------------------------------ plumbing

    def _send(self, sender: str, fn, *args, value: int = 0, at: int | None = None, to=None):
        """Sends a transaction (to the escrow unless `to`) straight over RPC (brownie's
        per-transaction bookkeeping would dominate the run time). Returns (block timestamp,
        error or None, escrow events)."""
        self.step += 1
        if at is not None:
            _rpc("evm_setNextBlockTimestamp", [at])
        tx = {
            "from": sender,
            "to": (to or self.escrow).address,
            "data": fn.encode_input(*args),
            "value": hex(value),
            "gas": GAS,
            "gasPrice": "0x0",
        }
        receipt = _send_and_wait(tx)
        tx_hash = receipt["transactionHash"]
        now = self.now = int(_rpc("eth_getBlockByNumber", [receipt["blockNumber"], False])["timestamp"], 16)
        if int(receipt["status"], 16) == 1:
            return now, None, self._decode_logs(receipt["logs"])
        trace = _rpc("debug_traceTransaction", [tx_hash, {"tracer": "callTracer"}])
        name, args = self.decoder.decode(bytes.fromhex(trace.get("output", "0x")[2:]))
        return now, (name, tuple(_lower(a) for a in args)), []

    def _decode_logs(self, logs) -> list:
        events = []
        for log in logs:
            if log["address"].lower() != self.escrow.address.lower():
                continue
            abi = self.events_by_topic[bytes.fromhex(log["topics"][0][2:])]
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

    def _check(self, sent, expect_at):
        """Compares what happened with what the model predicts at the block's timestamp."""
        now, error, events = sent
        expect: Expect = expect_at(now)
        OUTCOMES[expect.error[0] if expect.error else expect.events[0][0]] += 1
        if expect.error is not None:
            want = (expect.error[0], tuple(_lower(a) for a in expect.error[1]))
            assert error == want, f"at {now}: reverted with {error}, model expected {want}"
            return
        assert error is None, f"at {now}: reverted with {error}, model expected {expect.events}"
        want = [(name, {k: _lower(v) for k, v in args.items()}) for name, args in expect.events]
        assert events == want, f"at {now}: events {events}, model expected {want}"
        expect.apply()

    def _pick(self, index: int, choice: int = 0, prefer=None):
        """A campaign to act on. Mostly (choice > 0) one that `prefer(campaign, now)` likes,
        if any, so that sequences like pledge, deadline, claim happen often; otherwise any
        campaign or, one time in sixteen, an id that does not exist."""
        if choice and prefer is not None:
            pool = [c for c in self.campaigns if prefer(c, self.now)]
            if pool:
                c = pool[index % len(pool)]
                return c, c.id
        if index % 16 == 15 or not self.campaigns:
            return None, len(self.campaigns) + 1 + index % 3
        c = self.campaigns[index % len(self.campaigns)]
        return c, c.id

    def _when(self, c, when: int):
        """Nine times in forty, pins the transaction to one second before, at or after the
        campaign's start, goal lock or deadline, where off-by-one mistakes would show; only
        if that is at most two days ahead, so that pinning does not rush every campaign."""
        if c is None or when >= 9:
            return None
        edge = (c.starts_at, c.deadline - GOAL_LOCK, c.deadline)[when // 3]
        at = edge + when % 3 - 1
        return at if self.now <= at <= self.now + 2 * DAY else None

    @staticmethod
    def _pledge_amount(c, choice: int, raw: int) -> int:
        """Mostly `raw` (in the campaign's units); with choice 3 exactly the cap (uncapped: the
        goal; near the limit: what reaches 2^104 - 1, or one past it); with choice 4 exactly
        what the cap (or else the goal) still allows."""
        if c is None:
            return raw
        if choice == 3:
            if not c.cap and unit(c) > 1:
                return MAX_AMOUNT - c.pledged + raw % 2
            return c.cap or c.goal
        room = (c.cap or c.goal) - c.pledged
        return room if choice == 4 and room > 0 else raw * unit(c)

    @staticmethod
    def _unpledge_amount(c, mine: int, choice: int, raw: int) -> int:
        """raw, half or all of `mine`, or what takes the total exactly to the goal / one below."""
        if choice == 0 or c is None:
            return raw * unit(c)
        if choice < 3:
            return -(-mine * choice // 2)
        excess = c.pledged - c.goal + (choice - 3)
        return excess if 0 < excess <= mine else mine

    def _backer(self, c, choice: int, actor: int) -> str:
        """Mostly (choice > 0) an actor holding a pledge in `c`, else any actor."""
        holders = [a for a in self.actors if c is not None and c.pledges.get(a, 0)]
        return holders[actor % len(holders)] if holders and choice else self.actors[actor]

    def _caller(self, c, choice: int, actor: int) -> str:
        """Mostly (choice > 0) the creator of `c`, else any actor."""
        return c.creator if c is not None and choice else self.actors[actor]

    def _pay(self, c: ModelCampaign, to: str, amount: int):
        if c.is_token:
            self.escrow_tok -= amount
            self.tok[to] += amount
        else:
            self.escrow_eth -= amount
            self.eth[to] += amount

    def _collect(self, c: ModelCampaign, payer: str, amount: int):
        self._pay(c, payer, -amount)

    # ------------------------------------------------------------------ model of the rules

    def _expect_create(self, sender, is_token, goal, cap, starts_at, deadline):
        def at(now):
            if goal == 0:
                return fail("GoalIsZero")
            if goal > MAX_AMOUNT:
                return fail("GoalTooLarge", goal, MAX_AMOUNT)
            if cap != 0 and cap < goal:
                return fail("CapBelowGoal", cap, goal)
            if starts_at != 0 and starts_at < now:
                return fail("StartInPast", starts_at, now)
            start = starts_at or now
            if deadline <= start:
                return fail("DeadlineNotAfterStart", start, deadline)
            if deadline - start > MAX_DURATION:
                return fail("DurationTooLong", start, deadline, MAX_DURATION)
            new = ModelCampaign(len(self.campaigns) + 1, sender, is_token, goal, cap, start, deadline)
            token = self.token.address if is_token else ZERO_ADDRESS
            event = (
                "CampaignCreated",
                {
                    "id": new.id,
                    "creator": sender,
                    "token": token,
                    "goal": goal,
                    "cap": cap,
                    "startsAt": start,
                    "deadline": deadline,
                    "metadataURI": URI,
                },
            )
            return Expect(events=[event], apply=lambda: self.campaigns.append(new))

        return at

    def _expect_pledge(self, c, cid, payer, backer, amount, value, via_permit=False, permit=None):
        """`permit`: (deadline, whether signed by the payer for its current nonce), with
        via_permit; the token takes it when both hold at the block's time."""

        def at(now):
            if c is None:
                if not via_permit and value != amount:
                    return fail("WrongPaymentValue", amount, value)
                return fail("CampaignNotFound", cid)
            if via_permit and not c.is_token:
                return fail("NotATokenCampaign", cid)
            permitted = via_permit and permit is not None and permit[1] and now <= permit[0]
            allowance = amount if permitted else self.allowance[payer]
            if via_permit and not permitted and allowance < amount:
                return fail("PermitFailed", self.token.address, allowance, amount)
            if not c.is_token and value != amount:
                return fail("WrongPaymentValue", amount, value)
            if c.is_token and value != 0:
                return fail("WrongPaymentValue", 0, value)
            window = c.window_error(now)
            if window:
                return Expect(error=window)
            if amount == 0:
                return fail("ZeroAmount")
            limit = min(c.cap, MAX_AMOUNT) if c.cap else MAX_AMOUNT
            if amount > limit - c.pledged:
                return fail("CapExceeded", cid, limit, amount if amount > limit else c.pledged + amount)
            if c.is_token and allowance < amount:
                return fail("ERC20InsufficientAllowance", self.escrow.address, allowance, amount)
            if c.is_token and self.tok[payer] < amount:
                return fail("ERC20InsufficientBalance", payer, self.tok[payer], amount)

            def apply():
                c.pledged += amount
                c.pledges[backer] = c.pledges.get(backer, 0) + amount
                self._collect(c, payer, amount)
                if c.is_token and allowance != MAX_UINT256:
                    self.allowance[payer] = allowance - amount
                if permitted:
                    self.nonce[payer] += 1
                    OUTCOMES["(a valid permit)"] += 1
                if c.pledged == MAX_AMOUNT:
                    OUTCOMES["(a total at its limit, 2^104 - 1)"] += 1
                elif c.pledged == c.cap:
                    OUTCOMES["(a total at its cap)"] += 1

            event = (
                "Pledged",
                {
                    "id": cid,
                    "backer": backer,
                    "payer": payer,
                    "amount": amount,
                    "newTotal": c.pledged + amount,
                },
            )
            return Expect(events=[event], apply=apply)

        return at

    def _expect_unpledge(self, c, cid, sender, amount):
        def at(now):
            if c is None:
                return fail("CampaignNotFound", cid)
            window = c.window_error(now)
            if window:
                return Expect(error=window)
            if amount == 0:
                return fail("ZeroAmount")
            mine = c.pledges.get(sender, 0)
            if amount > mine:
                return fail("InsufficientPledge", cid, sender, mine, amount)
            new_total = c.pledged - amount
            if now + GOAL_LOCK >= c.deadline and c.pledged >= c.goal and new_total < c.goal:
                return fail("GoalLocked", cid, c.goal, new_total, c.deadline - GOAL_LOCK)

            def apply():
                c.pledged -= amount
                c.pledges[sender] -= amount
                self._pay(c, sender, amount)

            event = ("Unpledged", {"id": cid, "backer": sender, "amount": amount, "newTotal": new_total})
            return Expect(events=[event], apply=apply)

        return at

    def _expect_claim(self, c, cid, sender, to=None):
        def at(now):
            if to is not None and to in (ZERO_ADDRESS, self.escrow.address.lower()):
                return fail("InvalidRecipient", to)
            if c is None:
                return fail("CampaignNotFound", cid)
            if sender != c.creator:
                return fail("NotCreator", cid, c.creator, sender)
            if c.claimed:
                return fail("AlreadyClaimed", cid)
            if c.cancelled:
                return fail("CampaignIsCancelled", cid)
            if now < c.deadline:
                return fail("CampaignNotEnded", cid, c.deadline, now)
            if c.pledged < c.goal:
                return fail("GoalNotReached", cid, c.goal, c.pledged)
            if now >= c.deadline + CLAIM_WINDOW:
                return fail("ClaimWindowClosed", cid, c.deadline + CLAIM_WINDOW)
            paid = to or c.creator

            def apply():
                c.claimed = True
                self._pay(c, paid, c.pledged)

            event = {"id": cid, "creator": c.creator, "to": paid, "amount": c.pledged}
            return Expect(events=[("Claimed", event)], apply=apply)

        return at

    def _expect_cancel(self, c, cid, sender):
        def at(now):
            if c is None:
                return fail("CampaignNotFound", cid)
            if sender != c.creator:
                return fail("NotCreator", cid, c.creator, sender)
            if c.cancelled:
                return fail("CampaignIsCancelled", cid)
            if now >= c.deadline:
                return fail("CampaignEnded", cid, c.deadline, now)

            def apply():
                c.cancelled = True

            return Expect(events=[("Cancelled", {"id": cid})], apply=apply)

        return at

    def _expect_refund(self, c, cid, sender):
        def at(now):
            if c is None:
                return fail("CampaignNotFound", cid)
            if c.state(now) not in (State.Failed, State.Cancelled, State.Expired):
                return fail("RefundsNotOpen", cid, int(c.state(now)))
            mine = c.pledges.get(sender, 0)
            if mine == 0:
                return fail("NothingToRefund", cid, sender)

            def apply():
                c.pledged -= mine
                c.pledges[sender] = 0
                self._pay(c, sender, mine)

            return Expect(events=[("Refunded", {"id": cid, "backer": sender, "amount": mine})], apply=apply)

        return at

    # ------------------------------------------------------------------ rules

    def _create(self, sender_index, is_token, goal, cap_extra, delayed, delay, duration, raw_cap=None):
        sender = self.actors[sender_index]
        now = self.now
        starts_at = now + 1 + delay if delayed else 0
        deadline = (starts_at or now + 1) + duration
        cap = raw_cap if raw_cap is not None else goal + cap_extra
        token = self.token.address if is_token else ZERO_ADDRESS
        sent = self._send(sender, self.escrow.createCampaign, token, goal, cap, starts_at, deadline, URI)
        self._check(sent, self._expect_create(sender, is_token, goal, cap, starts_at, deadline))

    def initialize_campaigns(self, st_goal, st_duration, st_bool):
        """Every run starts with an ETH and a token campaign open for pledges, and a third,
        uncapped, whose goal is in BIG_UNITs, so that pledges meet the 2^104 limit."""
        goal, duration = st_goal + 1, st_duration + DAY
        self._create(0, False, goal, 0, False, 0, duration, raw_cap=0)
        self._create(1, True, goal, 0, False, 0, duration, raw_cap=0)
        self._create(2, st_bool, goal * BIG_UNIT, 0, False, 0, duration, raw_cap=0)

    def rule_create(self, st_actor, st_bool, st_goal, st_cap, st_delay, st_duration, st_choice, st_size):
        if len(self.campaigns) >= MAX_CAMPAIGNS:
            return
        # st_choice 0 takes the raw draws (a zero goal or a cap below the goal is refused);
        # otherwise the goal is positive and the cap is none or the goal plus up to 200.
        goal = st_goal if st_choice == 0 else st_goal + 1
        raw_cap = st_cap if st_choice == 0 else (0 if st_choice < 3 else None)
        cap_extra = st_cap % 200
        if st_size == 7:
            # Near the 2^104 limit: a goal one past it (refused), at it, or in BIG_UNITs; a
            # cap in BIG_UNITs above the goal may pass the limit, which then bounds the total.
            goal = (MAX_AMOUNT + 1, MAX_AMOUNT, goal * BIG_UNIT, goal * BIG_UNIT)[st_goal % 4]
            raw_cap = 0 if st_choice < 3 else None
            cap_extra *= BIG_UNIT
        self._create(st_actor, st_bool, goal, cap_extra, st_delay % 2 == 1, st_delay, st_duration, raw_cap)

    def rule_pledge(self, st_index, st_actor, st_choice, st_amount, st_when):
        c, cid = self._pick(st_index, st_choice, is_active)
        backer = self.actors[st_actor]
        amount = self._pledge_amount(c, st_choice, st_amount)
        value = 0 if c is not None and c.is_token else amount
        sent = self._send(backer, self.escrow.pledge, cid, amount, value=value, at=self._when(c, st_when))
        self._check(sent, self._expect_pledge(c, cid, backer, backer, amount, value))

    def rule_pledge_for(self, st_index, st_actor, st_choice, st_amount, st_when):
        c, cid = self._pick(st_index, st_choice, is_active)
        payer = self.actors[st_actor]
        backer = self.actors[(st_actor + 1 + st_choice) % len(self.actors)]
        amount = self._pledge_amount(c, st_choice, st_amount)
        value = 0 if c is not None and c.is_token else amount
        at = self._when(c, st_when)
        sent = self._send(payer, self.escrow.pledgeFor, cid, backer, amount, value=value, at=at)
        self._check(sent, self._expect_pledge(c, cid, payer, backer, amount, value))

    def rule_pledge_with_permit(self, st_index, st_actor, st_choice, st_amount, st_when, st_edge):
        """st_edge 1: a valid permit, its deadline the block's time when pinned; 2: signed
        but expired; 3: signed for a nonce not yet used; 0: no signature at all. A permit the
        token refuses falls back on the standing allowance."""
        c, cid = self._pick(st_index, st_choice, lambda c, now: c.is_token and is_active(c, now))
        sender = self.actors[st_actor]
        amount = self._pledge_amount(c, st_choice, st_amount)
        at = self._when(c, st_when)
        deadline = (at or self.now + DAY) if st_edge != 2 else self.now - 1
        if st_edge == 0:
            v, r, s, signed = 27, b"\x00" * 32, b"\x00" * 32, False
        else:
            nonce = self.nonce[sender] + (st_edge == 3)
            message = permit.typed_data(
                self.permit_domain, owner=sender, spender=self.escrow.address, value=amount,
                nonce=nonce, deadline=deadline,
            )  # fmt: skip
            signature = Account.sign_typed_data(self.keys[sender], full_message=message)
            v, r, s = signature.v, signature.r.to_bytes(32, "big"), signature.s.to_bytes(32, "big")
            signed = st_edge != 3
        sent = self._send(sender, self.escrow.pledgeWithPermit, cid, amount, deadline, v, r, s, at=at)
        expect = self._expect_pledge(c, cid, sender, sender, amount, 0, True, (deadline, signed))
        self._check(sent, expect)

    def rule_approve(self, st_actor, st_choice, st_amount):
        """An actor sets its allowance for the escrow: unlimited, or a few units."""
        sender = self.actors[st_actor]
        allowance = MAX_UINT256 if st_choice < 2 else st_amount * (1 if st_choice < 4 else BIG_UNIT)
        _, error, _ = self._send(sender, self.token.approve, self.escrow.address, allowance, to=self.token)
        assert error is None, f"approve reverted: {error}"
        self.allowance[sender] = allowance

    def rule_unpledge(self, st_index, st_actor, st_choice, st_amount, st_when):
        c, cid = self._pick(st_index, st_choice, lambda c, now: is_active(c, now) and c.pledged > 0)
        sender = self._backer(c, st_choice, st_actor)
        mine = c.pledges.get(sender, 0) if c is not None else 0
        amount = self._unpledge_amount(c, mine, st_choice, st_amount)
        sent = self._send(sender, self.escrow.unpledge, cid, amount, at=self._when(c, st_when))
        self._check(sent, self._expect_unpledge(c, cid, sender, amount))

    def rule_claim(self, st_index, st_actor, st_choice, st_when):
        c, cid = self._pick(
            st_index, st_choice, lambda c, now: c.state(now) in (State.Succeeded, State.Claimed)
        )
        sender = self._caller(c, st_choice, st_actor)
        sent = self._send(sender, self.escrow.claim, cid, at=self._when(c, st_when))
        self._check(sent, self._expect_claim(c, cid, sender))

    def rule_claim_to(self, st_index, st_actor, st_choice, st_when):
        c, cid = self._pick(
            st_index, st_choice, lambda c, now: c.state(now) in (State.Succeeded, State.Claimed)
        )
        sender = self._caller(c, st_choice, st_actor)
        # Mostly another actor; one time in five the zero address or the escrow itself.
        to = (
            (ZERO_ADDRESS, self.escrow.address.lower())[st_actor % 2]
            if st_choice == 0
            else (self.actors[(st_actor + st_choice) % len(self.actors)])
        )
        sent = self._send(sender, self.escrow.claimTo, cid, to, at=self._when(c, st_when))
        self._check(sent, self._expect_claim(c, cid, sender, to))

    def rule_cancel(self, st_index, st_actor, st_choice, st_when):
        c, cid = self._pick(st_index)
        sender = self._caller(c, st_choice == 4, st_actor)  # cancels are rarer: they end a campaign
        sent = self._send(sender, self.escrow.cancel, cid, at=self._when(c, st_when))
        self._check(sent, self._expect_cancel(c, cid, sender))

    def rule_refund(self, st_index, st_actor, st_choice, st_when):
        c, cid = self._pick(
            st_index,
            st_choice,
            lambda c, now: c.pledged > 0 and c.state(now) in (State.Failed, State.Cancelled, State.Expired),
        )
        sender = self._backer(c, st_choice, st_actor)
        sent = self._send(sender, self.escrow.refund, cid, at=self._when(c, st_when))
        self._check(sent, self._expect_refund(c, cid, sender))

    def rule_sleep(self, st_seconds):
        self.step += 1
        chain.sleep(st_seconds)
        chain.mine()
        self.now = self._latest_timestamp()

    def rule_warp_to_edge(self, st_index, st_choice, st_edge, st_offset):
        """Mines a block exactly one second before, at, or after a campaign's start, goal lock,
        deadline or the end of its claim window (if that is still ahead), so that the next
        step lands on the boundary. Mostly aims at a campaign that is upcoming, active with
        pledges, or succeeded."""
        c, _ = self._pick(
            st_index,
            st_choice,
            lambda c, now: (
                c.state(now) in (State.Upcoming, State.Succeeded) or (is_active(c, now) and c.pledged)
            ),
        )
        if c is None:
            return
        edge = (c.starts_at, c.deadline - GOAL_LOCK, c.deadline, c.deadline + CLAIM_WINDOW)[st_edge]
        target = edge + st_offset
        if target > self.now:
            self.step += 1
            _rpc("evm_setNextBlockTimestamp", [target])
            _rpc("evm_mine", [])
            self.now = target

    # ------------------------------------------------------------------ observations

    def _latest_timestamp(self) -> int:
        return int(_rpc("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def _read_snapshot(self, probes=()):
        """One batched RPC round trip: the lens snapshot, each actor's allowance for the escrow
        and permit nonce, plus eth_call probes."""
        fn = self.lens.snapshot
        calls = [
            (
                "eth_call",
                [
                    {"to": self.lens.address, "data": fn.encode_input(self.escrow, self.token, self.actors)},
                    "latest",
                ],
            )
        ]
        reads = [self.token.allowance.encode_input(a, self.escrow) for a in self.actors]
        reads += [self.token.nonces.encode_input(a) for a in self.actors]
        calls += [("eth_call", [{"to": self.token.address, "data": data}, "latest"]) for data in reads]
        calls += [
            ("eth_call", [{"from": sender, "to": self.escrow.address, "data": data}, "latest"])
            for sender, data in probes
        ]
        responses = web3.provider.make_batch_request(calls)
        assert "result" in responses[0], f"the lens snapshot failed: {responses[0]}"
        (timestamp, campaigns, pledges, escrow_eth, escrow_token, actor_eth, actor_token) = fn.decode_output(
            responses[0]["result"]
        )
        snap = {
            "timestamp": timestamp,
            "campaigns": campaigns,
            "escrowEth": escrow_eth,
            "escrowToken": escrow_token,
            "actorEth": list(actor_eth),
            "actorToken": list(actor_token),
            "pledges": [
                list(pledges[i * len(self.actors) : (i + 1) * len(self.actors)])
                for i in range(len(campaigns))
            ],
            "probes": [],
        }
        token_reads = [int(r["result"], 16) for r in responses[1 : 1 + len(reads)]]
        snap["allowances"], snap["nonces"] = token_reads[: len(self.actors)], token_reads[len(self.actors) :]
        for response in responses[1 + len(reads) :]:
            if "error" in response:
                data = response["error"].get("data", "0x")
                snap["probes"].append(self.decoder.decode(bytes.fromhex(data[2:]))[0])
            else:
                snap["probes"].append(None)
        return snap

    def _snapshot(self):
        """The chain as the invariants see it, read once per step."""
        if self._snap[0] != self.step:
            probes = []
            for c in self.campaigns:
                holder = next((a for a, v in c.pledges.items() if v), self.actors[0])
                probes.append((c.creator, self.escrow.claim.encode_input(c.id)))
                probes.append((holder, self.escrow.refund.encode_input(c.id)))
            self._snap = (self.step, self._read_snapshot(probes))
        return self._snap[1]

    # ------------------------------------------------------------------ invariants

    def invariant_pledged_is_the_sum_of_pledges(self):
        snap = self._snapshot()
        assert len(snap["campaigns"]) == len(self.campaigns)
        for view, pledges in zip(snap["campaigns"], snap["pledges"], strict=True):
            assert view["pledged"] == sum(pledges), (
                f"campaign {view['id']}: {view['pledged']} != sum {pledges}"
            )

    def invariant_escrow_holds_what_it_owes(self):
        snap = self._snapshot()
        owed_eth = sum(
            v["pledged"] for v in snap["campaigns"] if v["token"] == ZERO_ADDRESS and not v["claimed"]
        )
        owed_tok = sum(
            v["pledged"] for v in snap["campaigns"] if v["token"] != ZERO_ADDRESS and not v["claimed"]
        )
        assert snap["escrowEth"] >= owed_eth
        assert snap["escrowToken"] >= owed_tok
        # nothing else sends value to the escrow in this machine, so it holds exactly that
        assert (snap["escrowEth"], snap["escrowToken"]) == (owed_eth, owed_tok)

    def invariant_states_only_move_forward(self):
        snap = self._snapshot()
        for view in snap["campaigns"]:
            state = State(view["state"])
            before = self.seen_states.get(view["id"], State.Upcoming)
            assert state in REACHABLE[before], (
                f"campaign {view['id']} went from {before.name} to {state.name}"
            )
            self.seen_states[view["id"]] = state

    def invariant_claim_and_refund_exclude_each_other(self):
        snap = self._snapshot()
        probes = snap["probes"]
        for i, view in enumerate(snap["campaigns"]):
            claim_error, refund_error = probes[2 * i], probes[2 * i + 1]
            can_claim = claim_error is None
            refunds_open = refund_error != "RefundsNotOpen"
            assert not (can_claim and refunds_open), f"campaign {view['id']}: both claim and refund possible"
            assert can_claim == (view["state"] == State.Succeeded)
            assert refunds_open == (view["state"] in (State.Failed, State.Cancelled, State.Expired))

    def invariant_chain_matches_the_model(self):
        snap = self._snapshot()
        now = snap["timestamp"]
        for c, view, pledges in zip(self.campaigns, snap["campaigns"], snap["pledges"], strict=True):
            got = (
                view["id"],
                view["creator"].lower(),
                view["token"] != ZERO_ADDRESS,
                view["goal"],
                view["cap"],
                view["pledged"],
                view["startsAt"],
                view["deadline"],
                view["state"],
                view["claimed"],
                view["cancelled"],
            )
            want = (
                c.id,
                c.creator,
                c.is_token,
                c.goal,
                c.cap,
                c.pledged,
                c.starts_at,
                c.deadline,
                c.state(now),
                c.claimed,
                c.cancelled,
            )
            assert got == want, f"campaign {c.id} at {now}: chain {got} != model {want}"
            assert pledges == [c.pledges.get(a, 0) for a in self.actors]
        assert (snap["escrowEth"], snap["escrowToken"]) == (self.escrow_eth, self.escrow_tok)
        assert snap["actorEth"] == [self.eth[a] for a in self.actors]
        assert snap["actorToken"] == [self.tok[a] for a in self.actors]
        assert snap["allowances"] == [self.allowance[a] for a in self.actors]
        assert snap["nonces"] == [self.nonce[a] for a in self.actors]


@pytest.fixture(scope="module")
def lens(deploy, deployer):
    return deploy("EscrowLens", sender=deployer)


@pytest.mark.skip_coverage
def test_escrow_state_machine(state_machine, escrow, token, lens, accounts, error_decoder, keys, deployer):
    settings = {
        "max_examples": EXAMPLES,
        "stateful_step_count": STEPS,
        "deadline": None,
        "verbosity": Verbosity.normal,
        "suppress_health_check": [HealthCheck.too_slow],
    }
    OUTCOMES.clear()
    actors = accounts[1:7]
    for actor in actors:  # enough to reach the 2^104 limit of a total, in ETH and in tokens
        _rpc("anvil_setBalance", [actor.address, hex(ACTOR_FUNDS)])
        token.mint(actor, ACTOR_FUNDS, {"from": deployer})
    state_machine(EscrowMachine, escrow, token, lens, actors, error_decoder, keys, settings=settings)
    if SHOW_STATS:
        print(
            f"\n{sum(OUTCOMES.values())} transactions:",
            ", ".join(f"{k} {v}" for k, v in OUTCOMES.most_common()),
        )
