// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Constants} from "../Constants.sol";
import {CommitmentDecoder} from "./CommitmentDecoder.sol";

/// @title ProofWeight
/// @notice The proof weight of a commitment (src/core/proofWeight.ts), in two parts decided by the
///         body and the pre-state's counters alone, so a commitment over either cap is MALFORMED
///         before anything is replayed:
///         - the account weight: the account-tree siblings a multiproof over every account index
///           it names needs — the fee recipient, each index an operation carries, and
///           `accountCount + k` for the k-th operation that would create an account; indices
///           outside the tree left out (Constants.MAX_PROOF_WEIGHT);
///         - the token weight: the levels of the token and allowance paths its operations read
///           whose sibling can be non-empty in the pre-state, where only registered tokens and
///           existing spenders have keys (Constants.MAX_TOKEN_PROOF_WEIGHT).
///         Never reverts.
library ProofWeight {
    /// @notice The proof weight of a decoded commitment.
    /// @param ops The operations.
    /// @param feeRecipient The header's fee recipient index.
    /// @param accountCount The pre-state's account count.
    /// @param tokenCount The pre-state's token count.
    /// @return accounts The number of account-tree siblings.
    /// @return tokens The number of open token and allowance path levels.
    function weigh(CommitmentDecoder.Op[] memory ops, uint256 feeRecipient, uint256 accountCount, uint256 tokenCount)
        internal
        pure
        returns (uint256 accounts, uint256 tokens)
    {
        // At most 1 + 3 per operation (a transferFrom names three accounts).
        uint256[] memory named = new uint256[](1 + 3 * ops.length);
        uint256 n = _add(named, 0, feeRecipient);
        uint256 created = 0;
        for (uint256 i = 0; i < ops.length; i++) {
            CommitmentDecoder.Op memory op = ops[i];
            uint8 k = op.kind;
            if (k == Constants.OP_QUEUE) {
                if (op.x == 2) {
                    n = _add(named, n, op.to);
                    tokens += _widestOpenLevels(tokenCount);
                } else if (op.x == 1) {
                    n = _add(named, n, accountCount + created++);
                }
                continue;
            }
            n = _add(named, n, op.from);
            uint256 t = op.tokenId;
            if (k == Constants.OP_ETH_TRANSFER) {
                n = _add(named, n, op.to);
            } else if (k == Constants.OP_TOKEN_TRANSFER) {
                n = _add(named, n, op.to);
                tokens += 2 * _openLevels(t, tokenCount);
            } else if (k == Constants.OP_TOKEN_TRANSFER_NEW) {
                n = _add(named, n, accountCount + created++);
                tokens += _openLevels(t, tokenCount);
            } else if (k == Constants.OP_WITHDRAW_TOKEN) {
                tokens += _openLevels(t, tokenCount);
            } else if (k == Constants.OP_APPROVE) {
                n = _add(named, n, op.to);
                tokens += _openLevels(op.to, accountCount) + _openLevels(t, tokenCount);
            } else if (k == Constants.OP_APPROVE_NEW) {
                uint256 spender = accountCount + created++;
                n = _add(named, n, spender);
                tokens += _openLevels(spender, accountCount) + _openLevels(t, tokenCount);
            } else if (k == Constants.OP_TRANSFER_FROM) {
                n = _add(named, n, op.owner);
                n = _add(named, n, op.to);
                tokens += 3 * _openLevels(t, tokenCount) + _openLevels(op.from, accountCount);
            } else if (k == Constants.OP_TRANSFER_FROM_NEW) {
                n = _add(named, n, op.owner);
                n = _add(named, n, accountCount + created++);
                tokens += 2 * _openLevels(t, tokenCount) + _openLevels(op.from, accountCount);
            } else if (k == Constants.OP_ETH_TRANSFER_NEW) {
                n = _add(named, n, accountCount + created++);
            }
        }
        accounts = _siblings(named, n);
    }

    /// @dev The levels of the path to `key` in a depth-24 tree holding only keys below `count`
    ///      whose sibling can be non-empty: level k where `((key >> k) ^ 1) << k < count`
    ///      (src/core/proofWeight.ts `openLevels`, level by level), in closed form. Where bit k of
    ///      the key is set the subtree beside it lies below the key, otherwise above it. With d the
    ///      highest bit where key and count differ, the levels above d are open where the key
    ///      has a one; level d is open when count has a one below d; the levels below d are all
    ///      open if count is the larger, none if the key is.
    function _openLevels(uint256 key, uint256 count) private pure returns (uint256 open) {
        assembly ("memory-safe") {
            // Bit length of x < 2^24.
            function bitLength(x) -> b {
                if gt(x, 0xfff) {
                    x := shr(12, x)
                    b := 12
                }
                if gt(x, 0x3f) {
                    x := shr(6, x)
                    b := add(b, 6)
                }
                if gt(x, 0x7) {
                    x := shr(3, x)
                    b := add(b, 3)
                }
                b := add(b, add(gt(x, 0), add(gt(x, 1), gt(x, 3))))
            }
            // Set bits of x < 2^24.
            function popcount(x) -> c {
                x := sub(x, and(shr(1, x), 0x555555))
                x := add(and(x, 0x333333), and(shr(2, x), 0x333333))
                x := and(add(x, shr(4, x)), 0x0f0f0f)
                c := and(shr(16, mul(x, 0x010101)), 0xff)
            }
            switch lt(key, 0x1000000)
            case 0 { open := 0 }
            default {
                switch lt(count, 0x1000000)
                case 0 { open := 24 }
                default {
                    let x := xor(key, count)
                    switch x
                    case 0 { open := popcount(key) }
                    default {
                        let d := sub(bitLength(x), 1)
                        open := add(popcount(shr(add(d, 1), key)), iszero(iszero(and(count, sub(shl(d, 1), 1)))))
                        if gt(count, key) { open := add(open, d) }
                    }
                }
            }
        }
    }

    /// @dev The most open levels a queue credit's path can have (src/core/proofWeight.ts
    ///      `widestOpenLevels`): its token is not in the body and may be one registered in the same
    ///      commitment. The key `2^(L−1) − 1`, L the bit length of count − 1, opens all L; a key at
    ///      or past the count never more, but at a count of 1 every key past 0 opens one.
    function _widestOpenLevels(uint256 count) private pure returns (uint256 open) {
        if (count == 0) return 0;
        if (count == 1) return 1;
        if (count >= 1 << 24) return 24;
        assembly ("memory-safe") {
            // Bit length of x < 2^24.
            function bitLength(x) -> b {
                if gt(x, 0xfff) {
                    x := shr(12, x)
                    b := 12
                }
                if gt(x, 0x3f) {
                    x := shr(6, x)
                    b := add(b, 6)
                }
                if gt(x, 0x7) {
                    x := shr(3, x)
                    b := add(b, 3)
                }
                b := add(b, add(gt(x, 0), add(gt(x, 1), gt(x, 3))))
            }
            open := bitLength(sub(count, 1))
        }
    }

    /// @dev Appends `v` to `named[0:n]` unless it is outside the tree.
    /// @return The new count.
    function _add(uint256[] memory named, uint256 n, uint256 v) private pure returns (uint256) {
        if (v >> Constants.ACCOUNT_TREE_DEPTH != 0) return n;
        named[n] = v;
        return n + 1;
    }

    /// @dev The siblings a multiproof over the distinct values of `named[0:n]` needs: sorted in
    ///      place (at most 97 values), the first path's depth, then for each
    ///      next distinct index the levels below where its path meets the previous one (the bit
    ///      length of their XOR), less the two siblings that meeting pairs up. Every prefix of
    ///      that sum is itself a sibling count, so the running total never goes below zero.
    function _siblings(uint256[] memory named, uint256 n) private pure returns (uint256 total) {
        uint256 depth = Constants.ACCOUNT_TREE_DEPTH;
        assembly ("memory-safe") {
            // Bit length of x < 2^24 (the values are account indices).
            function bitLength(x) -> b {
                if gt(x, 0xfff) {
                    x := shr(12, x)
                    b := 12
                }
                if gt(x, 0x3f) {
                    x := shr(6, x)
                    b := add(b, 6)
                }
                if gt(x, 0x7) {
                    x := shr(3, x)
                    b := add(b, 3)
                }
                b := add(b, add(gt(x, 0), add(gt(x, 1), gt(x, 3))))
            }
            let data := add(named, 32)
            let end := add(data, shl(5, n))
            // Binary insertion sort in place, one MCOPY per insertion: O(n log n) compares
            // whatever order the proposer wrote; a value past the sorted prefix's last (new
            // accounts, in order) is a compare and no move.
            for { let p := add(data, 32) } lt(p, end) { p := add(p, 32) } {
                let v := mload(p)
                if lt(v, mload(sub(p, 32))) {
                    let lo := data
                    let hi := sub(p, 32)
                    // The first slot in [lo, hi] holding more than v (hi does).
                    for {} lt(lo, hi) {} {
                        let mid := add(lo, and(shr(1, sub(hi, lo)), not(31)))
                        switch gt(mload(mid), v)
                        case 1 { hi := mid }
                        default { lo := add(mid, 32) }
                    }
                    mcopy(add(lo, 32), lo, sub(p, lo))
                    mstore(lo, v)
                }
            }
            if n {
                total := depth
                let previous := mload(data)
                for { let p := add(data, 32) } lt(p, end) { p := add(p, 32) } {
                    let x := mload(p)
                    if iszero(eq(x, previous)) {
                        total := sub(add(total, bitLength(xor(x, previous))), 2)
                        previous := x
                    }
                }
            }
        }
    }
}
