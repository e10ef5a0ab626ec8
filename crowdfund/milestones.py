"""A milestone campaign's figures and its refund route, written once: what each tranche
pays and where it stands, what was released and what was not, the objections, and whether
a backer's refund is the vault's or the escrow's. The CLI and the gateway both read these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from crowdfund.schedule import RELEASE_WINDOW, Tranche, refundable, released, tranche_amounts
from crowdfund.state import CLAIM_WINDOW, REFUNDABLE, State
from crowdfund.units import BPS


class VaultFacts(Protocol):
    """What the vault keeps of a campaign, read from the chain (crowdfund.vault.VaultCampaign)
    or added up from its events (the gateway's index)."""

    @property
    def tranches(self) -> Sequence[Tranche]: ...
    @property
    def paid_tranches(self) -> int: ...
    @property
    def collected(self) -> bool: ...
    @property
    def received(self) -> int: ...
    @property
    def released(self) -> int: ...
    @property
    def objections(self) -> int: ...
    @property
    def halted_at(self) -> int: ...  # 0: not halted
    @property
    def refunded(self) -> int: ...


def refunds_from_vault(*, collected: bool, state: State) -> bool:
    """Whether a backer's refund is the vault's (MilestoneVault.refund) rather than the
    escrow's: once the vault collected the funds, or while the campaign succeeded and may
    still be claimed (halted: the vault claims at the first refund; not halted: the vault's
    refusal, NotRefundable, is the one that explains). A campaign nobody released or refunded
    within the claim window is Expired in the escrow, halted or not: the vault never
    collected it, and every backer takes the whole pledge back there, as from a failed or
    cancelled campaign."""
    return collected or state is State.SUCCEEDED


def release_closes_at(vault: VaultFacts) -> int | None:
    """When the first unpaid tranche the creator may still be paid (due at or before the
    halt, if halted) stops being payable: 180 days after it falls due. None before the vault
    collected (the escrow's claim window rules then) or when no such tranche is left
    (MilestoneVault._releaseClosesAt)."""
    paid = vault.paid_tranches
    if not vault.collected or paid >= len(vault.tranches):
        return None
    due = vault.tranches[paid].release_at
    if vault.halted_at and due > vault.halted_at:
        return None
    return due + RELEASE_WINDOW


def lapsed(vault: VaultFacts, now: int) -> bool:
    """Whether a tranche owed to the creator lapsed by `now`: then nothing more is released
    and the backers share everything the vault has not released."""
    closes = release_closes_at(vault)
    return closes is not None and now >= closes


def shared_by_backers(vault: VaultFacts, received: int, now: int) -> int:
    """What the backers of the campaign share at `now`, out of `received`: everything not
    released once a tranche lapsed, the tranches not due at the halt once halted, else 0."""
    if lapsed(vault, now):
        return received - released(received, vault.tranches, vault.paid_tranches)
    return refundable(received, vault.tranches, vault.halted_at) if vault.halted_at else 0


# How a void milestone campaign ended, to follow "campaign 3 ".
ENDED = {
    State.FAILED: "failed (its goal was not reached by its deadline)",
    State.CANCELLED: "was cancelled",
    State.EXPIRED: "expired (nobody released it within 180 days of its deadline)",
}


def objections_lapsed(campaign_id: int) -> str:
    """Why objections (and their withdrawal) are closed once a tranche lapsed."""
    return (
        f"a tranche of campaign {campaign_id} lapsed unreleased: nothing more is paid to its "
        "creator, and its backers already take back their share of everything not released"
    )


def objection_closed(campaign_id: int, state: State, lapsed_: bool = False) -> str | None:
    """Why nobody may object to a campaign in escrow state `state` (None: the vault's own
    rules decide). Objections open once the campaign succeeded; a campaign that failed, was
    cancelled or expired never pays a tranche, its backers refund in the escrow. Once a
    tranche lapsed (`lapsed_`) an objection changes nothing: the backers already share
    everything the vault has not released (the vault itself refuses only once the lapse is
    recorded)."""
    if lapsed_:
        return objections_lapsed(campaign_id)
    if state in (State.UPCOMING, State.ACTIVE):
        return (
            f"campaign {campaign_id} is {state.title}: objections open once it has succeeded "
            "(after its deadline, with its goal reached)"
        )
    if state in REFUNDABLE:
        return (
            f"campaign {campaign_id} {ENDED[state]}: there is nothing to object to; its backers "
            "refund their whole pledge in the escrow"
        )
    return None


def halts(objections: int, weight: int, pledged: int) -> bool:
    """Whether an objection of `weight` added to `objections` halts a campaign of `pledged`:
    more than half of it, to the unit (MilestoneVault.object)."""
    return (objections + weight) * 2 > pledged


def claimed_by_release(campaign_id: int, release: str) -> str:
    """Why a milestone campaign is not claimed: the vault claims it at the first release
    (`release` says how to ask for one: a command, a request)."""
    return (
        f"campaign {campaign_id} pays its creator in tranches through the milestone vault, which "
        f"claims it: use {release} to pay the tranches that are due"
    )


def tranche_count(count: int) -> str:
    """`1 tranche`, `3 tranches`."""
    return f"{count} tranche{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class TrancheFigures:
    """One payment to the creator as it stands at a given time."""

    release_at: int
    share_bps: int
    amount: int  # its part of what the vault received (before the claim: of the pledged total)
    status: str  # paid, due, upcoming, halted, lapsed, void


@dataclass(frozen=True)
class MilestoneFigures:
    """A milestone campaign's figures at a given time; amounts in base units."""

    tranches: tuple[TrancheFigures, ...]
    paid_tranches: int
    next_release_at: int | None  # the next tranche not yet due; None when none is to come
    collected: bool
    received: int
    released: int
    unreleased: int  # received (or to be received) less released and refunded
    objections: int
    objection_bps: int  # objections as a share of the pledged total, rounded down
    halted_at: int | None
    # When the next tranche owed to the creator lapses unreleased; before the vault's claim,
    # when the whole campaign expires in the escrow unless someone releases it.
    release_closes_at: int | None
    lapsed: bool  # a tranche owed to the creator lapsed: the backers share what was not released
    refundable: int  # halted or lapsed: what the backers share
    refunded: int

    @property
    def halted(self) -> bool:
        return self.halted_at is not None

    @property
    def void(self) -> bool:
        """The campaign failed, was cancelled or expired: the vault never funded it."""
        return any(t.status == "void" for t in self.tranches)


def figures(vault: VaultFacts, *, state: State, pledged: int, deadline: int, now: int) -> MilestoneFigures:
    """`vault` at time `now`, for a campaign in escrow state `state` holding `pledged` (the
    escrow's total, fixed from the deadline on) with deadline `deadline`.

    Before the vault's claim the amounts are counted from `pledged`, which is what an ETH
    campaign, or a token without fees, brings in. Each tranche is `paid` once released;
    otherwise `void` when the campaign failed, was cancelled or expired (its backers refund
    their whole pledge in the escrow; such a campaign never paid a tranche, since the vault
    pays only what it collected, so `paid` first changes nothing for it); `halted` when due
    after a halt (the backers' to refund); `lapsed` when it was owed to the creator but a
    tranche waited unreleased past its window (the backers' to refund); `due` once its time
    came after the deadline (release pays it); else `upcoming`. A void campaign has nothing
    unreleased, nothing refundable by the vault and no next release."""
    void = state in REFUNDABLE
    gone = not void and lapsed(vault, now)
    running = state in (State.UPCOMING, State.ACTIVE)
    base = vault.received if vault.collected else pledged
    halted_at = vault.halted_at or None
    amounts = tranche_amounts(base, [t.share_bps for t in vault.tranches])
    tranches = []
    for index, (tranche, amount) in enumerate(zip(vault.tranches, amounts, strict=True)):
        if index < vault.paid_tranches:
            status = "paid"
        elif void:
            status = "void"
        elif gone and (halted_at is None or tranche.release_at <= halted_at):
            status = "lapsed"
        elif halted_at is not None and tranche.release_at > halted_at:
            status = "halted"
        elif not running and tranche.release_at <= now:
            status = "due"
        else:
            status = "upcoming"
        tranches.append(TrancheFigures(tranche.release_at, tranche.share_bps, amount, status))
    upcoming = (t.release_at for t in tranches if t.status == "upcoming" and t.release_at > now)
    return MilestoneFigures(
        tranches=tuple(tranches),
        paid_tranches=vault.paid_tranches,
        next_release_at=None if void or gone or halted_at is not None else next(upcoming, None),
        collected=vault.collected,
        received=vault.received,
        released=vault.released,
        unreleased=0 if void else max(0, base - vault.released - vault.refunded),
        objections=vault.objections,
        objection_bps=vault.objections * BPS // pledged if pledged else 0,
        halted_at=halted_at,
        release_closes_at=(
            None
            if void or gone
            else deadline + CLAIM_WINDOW
            if state is State.SUCCEEDED and not vault.collected
            else release_closes_at(vault)
        ),
        lapsed=gone,
        refundable=0 if void else shared_by_backers(vault, base, now),
        refunded=vault.refunded,
    )
