// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 whose transfers can start burning `feeBps` of each amount at any
/// time, e.g. after the escrow accepted plain pledges: the recipient then gets less than the
/// amount named, while the sender loses the whole amount.
contract FeeSwitchToken is ERC20 {
    uint256 public feeBps;

    constructor() ERC20("Fee Switch Token", "FST") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setFeeBps(uint256 feeBps_) external {
        feeBps = feeBps_;
    }

    function _update(address from, address to, uint256 value) internal override {
        uint256 fee = value * feeBps / 10_000;
        if (from == address(0) || to == address(0) || fee == 0) {
            super._update(from, to, value);
            return;
        }
        super._update(from, to, value - fee);
        super._update(from, address(0), fee);
    }
}
