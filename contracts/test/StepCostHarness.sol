// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title StepCostHarness
/// @notice For `npm run bench:evm` only: the L1 gas of the Merkle walks a one-step proof of an
///         EVM step would make, so docs/design/evm.md bounds the worst step with measured parts.
///         `pathRoot` hashes a leaf up a binary tree of any depth, every sibling sent (the worst
///         case: no empty subtree to skip), as a storage slot's path of depth 256 would be.
contract StepCostHarness {
    /// @notice The root of `leaf` at position `key` with `siblings` from the bottom up.
    /// @param leaf The leaf.
    /// @param key The position (bit i chooses the side at level i).
    /// @param siblings One per level.
    /// @return root The root.
    function pathRoot(bytes32 leaf, uint256 key, bytes32[] calldata siblings) external pure returns (bytes32 root) {
        assembly ("memory-safe") {
            root := leaf
            let n := siblings.length
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let s := calldataload(add(siblings.offset, shl(5, i)))
                switch and(shr(i, key), 1)
                case 0 { mstore(0, root) mstore(32, s) }
                default { mstore(0, s) mstore(32, root) }
                root := keccak256(0, 64)
            }
        }
    }
}
