// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A token of the early kind (MKR, SAI): its symbol is a bytes32 and it has no
/// decimals(). Only its metadata matters to the tests that use it.
contract Bytes32SymbolToken {
    bytes32 public constant symbol = "OLD";
}
