// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MultiProof} from "../libraries/MultiProof.sol";

/// @notice Review harness (test only): MultiProof.leafRoots directly, and MultiProof.roots run
///         on dirty memory past the free pointer, twice in a row, with its inputs and the zero
///         table checked unchanged afterwards.
contract WalkReviewHarness {
    /// @notice MultiProof.leafRoots with the zero table of `depth`.
    function leafRoots(uint256 depth, uint256 index, bytes32 preLeaf, bytes32 postLeaf, bytes calldata proof, bytes calldata zeroFlags)
        external
        pure
        returns (bytes32 pre, bytes32 post)
    {
        return MultiProof.leafRoots(depth, index, preLeaf, postLeaf, proof, zeroFlags, MultiProof.zeroHashes(depth));
    }

    /// @notice Fills `words` words past the free pointer with `junk`, then runs MultiProof.roots.
    ///         Returns the roots, whether the inputs and the zero table are unchanged, and whether
    ///         the free pointer moved.
    function dirtyRoots(
        uint256 depth,
        uint256[] memory indices,
        bytes32[] memory preLeaves,
        bytes32[] memory postLeaves,
        bytes calldata proof,
        bytes calldata zeroFlags,
        uint256 words,
        bytes32 junk
    ) external pure returns (bytes32 pre, bytes32 post, bool intact, bool freeUnmoved) {
        bytes32[] memory zero = MultiProof.zeroHashes(depth);
        bytes32 before = keccak256(abi.encode(indices, preLeaves, postLeaves, zero));
        uint256 fmpBefore;
        assembly ("memory-safe") {
            fmpBefore := mload(0x40)
            for { let i := 0 } lt(i, words) { i := add(i, 1) } { mstore(add(fmpBefore, shl(5, i)), junk) }
        }
        (pre, post) = MultiProof.roots(depth, indices, preLeaves, postLeaves, proof, zeroFlags, zero);
        uint256 fmpAfter;
        assembly ("memory-safe") {
            fmpAfter := mload(0x40)
        }
        freeUnmoved = fmpAfter == fmpBefore;
        intact = keccak256(abi.encode(indices, preLeaves, postLeaves, zero)) == before;
    }

    /// @notice Two walks back to back (the second on the first's leftovers), and a fresh array
    ///         allocated after them: it must read zero.
    function twice(
        uint256 depth,
        uint256[] memory indicesA,
        bytes32[] memory leavesA,
        bytes calldata proofA,
        bytes calldata flagsA,
        uint256[] memory indicesB,
        bytes32[] memory leavesB,
        bytes calldata proofB,
        bytes calldata flagsB
    ) external pure returns (bytes32 a, bytes32 b, bool freshZero) {
        bytes32[] memory zero = MultiProof.zeroHashes(depth);
        (a,) = MultiProof.roots(depth, indicesA, leavesA, leavesA, proofA, flagsA, zero);
        (b,) = MultiProof.roots(depth, indicesB, leavesB, leavesB, proofB, flagsB, zero);
        uint256[] memory fresh = new uint256[](indicesA.length * 3 + 64);
        freshZero = true;
        for (uint256 i = 0; i < fresh.length; i++) if (fresh[i] != 0) freshZero = false;
    }
}
