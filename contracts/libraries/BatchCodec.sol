// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashing} from "./Hashing.sol";
import {MerkleLib} from "./MerkleLib.sol";

/// @title BatchCodec
/// @notice Reads the envelope of a batch: a run of commitments, each `[u16 bodyLength][body]`,
///         where a body starts `[postStateRoot 32][flags 1][withdrawalRoot 32, if flags & 1]
///         [timestamp 5]` and goes on with the packed operations (decoded only by a fraud proof).
///         `submitBatch` needs just the envelope: the chain of state roots, the withdrawal roots
///         and the L2 timestamps, which it bounds by L1 here so that no proof is needed for them.
///         `src/core/commitment.ts` (encodeBatch, splitBatch) and `src/core/batch.ts` write and
///         read the same bytes.
library BatchCodec {
    /// @notice More commitments than a batch may carry.
    uint256 internal constant MAX_COMMITMENTS = 4096;
    /// @notice Commitment flag: a 32-byte withdrawal root follows the flags byte. Bits 1–5 hold
    ///         the width of the account indices in the operations (at most the tree depth), bits
    ///         6–7 the token width class (0: 8-bit token ids, 1: 16, 2: 24; 3 is undefined).
    uint8 internal constant FLAG_WITHDRAWALS = 0x01;
    uint8 private constant MAX_INDEX_BITS = 24;
    uint8 private constant MAX_TOKEN_CLASS = 2;
    /// @dev A body holds at least its header up to the timestamp: root, flags, timestamp.
    uint256 private constant MIN_BODY = 38;
    uint256 private constant TIMESTAMP_BYTES = 5;

    /// @notice The batch carries no commitment.
    error BatchEmpty();
    /// @notice The batch carries `count` commitments, over `max`.
    error BatchTooManyCommitments(uint256 count, uint256 max);
    /// @notice The commitment starting at byte `offset` runs past the end of the batch.
    error BatchTruncated(uint256 offset);
    /// @notice The commitment at byte `offset` has a body of `length` bytes, too short for its header.
    error CommitmentTooShort(uint256 offset, uint256 length);
    /// @notice The commitment at byte `offset` has a flags byte Cairn does not define (an index
    ///         width above 24 bits, or token width class 3).
    error CommitmentBadFlags(uint256 offset, uint8 flags);
    /// @notice The commitment at byte `offset` declares withdrawals with a zero root.
    error CommitmentZeroWithdrawalRoot(uint256 offset);
    /// @notice The commitment at byte `offset` is timestamped `timestamp`, after the L1 block
    ///         (`l1Timestamp`) that posts it.
    error CommitmentTimestampInFuture(uint256 offset, uint256 timestamp, uint256 l1Timestamp);
    /// @notice The commitment at byte `offset` is timestamped `timestamp`, before the L2 block
    ///         preceding it (`previous`).
    error CommitmentTimestampDecreasing(uint256 offset, uint256 timestamp, uint256 previous);

    struct Summary {
        bytes32 commitmentsRoot;
        bytes32 postStateRoot;
        bytes32 withdrawalRoot;
        uint32 count;
        uint64 lastTimestamp;
    }

    /// @notice Hashes every commitment of `data` (chained from `preStateRoot`) into one root,
    ///         collects the post-state root and the batch withdrawal root, and checks that the
    ///         L2 timestamps never decrease (from `previousTimestamp`, the last L2 block's) and
    ///         never pass `l1Timestamp`.
    /// @param data The batch's commitments, `[u16 length][body]` each.
    /// @param preStateRoot The state root the first commitment starts from.
    /// @param previousTimestamp The L2 timestamp of the block before the batch (0 at genesis).
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    /// @return s The roots, the commitment count and the last L2 timestamp.
    function summarize(bytes calldata data, bytes32 preStateRoot, uint256 previousTimestamp, uint256 l1Timestamp)
        internal
        pure
        returns (Summary memory s)
    {
        // The running state root and L2 timestamp live in `s`: fewer stack slots.
        s.postStateRoot = preStateRoot;
        s.lastTimestamp = _checkedTimestamp(previousTimestamp, l1Timestamp);
        _walk(data, s, l1Timestamp);
    }

    /// @dev The loop of `summarize`, from the running values in `s`.
    function _walk(bytes calldata data, Summary memory s, uint256 l1Timestamp) private pure {
        uint256 count = _count(data);
        bytes32[] memory leaves = new bytes32[](count);
        bytes32[] memory withdrawalRoots = new bytes32[](count);
        uint256 withdrawalCount;
        uint256 offset;
        for (uint256 i = 0; i < count; i++) {
            bytes calldata body = data[offset + 2:offset + 2 + uint16(bytes2(data[offset:offset + 2]))];
            bytes32 wRoot = _header(body, offset, s, l1Timestamp);
            if (wRoot != bytes32(0)) withdrawalRoots[withdrawalCount++] = wRoot;
            leaves[i] = Hashing.commitmentLeaf(s.postStateRoot, body);
            s.postStateRoot = bytes32(body[0:32]);
            offset += 2 + body.length;
        }
        s.commitmentsRoot = MerkleLib.positionalRoot(leaves);
        s.withdrawalRoot = MerkleLib.sortedRoot(withdrawalRoots, withdrawalCount);
        s.count = uint32(count);
    }

    /// @dev A floor above the L1 time could never be met: no batch after it could be posted.
    function _checkedTimestamp(uint256 previous, uint256 l1Timestamp) private pure returns (uint64) {
        if (previous > l1Timestamp) revert CommitmentTimestampInFuture(0, previous, l1Timestamp);
        return uint64(previous);
    }

    /// @dev The header fields the envelope checks: the withdrawal root (zero when the flags say
    ///      there is none; a declared one must not be zero) and the L2 timestamp, which must lie
    ///      in [previous, l1Timestamp].
    function _header(bytes calldata body, uint256 offset, Summary memory s, uint256 l1Timestamp)
        private
        pure
        returns (bytes32 wRoot)
    {
        uint8 flags = uint8(body[32]);
        // Refused here rather than left to a proof: no operation could be decoded under them.
        if ((flags >> 1) & 0x1f > MAX_INDEX_BITS || flags >> 6 > MAX_TOKEN_CLASS) revert CommitmentBadFlags(offset, flags);
        uint256 timestampAt = 33;
        if (flags & FLAG_WITHDRAWALS != 0) {
            if (body.length < MIN_BODY + 32) revert CommitmentTooShort(offset, body.length);
            wRoot = bytes32(body[33:65]);
            if (wRoot == bytes32(0)) revert CommitmentZeroWithdrawalRoot(offset);
            timestampAt = 65;
        }
        uint256 timestamp = uint40(bytes5(body[timestampAt:timestampAt + TIMESTAMP_BYTES]));
        if (timestamp > l1Timestamp) revert CommitmentTimestampInFuture(offset, timestamp, l1Timestamp);
        if (timestamp < s.lastTimestamp) revert CommitmentTimestampDecreasing(offset, timestamp, s.lastTimestamp);
        // At most l1Timestamp, a uint64 block time.
        s.lastTimestamp = uint64(timestamp);
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
