// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MerkleLib
/// @notice The two Merkle tree shapes Cairn commits to on L1.
///         - Positional: leaves at fixed indices, an odd node at any level paired with a zero word;
///           used for commitments in a batch, where a fraud proof names the commitment by position.
///         - Sorted-pair: pairs hashed in sorted order, an odd node promoted unhashed; the shape
///           merkletreejs builds with `sortPairs: true` and OpenZeppelin's MerkleProof checks.
library MerkleLib {
    /// @notice Positional root of `leaves`: an odd node at any level is paired with a zero word.
    ///         Overwrites `leaves`.
    /// @param leaves The leaves, in position order; overwritten.
    /// @return The root; zero when there is no leaf.
    function positionalRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        uint256 n = leaves.length;
        if (n == 0) return bytes32(0);
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i = 0; i < half; i++) {
                bytes32 left = leaves[2 * i];
                bytes32 right = 2 * i + 1 < n ? leaves[2 * i + 1] : bytes32(0);
                leaves[i] = _hash(left, right);
            }
            n = half;
        }
        return leaves[0];
    }

    /// @notice Sorted-pair root of `leaves` (merkletreejs `sortPairs: true`); zero when empty.
    ///         Overwrites `leaves`.
    /// @param leaves The leaves (the first `n` count); overwritten.
    /// @param n How many of `leaves` the tree holds: callers fill a preallocated array.
    /// @return The root; zero when `n` is 0.
    function sortedRoot(bytes32[] memory leaves, uint256 n) internal pure returns (bytes32) {
        if (n == 0) return bytes32(0);
        while (n > 1) {
            uint256 half = (n + 1) / 2;
            for (uint256 i = 0; i < half; i++) {
                if (2 * i + 1 < n) {
                    bytes32 a = leaves[2 * i];
                    bytes32 b = leaves[2 * i + 1];
                    leaves[i] = a < b ? _hash(a, b) : _hash(b, a);
                } else {
                    // merkletreejs promotes the odd node of a layer without hashing it.
                    leaves[i] = leaves[2 * i];
                }
            }
            n = half;
        }
        return leaves[0];
    }

    /// @notice keccak256 of two words, hashed in scratch space rather than an abi.encode copy.
    /// @param a The left word.
    /// @param b The right word.
    /// @return h The hash.
    function _hash(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
