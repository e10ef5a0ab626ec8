// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title All-or-nothing crowdfunding escrow
/// @notice Holds any number of campaigns. Backers' money stays here until the campaign
/// either reaches its goal by its deadline (the creator claims it all) or does not, or is
/// cancelled (every backer takes their own pledge back). Nobody but these rules can move it.
/// @dev Campaign ids start at 1. `token == address(0)` means ETH. Amounts are wei or
/// token base units.
interface ICrowdfundEscrow {
    // ------------------------------------------------------------------ types

    /// @notice Where a campaign stands. Derived from the clock and two flags, never stored.
    enum State {
        Upcoming, // created, pledges open at startsAt
        Active, // startsAt <= now < deadline: pledges and unpledges allowed
        Succeeded, // deadline passed with pledged >= goal: the creator may claim for 180 days
        Failed, // deadline passed with pledged < goal: backers may refund
        Cancelled, // the creator cancelled before the deadline: backers may refund
        Claimed, // the creator has taken the funds
        Expired // succeeded but not claimed by deadline + 180 days: backers may refund
    }

    /// @notice One campaign as the views return it.
    struct CampaignView {
        uint256 id;
        address creator;
        address token;
        uint256 goal;
        uint256 cap; // 0: no cap
        uint256 pledged; // sum of the pledges still held for backers (unchanged by the claim)
        uint64 startsAt;
        uint64 deadline;
        State state;
        bool claimed;
        bool cancelled;
    }

    // ----------------------------------------------------------------- events

    /// @notice A campaign was created. `metadataURI` lives only in this event.
    event CampaignCreated(
        uint256 indexed id,
        address indexed creator,
        address indexed token,
        uint256 goal,
        uint256 cap,
        uint64 startsAt,
        uint64 deadline,
        string metadataURI
    );
    /// @notice `payer` pledged `amount` on behalf of `backer`; the campaign now holds `newTotal`.
    event Pledged(uint256 indexed id, address indexed backer, address payer, uint256 amount, uint256 newTotal);
    /// @notice `backer` took `amount` of their pledge back; the campaign now holds `newTotal`.
    event Unpledged(uint256 indexed id, address indexed backer, uint256 amount, uint256 newTotal);
    /// @notice The creator took the campaign's `amount`, paid to `to` (the creator itself
    /// for {claim}).
    event Claimed(uint256 indexed id, address indexed creator, address indexed to, uint256 amount);
    /// @notice `backer` took their whole pledge back from a failed, cancelled or expired campaign.
    event Refunded(uint256 indexed id, address indexed backer, uint256 amount);
    /// @notice The creator cancelled the campaign; refunds are open.
    event Cancelled(uint256 indexed id);
    /// @notice The creator posted an update, published at `uri`.
    event CampaignUpdated(uint256 indexed id, string uri);

    // ----------------------------------------------------------------- errors

    /// @notice No campaign has this id.
    error CampaignNotFound(uint256 id);
    /// @notice A campaign's goal must be above zero.
    error GoalIsZero();
    /// @notice The goal does not fit the escrow's accounting (at most `max` base units).
    error GoalTooLarge(uint256 goal, uint256 max);
    /// @notice A cap, when set, must be at least the goal.
    error CapBelowGoal(uint256 cap, uint256 goal);
    /// @notice A campaign cannot start before the block it is created in.
    error StartInPast(uint64 startsAt, uint256 now);
    /// @notice The deadline must come after the start.
    error DeadlineNotAfterStart(uint64 startsAt, uint64 deadline);
    /// @notice A campaign runs at most `maxDuration` seconds.
    error DurationTooLong(uint64 startsAt, uint64 deadline, uint256 maxDuration);
    /// @notice The token address has no contract code.
    error TokenHasNoCode(address token);
    /// @notice Pledges open at `startsAt`.
    error PledgesNotOpen(uint256 id, uint64 startsAt, uint256 now);
    /// @notice Pledges closed at `deadline`.
    error PledgesClosed(uint256 id, uint64 deadline, uint256 now);
    /// @notice The creator cancelled this campaign.
    error CampaignIsCancelled(uint256 id);
    /// @notice An amount of zero was given where a positive amount is needed.
    error ZeroAmount();
    /// @notice ETH sent with the call differs from what the call needs.
    error WrongPaymentValue(uint256 expected, uint256 sent);
    /// @notice The pledge would take the campaign's total to `wouldBe`, over its `cap`.
    /// @dev When the amount alone exceeds the cap, `wouldBe` is that amount (the sum could
    /// overflow). `cap` is the effective limit: the smaller of the cap and the largest total
    /// the escrow holds.
    error CapExceeded(uint256 id, uint256 cap, uint256 wouldBe);
    /// @notice A pledge cannot be credited to `backer`, which could never take it back (the
    /// zero address or the escrow itself).
    error InvalidBacker(address backer);
    /// @notice The token moved `received` instead of `expected` (fee-on-transfer tokens are refused).
    error TransferAmountMismatch(address token, uint256 expected, uint256 received);
    /// @notice The permit failed and the allowance (`allowance`) does not cover `needed`.
    error PermitFailed(address token, uint256 allowance, uint256 needed);
    /// @notice This campaign takes ETH, so a permit means nothing for it.
    error NotATokenCampaign(uint256 id);
    /// @notice The backer has `pledged` in the campaign, less than the `requested` amount.
    error InsufficientPledge(uint256 id, address backer, uint256 pledged, uint256 requested);
    /// @notice In the last 24 hours (from `lockedFrom`) an unpledge cannot take a total that
    /// reached the goal back below it.
    error GoalLocked(uint256 id, uint256 goal, uint256 wouldBe, uint64 lockedFrom);
    /// @notice Only the campaign's creator may do this.
    error NotCreator(uint256 id, address creator, address caller);
    /// @notice The campaign runs until `deadline`.
    error CampaignNotEnded(uint256 id, uint64 deadline, uint256 now);
    /// @notice The campaign ended with `pledged` of its `goal`.
    error GoalNotReached(uint256 id, uint256 goal, uint256 pledged);
    /// @notice The creator has already claimed this campaign.
    error AlreadyClaimed(uint256 id);
    /// @notice Refunds open only when a campaign failed, was cancelled or expired; it is in `state`.
    error RefundsNotOpen(uint256 id, State state);
    /// @notice The backer holds no pledge in this campaign.
    error NothingToRefund(uint256 id, address backer);
    /// @notice The campaign ended at `deadline`; it can no longer be cancelled.
    error CampaignEnded(uint256 id, uint64 deadline, uint256 now);
    /// @notice The claim window closed at `closedAt` (deadline + 180 days); the campaign is
    /// Expired and its backers may refund.
    error ClaimWindowClosed(uint256 id, uint64 closedAt);
    /// @notice The claim cannot be paid to `to` (the zero address or the escrow itself).
    error InvalidRecipient(address to);

