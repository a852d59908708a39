// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBridge} from "../interfaces/IBridge.sol";

/// @notice Registers junk tokens with the Bridge as cheaply as an attacker could, many a
///         transaction, to measure what exhausting the token id space costs (docs/trust-model.md)
///         and to test the Bridge past the old 256-token limit.
contract TokenFlooder {
    IBridge private immutable bridge;

    constructor(IBridge bridge_) {
        bridge = bridge_;
    }

    /// @notice Deploys `count` contracts whose code is one STOP byte (code the Bridge accepts, no
    ///         metadata) without registering them.
    /// @return made Their addresses.
    function deployJunk(uint256 count) external returns (address[] memory made) {
        made = new address[](count);
        for (uint256 i = 0; i < count; i++) {
            address a;
            assembly ("memory-safe") {
                // Init code: copy the byte after it (0x00, STOP) into memory and return it.
                mstore(0, 0x6001600c60003960016000f30000000000000000000000000000000000000000)
                a := create(0, 0, 13)
            }
            made[i] = a;
        }
    }

    /// @notice Registers every address of `tokens` (contracts that already exist, as an
    ///         attacker would pick from L1's millions).
    function registerAll(address[] calldata tokens) external {
        for (uint256 i = 0; i < tokens.length; i++) {
            bridge.registerToken(tokens[i]);
        }
    }
}
