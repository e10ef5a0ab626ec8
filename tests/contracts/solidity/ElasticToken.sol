// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 whose transfers change the recipient's balance by the amount plus
/// a signed `delta` (minted to or burned from the recipient), to model rebasing or
/// misreporting tokens that deliver more, or even less than nothing.
contract ElasticToken is ERC20 {
    int256 public delta;

    constructor() ERC20("Elastic Token", "ELA") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setDelta(int256 delta_) external {
        delta = delta_;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from == address(0) || to == address(0) || delta == 0) return;
        if (delta > 0) _mint(to, uint256(delta));
        else _burn(to, uint256(-delta));
    }
}
