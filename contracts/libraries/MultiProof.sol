// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title MultiProof
/// @notice Roots of a positional Merkle tree from several leaves at once and the siblings they
///         need. Fraud proofs walk the tree once for two sets of leaves over the same siblings:
///         the pre-state leaves (they must give the pre-state root) and the replayed leaves (the
///         post-state root); one walk shares the index and flag work between the two hashes.
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

    /// @notice The roots of a depth-`depth` tree whose leaves at `indices` are `preLeaves`, and
    ///         of the same tree with `postLeaves` there instead (the same siblings).
    /// @param depth The tree's depth.
    /// @param indices The leaves' positions, strictly increasing.
    /// @param preLeaves The leaves of the first tree.
    /// @param postLeaves The leaves of the second tree, as many.
    /// @param proof The siblings the walk needs that are not zero hashes, 32 bytes each, in walk order.
    /// @param zeroFlags Bit k (LSB first) set: the walk's k-th sibling is the zero hash of its level.
    /// @param zero The zero hashes by level (`zeroHashes(depth)`).
    /// @return pre The first tree's root.
    /// @return post The second tree's root.
    function roots(
        uint256 depth,
        uint256[] memory indices,
        bytes32[] memory preLeaves,
        bytes32[] memory postLeaves,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32 pre, bytes32 post) {
        uint256 n = indices.length;
        if (n == 0 || n != preLeaves.length || n != postLeaves.length || zero.length <= depth) revert MultiProofBadIndices();
        if (n == 1) return leafRoots(depth, indices[0], preLeaves[0], postLeaves[0], proof, zeroFlags, zero);
        uint256 sent;
        bool badIndices;
        assembly ("memory-safe") {
            // One level of the walk over (index, pre node, post node) triples at [i, end),
            // written back from `i` on. Branchless: a `switch` made the compiler shuffle the
            // stack around every hash. The word after the last triple may be read; `lt(next,
            // end)` discards it. `bit` is the bit address (byte address × 8 + bit) of the next
            // zero flag.
            function level(i, end, p, bit, zl) -> out, pOut, bitOut {
                out := i
                for {} lt(i, end) {} {
                    let at := mload(i)
                    let next := add(i, 96)
                    let paired := and(iszero(and(at, 1)), and(lt(next, end), eq(mload(next), add(at, 1))))
                    let sibling := calldataload(p)
                    {
                        let flagged := and(shr(and(bit, 7), byte(0, mload(shr(3, bit)))), 1)
                        sibling := xor(sibling, mul(flagged, xor(sibling, zl)))
                        p := add(p, shl(5, iszero(or(paired, flagged))))
                    }
                    bit := add(bit, iszero(paired))
                    let side := shl(5, and(at, 1))
                    mstore(side, mload(add(i, 32)))
                    mstore(xor(side, 32), xor(sibling, mul(paired, xor(sibling, mload(add(next, 32))))))
                    let preNode := keccak256(0x00, 0x40)
                    mstore(side, mload(add(i, 64)))
                    mstore(xor(side, 32), xor(sibling, mul(paired, xor(sibling, mload(add(next, 64))))))
                    mstore(add(out, 64), keccak256(0x00, 0x40))
                    mstore(add(out, 32), preNode)
                    mstore(out, shr(1, at))
                    out := add(out, 96)
                    i := add(next, mul(96, paired))
                }
                pOut := p
                bitOut := bit
            }
            // Scratch past the free memory pointer (never allocated: nothing else runs until the
            // walk is done): the triples, then the flags, zero-padded so that a flag past their
            // end reads 0 (a sibling from `proof`). The walk reads at most n × depth flags.
            let triples := mload(0x40)
            let end := triples
            let prev := 0
            for { let k := 0 } lt(k, n) { k := add(k, 1) } {
                let word := shl(5, add(k, 1))
                let at := mload(add(indices, word))
                badIndices := or(badIndices, or(shr(depth, at), and(gt(k, 0), iszero(gt(at, prev)))))
                prev := at
                mstore(end, at)
                mstore(add(end, 32), mload(add(preLeaves, word)))
                mstore(add(end, 64), mload(add(postLeaves, word)))
                end := add(end, 96)
            }
            let flagBuffer := end
            calldatacopy(flagBuffer, calldatasize(), add(add(zeroFlags.length, shr(3, mul(n, depth))), 32))
            calldatacopy(flagBuffer, zeroFlags.offset, zeroFlags.length)
            let p := proof.offset
            let bit := shl(3, flagBuffer)
            let zl := add(zero, 32)
            for { let zend := add(zl, shl(5, depth)) } lt(zl, zend) { zl := add(zl, 32) } {
                end, p, bit := level(triples, end, p, bit, mload(zl))
            }
            pre := mload(add(triples, 32))
            post := mload(add(triples, 64))
            sent := sub(p, proof.offset)
        }
        if (badIndices) revert MultiProofBadIndices();
        if (sent != proof.length) revert MultiProofWrongLength(sent / 32, proof.length / 32);
    }

    /// @notice `roots` for one leaf: its path (bit `level` of `zeroFlags` marks a zero-hash
    ///         sibling). Token and allowance trees are mostly empty, so this runs for nearly
    ///         every witnessed account.
    /// @param depth The tree's depth, at most 64.
    /// @param index The leaf's position.
    /// @param preLeaf The leaf in the first tree.
    /// @param postLeaf The leaf in the second tree.
    /// @param proof The path's siblings that are not zero hashes, 32 bytes each, from the leaf up.
    /// @param zeroFlags Bit `level` set: the sibling at that level is a zero hash (at most 8 bytes).
    /// @param zero The zero hashes by level (`zeroHashes(depth)`).
    /// @return pre The first tree's root.
    /// @return post The second tree's root.
    function leafRoots(
        uint256 depth,
        uint256 index,
        bytes32 preLeaf,
        bytes32 postLeaf,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32 pre, bytes32 post) {
        if (index >> depth != 0 || depth > 64 || zeroFlags.length > 8 || zero.length <= depth) revert MultiProofBadIndices();
        uint256 sent;
        assembly ("memory-safe") {
            // A level costs two keccaks and ~30 cheap instructions: the sibling is chosen without
            // a branch, it stays in its scratch word for the second hash, and `i` holds the
            // index shifted left by 5 so that its low bit, in place, is the scratch offset.
            // Once every flag left is set (`f` equals `all`, the remaining levels' bits), the
            // rest of the path is zero hashes: a lone leaf's upper levels, nearly all of them
            // in a token tree, climb without looking at `proof` or the flags.
            function climb(a, b, i, f, p, z, end) -> ra, rb, pEnd {
                let all := sub(shl(shr(5, sub(end, z)), 1), 1)
                for {} and(lt(z, end), iszero(eq(f, all))) { z := add(z, 32) } {
                    let isZero := and(f, 1)
                    let sibling := calldataload(p)
                    sibling := xor(sibling, mul(isZero, xor(sibling, mload(z))))
                    p := add(p, shl(5, iszero(isZero)))
                    f := shr(1, f)
                    all := shr(1, all)
                    let side := and(i, 32)
                    mstore(xor(side, 32), sibling)
                    mstore(side, a)
                    a := keccak256(0x00, 0x40)
                    mstore(side, b)
                    b := keccak256(0x00, 0x40)
                    i := shr(1, i)
                }
                for {} lt(z, end) { z := add(z, 32) } {
                    let side := and(i, 32)
                    mstore(xor(side, 32), mload(z))
                    mstore(side, a)
                    a := keccak256(0x00, 0x40)
                    mstore(side, b)
                    b := keccak256(0x00, 0x40)
                    i := shr(1, i)
                }
                ra := a
                rb := b
                pEnd := p
            }
            // The flags as one little-endian integer (bit `level` = bit level % 8 of byte
            // level / 8), so that each level shifts one bit off instead of finding its byte.
            let raw := calldataload(zeroFlags.offset)
            let flags := 0
            for { let k := 0 } lt(k, zeroFlags.length) { k := add(k, 1) } {
                flags := or(flags, shl(shl(3, k), byte(k, raw)))
            }
            let z := add(zero, 32)
            let pEnd
            pre, post, pEnd := climb(preLeaf, postLeaf, shl(5, index), flags, proof.offset, z, add(z, shl(5, depth)))
            sent := sub(pEnd, proof.offset)
        }
        if (sent != proof.length) revert MultiProofWrongLength(sent / 32, proof.length / 32);
    }
}
