// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MultiProof} from "../libraries/MultiProof.sol";

/// @notice Exposes MultiProof so tests can hold it against src/core/multiproof.ts. Compiled as
///         the FraudVerifier is (hardhat.config.ts): the library is inlined there, and the legacy
///         pipeline runs out of stack for it.
contract MultiProofHarness {
    /// @notice MultiProof.roots over a tree of `depth` (siblings concatenated in `proof`).
    /// @param depth The tree's depth.
    /// @param indices The leaves' positions.
    /// @param preLeaves The first tree's leaves.
    /// @param postLeaves The second tree's leaves.
    /// @param proof The siblings that are not zero hashes.
    /// @param zeroFlags The zero-hash flags.
    /// @return pre The first tree's root.
    /// @return post The second tree's root.
    function roots(
        uint256 depth,
        uint256[] memory indices,
        bytes32[] memory preLeaves,
        bytes32[] memory postLeaves,
        bytes calldata proof,
        bytes calldata zeroFlags
    ) external pure returns (bytes32 pre, bytes32 post) {
        return MultiProof.roots(depth, indices, preLeaves, postLeaves, proof, zeroFlags, MultiProof.zeroHashes(depth));
    }

    /// @notice MultiProof.roots with the same leaves twice: the root they give.
    /// @param depth The tree's depth.
    /// @param indices The leaves' positions.
    /// @param leaves The leaves.
    /// @param proof The siblings that are not zero hashes.
    /// @param zeroFlags The zero-hash flags.
    /// @return The root.
    function root(uint256 depth, uint256[] memory indices, bytes32[] memory leaves, bytes calldata proof, bytes calldata zeroFlags)
        external
        pure
        returns (bytes32)
    {
        (bytes32 pre, bytes32 post) = MultiProof.roots(depth, indices, leaves, leaves, proof, zeroFlags, MultiProof.zeroHashes(depth));
        require(pre == post, "MultiProofHarness: one tree, two roots");
        return pre;
    }
}
