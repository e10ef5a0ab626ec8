// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Test-only: forces its value into `target` without calling it. Since Cancun
/// (EIP-6780) SELFDESTRUCT only deletes a contract created in the same transaction, but it
/// always sends the balance, so doing it in the constructor still force-feeds `target`.
contract ForceFeeder {
    constructor(address payable target) payable {
        selfdestruct(target);
    }
}
