// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Test-only ERC-20 with an ERC-777-style hook: when armed, the next transfer into
/// (or out of) the watched address first makes an arbitrary call as the token contract,
/// e.g. re-entering the escrow. The token can also act as a backer itself (`execute`).
contract HookToken is ERC20 {
    enum When {
        Never,
        Incoming,
        Outgoing
    }

    address public immutable watched;
    When public when;
    address public hookTarget;
    bytes public hookData;
    bool public bubble;
    uint256 public hookCalls;
    bool public lastOk;
    bytes public lastResult;

    constructor(address watched_) ERC20("Hook Token", "HOOK") {
        watched = watched_;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Fire `data` at `target` once, on the next transfer into (Incoming) or out of
    /// (Outgoing) the watched address. With `bubble_`, a failed hook call fails the transfer.
    function arm(When when_, address target, bytes calldata data, bool bubble_) external {
        when = when_;
        hookTarget = target;
        hookData = data;
        bubble = bubble_;
    }

    /// @notice Make any call as the token contract itself; bubbles reverts.
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    function _update(address from, address to, uint256 value) internal override {
        When w = when;
        if ((w == When.Incoming && to == watched) || (w == When.Outgoing && from == watched)) {
            when = When.Never; // once per arming
            ++hookCalls;
            (bool ok, bytes memory result) = hookTarget.call(hookData);
            lastOk = ok;
            lastResult = result;
            if (!ok && bubble) {
                assembly ("memory-safe") {
                    revert(add(result, 0x20), mload(result))
                }
            }
        }
        super._update(from, to, value);
    }
}
