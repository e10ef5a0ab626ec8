// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Permit.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICrowdfundEscrow} from "./interfaces/ICrowdfundEscrow.sol";

/// @title CrowdfundEscrow
/// @notice All-or-nothing campaigns in ETH or any plain ERC-20 token. No owner, no admin,
/// no fee, no pause and no upgrade: the rules below are the only way money moves.
/// @dev Money leaves only by pull (claim, unpledge, refund by the party owed), so no loop
/// over backers exists and one backer who refuses payment cannot block anyone else.
contract CrowdfundEscrow is ICrowdfundEscrow, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    // -------------------------------------------------------------- constants

    /// @notice The longest a campaign may run, from its start to its deadline.
    uint256 internal constant MAX_DURATION = 366 days;
    /// @notice In this window before the deadline an unpledge cannot pull a total that has
    /// reached the goal back below it. That is all it guarantees: while the total is below
    /// the goal, backers may still withdraw in the last 24 hours, and it cannot order two
    /// transactions of one block (a pledge and an unpledge land in whatever order the
    /// block's builder chooses).
    uint256 internal constant GOAL_LOCK = 24 hours;
    /// @notice How long after its deadline the creator of a succeeded campaign may claim.
    /// The window is closed from `deadline + CLAIM_WINDOW` on (that second included): an
    /// unclaimed succeeded campaign is then Expired and its backers may refund.
    uint256 internal constant CLAIM_WINDOW = 180 days;
    /// @notice The largest goal and total a campaign can hold (2^104 - 1 base units, about
    /// 2 * 10^13 tokens of 18 decimals), the width of the packed amounts below.
    uint256 internal constant MAX_AMOUNT = type(uint104).max;

    // Slot 0 of a Campaign, as the hot paths decode it (must match the struct below).
    uint256 private constant _AMOUNT_MASK = (1 << 104) - 1;
    uint256 private constant _GOAL_SHIFT = 104;
    uint256 private constant _DEADLINE_SHIFT = 208;
    uint256 private constant _FLAGS_SHIFT = 248;

    uint8 private constant _TOKEN = 1; // pledges are in `token`, not ETH
    uint8 private constant _CAPPED = 2; // `cap` is set and must be read on every pledge
    uint8 private constant _DELAYED_START = 4; // created with startsAt in the future
    uint8 private constant _CANCELLED = 8;
    uint8 private constant _CLAIMED = 16;

    // ---------------------------------------------------------------- storage

    /// @dev Packed so that each hot path touches as few slots as possible. Slot 0 alone
    /// answers a pledge (window, payment kind, cap presence, total), an unpledge (window,
    /// total, goal for the last-day lock) and a refund (flags, deadline, total vs goal).
    /// The other slots are read only when their flag says so, or by the creator's calls.
    struct Campaign {
        // slot 0: 104 + 104 + 40 + 8 = 256 bits
        uint104 pledged; // sum of the pledges held; <= MAX_AMOUNT by the cap check
        uint104 goal; // <= MAX_AMOUNT, checked at creation
        uint40 deadline; // unix seconds; 0 only for ids that were never created
        uint8 flags; // _TOKEN | _CAPPED | _DELAYED_START | _CANCELLED | _CLAIMED
        // slot 1: 160 + 40 bits, written once; read by creator calls and delayed starts
        address creator;
        uint40 startsAt;
        // slot 2: token campaigns only; ETH campaigns never write or read it
        address token;
        // slot 3: capped campaigns only
        uint256 cap;
    }

    uint256 private _campaignCount;
    mapping(uint256 id => Campaign) private _campaigns;
    /// @dev Keyed by `_pledgeKey(id, backer)` = id << 160 | backer: one hash per lookup
    /// where a nested mapping takes two. Unique while id < 2^96, which holds for every
    /// created campaign; every path checks that the campaign exists before using a key.
    mapping(uint256 key => uint256 amount) private _pledges;

    // --------------------------------------------------------------- creators

    /// @inheritdoc ICrowdfundEscrow
    function createCampaign(
        address token,
        uint256 goal,
        uint256 cap,
        uint64 startsAt,
        uint64 deadline,
        string calldata metadataURI
    ) external returns (uint256 id) {
        if (goal == 0) revert GoalIsZero();
        if (goal > MAX_AMOUNT) revert GoalTooLarge(goal, MAX_AMOUNT);
        if (cap != 0 && cap < goal) revert CapBelowGoal(cap, goal);
        uint8 flags = 0; // set bit by bit below
        if (startsAt == 0) {
            startsAt = SafeCast.toUint64(block.timestamp);
        } else if (startsAt < block.timestamp) {
            revert StartInPast(startsAt, block.timestamp);
        } else if (startsAt > block.timestamp) {
            flags = _DELAYED_START;
        }
        if (deadline <= startsAt) revert DeadlineNotAfterStart(startsAt, deadline);
        if (deadline - startsAt > MAX_DURATION) revert DurationTooLong(startsAt, deadline, MAX_DURATION);
        if (token != address(0)) {
            if (token.code.length == 0) revert TokenHasNoCode(token);
            flags |= _TOKEN;
        }
        if (cap != 0) flags |= _CAPPED;

        // Cannot overflow: one campaign per transaction would need 2^256 transactions.
        unchecked {
            id = ++_campaignCount;
        }
        Campaign storage c = _campaigns[id];
        c.goal = uint104(goal); // fits: checked against MAX_AMOUNT above
        c.deadline = SafeCast.toUint40(deadline);
        c.flags = flags;
        c.creator = msg.sender;
        c.startsAt = SafeCast.toUint40(startsAt);
        // Zero slots are left unwritten: an ETH or uncapped campaign pays for neither.
        if (token != address(0)) c.token = token;
        if (cap != 0) c.cap = cap;
        emit CampaignCreated(id, msg.sender, token, goal, cap, startsAt, deadline, metadataURI);
    }

    /// @inheritdoc ICrowdfundEscrow
    function claim(uint256 id) external {
        _claim(id, address(0));
    }

    /// @inheritdoc ICrowdfundEscrow
    function claimTo(uint256 id, address to) external {
        // The escrow itself could never pay the money on: tokens sent there would be lost.
        if (to == address(0) || to == address(this)) revert InvalidRecipient(to);
        _claim(id, to);
    }

    /// @inheritdoc ICrowdfundEscrow
    function cancel(uint256 id) external {
        Campaign storage c = _campaigns[id];
        (uint256 word,,, uint256 deadline, uint8 flags) = _hot(c);
        _onlyCreator(c, id);
        if (flags & _CANCELLED != 0) revert CampaignIsCancelled(id);
        if (block.timestamp >= deadline) revert CampaignEnded(id, uint64(deadline), block.timestamp);
        _storeFlag(c, word, _CANCELLED);
        emit Cancelled(id);
    }

    /// @inheritdoc ICrowdfundEscrow
    function postUpdate(uint256 id, string calldata uri) external {
        _onlyCreator(_campaigns[id], id);
        emit CampaignUpdated(id, uri);
    }

    // ---------------------------------------------------------------- backers

    /// @inheritdoc ICrowdfundEscrow
    function pledge(uint256 id, uint256 amount) external payable {
        _pledge(id, msg.sender, amount);
    }

    /// @inheritdoc ICrowdfundEscrow
    function pledgeFor(uint256 id, address backer, uint256 amount) external payable {
        // Neither the zero address nor the escrow can ever call unpledge or refund.
        if (backer == address(0) || backer == address(this)) revert InvalidBacker(backer);
        _pledge(id, backer, amount);
    }

    /// @inheritdoc ICrowdfundEscrow
    function pledgeWithPermit(uint256 id, uint256 amount, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external
    {
        Campaign storage c = _campaigns[id];
        (,,,, uint8 flags) = _hot(c);
        if (flags & _TOKEN == 0) {
            _existing(id);
            revert NotATokenCampaign(id);
        }
        address token = c.token;
        // A permit seen in the mempool can be submitted by anyone first; that spends its
        // nonce but leaves the allowance we need, so a failed permit is not fatal by itself.
        try IERC20Permit(token).permit(msg.sender, address(this), amount, permitDeadline, v, r, s) {}
        catch {
            uint256 allowance = IERC20(token).allowance(msg.sender, address(this));
            if (allowance < amount) revert PermitFailed(token, allowance, amount);
        }
        _pledgeToken(c, id, msg.sender, amount);
    }

    /// @inheritdoc ICrowdfundEscrow
    function unpledge(uint256 id, uint256 amount) external {
        Campaign storage c = _campaigns[id];
        (uint256 word, uint256 pledged, uint256 goal, uint256 deadline, uint8 flags) = _hot(c);
        _requireOpen(c, id, deadline, flags);
        if (amount == 0) revert ZeroAmount();
        uint256 mine = _pledges[_pledgeKey(id, msg.sender)];
        if (amount > mine) revert InsufficientPledge(id, msg.sender, mine, amount);
        // Cannot underflow: amount <= mine <= pledged.
        uint256 newTotal;
        unchecked {
            newTotal = pledged - amount;
            if (block.timestamp + GOAL_LOCK >= deadline && pledged >= goal && newTotal < goal) {
                revert GoalLocked(id, goal, newTotal, uint64(deadline > GOAL_LOCK ? deadline - GOAL_LOCK : 0));
            }
            _pledges[_pledgeKey(id, msg.sender)] = mine - amount;
        }
        _storeTotal(c, word, newTotal);
        emit Unpledged(id, msg.sender, amount, newTotal);
        _pay(c, flags, msg.sender, amount);
    }

    /// @inheritdoc ICrowdfundEscrow
    function refund(uint256 id) external {
        Campaign storage c = _campaigns[id];
        (uint256 word, uint256 pledged, uint256 goal, uint256 deadline, uint8 flags) = _hot(c);
        // A claimed campaign had pledged >= goal, so it never counts as failed here. The
        // expired case is tested last, so that a failed campaign's refund pays nothing for it.
        bool open = flags & _CANCELLED != 0 || (block.timestamp >= deadline && pledged < goal);
        if (!open) {
            // Cannot overflow: deadline < 2^40.
            unchecked {
                open = flags & _CLAIMED == 0 && deadline != 0 && block.timestamp >= deadline + CLAIM_WINDOW;
            }
            if (!open) {
                _existing(id);
                revert RefundsNotOpen(id, _state(c));
            }
        }
        uint256 mine = _pledges[_pledgeKey(id, msg.sender)];
        if (mine == 0) revert NothingToRefund(id, msg.sender);
        _pledges[_pledgeKey(id, msg.sender)] = 0;
        // Cannot underflow: every pledge is part of the total. Keeping the total equal to
        // the sum of the pledges held makes the escrow's debt readable from one field.
        unchecked {
            _storeTotal(c, word, pledged - mine);
        }
        _emitAmount(Refunded.selector, id, msg.sender, mine);
        _pay(c, flags, msg.sender, mine);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc ICrowdfundEscrow
    function campaignCount() external view returns (uint256) {
        return _campaignCount;
    }

    /// @inheritdoc ICrowdfundEscrow
    function getCampaign(uint256 id) external view returns (CampaignView memory) {
        return _view(_existing(id), id);
    }

    /// @inheritdoc ICrowdfundEscrow
    function getCampaigns(uint256 fromId, uint256 count) external view returns (CampaignView[] memory page) {
        if (fromId == 0) revert CampaignNotFound(0);
        uint256 total = _campaignCount;
        uint256 available = fromId > total ? 0 : total - fromId + 1;
        if (count > available) count = available;
        page = new CampaignView[](count);
        // Cannot overflow: fromId + i <= total.
        unchecked {
            for (uint256 i; i < count; ++i) {
                page[i] = _view(_campaigns[fromId + i], fromId + i);
            }
        }
    }

    /// @inheritdoc ICrowdfundEscrow
    function stateOf(uint256 id) external view returns (State) {
        return _state(_existing(id));
    }

    /// @inheritdoc ICrowdfundEscrow
    function pledgeOf(uint256 id, address backer) external view returns (uint256) {
        _existing(id);
        return _pledges[_pledgeKey(id, backer)];
    }

    // --------------------------------------------------------------- internal

    /// @dev claim and claimTo: `to == address(0)` pays the creator.
    function _claim(uint256 id, address to) private {
        Campaign storage c = _campaigns[id];
        (uint256 word, uint256 pledged, uint256 goal, uint256 deadline, uint8 flags) = _hot(c);
        address creator = c.creator;
        if (msg.sender != creator) _revertNotCreator(id, creator);
        if (flags & _CLAIMED != 0) revert AlreadyClaimed(id);
        if (flags & _CANCELLED != 0) revert CampaignIsCancelled(id);
        if (block.timestamp < deadline) revert CampaignNotEnded(id, uint64(deadline), block.timestamp);
        if (pledged < goal) revert GoalNotReached(id, goal, pledged);
        // Cannot overflow: deadline < 2^40.
        unchecked {
            if (block.timestamp >= deadline + CLAIM_WINDOW) {
                revert ClaimWindowClosed(id, uint64(deadline + CLAIM_WINDOW));
            }
        }
        if (to == address(0)) to = creator;
        _storeFlag(c, word, _CLAIMED);
        _emitClaimed(id, creator, to, pledged);
        _pay(c, flags, to, pledged);
    }

    /// @dev Reads slot 0 once and rejects ids that were never created (deadline == 0).
    /// The hot paths read and write slot 0 as one word: the compiler would otherwise read
    /// the slot again before each packed field write.
    /// Existence (deadline != 0) is checked by each caller on its failure path, where an
    /// unknown id would otherwise fail first; views check it up front with `_existing`.
    function _hot(Campaign storage c)
        private
        view
        returns (uint256 word, uint256 pledged, uint256 goal, uint256 deadline, uint8 flags)
    {
        assembly ("memory-safe") {
            word := sload(c.slot)
        }
        pledged = word & _AMOUNT_MASK;
        goal = (word >> _GOAL_SHIFT) & _AMOUNT_MASK;
        deadline = uint40(word >> _DEADLINE_SHIFT);
        flags = uint8(word >> _FLAGS_SHIFT);
    }

    /// @dev Writes slot 0 from a word `_hot` read, with `pledged` replaced.
    function _storeTotal(Campaign storage c, uint256 word, uint256 newTotal) private {
        assembly ("memory-safe") {
            sstore(c.slot, or(and(word, not(_AMOUNT_MASK)), newTotal))
        }
    }

    /// @dev Writes slot 0 from a word `_hot` read, with `flag` set.
    function _storeFlag(Campaign storage c, uint256 word, uint8 flag) private {
        uint256 newWord = word | (uint256(flag) << _FLAGS_SHIFT);
        assembly ("memory-safe") {
            sstore(c.slot, newWord)
        }
    }

    function _onlyCreator(Campaign storage c, uint256 id) private view {
        address creator = c.creator;
        if (msg.sender != creator) _revertNotCreator(id, creator);
    }

    /// @dev An unknown campaign has no creator, so its callers land here too.
    function _revertNotCreator(uint256 id, address creator) private view {
        _existing(id);
        revert NotCreator(id, creator, msg.sender);
    }

    function _existing(uint256 id) private view returns (Campaign storage c) {
        c = _campaigns[id];
        if (c.deadline == 0) revert CampaignNotFound(id);
    }

    function _pledgeKey(uint256 id, address backer) private pure returns (uint256) {
        return (id << 160) | uint256(uint160(backer));
    }

    /// @dev Pledges and unpledges are allowed only while the campaign is Active.
    function _requireOpen(Campaign storage c, uint256 id, uint256 deadline, uint8 flags) private view {
        if (block.timestamp >= deadline) {
            if (deadline == 0) revert CampaignNotFound(id);
            if (flags & _CANCELLED != 0) revert CampaignIsCancelled(id);
            revert PledgesClosed(id, uint64(deadline), block.timestamp);
        }
        // One test for the common case: started at creation and not cancelled.
        if (flags & (_CANCELLED | _DELAYED_START) != 0) {
            if (flags & _CANCELLED != 0) revert CampaignIsCancelled(id);
            uint256 startsAt = c.startsAt;
            if (block.timestamp < startsAt) revert PledgesNotOpen(id, uint64(startsAt), block.timestamp);
        }
    }

    function _pledge(uint256 id, address backer, uint256 amount) private {
        Campaign storage c = _campaigns[id];
        (uint256 word, uint256 pledged,, uint256 deadline, uint8 flags) = _hot(c);
        if (flags & _TOKEN == 0) {
            if (msg.value != amount) revert WrongPaymentValue(amount, msg.value);
            // ETH arrives with the call, so nothing external runs and no guard is needed.
            _credit(c, id, backer, amount, word, pledged, deadline, flags);
        } else {
            if (msg.value != 0) revert WrongPaymentValue(0, msg.value);
            _pledgeToken(c, id, backer, amount);
        }
    }

    /// @dev Books the pledge first, then pulls the tokens and checks that exactly `amount`
    /// arrived. The guard keeps a token's hooks from re-entering between the two balance
    /// reads, which would let one transfer be counted twice.
    function _pledgeToken(Campaign storage c, uint256 id, address backer, uint256 amount) private nonReentrant {
        (uint256 word, uint256 pledged,, uint256 deadline, uint8 flags) = _hot(c);
        _credit(c, id, backer, amount, word, pledged, deadline, flags);
        IERC20 token = IERC20(c.token);
        uint256 balanceBefore = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        uint256 balanceAfter = token.balanceOf(address(this));
        if (balanceAfter < balanceBefore || balanceAfter - balanceBefore != amount) {
            revert TransferAmountMismatch(
                address(token), amount, balanceAfter > balanceBefore ? balanceAfter - balanceBefore : 0
            );
        }
    }

    /// @dev Checks the window and the cap, then adds `amount` to the backer's pledge and to
    /// the campaign's total. Takes slot 0's fields from the caller, which already read them.
    function _credit(
        Campaign storage c,
        uint256 id,
        address backer,
        uint256 amount,
        uint256 word,
        uint256 pledged,
        uint256 deadline,
        uint8 flags
    ) private {
        _requireOpen(c, id, deadline, flags);
        if (amount == 0) revert ZeroAmount();
        uint256 limit = MAX_AMOUNT;
        if (flags & _CAPPED != 0) {
            uint256 cap = c.cap;
            if (cap < limit) limit = cap;
        }
        // pledged <= limit always holds, so the subtraction cannot underflow.
        if (amount > limit - pledged) {
            revert CapExceeded(id, limit, amount > limit ? amount : pledged + amount);
        }
        // Cannot overflow: both sums are bounded by limit <= MAX_AMOUNT.
        unchecked {
            uint256 newTotal = pledged + amount;
            _storeTotal(c, word, newTotal);
            _pledges[_pledgeKey(id, backer)] += amount;
            _emitPledged(id, backer, amount, newTotal);
        }
    }

    /// @dev Sends ETH or the campaign's token, always as the last step of a function, after
    /// every effect is written (checks-effects-interactions). Re-entering from a backer's
    /// `receive()` therefore finds the books already settled. Token transfers run the
    /// token's own code, so they also take the guard: while any token moves in or out, no
    /// other token transfer can start.
    function _pay(Campaign storage c, uint8 flags, address to, uint256 amount) private {
        if (flags & _TOKEN == 0) {
            Address.sendValue(payable(to), amount);
        } else {
            _payToken(IERC20(c.token), to, amount);
        }
    }

    function _payToken(IERC20 token, address to, uint256 amount) private nonReentrant {
        token.safeTransfer(to, amount);
    }

    // The money events are logged from scratch memory: emitting them the usual way
    // allocates memory and re-encodes, which the gas budgets of pledge, claim and refund
    // cannot afford. Each matches its declaration in ICrowdfundEscrow.

    /// @dev emit Pledged(id, backer, msg.sender, amount, newTotal)
    function _emitPledged(uint256 id, address backer, uint256 amount, uint256 newTotal) private {
        bytes32 topic = Pledged.selector;
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, caller())
            mstore(add(m, 0x20), amount)
            mstore(add(m, 0x40), newTotal)
            log3(m, 0x60, topic, id, backer)
        }
    }

    /// @dev emit Claimed(id, creator, to, amount)
    function _emitClaimed(uint256 id, address creator, address to, uint256 amount) private {
        bytes32 topic = Claimed.selector;
        assembly ("memory-safe") {
            mstore(0x00, amount)
            log4(0x00, 0x20, topic, id, creator, to)
        }
    }

    /// @dev emit Refunded(id, backer, amount)
    function _emitAmount(bytes32 topic, uint256 id, address account, uint256 amount) private {
        assembly ("memory-safe") {
            mstore(0x00, amount)
            log3(0x00, 0x20, topic, id, account)
        }
    }

    function _state(Campaign storage c) private view returns (State) {
        uint8 flags = c.flags;
        if (flags & _CLAIMED != 0) return State.Claimed;
        if (flags & _CANCELLED != 0) return State.Cancelled;
        if (block.timestamp < c.startsAt) return State.Upcoming;
        uint256 deadline = c.deadline;
        if (block.timestamp < deadline) return State.Active;
        if (c.pledged < c.goal) return State.Failed;
        // Cannot overflow: deadline < 2^40.
        unchecked {
            return block.timestamp < deadline + CLAIM_WINDOW ? State.Succeeded : State.Expired;
        }
    }

    function _view(Campaign storage c, uint256 id) private view returns (CampaignView memory) {
        uint8 flags = c.flags;
        return CampaignView({
            id: id,
            creator: c.creator,
            token: c.token,
            goal: c.goal,
            cap: c.cap,
            pledged: c.pledged,
            startsAt: c.startsAt,
            deadline: c.deadline,
            state: _state(c),
            claimed: flags & _CLAIMED != 0,
            cancelled: flags & _CANCELLED != 0
        });
    }
}
