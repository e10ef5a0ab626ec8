// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICrowdfundEscrow} from "./ICrowdfundEscrow.sol";

/// @title Milestone vault over the crowdfunding escrow
/// @notice A creator who wants backers' trust creates the campaign through the vault. The
/// vault is the campaign's creator in the escrow, claims the funds once the campaign has
/// succeeded and pays the real creator in tranches on a schedule fixed at creation. Backers
/// pledge, unpledge and (if the campaign fails or is cancelled) refund in the escrow exactly
/// as for any campaign. Once it succeeded, backers holding more than half of the pledged
/// total can halt it for good by objecting: the tranches not yet due then go back to them.
/// A tranche not released within 180 days of falling due lapses: what the creator could
/// still have been paid goes back to the backers, so no money stays in the vault for good.
/// No owner, no admin, no fee, no upgrade.
/// @dev Campaign ids are the escrow's. `token == address(0)` means ETH. Amounts are wei or
/// token base units. Shares are in basis points (10,000 = the whole).
interface IMilestoneVault {
    // ------------------------------------------------------------------ types

    /// @notice One vault campaign as {getCampaign} returns it.
    struct VaultCampaignView {
        uint256 id;
        address creator; // the real creator, paid the tranches
        address token; // address(0): ETH
        uint64 deadline; // the escrow's deadline
        uint64[] releaseAt; // when each tranche is due (the first may be the deadline)
        uint16[] shareBps; // each tranche's share of the collected funds
        uint256 paidTranches; // how many tranches, from the first, have been paid
        bool collected; // whether the vault has claimed the funds from the escrow
        uint256 pledged; // the escrow's total, known once claimed or first objected to
        uint256 received; // what the vault received from the escrow (equal to `pledged` unless the token fell short)
        uint256 released; // paid to the creator so far
        uint256 objections; // sum of the pledges of the backers objecting
        uint64 haltedAt; // 0: not halted
        uint64 releaseClosesAt; // collected: when the first unpaid tranche the creator may still be paid stops being payable (0: none)
        bool lapsed; // collected and past `releaseClosesAt`: the tranches still owed to the creator are the backers'
        uint256 refundable; // collected: what the backers share (halted: received less the tranches due at the halt; lapsed: received less released)
        uint256 refunded; // paid back to backers so far
    }

    // ----------------------------------------------------------------- events

    /// @notice Campaign `id` was created through the vault for `creator`. `releaseAt` is as
    /// given (a first entry of 0 means `deadline`); the escrow's {CampaignCreated} event of the
    /// same transaction holds the rest of the campaign.
    event VaultCampaignCreated(
        uint256 indexed id,
        address indexed creator,
        address indexed token,
        uint64 deadline,
        uint64[] releaseAt,
        uint16[] shareBps
    );
    /// @notice The vault claimed campaign `id` from the escrow: the escrow paid `pledged`,
    /// the vault received `received` (less for a token that takes a fee on transfers).
    event Collected(uint256 indexed id, uint256 pledged, uint256 received);
    /// @notice `amount` was paid to `creator`; tranches 0 to `paidTranches - 1` are now paid.
    event Released(uint256 indexed id, address indexed creator, uint256 amount, uint256 paidTranches);
    /// @notice `backer` objected with a weight of `weight` (its pledge); objections now total `objections`.
    event Objected(uint256 indexed id, address indexed backer, uint256 weight, uint256 objections);
    /// @notice `backer` withdrew its objection of `weight`; objections now total `objections`.
    event ObjectionWithdrawn(uint256 indexed id, address indexed backer, uint256 weight, uint256 objections);
    /// @notice Objections (`objections`) exceeded half of `pledged`: the campaign is halted for
    /// good at `haltedAt`. Tranches due at or before it still go to the creator, none after.
    event Halted(uint256 indexed id, uint64 haltedAt, uint256 objections, uint256 pledged);
    /// @notice Tranche `tranche` was not released by `closedAt`, 180 days after it fell due:
    /// it and every later tranche the creator could still have been paid (all of them; on a
    /// halted campaign, those due at the halt) lapse, and `amount` goes back to the backers.
    event ReleaseLapsed(uint256 indexed id, uint256 tranche, uint64 closedAt, uint256 amount);
    /// @notice `backer` (who had pledged `pledge`) took back `amount`, its share of what the
    /// halted or lapsed campaign had not released.
    event RefundPaid(uint256 indexed id, address indexed backer, uint256 pledge, uint256 amount);

