// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MultiProof} from "../libraries/MultiProof.sol";

/// @notice Exposes MultiProof so tests can hold it against src/core/multiproof.ts. Compiled as
///         the FraudVerifier is (hardhat.config.ts): the library is inlined there, and the legacy
///         pipeline runs out of stack for it.
contract MultiProofHarness {
    /// @notice MultiProof.root over a tree of `depth` (siblings concatenated in `proof`).
    function root(uint256 depth, uint256[] memory indices, bytes32[] memory leaves, bytes calldata proof, bytes calldata zeroFlags)
        external
        pure
        returns (bytes32)
    {
        return MultiProof.root(depth, indices, leaves, proof, zeroFlags, MultiProof.zeroHashes(depth));
    }
}
