// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Merkle walks over the positional trees a step proves (code chunks, memory, storage, warm set)
/// @notice Every tree is binary, keccak256(left ‖ right), with a fixed depth and the empty leaf 0;
///         an empty subtree of height h is Z(h) = keccak(Z(h-1) ‖ Z(h-1)). Empty siblings are not
///         sent: bit i of `emptyMask` says the sibling at level i (0 = beside the leaf) is Z(i).
library EvmTrees {
    struct Leaf {
        bytes32 value;
        uint256 emptyMask;
        bytes32[] siblings; // the non-empty siblings, leaf level first
    }

    /// @param tree which tree (1 code, 2 memory, 3 storage, 4 warm, 5 original, 6 calldata) the proof was for
    error LeafRootMismatch(uint8 tree, uint256 index, bytes32 expected, bytes32 computed);
    error SiblingCount(uint8 tree, uint256 given, uint256 used);

    uint8 internal constant CODE = 1;
    uint8 internal constant MEMORY = 2;
    uint8 internal constant STORAGE = 3;
    uint8 internal constant WARM = 4;
    uint8 internal constant ORIGINAL = 5;
    uint8 internal constant CALLDATA = 6;

    uint256 internal constant CODE_DEPTH = 11;
    uint256 internal constant MEMORY_DEPTH = 17;
    /// @dev 2^11 words = 65,536 bytes: above the 65,000-byte transaction Cairn's intake accepts.
    uint256 internal constant CALLDATA_DEPTH = 11;
    uint256 internal constant STORAGE_DEPTH = 256;

    /// @dev Checks `leaf.value` at `index` under `root` and returns the root with `newValue` there
    ///      instead: one walk computes both, as the siblings are shared.
    function update(Leaf calldata leaf, uint8 tree, bytes32 root, uint256 index, uint256 depth, bytes32 newValue)
        internal
        pure
        returns (bytes32 newRoot)
    {
        bytes32 oldRoot = leaf.value;
        newRoot = newValue;
        bytes32 z; // Z(i)
        uint256 used;
        uint256 mask = leaf.emptyMask;
        uint256 given = leaf.siblings.length;
        for (uint256 i; i < depth; ++i) {
            bytes32 sib;
            if ((mask >> i) & 1 == 1) {
                sib = z;
            } else {
                if (used == given) revert SiblingCount(tree, given, used + 1);
                sib = leaf.siblings[used++];
            }
            if ((index >> i) & 1 == 1) {
                oldRoot = _node(sib, oldRoot);
                newRoot = _node(sib, newRoot);
            } else {
                oldRoot = _node(oldRoot, sib);
                newRoot = _node(newRoot, sib);
            }
            z = _node(z, z);
        }
        if (used != given) revert SiblingCount(tree, given, used);
        if (oldRoot != root) revert LeafRootMismatch(tree, index, root, oldRoot);
    }

    /// @dev Checks `leaf.value` at `index` under `root`.
    function verify(Leaf calldata leaf, uint8 tree, bytes32 root, uint256 index, uint256 depth) internal pure {
        update(leaf, tree, root, index, depth, leaf.value);
    }

    function _node(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
