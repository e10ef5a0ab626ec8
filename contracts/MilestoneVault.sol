// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICrowdfundEscrow} from "./interfaces/ICrowdfundEscrow.sol";
import {IMilestoneVault} from "./interfaces/IMilestoneVault.sol";

// ------------------------------------------------------------------ packed slots

/// @dev Slot 0 of a vault campaign, read by release and the creator's calls:
/// creator (bits 0-159) | deadline (160-199) | haltedAt (200-239, 0: not halted)
/// | paid tranches (240-247) | tranche count (248-255).
type Head is uint256;

/// @dev Slot 1 of a vault campaign, the only campaign slot an objection reads and writes:
/// objections (bits 0-103) | pledged (104-207, 0 until known) | lastReleaseAt (208-247)
/// | flags (248-255). Never zero for a vault campaign (lastReleaseAt is after the deadline
/// or is the deadline), so zero means "not a vault campaign".
type Votes is uint256;

using {creator, deadline, haltedAt, paid, trancheCount, withPaid, withHaltedAt} for Head global;
using {objections, pledged, lastReleaseAt, flags, withObjections, withPledged, withFlags} for Votes global;

uint256 constant _AMOUNT_MASK = (1 << 104) - 1;

function creator(Head h) pure returns (address) {
    return address(uint160(Head.unwrap(h)));
}

function deadline(Head h) pure returns (uint256) {
    return uint40(Head.unwrap(h) >> 160);
}

function haltedAt(Head h) pure returns (uint256) {
    return uint40(Head.unwrap(h) >> 200);
}

function paid(Head h) pure returns (uint256) {
    return uint8(Head.unwrap(h) >> 240);
}

function trancheCount(Head h) pure returns (uint256) {
    return Head.unwrap(h) >> 248;
}

/// @dev `count` <= MAX_TRANCHES, so it fits its 8 bits.
function withPaid(Head h, uint256 count) pure returns (Head) {
    return Head.wrap((Head.unwrap(h) & ~(uint256(0xff) << 240)) | (count << 240));
}

/// @dev Set once, from 0; `time` is a block timestamp, below 2^40 for the next 30,000 years.
function withHaltedAt(Head h, uint256 time) pure returns (Head) {
    return Head.wrap(Head.unwrap(h) | (uint256(uint40(time)) << 200));
}

function objections(Votes v) pure returns (uint256) {
    return Votes.unwrap(v) & _AMOUNT_MASK;
}

function pledged(Votes v) pure returns (uint256) {
    return (Votes.unwrap(v) >> 104) & _AMOUNT_MASK;
}

function lastReleaseAt(Votes v) pure returns (uint256) {
    return uint40(Votes.unwrap(v) >> 208);
}

function flags(Votes v) pure returns (uint8) {
    return uint8(Votes.unwrap(v) >> 248);
}

/// @dev `amount` <= pledged < 2^104 (the escrow's MAX_AMOUNT).
function withObjections(Votes v, uint256 amount) pure returns (Votes) {
    return Votes.wrap((Votes.unwrap(v) & ~_AMOUNT_MASK) | amount);
}

/// @dev Written once, from 0, with the escrow's total (< 2^104).
function withPledged(Votes v, uint256 amount) pure returns (Votes) {
    return Votes.wrap(Votes.unwrap(v) | (amount << 104));
}

function withFlags(Votes v, uint8 bits) pure returns (Votes) {
    return Votes.wrap(Votes.unwrap(v) | (uint256(bits) << 248));
}

