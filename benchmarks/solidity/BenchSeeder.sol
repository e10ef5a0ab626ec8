// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ICrowdfundEscrow} from "../../contracts/interfaces/ICrowdfundEscrow.sol";

/// @title BenchSeeder
/// @notice Seeds the escrow for the gateway's scale benchmark: many campaigns or many
/// pledges per transaction, through the escrow's public entry points only. Campaigns it
/// creates have this contract as their creator; pledges are made for backers derived from
/// a number, so that a million of them cost no keys and no accounts.
/// @dev Not part of the product: compiled and deployed by benchmarks/api_scale.py only.
contract BenchSeeder {
    ICrowdfundEscrow public immutable escrow;

    constructor(ICrowdfundEscrow escrow_) {
        escrow = escrow_;
    }

    /// @notice Creates `count` ETH campaigns with the same goal, deadline and link.
    function createMany(uint256 count, uint256 goal, uint64 deadline, string calldata uri) external {
        for (uint256 i = 0; i < count; ++i) {
            escrow.createCampaign(address(0), goal, 0, 0, deadline, uri);
        }
    }

    /// @notice Posts `count` updates to a campaign this contract created.
    function updateMany(uint256 id, uint256 count, string calldata uri) external {
        for (uint256 i = 0; i < count; ++i) {
            escrow.postUpdate(id, uri);
        }
    }

    /// @notice Pledges `amount` wei `count` times, the n-th of them (n counted from `first`)
    /// to campaign 1 + (n * 7919) % campaigns by backer n % backers: consecutive pledges land
    /// on campaigns far apart, as they do when many people back many campaigns at once.
    /// @dev msg.value must be count * amount; every pledge forwards its own amount.
    function pledgeMany(uint256 first, uint256 count, uint256 campaigns, uint256 backers, uint256 amount)
        external
        payable
    {
        require(msg.value == count * amount, "value");
        for (uint256 n = first; n < first + count; ++n) {
            // A backer's address is a number: nothing ever needs its key.
            address backer = address((uint160(0xBAC) << 148) + uint160(n % backers));
            escrow.pledgeFor{value: amount}(1 + (n * 7919) % campaigns, backer, amount);
        }
    }
}
