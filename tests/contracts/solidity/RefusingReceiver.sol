// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test-only backer whose `receive()` accepts, reverts, or burns all the gas it is
/// given (the INVALID opcode consumes every unit of gas forwarded to it).
contract RefusingReceiver {
    enum Mode {
        Accept,
        Revert,
        BurnGas
    }

    error NoThanks();

    Mode public mode;

    function setMode(Mode m) external {
        mode = m;
    }

    /// @notice Call `target` as this contract, forwarding the ETH sent; bubbles reverts.
    function act(address target, bytes calldata data) external payable returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    receive() external payable {
        if (mode == Mode.Revert) revert NoThanks();
        if (mode == Mode.BurnGas) {
            assembly {
                invalid()
            }
        }
    }
}
