// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title DemoToken
/// @notice The ERC-20 of the local demo chain (`make run`, `crowdfund demo`): an
/// OpenZeppelin ERC-20 with EIP-2612 permits whose `mint` is open to anyone.
/// @dev Never deploy it on a shared network: anyone can mint any amount. It lives under
/// contracts/ only so that brownie compiles it with the pinned compiler and the package
/// ships its artifact (crowdfund/artifacts/DemoToken.json) for the demo to deploy.
contract DemoToken is ERC20, ERC20Permit {
    uint8 private immutable _decimals;

    constructor(string memory name, string memory symbol, uint8 decimals_) ERC20(name, symbol) ERC20Permit(name) {
        _decimals = decimals_;
    }

    /// @notice The token's decimals, as given to the constructor.
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` to `to`, for anyone: demo money, worth nothing.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
