// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MultiProof
/// @notice Root of a positional Merkle tree from several leaves at once and the siblings they
///         need. Fraud proofs run it twice over the same siblings: with the pre-state leaves
///         (it must give the pre-state root) and with the replayed leaves (the post-state root).
///         Siblings that are empty subtrees are not sent: bit k of `zeroFlags` (LSB first) says
///         the k-th sibling the walk needs is the zero hash of its level. `src/core/multiproof.ts`
///         builds proofs for exactly this walk.
library MultiProof {
    /// @notice Leaf indices must be strictly increasing and inside the tree.
    error MultiProofBadIndices();
    /// @notice The proof has fewer siblings than the walk needs, or more (`proof` holds 32-byte
    ///         siblings back to back).
    error MultiProofWrongLength(uint256 used, uint256 given);

    /// @notice zero[l] is the root of an empty subtree of height l.
    /// @param depth The tree's depth.
    /// @return zero The zero hashes of every level, 0 to `depth`.
    function zeroHashes(uint256 depth) internal pure returns (bytes32[] memory zero) {
        zero = new bytes32[](depth + 1);
        // Hashed in the scratch space: abi.encodePacked would allocate 96 bytes a level, never
        // freed, and every later allocation of the proof pays for the larger memory.
        assembly ("memory-safe") {
            let node := 0
            for { let l := 1 } iszero(gt(l, depth)) { l := add(l, 1) } {
                mstore(0x00, node)
                mstore(0x20, node)
                node := keccak256(0x00, 0x40)
                mstore(add(zero, shl(5, add(l, 1))), node)
            }
        }
    }

    /// @notice The root of a depth-`depth` tree whose leaves at `indices` are `leaves`.
    ///         Overwrites `indices` and `leaves` (the walk runs in place).
    /// @param depth The tree's depth.
    /// @param indices The leaves' positions, strictly increasing; overwritten.
    /// @param leaves The leaves; overwritten.
    /// @param proof The siblings the walk needs that are not zero hashes, 32 bytes each, in walk order.
    /// @param zeroFlags Bit k (LSB first) set: the walk's k-th sibling is the zero hash of its level.
    /// @param zero The zero hashes by level (`zeroHashes(depth)`).
    /// @return r The root.
    function root(
        uint256 depth,
        uint256[] memory indices,
        bytes32[] memory leaves,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32 r) {
        uint256 n = indices.length;
        if (n == 0 || n != leaves.length || zero.length <= depth) revert MultiProofBadIndices();
        if (n == 1) return leafRoot(depth, indices[0], leaves[0], proof, zeroFlags, zero);
        for (uint256 i = 0; i < n; i++) {
            if (indices[i] >> depth != 0 || (i > 0 && indices[i] <= indices[i - 1])) revert MultiProofBadIndices();
        }
        uint256 sent;
        bool short;
        assembly ("memory-safe") {
            let idx := add(indices, 32)
            let node := add(leaves, 32)
            let zeros := add(zero, 32)
            let used := 0
            for { let level := 0 } lt(level, depth) { level := add(level, 1) } {
                let m := 0
                for { let i := 0 } lt(i, n) {} {
                    let at := mload(add(idx, shl(5, i)))
                    let h := mload(add(node, shl(5, i)))
                    let sibling
                    let paired := 0
                    if iszero(and(at, 1)) {
                        if lt(add(i, 1), n) { paired := eq(mload(add(idx, shl(5, add(i, 1)))), add(at, 1)) }
                    }
                    switch paired
                    case 1 {
                        sibling := mload(add(node, shl(5, add(i, 1))))
                        i := add(i, 2)
                    }
                    default {
                        let flagged := 0
                        if lt(shr(3, used), zeroFlags.length) {
                            flagged := and(shr(and(used, 7), byte(0, calldataload(add(zeroFlags.offset, shr(3, used))))), 1)
                        }
                        switch flagged
                        case 1 { sibling := mload(add(zeros, shl(5, level))) }
                        default {
                            if gt(add(sent, 32), proof.length) { short := 1 }
                            sibling := calldataload(add(proof.offset, sent))
                            sent := add(sent, 32)
                        }
                        used := add(used, 1)
                        i := add(i, 1)
                    }
                    switch and(at, 1)
                    case 0 { mstore(0x00, h) mstore(0x20, sibling) }
                    default { mstore(0x00, sibling) mstore(0x20, h) }
                    mstore(add(idx, shl(5, m)), shr(1, at))
                    mstore(add(node, shl(5, m)), keccak256(0x00, 0x40))
                    m := add(m, 1)
                }
                n := m
            }
            r := mload(node)
        }
        if (short || sent != proof.length) revert MultiProofWrongLength(sent / 32, proof.length / 32);
    }

    /// @notice Whether the first `bits` flag bits (bits ≤ 64) are all set: whole bytes of 0xff,
    ///         then the low `bits % 8` bits of the next. One comparison, not a loop over the bits:
    ///         a depth-24 token tree would spend 24 iterations on every witnessed account.
    /// @param flags The flag bytes, at least (bits + 7) / 8 of them.
    /// @param bits How many flag bits to look at.
    /// @return all Whether they are all set.
    function _allSet(bytes calldata flags, uint256 bits) private pure returns (bool all) {
        assembly ("memory-safe") {
            let bytesUsed := shr(3, add(bits, 7))
            // The flag bytes as a big-endian integer of `bytesUsed` bytes (bits ≤ 64: at most 8).
            let raw := shr(sub(256, shl(3, bytesUsed)), calldataload(flags.offset))
            let partial := and(bits, 7)
            // Every byte 0xff; a partial last byte needs only its low `partial` bits.
            let mask := sub(shl(shl(3, bytesUsed), 1), 1)
            if partial { mask := xor(mask, sub(shl(8, 1), shl(partial, 1))) }
            all := eq(and(raw, mask), mask)
        }
    }

    /// @notice Root of a depth-`depth` tree from one leaf and its path (MultiProof's layout with
    ///         one leaf: bit `level` of `zeroFlags` marks a zero-hash sibling). Token trees are
    ///         mostly empty, so this runs for nearly every witnessed account, twice.
    /// @param depth The tree's depth, at most 64.
    /// @param index The leaf's position.
    /// @param leaf The leaf.
    /// @param proof The path's siblings that are not zero hashes, 32 bytes each, from the leaf up.
    /// @param zeroFlags Bit `level` set: the sibling at that level is a zero hash (at most 8 bytes).
    /// @param zero The zero hashes by level (`zeroHashes(depth)`).
    /// @return node The root.
    function leafRoot(
        uint256 depth,
        uint256 index,
        bytes32 leaf,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32 node) {
        if (index >> depth != 0 || depth > 64 || zeroFlags.length > 8) revert MultiProofBadIndices();
        uint256 sent;
        if (proof.length == 0 && zeroFlags.length == (depth + 7) / 8 && _allSet(zeroFlags, depth)) {
            // Every sibling is an empty subtree (a lone token in its tree): hash straight up.
            // Branchless: the index bit says which scratch word the node goes to.
            assembly ("memory-safe") {
                node := leaf
                let z := add(zero, 32)
                let end := add(z, shl(5, depth))
                let i := index
                for {} lt(z, end) { z := add(z, 32) } {
                    let side := shl(5, and(i, 1))
                    mstore(side, node)
                    mstore(xor(side, 32), mload(z))
                    node := keccak256(0x00, 0x40)
                    i := shr(1, i)
                }
            }
            return node;
        }
        assembly ("memory-safe") {
            // Bit `level` of the flags is bit (level % 8) of byte (level / 8); bytes past the end are 0.
            let raw := calldataload(zeroFlags.offset)
            let flagBytes := zeroFlags.length
            node := leaf
            let zeros := add(zero, 32)
            for { let level := 0 } lt(level, depth) { level := add(level, 1) } {
                let sibling
                let k := shr(3, level)
                switch and(lt(k, flagBytes), and(shr(and(level, 7), byte(k, raw)), 1))
                case 1 { sibling := mload(add(zeros, shl(5, level))) }
                default {
                    if gt(add(sent, 32), proof.length) { sent := not(0) break }
                    sibling := calldataload(add(proof.offset, sent))
                    sent := add(sent, 32)
                }
                switch and(shr(level, index), 1)
                case 0 { mstore(0x00, node) mstore(0x20, sibling) }
                default { mstore(0x00, sibling) mstore(0x20, node) }
                node := keccak256(0x00, 0x40)
            }
        }
        if (zero.length <= depth) revert MultiProofBadIndices();
        if (sent != proof.length) revert MultiProofWrongLength(sent / 32, proof.length / 32);
    }
}
