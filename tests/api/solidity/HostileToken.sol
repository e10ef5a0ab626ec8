// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A token contract written to hurt whoever reads it: depending on `mode`, its
/// metadata answers are empty, megabytes long, garbage, or burn all the gas they are given.
/// Anyone may create a campaign in such a token; the gateway must still answer for it and
/// for every other campaign.
contract HostileToken {
    uint256 public constant EMPTY = 1; // symbol() and decimals() return no data at all
    uint256 public constant HUGE = 2; // a 1 MiB symbol, decimals() = 2**256 - 1
    uint256 public constant BURN = 3; // every call loops until its gas runs out
    uint256 public constant GARBAGE = 4; // a few bytes that decode as nothing
    uint256 public constant TERMINAL = 5; // a symbol with terminal escape codes

    uint256 public immutable mode;

    constructor(uint256 mode_) {
        mode = mode_;
    }

    fallback(bytes calldata) external returns (bytes memory) {
        if (mode == EMPTY) return "";
        if (mode == BURN) {
            uint256 spin;
            while (gasleft() > 0) spin++;
        }
        if (mode == HUGE) {
            if (msg.sig == bytes4(keccak256("decimals()"))) return abi.encode(type(uint256).max);
            bytes memory text = new bytes(1 << 20);
            for (uint256 i = 0; i < text.length; i += 32) text[i] = "A";
            return abi.encode(string(text));
        }
        if (mode == GARBAGE) return hex"deadbeef0102030405";
        if (msg.sig == bytes4(keccak256("decimals()"))) return abi.encode(uint256(6));
        return abi.encode("\x1b[31mUSDC\x1b[0m");
    }
}
