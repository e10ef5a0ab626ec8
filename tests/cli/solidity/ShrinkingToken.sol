// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 whose owner can cut any holder's balance: a token that rebases
/// down, or whose issuer seizes funds. Transfers are plain, so the escrow takes pledges in
/// it; `crowdfund audit` must then see the escrow hold less than it owes.
contract ShrinkingToken is ERC20 {
    address public immutable owner;

    constructor() ERC20("Shrinking Token", "SHR") {
        owner = msg.sender;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Takes `amount` from `holder`'s balance, nobody asked.
    function shrink(address holder, uint256 amount) external {
        require(msg.sender == owner, "owner only");
        _burn(holder, amount);
    }
}