    // ----------------------------------------------------------------- errors

    /// @notice The campaign `id` was not created through this vault.
    error NotAVaultCampaign(uint256 id);
    /// @notice Only the campaign's creator may do this.
    error NotCreator(uint256 id, address creator, address caller);
    /// @notice A schedule has 1 to `max` tranches; `count` were given.
    error TrancheCountInvalid(uint256 count, uint256 max);
    /// @notice `releaseAt` and `shareBps` must have the same length.
    error ScheduleLengthMismatch(uint256 releaseAtLength, uint256 shareBpsLength);
    /// @notice Tranche `index` is due at `releaseAt`, outside `[earliest, latest]`: the times
    /// strictly increase, come after the deadline (only the first may be 0, meaning the
    /// deadline) and at most five years after it.
    error ReleaseTimeInvalid(uint256 index, uint64 releaseAt, uint256 earliest, uint256 latest);
    /// @notice Tranche `index` has a share of zero.
    error ShareIsZero(uint256 index);
    /// @notice The shares add up to `sum` basis points instead of `expected` (10,000).
    error ShareSumInvalid(uint256 sum, uint256 expected);
    /// @notice Nothing is due to the creator now; the next tranche is due at `nextReleaseAt`
    /// (0: none is left to pay).
    error NothingToRelease(uint256 id, uint64 nextReleaseAt);
    /// @notice The campaign has not succeeded in the escrow; it is in escrow state `state`.
    error CampaignNotSucceeded(uint256 id, ICrowdfundEscrow.State state);
    /// @notice `account` holds no pledge in the campaign.
    error NotABacker(uint256 id, address account);
    /// @notice `backer` already objects to the campaign.
    error AlreadyObjected(uint256 id, address backer);
    /// @notice `backer` has no objection to withdraw.
    error NoObjection(uint256 id, address backer);
    /// @notice Every tranche was due by `lastReleaseAt`: there is nothing left to object to.
    error NoTrancheToCome(uint256 id, uint64 lastReleaseAt);
    /// @notice The campaign was halted at `haltedAt`; objections are closed for good.
    error CampaignHalted(uint256 id, uint64 haltedAt);
    /// @notice Refunds from the vault open only once the campaign is halted, or once a
    /// tranche due to the creator has waited 180 days unreleased.
    error NotRefundable(uint256 id);
    /// @notice Tranche `tranche` was due and not released by `closedAt`: it lapsed, and what
    /// the creator could still have been paid is the backers' to refund.
    error ReleaseWindowClosed(uint256 id, uint256 tranche, uint64 closedAt);
    /// @notice Tranches may not be paid to `to`: the zero address, the vault or the escrow,
    /// where nobody could take them out.
    error InvalidPayee(address to);
    /// @notice `backer` has already taken its refund.
    error AlreadyRefunded(uint256 id, address backer);
    /// @notice The vault takes ETH only from the escrow; `sender` sent some.
    error PaymentNotFromEscrow(address sender);

    // --------------------------------------------------------------- creators

    /// @notice Creates a campaign in the escrow with the vault as its creator, and the
    /// caller as the creator paid by the vault, on the schedule given.
    /// @param token The ERC-20 token pledged, or address(0) for ETH.
    /// @param goal The least total the campaign must reach by its deadline.
    /// @param cap The most it accepts (0: no cap). At least `goal` when set.
    /// @param startsAt When pledges open (0: now).
    /// @param deadline When pledges close.
    /// @param metadataURI Where the campaign is described (in the escrow's event only).
    /// @param releaseAt When each tranche is due: 1 to 12 times, strictly increasing, after
    /// the deadline and at most five years after it; the first may be 0, meaning the deadline.
    /// @param shareBps Each tranche's share in basis points, none zero, adding up to 10,000.
    /// @return id The campaign's id in the escrow.
    /// @dev The escrow checks everything but the schedule, with its own errors. Emits the
    /// escrow's {CampaignCreated} (creator: the vault) and a {VaultCampaignCreated} event.
    function createCampaign(
        address token,
        uint256 goal,
        uint256 cap,
        uint64 startsAt,
        uint64 deadline,
        string calldata metadataURI,
        uint64[] calldata releaseAt,
        uint16[] calldata shareBps
    ) external returns (uint256 id);

