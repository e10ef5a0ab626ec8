// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A token contract whose answers no reader should trust: a symbol too long to be
/// one, a decimals() far beyond uint8, and balance reads that revert. Anyone may create a
/// campaign in it; the CLI and the gateway must still answer for every other campaign.
contract OddToken {
    function symbol() external pure returns (string memory) {
        return "THIS-IS-NOT-A-TICKER-SYMBOL-BUT-A-SENTENCE-THAT-GOES-ON-AND-ON-FOR-A-HUNDRED-CHARACTERS";
    }

    function decimals() external pure returns (uint256) {
        return 2 ** 255;
    }

    function balanceOf(address) external pure returns (uint256) {
        revert("no balances here");
    }

    function allowance(address, address) external pure returns (uint256) {
        revert("no allowances here");
    }
}