    // --------------------------------------------------------------- creators

    /// @notice Creates a campaign; the caller becomes its creator.
    /// @param token The ERC-20 token pledged, or address(0) for ETH.
    /// @param goal The least total the campaign must reach by its deadline.
    /// @param cap The most it accepts (0: no cap). At least `goal` when set.
    /// @param startsAt When pledges open (0: now). Not in the past.
    /// @param deadline When pledges close. After `startsAt`, at most 366 days later.
    /// @param metadataURI Where the campaign is described (stored in the event only).
    /// @return id The new campaign's id.
    /// @dev Emits a {CampaignCreated} event.
    function createCampaign(
        address token,
        uint256 goal,
        uint256 cap,
        uint64 startsAt,
        uint64 deadline,
        string calldata metadataURI
    ) external returns (uint256 id);

    /// @notice Pays the whole total to the creator once the deadline passed with the goal met.
    /// The claim window runs from the deadline to `deadline + 180 days`, that second
    /// excluded: from then on the campaign is Expired and this reverts with {ClaimWindowClosed}.
    /// @dev Only the creator, only once. Emits a {Claimed} event with `to` the creator.
    function claim(uint256 id) external;

    /// @notice As {claim}, but pays the total to `to` instead of the creator. Reverts with
    /// {InvalidRecipient} for the zero address and for the escrow itself.
    /// @dev Only the creator, only once, within the same claim window. Emits a {Claimed} event.
    function claimTo(uint256 id, address to) external;

    /// @notice Cancels a campaign before its deadline; every backer may then refund.
    /// @dev Only the creator. Emits a {Cancelled} event.
    function cancel(uint256 id) external;

    /// @notice Anchors an update about the campaign on chain.
    /// @dev Only the creator. Emits a {CampaignUpdated} event.
    function postUpdate(uint256 id, string calldata uri) external;

    // ---------------------------------------------------------------- backers

    /// @notice Pledges `amount` to an active campaign. For ETH send exactly `amount`; for a
    /// token approve the escrow first and send no ETH.
    /// @dev Emits a {Pledged} event.
    function pledge(uint256 id, uint256 amount) external payable;

    /// @notice Pledges `amount`, paid by the caller and credited to `backer`; only `backer`
    /// may later unpledge it or take it back in a refund. Reverts with {InvalidBacker} for
    /// the zero address and the escrow itself, which could never take it back.
    /// @dev Emits a {Pledged} event.
    function pledgeFor(uint256 id, address backer, uint256 amount) external payable;

    /// @notice Pledges `amount` of an EIP-2612 token with a signed permit instead of an
    /// approval, in one transaction. Still succeeds when someone already used the same
    /// permit, as long as the allowance is there.
    /// @dev Emits a {Pledged} event.
    function pledgeWithPermit(uint256 id, uint256 amount, uint256 permitDeadline, uint8 v, bytes32 r, bytes32 s)
        external;

    /// @notice Takes `amount` of the caller's pledge back while the campaign is active. In
    /// the last 24 hours it cannot take a total that has reached the goal back below it.
    /// That is the whole guarantee: while the total is below the goal, withdrawals stay
    /// open to the deadline, and two transactions in one block run in the order the block's
    /// builder chose, so a pledge that reaches the goal does not lock an unpledge beside it.
    /// @dev Emits an {Unpledged} event.
    function unpledge(uint256 id, uint256 amount) external;

    /// @notice Pays the caller their whole pledge back from a failed, cancelled or expired
    /// campaign (succeeded but not claimed by `deadline + 180 days`).
    /// @dev Emits a {Refunded} event.
    function refund(uint256 id) external;

    // ------------------------------------------------------------------ views

    /// @notice How many campaigns exist; ids run from 1 to this number.
    function campaignCount() external view returns (uint256);

    /// @notice One campaign. Reverts with {CampaignNotFound} for an unknown id.
    function getCampaign(uint256 id) external view returns (CampaignView memory);

    /// @notice Up to `count` campaigns from `fromId` on (fewer at the end of the list).
    function getCampaigns(uint256 fromId, uint256 count) external view returns (CampaignView[] memory);

    /// @notice Where a campaign stands now.
    function stateOf(uint256 id) external view returns (State);

    /// @notice What `backer` has pledged to campaign `id` and not yet taken back.
    function pledgeOf(uint256 id, address backer) external view returns (uint256);
}
