// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashing} from "./Hashing.sol";
import {MerkleLib} from "./MerkleLib.sol";

/// @title BatchCodec
/// @notice Reads the envelope of a batch: a run of commitments, each `[u16 bodyLength][body]`,
///         where a body starts `[postStateRoot 32][flags 1][withdrawalRoot 32, if flags & 1]` and
///         goes on with the packed operations (decoded only by a fraud proof). `submitBatch`
///         needs just the envelope: the chain of state roots and the withdrawal roots.
///         `src/core/batchCodec.ts` writes and reads the same bytes.
library BatchCodec {
    /// @notice More commitments than a batch may carry.
    uint256 internal constant MAX_COMMITMENTS = 4096;
    /// @notice Commitment flag: a 32-byte withdrawal root follows the flags byte. The bits above
    ///         it hold the width of the account indices in the operations (at most the tree depth).
    uint8 internal constant FLAG_WITHDRAWALS = 0x01;
    uint8 private constant MAX_INDEX_BITS = 24;
    uint256 private constant MIN_BODY = 33;

    /// @notice The batch carries no commitment.
    error BatchEmpty();
    /// @notice The batch carries `count` commitments, over `max`.
    error BatchTooManyCommitments(uint256 count, uint256 max);
    /// @notice The commitment starting at byte `offset` runs past the end of the batch.
    error BatchTruncated(uint256 offset);
    /// @notice The commitment at byte `offset` has a body of `length` bytes, too short for its header.
    error CommitmentTooShort(uint256 offset, uint256 length);
    /// @notice The commitment at byte `offset` has a flags byte Cairn does not define (an index
    ///         width above 24 bits).
    error CommitmentBadFlags(uint256 offset, uint8 flags);
    /// @notice The commitment at byte `offset` declares withdrawals with a zero root.
    error CommitmentZeroWithdrawalRoot(uint256 offset);

    struct Summary {
        bytes32 commitmentsRoot;
        bytes32 postStateRoot;
        bytes32 withdrawalRoot;
        uint32 count;
    }

    /// @notice Hashes every commitment of `data` (chained from `preStateRoot`) into one root and
    ///         collects the post-state root and the batch withdrawal root.
    function summarize(bytes calldata data, bytes32 preStateRoot) internal pure returns (Summary memory s) {
        uint256 count = _count(data);
        bytes32[] memory leaves = new bytes32[](count);
        bytes32[] memory withdrawalRoots = new bytes32[](count);
        uint256 withdrawalCount;
        bytes32 stateRoot = preStateRoot;
        uint256 offset;
        for (uint256 i = 0; i < count; i++) {
            uint256 length = uint16(bytes2(data[offset:offset + 2]));
            bytes calldata body = data[offset + 2:offset + 2 + length];
            uint8 flags = uint8(body[32]);
            if (flags >> 1 > MAX_INDEX_BITS) revert CommitmentBadFlags(offset, flags);
            if (flags & FLAG_WITHDRAWALS != 0) {
                if (length < MIN_BODY + 32) revert CommitmentTooShort(offset, length);
                bytes32 wRoot = bytes32(body[33:65]);
                if (wRoot == bytes32(0)) revert CommitmentZeroWithdrawalRoot(offset);
                withdrawalRoots[withdrawalCount++] = wRoot;
            }
            leaves[i] = Hashing.commitmentLeaf(stateRoot, body);
            stateRoot = bytes32(body[0:32]);
            offset += 2 + length;
        }
        s.commitmentsRoot = MerkleLib.positionalRoot(leaves);
        s.postStateRoot = stateRoot;
        s.withdrawalRoot = MerkleLib.sortedRoot(withdrawalRoots, withdrawalCount);
        s.count = uint32(count);
    }

    /// @dev Walks the length prefixes once so the arrays above are allocated exactly.
    function _count(bytes calldata data) private pure returns (uint256 count) {
        if (data.length == 0) revert BatchEmpty();
        uint256 offset;
        while (offset < data.length) {
            if (offset + 2 > data.length) revert BatchTruncated(offset);
            uint256 length = uint16(bytes2(data[offset:offset + 2]));
            if (length < MIN_BODY) revert CommitmentTooShort(offset, length);
            if (offset + 2 + length > data.length) revert BatchTruncated(offset);
            offset += 2 + length;
            unchecked {
                // Bounded by data.length / 35, far below 2^256.
                ++count;
            }
        }
        if (count > MAX_COMMITMENTS) revert BatchTooManyCommitments(count, MAX_COMMITMENTS);
    }
}
