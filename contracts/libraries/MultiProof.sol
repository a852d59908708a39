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
    function zeroHashes(uint256 depth) internal pure returns (bytes32[] memory zero) {
        zero = new bytes32[](depth + 1);
        for (uint256 l = 1; l <= depth; l++) {
            zero[l] = keccak256(abi.encodePacked(zero[l - 1], zero[l - 1]));
        }
    }

    /// @dev The walk's cursor: nodes at the current level and the siblings consumed so far.
    struct Walk {
        uint256[] idx;
        bytes32[] node;
        uint256 n;
        uint256 used; // siblings consumed (zero or sent)
        uint256 sent; // siblings read from the proof
    }

    /// @notice The root of a depth-`depth` tree whose leaves at `indices` are `leaves`.
    function root(
        uint256 depth,
        uint256[] memory indices,
        bytes32[] memory leaves,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32) {
        if (proof.length % 32 != 0) revert MultiProofWrongLength(proof.length / 32, proof.length);
        uint256 n = indices.length;
        if (n == 0 || n != leaves.length) revert MultiProofBadIndices();
        if (n == 1) return _single(depth, indices[0], leaves[0], proof, zeroFlags, zero);
        Walk memory w = Walk({idx: new uint256[](n), node: new bytes32[](n), n: n, used: 0, sent: 0});
        for (uint256 i = 0; i < n; i++) {
            if (indices[i] >> depth != 0 || (i > 0 && indices[i] <= indices[i - 1])) revert MultiProofBadIndices();
            w.idx[i] = indices[i];
            w.node[i] = leaves[i];
        }
        for (uint256 level = 0; level < depth; level++) {
            _climb(w, proof, zeroFlags, zero[level]);
        }
        if (w.sent * 32 != proof.length) revert MultiProofWrongLength(w.sent, proof.length / 32);
        return w.node[0];
    }

    /// @dev The walk for one leaf: its path, without the bookkeeping of a multi-leaf walk.
    function _single(
        uint256 depth,
        uint256 index,
        bytes32 leaf,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) private pure returns (bytes32) {
        return leafRoot(depth, index, leaf, proof, zeroFlags, zero);
    }

    /// @notice Root of a depth-`depth` tree from one leaf and its path (MultiProof's layout with
    ///         one leaf: bit `level` of `zeroFlags` marks a zero-hash sibling). Token trees are
    ///         mostly empty, so this runs for nearly every witnessed account, twice.
    function leafRoot(
        uint256 depth,
        uint256 index,
        bytes32 leaf,
        bytes calldata proof,
        bytes calldata zeroFlags,
        bytes32[] memory zero
    ) internal pure returns (bytes32 node) {
        if (index >> depth != 0 || depth > 64 || zeroFlags.length > 8) revert MultiProofBadIndices();
        uint256 flags;
        uint256 sent;
        assembly ("memory-safe") {
            // Up to 64 flag bits, LSB-first by byte: byte k holds levels 8k..8k+7.
            let raw := calldataload(zeroFlags.offset)
            for { let k := 0 } lt(k, zeroFlags.length) { k := add(k, 1) } {
                flags := or(flags, shl(mul(8, k), byte(k, raw)))
            }
            node := leaf
            let zeros := add(zero, 32)
            for { let level := 0 } lt(level, depth) { level := add(level, 1) } {
                let sibling
                switch and(shr(level, flags), 1)
                case 1 { sibling := mload(add(zeros, mul(32, level))) }
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

    /// @dev Replaces the nodes of one level by their parents.
    function _climb(Walk memory w, bytes calldata proof, bytes calldata zeroFlags, bytes32 zeroHash) private pure {
        uint256 m = 0;
        uint256 i = 0;
        while (i < w.n) {
            uint256 at = w.idx[i];
            bytes32 sibling;
            bytes32 h = w.node[i];
            if (at & 1 == 0 && i + 1 < w.n && w.idx[i + 1] == at + 1) {
                sibling = w.node[i + 1];
                i += 2;
            } else {
                uint256 k = w.used++;
                if (k >> 3 < zeroFlags.length && uint8(zeroFlags[k >> 3]) & (1 << (k & 7)) != 0) {
                    sibling = zeroHash;
                } else {
                    uint256 at32 = w.sent * 32;
                    if (at32 + 32 > proof.length) revert MultiProofWrongLength(w.sent + 1, proof.length / 32);
                    sibling = bytes32(proof[at32:at32 + 32]);
                    w.sent++;
                }
                i += 1;
            }
            w.idx[m] = at >> 1;
            w.node[m] = at & 1 == 0 ? _hash(h, sibling) : _hash(sibling, h);
            m++;
        }
        w.n = m;
    }

    function _hash(bytes32 a, bytes32 b) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            mstore(0x00, a)
            mstore(0x20, b)
            h := keccak256(0x00, 0x40)
        }
    }
}