    /// @notice Pays the creator every tranche that is due and not yet paid. Anyone may call
    /// it. The first call after a successful deadline claims the funds from the escrow,
    /// which allows that only within 180 days of the deadline: if neither this nor
    /// {refund} has been called by then, the campaign is Expired in the escrow and every
    /// backer takes its whole pledge back there.
    /// Each tranche must be released within 180 days of falling due: past that it lapses
    /// (see {refund}) and this reverts with {ReleaseWindowClosed}.
    /// @dev Before the claim the escrow's rules apply, with its errors (CampaignNotEnded,
    /// GoalNotReached, CampaignIsCancelled, ClaimWindowClosed). Emits {Collected} on the
    /// claim and {Released} when something is paid; reverts with {NothingToRelease} when
    /// the call would do neither.
    function release(uint256 id) external;

    /// @notice {release}, paying `to` instead of the creator: for a creator that cannot
    /// receive at its own address (a contract refusing ETH, an address a token refuses).
    /// Only the creator. Not to the zero address, the vault or the escrow ({InvalidPayee}).
    /// @dev Emits {Released} with `to` as its `creator` field.
    function releaseTo(uint256 id, address to) external;

    /// @notice Cancels the campaign in the escrow before its deadline; backers then refund
    /// there. Only the creator.
    /// @dev Emits the escrow's {Cancelled} event.
    function cancel(uint256 id) external;

    /// @notice Anchors an update about the campaign on chain. Only the creator.
    /// @dev Emits the escrow's {CampaignUpdated} event.
    function postUpdate(uint256 id, string calldata uri) external;

    // ---------------------------------------------------------------- backers

    /// @notice Objects to the rest of a succeeded campaign's schedule, with the caller's
    /// pledge as its weight. Possible while the campaign is not halted and a tranche is still
    /// to come (due after now). When objections exceed half of the pledged total the
    /// campaign halts for good: tranches due at or before that moment still go to the
    /// creator, none after, and backers take back the rest with {refund}.
    /// @dev Emits {Objected}, and {Halted} when the objection halts the campaign.
    function object(uint256 id) external;

    /// @notice Withdraws the caller's objection while the campaign is not halted.
    /// @dev Emits {ObjectionWithdrawn}.
    function withdrawObjection(uint256 id) external;

    /// @notice Pays the caller its pledge's part of what the backers share, rounded down:
    /// on a halted campaign, what the vault received less the tranches due at the halt; once
    /// a tranche lapsed (not released within 180 days of falling due), everything not
    /// released. A backer refunds once, and once more if tranches due at a halt lapse after
    /// it refunded. Each refund is taken from what is still left, so a backer gets at least
    /// its rounded-down part, and the last backer to refund takes exactly what is left: no
    /// rounding dust stays in the vault. On a halted campaign the first refund (or release)
    /// claims the funds from the escrow, which must happen within 180 days of the deadline
    /// (see {release}).
    /// @dev Emits {RefundPaid}, {Collected} if it claims and {ReleaseLapsed} if it is the
    /// first call after a lapse. Reverts with {NotRefundable} before a halt or a lapse.
    function refund(uint256 id) external;

    // ------------------------------------------------------------------ views

    /// @notice The escrow this vault creates campaigns in.
    function escrow() external view returns (address);

    /// @notice A vault campaign. Reverts with {NotAVaultCampaign} for any other id.
    function getCampaign(uint256 id) external view returns (VaultCampaignView memory);

    /// @notice The weight of `backer`'s objection (0: none).
    function objectionOf(uint256 id, address backer) external view returns (uint256);

    /// @notice Whether `backer` has taken its refund (its first, when tranches due at a halt
    /// lapse later), and how much it was paid in all.
    function refundOf(uint256 id, address backer) external view returns (bool refunded, uint256 amount);
}
