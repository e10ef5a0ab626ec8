// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test-only attacker: calls the escrow as itself (to pledge, create, claim...) and,
/// when armed, re-enters the escrow with a chosen call from `receive()` every time it is
/// paid, recording what each re-entry returned.
contract ReentrantBacker {
    struct Attempt {
        bool ok;
        bytes result;
    }

    address public immutable escrow;
    bytes public reentryData;
    uint256 public reentriesLeft;
    uint256 public totalReceived;
    Attempt[] private _attempts;

    constructor(address escrow_) {
        escrow = escrow_;
    }

    /// @notice Re-enter with `data` on each of the next `times` payments.
    function arm(bytes calldata data, uint256 times) external {
        reentryData = data;
        reentriesLeft = times;
    }

    /// @notice Call the escrow as this contract, forwarding the ETH sent; bubbles reverts.
    function act(bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = escrow.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    receive() external payable {
        totalReceived += msg.value;
        if (reentriesLeft > 0) {
            --reentriesLeft;
            (bool ok, bytes memory result) = escrow.call(reentryData);
            _attempts.push(Attempt(ok, result));
        }
    }

    function attemptCount() external view returns (uint256) {
        return _attempts.length;
    }

    function attempt(uint256 i) external view returns (bool ok, bytes memory result) {
        Attempt storage a = _attempts[i];
        return (a.ok, a.result);
    }
}