/// @title MilestoneVault
/// @notice Creates campaigns in a CrowdfundEscrow as their creator and pays the real creator
/// in tranches on a schedule fixed at creation; a majority of backers (by pledge) can halt
/// the rest for good and take it back. No owner, no admin, no fee, no upgrade.
/// @dev Until a campaign succeeds, the escrow's rules are the only ones: backers pledge,
/// unpledge and refund there, and the vault's forwarded calls (cancel, postUpdate) and its
/// claim meet the escrow's own checks and errors.
///
/// The escrow lets a succeeded campaign be claimed only for 180 days after its deadline;
/// after that it is Expired and backers refund their whole pledges in the escrow. The vault
/// claims on the first {release} or {refund}, which anyone may call: a creator who wants
/// the money calls {release} in time; if nobody does, the backers get everything back.
/// The vault applies the same rule to each tranche: one not released within 180 days of
/// falling due (a creator that cannot receive, or that walked away) lapses, and what the
/// creator could still have been paid goes back to the backers. No money stays here for good.
///
/// Money is counted by what the vault actually received (balance before and after the
/// claim), so a token that delivers less than the escrow sent (a fee on transfers) shrinks
/// every tranche and refund in proportion, and never makes the vault promise more than it
/// holds: per campaign, released + refunded + held == received at all times.
contract MilestoneVault is IMilestoneVault, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // -------------------------------------------------------------- constants

    /// @notice The most tranches a schedule may have.
    uint256 internal constant MAX_TRANCHES = 12;
    /// @notice The whole, in basis points.
    uint256 internal constant BPS = 10_000;
    /// @notice The latest a tranche may be due: five years (of 365.25 days, rounded down)
    /// after the deadline. Also keeps every offset within the 32 bits it is stored in.
    uint256 internal constant MAX_RELEASE_DELAY = 1826 days;
    /// @notice How long a tranche may wait to be released once due: the escrow's claim
    /// window. The window is closed from `releaseAt + RELEASE_WINDOW` on (that second included).
    uint256 internal constant RELEASE_WINDOW = 180 days;

    // A schedule entry: offset from the deadline (uint32) | share in basis points (uint16).
    uint256 private constant _ENTRY_BITS = 48;
    uint256 private constant _PER_SLOT = 5; // 5 x 48 = 240 bits; 12 tranches fill 3 slots

    // Flags in Votes.
    uint8 private constant _CLAIMED = 1; // the vault has claimed the funds from the escrow
    uint8 private constant _HALTED = 2; // objections exceeded half of the pledged total
    uint8 private constant _TOKEN = 4; // an ERC-20 campaign; `token` is set
    uint8 private constant _SHORT = 8; // received != pledged: `received` is stored
    uint8 private constant _LAPSED = 16; // a due tranche lapsed: its refunds are opened

    // A backer's record: objection weight (bits 0-103) | refund paid (104-207) | took its
    // share of the first refunds opened (208) | took its share of lapsed tranches due at a halt (209).
    uint256 private constant _REFUND_SHIFT = 104;
    uint256 private constant _REFUNDED = 1 << 208;
    uint256 private constant _LAPSE_REFUNDED = 1 << 209;

    // ---------------------------------------------------------------- storage

    /// @dev Slots 0 and 1 are the packed words above. An ETH campaign of up to five tranches
    /// writes three slots at creation (head, votes, schedule[0]) and none at its claim
    /// unless the token fell short.
    struct Campaign {
        Head head; // slot 0
        Votes votes; // slot 1
        uint256[3] schedule; // slots 2-4: five entries per slot, tranche i at bits 48 * (i % 5)
        // slot 5: written only when received != pledged
        uint256 received; // what the claim brought in, when it differs from `pledged`
        // slot 6: the first refunds opened: written once the campaign is both halted and
        // claimed (by whichever comes last), or when its due tranche lapses, so that no refund
        // pays for a fresh slot; each refund then takes its share of what is left and the
        // last one takes exactly the rest.
        uint104 unrefundedPledges; // sum of the pledges not yet refunded
        uint104 unrefunded; // what is left for them
        // slot 7: ERC-20 campaigns only
        address token;
        // slot 8: a halted campaign whose tranches due at the halt lapsed: what they held,
        // shared by every pledge (including those already refunded) as slot 6 is.
        uint104 lapsedPledges;
        uint104 lapsedLeft;
    }

    ICrowdfundEscrow private immutable _escrow;
    mapping(uint256 id => Campaign) private _campaigns;
    /// @dev Keyed by id << 160 | backer, as the escrow keys pledges.
    mapping(uint256 key => uint256 record) private _backers;

    constructor(address escrow_) {
        _escrow = ICrowdfundEscrow(escrow_);
    }

    /// @notice ETH comes only from the escrow, as a claim. Anything else is refused, so that
    /// nobody's ETH lands here by mistake (ETH forced in by selfdestruct is never counted:
    /// the vault counts what a claim brings in, by its balance before and after).
    receive() external payable {
        if (msg.sender != address(_escrow)) revert PaymentNotFromEscrow(msg.sender);
    }

    // --------------------------------------------------------------- creators

    /// @inheritdoc IMilestoneVault
    function createCampaign(
        address token,
        uint256 goal,
        uint256 cap,
        uint64 startsAt,
        uint64 deadline_,
        string calldata metadataURI,
        uint64[] calldata releaseAt,
        uint16[] calldata shareBps
    ) external nonReentrant returns (uint256 id) {
        uint256 count = releaseAt.length;
        if (count == 0 || count > MAX_TRANCHES) revert TrancheCountInvalid(count, MAX_TRANCHES);
        if (shareBps.length != count) revert ScheduleLengthMismatch(count, shareBps.length);
        uint256[3] memory words = [uint256(0), 0, 0];
        uint256 previous = deadline_; // an explicit first time must come after the deadline
        uint256 sum = 0;
        // Cannot overflow: times are below 2^64 + MAX_RELEASE_DELAY, shares below 12 * 2^16,
        // and `time - deadline_` is at most MAX_RELEASE_DELAY < 2^32 once checked.
        unchecked {
            uint256 latest = uint256(deadline_) + MAX_RELEASE_DELAY;
            for (uint256 i; i < count; ++i) {
                uint256 time = releaseAt[i];
                if (i == 0 && time == 0) {
                    time = deadline_;
                } else if (time <= previous || time > latest) {
                    revert ReleaseTimeInvalid(i, releaseAt[i], previous + 1, latest);
                }
                uint256 share = shareBps[i];
                if (share == 0) revert ShareIsZero(i);
                sum += share;
                words[i / _PER_SLOT] |= ((time - deadline_) | (share << 32)) << (_ENTRY_BITS * (i % _PER_SLOT));
                previous = time;
            }
        }
        if (sum != BPS) revert ShareSumInvalid(sum, BPS);

        // The escrow checks the rest (goal, cap, times, token) with its own errors.
        id = _escrow.createCampaign(token, goal, cap, startsAt, deadline_, metadataURI);

        Campaign storage c = _campaigns[id];
        // deadline_ fits 40 bits: the escrow stores it as a uint40 (SafeCast) and reverted otherwise.
        c.head = Head.wrap(uint256(uint160(msg.sender)) | (uint256(deadline_) << 160) | (count << 248));
        uint8 bits = token == address(0) ? 0 : _TOKEN;
        c.votes = Votes.wrap((uint256(SafeCast.toUint40(previous)) << 208) | (uint256(bits) << 248));
        // Cannot overflow: count <= 12.
        unchecked {
            for (uint256 j; j * _PER_SLOT < count; ++j) {
                c.schedule[j] = words[j];
            }
        }
        if (token != address(0)) c.token = token;
        emit VaultCampaignCreated(id, msg.sender, token, deadline_, releaseAt, shareBps);
    }

    /// @inheritdoc IMilestoneVault
    function release(uint256 id) external nonReentrant {
        Campaign storage c = _campaigns[id];
        Head h = c.head;
        address to = h.creator();
        if (to == address(0)) revert NotAVaultCampaign(id);
        _release(c, id, h, to);
    }

    /// @inheritdoc IMilestoneVault
    function releaseTo(uint256 id, address to) external nonReentrant {
        Campaign storage c = _campaigns[id];
        Head h = c.head;
        address creator_ = h.creator();
        if (creator_ == address(0)) revert NotAVaultCampaign(id);
        if (msg.sender != creator_) revert NotCreator(id, creator_, msg.sender);
        // Money sent to either contract would have nobody to take it out.
        if (to == address(0) || to == address(this) || to == address(_escrow)) revert InvalidPayee(to);
        _release(c, id, h, to);
    }

    /// @inheritdoc IMilestoneVault
    function cancel(uint256 id) external nonReentrant {
        _onlyCreator(id);
        _escrow.cancel(id);
    }

    /// @inheritdoc IMilestoneVault
    function postUpdate(uint256 id, string calldata uri) external nonReentrant {
        _onlyCreator(id);
        _escrow.postUpdate(id, uri);
    }

    // ---------------------------------------------------------------- backers

    /// @inheritdoc IMilestoneVault
    /// @dev Guarded although it calls only the escrow's views: a token's hook must not slip
    /// an objection into the middle of a claim, between its read and its write of `votes`.
    function object(uint256 id) external nonReentrant {
        Campaign storage c = _campaigns[id];
        Votes v = c.votes;
        uint8 bits = _open(c, id, v);
        uint256 last = v.lastReleaseAt();
        if (block.timestamp >= last) revert NoTrancheToCome(id, uint64(last));
        uint256 key = _key(id, msg.sender);
        uint256 record = _backers[key];
        if (record & _AMOUNT_MASK != 0) revert AlreadyObjected(id, msg.sender);
        if (bits & _CLAIMED == 0) {
            // Before the claim only the escrow knows whether the campaign succeeded.
            ICrowdfundEscrow.CampaignView memory e = _escrow.getCampaign(id);
            if (e.state != ICrowdfundEscrow.State.Succeeded) revert CampaignNotSucceeded(id, e.state);
            if (v.pledged() == 0) v = v.withPledged(e.pledged);
        }
        // Fixed from the deadline on: unpledges close then and refunds never open in the escrow
        // for a succeeded campaign the vault claims in time.
        uint256 weight = _escrow.pledgeOf(id, msg.sender);
        if (weight == 0) revert NotABacker(id, msg.sender);
        // Cannot overflow: each backer objects once with at most its pledge, and the pledges
        // add up to `pledged` < 2^104.
        uint256 total;
        unchecked {
            total = v.objections() + weight;
        }
        _backers[key] = record | weight;
        v = v.withObjections(total);
        uint256 pledgedTotal = v.pledged();
        if (total * 2 > pledgedTotal) {
            v = v.withFlags(_HALTED);
            Head h = c.head.withHaltedAt(block.timestamp);
            c.head = h;
            if (bits & _CLAIMED != 0) _openRefunds(c, h, v);
        }
        c.votes = v;
        emit Objected(id, msg.sender, weight, total);
        if (total * 2 > pledgedTotal) emit Halted(id, uint64(block.timestamp), total, pledgedTotal);
    }

    /// @inheritdoc IMilestoneVault
    function withdrawObjection(uint256 id) external nonReentrant {
        Campaign storage c = _campaigns[id];
        Votes v = c.votes;
        _open(c, id, v);
        uint256 key = _key(id, msg.sender);
        uint256 record = _backers[key];
        uint256 weight = record & _AMOUNT_MASK;
        if (weight == 0) revert NoObjection(id, msg.sender);
        _backers[key] = record ^ weight;
        // Cannot underflow: the weight was added to the objections when the backer objected.
        uint256 total;
        unchecked {
            total = v.objections() - weight;
        }
        c.votes = v.withObjections(total);
        emit ObjectionWithdrawn(id, msg.sender, weight, total);
    }

    /// @inheritdoc IMilestoneVault
    function refund(uint256 id) external nonReentrant {
        Campaign storage c = _campaigns[id];
        Votes v = c.votes;
        if (Votes.unwrap(v) == 0) revert NotAVaultCampaign(id);
        Head h = c.head;
        if (v.flags() & _CLAIMED == 0) {
            // Before the claim only a halt opens refunds here: no tranche can lapse before
            // the escrow's claim window has closed, and then the backers refund there.
            if (v.flags() & _HALTED == 0) revert NotRefundable(id);
            v = _collect(c, id, h, v);
        }
        if (v.flags() & _LAPSED == 0) {
            uint256 closesAt = _releaseClosesAt(c, h);
            if (closesAt != 0 && block.timestamp >= closesAt) v = _lapse(c, id, h, v, closesAt);
        }
        uint8 bits = v.flags();
        if (bits & (_HALTED | _LAPSED) == 0) revert NotRefundable(id);
        uint256 pledge = _escrow.pledgeOf(id, msg.sender);
        if (pledge == 0) revert NotABacker(id, msg.sender);
        uint256 key = _key(id, msg.sender);
        uint256 record = _backers[key];
        // Each refund is the pledge's share of what is left, rounded down: never less than
        // pledge * shared / pledged rounded down (earlier roundings only leave more per
        // pledge), the sum never more than what is shared, and the last backer takes exactly
        // what is left, so no rounding dust stays behind.
        // Cannot overflow: both factors are below 2^104; cannot underflow: the pledge is
        // part of the pledges not yet refunded, and a share is at most what is left.
        uint256 amount = 0;
        uint256 marks = 0;
        unchecked {
            if (record & _REFUNDED == 0) {
                uint256 left = c.unrefunded;
                uint256 pledges = c.unrefundedPledges;
                amount = pledge * left / pledges;
                c.unrefundedPledges = uint104(pledges - pledge);
                c.unrefunded = uint104(left - amount);
                marks = _REFUNDED;
            }
            if ((bits & (_HALTED | _LAPSED)) == (_HALTED | _LAPSED) && record & _LAPSE_REFUNDED == 0) {
                uint256 left = c.lapsedLeft;
                uint256 pledges = c.lapsedPledges;
                uint256 share = pledge * left / pledges;
                c.lapsedPledges = uint104(pledges - pledge);
                c.lapsedLeft = uint104(left - share);
                amount += share;
                marks |= _LAPSE_REFUNDED;
            }
        }
        if (marks == 0) revert AlreadyRefunded(id, msg.sender);
        // Cannot overflow into the flags: a backer's refunds add up to less than what the
        // vault received, below 2^104.
        _backers[key] = (record + (amount << _REFUND_SHIFT)) | marks;
        emit RefundPaid(id, msg.sender, pledge, amount);
        _pay(c, bits, msg.sender, amount);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IMilestoneVault
    function escrow() external view returns (address) {
        return address(_escrow);
    }

    /// @inheritdoc IMilestoneVault
    function getCampaign(uint256 id) external view returns (VaultCampaignView memory view_) {
        Campaign storage c = _campaigns[id];
        Head h = c.head;
        if (h.creator() == address(0)) revert NotAVaultCampaign(id);
        Votes v = c.votes;
        uint8 bits = v.flags();
        uint256 count = h.trancheCount();
        view_.id = id;
        view_.creator = h.creator();
        view_.token = c.token;
        view_.deadline = uint64(h.deadline());
        view_.releaseAt = new uint64[](count);
        view_.shareBps = new uint16[](count);
        for (uint256 i; i < count; ++i) {
            uint256 entry = c.schedule[i / _PER_SLOT] >> (_ENTRY_BITS * (i % _PER_SLOT));
            view_.releaseAt[i] = uint64(h.deadline() + uint32(entry));
            view_.shareBps[i] = uint16(entry >> 32);
        }
        view_.paidTranches = h.paid();
        view_.collected = bits & _CLAIMED != 0;
        view_.pledged = v.pledged();
        view_.objections = v.objections();
        view_.haltedAt = uint64(h.haltedAt());
        if (view_.collected) {
            uint256 received = _received(c, v);
            view_.received = received;
            (uint256 paidBps,,,) = _walk(c, h, h.paid(), 0);
            view_.released = received * paidBps / BPS;
            view_.releaseClosesAt = uint64(_releaseClosesAt(c, h));
            view_.lapsed = bits & _LAPSED != 0
                || (view_.releaseClosesAt != 0 && block.timestamp >= view_.releaseClosesAt);
            bool halted = bits & _HALTED != 0;
            if (halted) view_.refundable = _refundable(c, h, received);
            // A lapse gives the backers everything not released (see _lapse).
            if (view_.lapsed) view_.refundable = received - view_.released;
            if (halted || bits & _LAPSED != 0) view_.refunded = _firstShared(c, h, v, received) - c.unrefunded;
            if (halted && bits & _LAPSED != 0) {
                view_.refunded += view_.refundable - _firstShared(c, h, v, received) - c.lapsedLeft;
            }
        }
    }

    /// @inheritdoc IMilestoneVault
    function objectionOf(uint256 id, address backer) external view returns (uint256) {
        _existing(id);
        return _backers[_key(id, backer)] & _AMOUNT_MASK;
    }

    /// @inheritdoc IMilestoneVault
    function refundOf(uint256 id, address backer) external view returns (bool refunded, uint256 amount) {
        _existing(id);
        uint256 record = _backers[_key(id, backer)];
        return (record & _REFUNDED != 0, (record >> _REFUND_SHIFT) & _AMOUNT_MASK);
    }

    // --------------------------------------------------------------- internal

    /// @dev Pays `to` every tranche of campaign `h` that is due and unpaid, claiming the
    /// funds from the escrow first if nobody has.
    function _release(Campaign storage c, uint256 id, Head h, address to) private {
        Votes v = c.votes;
        bool claimedNow = false;
        if (v.flags() & _CLAIMED == 0) {
            v = _collect(c, id, h, v);
            claimedNow = true;
        }
        uint8 bits = v.flags();
        uint256 received = _received(c, v);
        bool halted = bits & _HALTED != 0;
        uint256 before = h.paid();
        (uint256 paidBps, uint256 due, uint256 dueBps, uint256 nextAt) =
            _walk(c, h, before, halted ? h.haltedAt() : block.timestamp);
        if (halted) nextAt = 0; // nothing after the halt is ever due
        // Cannot overflow or underflow: received < 2^104 (the escrow's total, or checked by
        // SafeCast in _collect), shares <= BPS, and dueBps >= paidBps.
        uint256 amount;
        unchecked {
            amount = received * dueBps / BPS - received * paidBps / BPS;
        }
        if (amount == 0 && due == before) {
            if (claimedNow) return; // the claim alone was worth it: the funds are safe here
            revert NothingToRelease(id, SafeCast.toUint64(nextAt));
        }
        // Here a tranche is due: an amount is paid only with one (dueBps > paidBps).
        // The first unpaid tranche's window closes first; once it has, the tranches still
        // owed to the creator are the backers' (see refund).
        uint256 closesAt = _releaseAt(c, h, before) + RELEASE_WINDOW;
        if (block.timestamp >= closesAt) revert ReleaseWindowClosed(id, before, uint64(closesAt));
        c.head = h.withPaid(due);
        emit Released(id, to, amount, due);
        _pay(c, bits, to, amount);
    }

    /// @dev Claims the campaign from the escrow and books what arrived. The escrow's claim
    /// reverts unless the campaign succeeded and its claim window is open.
    function _collect(Campaign storage c, uint256 id, Head h, Votes v) private returns (Votes) {
        uint256 total = v.pledged(); // known already if someone objected before the claim
        uint256 received;
        if (v.flags() & _TOKEN == 0) {
            uint256 before = address(this).balance;
            // slither-disable-next-line reentrancy-no-eth (triaged in docs/audit.md)
            _escrow.claim(id);
            // Only the escrow can pay in during the claim (see receive), and it pays its
            // whole total: for ETH, what arrived is the campaign's pledged total.
            received = address(this).balance - before;
            if (total == 0) total = received;
        } else {
            IERC20 token = IERC20(c.token);
            uint256 before = token.balanceOf(address(this));
            // slither-disable-next-line reentrancy-no-eth (triaged in docs/audit.md)
            _escrow.claim(id);
            uint256 balance = token.balanceOf(address(this));
            received = balance > before ? balance - before : 0;
            if (total == 0) total = _escrow.getCampaign(id).pledged;
        }
        uint8 bits = _CLAIMED;
        if (received != total) {
            c.received = SafeCast.toUint104(received); // a token reporting more cannot be booked
            bits |= _SHORT;
        }
        v = v.withFlags(bits);
        if (v.pledged() == 0) v = v.withPledged(total);
        if (v.flags() & _HALTED != 0) _openRefunds(c, h, v);
        c.votes = v;
        emit Collected(id, total, received);
        return v;
    }

    /// @dev When a claimed campaign's first unpaid tranche, if the creator may still be paid
    /// it (due at or before the halt, if halted), stops being payable: 0 if there is none.
    /// Only for a claimed campaign: before the claim the escrow's claim window rules.
    function _releaseClosesAt(Campaign storage c, Head h) private view returns (uint256) {
        uint256 next = h.paid();
        if (next == h.trancheCount()) return 0;
        uint256 at = _releaseAt(c, h, next);
        uint256 haltedAt_ = h.haltedAt();
        if (haltedAt_ != 0 && at > haltedAt_) return 0;
        return at + RELEASE_WINDOW;
    }

    /// @dev Records that the claimed campaign's first unpaid tranche lapsed at `closesAt`:
    /// what the creator could still have been paid goes to the backers. Not halted: everything
    /// not released, in the first refunds (slot 6). Halted: the tranches due at the halt, in
    /// refunds of their own (slot 8), which every backer takes besides its first refund.
    function _lapse(Campaign storage c, uint256 id, Head h, Votes v, uint256 closesAt)
        private
        returns (Votes)
    {
        uint256 received = _received(c, v);
        (uint256 paidBps,,,) = _walk(c, h, h.paid(), 0);
        // Cannot underflow: what was released is a part of what was received, and of the
        // tranches due at the halt, which include every paid one.
        uint256 amount;
        unchecked {
            if (v.flags() & _HALTED == 0) {
                amount = received - received * paidBps / BPS;
                c.unrefundedPledges = uint104(v.pledged());
                c.unrefunded = uint104(amount);
            } else {
                amount = received - _refundable(c, h, received) - received * paidBps / BPS;
                c.lapsedPledges = uint104(v.pledged());
                c.lapsedLeft = uint104(amount);
            }
        }
        v = v.withFlags(_LAPSED);
        c.votes = v;
        emit ReleaseLapsed(id, h.paid(), uint64(closesAt), amount);
        return v;
    }

    /// @dev What the first refunds opened share: a halt's refundable amount, or, for a lapse
    /// without a halt, everything not released.
    function _firstShared(Campaign storage c, Head h, Votes v, uint256 received) private view returns (uint256) {
        if (v.flags() & _HALTED != 0) return _refundable(c, h, received);
        (uint256 paidBps,,,) = _walk(c, h, h.paid(), 0);
        return received - received * paidBps / BPS;
    }

    /// @dev When tranche `i` is due.
    function _releaseAt(Campaign storage c, Head h, uint256 i) private view returns (uint256) {
        return h.deadline() + uint32(c.schedule[i / _PER_SLOT] >> (_ENTRY_BITS * (i % _PER_SLOT)));
    }

    /// @dev Once a campaign is both halted and claimed: every pledge is still to refund and
    /// what they share is known.
    function _openRefunds(Campaign storage c, Head h, Votes v) private {
        c.unrefundedPledges = uint104(v.pledged()); // < 2^104: the escrow's MAX_AMOUNT
        c.unrefunded = SafeCast.toUint104(_refundable(c, h, _received(c, v)));
    }

    /// @dev What the backers of a halted, claimed campaign share: what the vault received,
    /// less the tranches due at the halt (computed exactly as the creator's releases are).
    function _refundable(Campaign storage c, Head h, uint256 received) private view returns (uint256) {
        (,, uint256 dueBps,) = _walk(c, h, 0, h.haltedAt());
        return received - received * dueBps / BPS;
    }

    /// @dev Walks the schedule: the shares of the first `paidCount` tranches, how many
    /// tranches are due by `limit` (never fewer than `paidCount`, which were due when paid),
    /// their shares, and when the first tranche not due is (0 if all are).
    function _walk(Campaign storage c, Head h, uint256 paidCount, uint256 limit)
        private
        view
        returns (uint256 paidBps, uint256 due, uint256 dueBps, uint256 nextAt)
    {
        uint256 count = h.trancheCount();
        uint256 start = h.deadline();
        uint256 word = 0; // loaded at each fifth entry, from the first
        // Cannot overflow: at most 12 entries of 16-bit shares and 32-bit offsets.
        unchecked {
            for (uint256 i; i < count; ++i) {
                if (i % _PER_SLOT == 0) word = c.schedule[i / _PER_SLOT];
                uint256 entry = word >> (_ENTRY_BITS * (i % _PER_SLOT));
                uint256 share = uint16(entry >> 32);
                if (i < paidCount) {
                    paidBps += share;
                } else {
                    uint256 dueAt = start + uint32(entry);
                    if (dueAt > limit) return (paidBps, due, dueBps, dueAt);
                }
                dueBps += share;
                due = i + 1;
            }
        }
    }

    /// @dev For objections: the campaign exists, is not halted and no tranche lapsed (as
    /// recorded: until then an objection changes nothing of what a lapse gives the backers);
    /// returns its flags.
    function _open(Campaign storage c, uint256 id, Votes v) private view returns (uint8 bits) {
        if (Votes.unwrap(v) == 0) revert NotAVaultCampaign(id);
        bits = v.flags();
        if (bits & _HALTED != 0) revert CampaignHalted(id, uint64(c.head.haltedAt()));
        if (bits & _LAPSED != 0) {
            Head h = c.head;
            revert ReleaseWindowClosed(id, h.paid(), uint64(_releaseAt(c, h, h.paid()) + RELEASE_WINDOW));
        }
    }

    function _received(Campaign storage c, Votes v) private view returns (uint256) {
        return v.flags() & _SHORT == 0 ? v.pledged() : c.received;
    }

    function _onlyCreator(uint256 id) private view {
        address creator_ = _existing(id).creator();
        if (msg.sender != creator_) revert NotCreator(id, creator_, msg.sender);
    }

    function _existing(uint256 id) private view returns (Head h) {
        h = _campaigns[id].head;
        if (h.creator() == address(0)) revert NotAVaultCampaign(id);
    }

    function _key(uint256 id, address backer) private pure returns (uint256) {
        return (id << 160) | uint256(uint160(backer));
    }

    /// @dev Always the last step (checks-effects-interactions), under the guard of the
    /// calling function. A creator or backer that refuses payment only fails its own call.
    function _pay(Campaign storage c, uint8 bits, address to, uint256 amount) private {
        if (amount == 0) return;
        if (bits & _TOKEN == 0) {
            Address.sendValue(payable(to), amount);
        } else {
            IERC20(c.token).safeTransfer(to, amount);
        }
    }
}
