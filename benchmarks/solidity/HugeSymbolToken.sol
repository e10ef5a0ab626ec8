// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title HugeSymbolToken
/// @notice A token whose `symbol()` answers a whole megabyte: what a hostile token can make
/// every reader of its metadata download. Campaigns in it need no balances, so it has none.
/// @dev Not part of the product: deployed by benchmarks/api_memory.py only.
contract HugeSymbolToken {
    uint256 public constant SYMBOL_BYTES = 1 << 20;

    function symbol() external pure returns (string memory s) {
        s = new string(SYMBOL_BYTES);
        assembly ("memory-safe") {
            let word := 0x4141414141414141414141414141414141414141414141414141414141414141 // "AAAA…"
            for { let p := add(s, 0x20) } lt(p, add(add(s, 0x20), SYMBOL_BYTES)) { p := add(p, 0x20) } {
                mstore(p, word)
            }
        }
    }

    function decimals() external pure returns (uint8) {
        return 18;
    }
}
