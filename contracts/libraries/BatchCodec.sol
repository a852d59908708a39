// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Hashing} from "./Hashing.sol";
import {MerkleLib} from "./MerkleLib.sol";
import {Constants} from "./Constants.sol";

/// @title BatchCodec
/// @notice Reads the envelope of a batch: a run of commitments, each `[u16 bodyLength][body]`,
///         where a body starts `[postStateRoot 32][flags 1][withdrawalRoot 32, if flags & 1]
///         [timestamp 5]` and goes on with the packed operations (decoded only by a fraud proof).
///         `submitBatch` needs just the envelope: the chain of state roots, the withdrawal roots
///         and the L2 timestamps, which it bounds by L1 here so that no proof is needed for them.
///         A body of exactly EMPTY_RUN_BYTES is an *empty run* instead: `[count u16][timestamp 5]`,
///         `count` (≥ 1) L2 blocks with no operations, all stamped `timestamp`, which change no
///         state — one leaf, nine bytes of calldata, however many blocks an idle sequencer seals.
///         `src/core/commitment.ts` writes and reads the same bytes (encodeCommitment and
///         decodeCommitment a body, encodeBatch and splitBatch the envelope), and
///         `src/core/batch.ts` (summarizeBatch) computes the same summary.
library BatchCodec {
    /// @notice More commitments than a batch may carry.
    uint256 internal constant MAX_COMMITMENTS = 4096;
    /// @notice More L2 blocks than a batch may add, runs' blocks included: every follower builds
    ///         each block, so nine bytes of run must not ask for more than a batch of commitments
    ///         could (4,096 runs of 65,535 would be 268M blocks from 36 kB of calldata).
    uint256 internal constant MAX_BLOCKS = 4096;
    /// @notice Commitment flag: a 32-byte withdrawal root follows the flags byte. Bits 1–5 hold
    ///         the width of the account indices in the operations (at most the tree depth), bits
    ///         6–7 the token width class (0: 8-bit token ids, 1: 16, 2: 24; 3 is undefined).
    uint8 internal constant FLAG_WITHDRAWALS = 0x01;
    /// @notice Where the index width starts in the flags byte.
    uint8 internal constant FLAG_INDEX_SHIFT = 1;
    /// @notice The index width's bits, once shifted down.
    uint8 internal constant FLAG_INDEX_MASK = 0x1f;
    /// @notice Where the token width class starts in the flags byte (it runs to the top bit).
    uint8 internal constant FLAG_TOKEN_CLASS_SHIFT = 6;
    /// @dev A body holds at least its header up to the timestamp: root, flags, timestamp.
    uint256 private constant MIN_BODY = 38;
    /// @notice The length of an empty run's body: a block count (2 bytes) and a timestamp (5).
    uint256 internal constant EMPTY_RUN_BYTES = 7;
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
    /// @notice The empty run at byte `offset` counts no blocks.
    error EmptyRunOfNoBlocks(uint256 offset);
    /// @notice The batch holds `blocks` L2 blocks, over `max`.
    error BatchTooManyBlocks(uint256 blocks, uint256 max);
    /// @notice The commitment at byte `offset` declares withdrawals with a zero root.
    error CommitmentZeroWithdrawalRoot(uint256 offset);
    /// @notice The commitment at byte `offset` is timestamped `timestamp`, after the L1 block
    ///         (`l1Timestamp`) that posts it.
    error CommitmentTimestampInFuture(uint256 offset, uint256 timestamp, uint256 l1Timestamp);
    /// @notice The commitment at byte `offset` is timestamped `timestamp`, before the L2 block
    ///         preceding it (`previous`).
    error CommitmentTimestampDecreasing(uint256 offset, uint256 timestamp, uint256 previous);

    /// @notice What `summarize` finds in a batch: what the Rollup records of it.
    struct Summary {
        bytes32 commitmentsRoot;
        bytes32 postStateRoot;
        bytes32 withdrawalRoot;
        uint16 count;
        uint32 blocks;
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
    /// @return s The roots, the commitment and block counts and the last L2 timestamp.
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

    /// @notice The width of every account index in a commitment's operations, from its flags byte.
    /// @param flags The flags byte (body byte 32).
    /// @return The index width in bits; Cairn defines at most Constants.ACCOUNT_TREE_DEPTH.
    function indexWidth(uint256 flags) internal pure returns (uint256) {
        return (flags >> FLAG_INDEX_SHIFT) & FLAG_INDEX_MASK;
    }

    /// @notice The token width class of a commitment, from its flags byte.
    /// @param flags The flags byte (body byte 32).
    /// @return The class (0: 8-bit token ids, 1: 16, 2: 24); Cairn defines at most
    ///         Constants.MAX_TOKEN_CLASS.
    function tokenWidthClass(uint256 flags) internal pure returns (uint256) {
        return flags >> FLAG_TOKEN_CLASS_SHIFT;
    }

    /// @notice Whether Cairn defines a commitment's flags byte: no operation could be decoded
    ///         under a wider index than the account tree has, or under token width class 3.
    ///         Submission refuses such a commitment and a fraud proof calls it malformed; both
    ///         ask here, so the two can never disagree on which bytes are a commitment.
    /// @param flags The flags byte (body byte 32).
    /// @return defined Whether the flags byte is defined.
    function flagsDefined(uint256 flags) internal pure returns (bool defined) {
        uint256 indexBits = (flags >> FLAG_INDEX_SHIFT) & FLAG_INDEX_MASK;
        uint256 tokenClass = flags >> FLAG_TOKEN_CLASS_SHIFT;
        uint256 maxIndexBits = Constants.ACCOUNT_TREE_DEPTH;
        uint256 maxTokenClass = Constants.MAX_TOKEN_CLASS;
        // One basic block — the fields spelled out rather than read through the two functions
        // above, both bounds without a short-circuit jump — which the legacy optimizer inlines
        // into submitBatch's loop over the commitments; a call would cost some 60 gas each.
        assembly ("memory-safe") {
            defined := and(iszero(gt(indexBits, maxIndexBits)), iszero(gt(tokenClass, maxTokenClass)))
        }
    }

    /// @notice The loop of `summarize`, from the running values in `s`.
    /// @param data The batch's commitments.
    /// @param s The summary: holds the running state root and L2 timestamp, receives the rest.
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    function _walk(bytes calldata data, Summary memory s, uint256 l1Timestamp) private pure {
        uint256 count = _count(data);
        bytes32[] memory leaves = new bytes32[](count);
        bytes32[] memory withdrawalRoots = new bytes32[](count);
        uint256 withdrawalCount;
        uint256 offset;
        uint256 blocks;
        for (uint256 i = 0; i < count; i++) {
            bytes calldata body = data[offset + 2:offset + 2 + uint16(bytes2(data[offset:offset + 2]))];
            leaves[i] = Hashing.commitmentLeaf(s.postStateRoot, body);
            if (body.length == EMPTY_RUN_BYTES) {
                // No state changes: the post-state root stays the pre-state root.
                blocks += _emptyRun(body, offset, s, l1Timestamp);
            } else {
                bytes32 wRoot = _header(body, offset, s, l1Timestamp);
                if (wRoot != bytes32(0)) withdrawalRoots[withdrawalCount++] = wRoot;
                s.postStateRoot = bytes32(body[0:32]);
                blocks++;
            }
            offset += 2 + body.length;
        }
        if (blocks > MAX_BLOCKS) revert BatchTooManyBlocks(blocks, MAX_BLOCKS);
        s.commitmentsRoot = MerkleLib.positionalRoot(leaves);
        s.withdrawalRoot = MerkleLib.sortedRoot(withdrawalRoots, withdrawalCount);
        // count ≤ MAX_COMMITMENTS (checked by _count) and blocks ≤ MAX_BLOCKS: exact casts.
        s.count = uint16(count);
        s.blocks = uint32(blocks);
    }

    /// @notice An empty run's block count, its timestamp checked as a commitment's is.
    /// @param body The run, EMPTY_RUN_BYTES long.
    /// @param offset Where its length prefix is in the batch, for the errors.
    /// @param s The summary; its L2 timestamp moves to the run's.
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    /// @return blocks How many L2 blocks the run holds (at least 1).
    function _emptyRun(bytes calldata body, uint256 offset, Summary memory s, uint256 l1Timestamp)
        private
        pure
        returns (uint256 blocks)
    {
        blocks = uint16(bytes2(body[0:2]));
        if (blocks == 0) revert EmptyRunOfNoBlocks(offset);
        _checkTimestamp(uint40(bytes5(body[2:7])), offset, s, l1Timestamp);
    }

    /// @notice The L2 timestamp floor of the batch, checked: a floor above the L1 time could
    ///         never be met, so no batch after it could be posted.
    /// @param previous The L2 timestamp of the block before the batch.
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    /// @return The floor.
    function _checkedTimestamp(uint256 previous, uint256 l1Timestamp) private pure returns (uint64) {
        if (previous > l1Timestamp) revert CommitmentTimestampInFuture(0, previous, l1Timestamp);
        return uint64(previous);
    }

    /// @notice The header fields the envelope checks: the flags, the withdrawal root (zero when
    ///         the flags say there is none; a declared one must not be zero) and the L2 timestamp,
    ///         which must lie in [previous, l1Timestamp].
    /// @param body The commitment, at least MIN_BODY bytes.
    /// @param offset Where its length prefix is in the batch, for the errors.
    /// @param s The summary; its L2 timestamp moves to the commitment's.
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    /// @return wRoot The commitment's withdrawal root, or zero.
    function _header(bytes calldata body, uint256 offset, Summary memory s, uint256 l1Timestamp)
        private
        pure
        returns (bytes32 wRoot)
    {
        uint8 flags = uint8(body[32]);
        // Refused here rather than left to a proof: no operation could be decoded under them.
        if (!flagsDefined(flags)) revert CommitmentBadFlags(offset, flags);
        uint256 timestampAt = 33;
        if (flags & FLAG_WITHDRAWALS != 0) {
            if (body.length < MIN_BODY + 32) revert CommitmentTooShort(offset, body.length);
            wRoot = bytes32(body[33:65]);
            if (wRoot == bytes32(0)) revert CommitmentZeroWithdrawalRoot(offset);
            timestampAt = 65;
        }
        _checkTimestamp(uint40(bytes5(body[timestampAt:timestampAt + TIMESTAMP_BYTES])), offset, s, l1Timestamp);
    }

    /// @notice An L2 timestamp must lie in [the previous one, l1Timestamp]; it becomes the previous one.
    /// @param timestamp The commitment's or run's L2 timestamp.
    /// @param offset Where it is in the batch, for the errors.
    /// @param s The summary, holding the previous L2 timestamp.
    /// @param l1Timestamp The timestamp of the L1 block posting the batch.
    function _checkTimestamp(uint256 timestamp, uint256 offset, Summary memory s, uint256 l1Timestamp) private pure {
        if (timestamp > l1Timestamp) revert CommitmentTimestampInFuture(offset, timestamp, l1Timestamp);
        if (timestamp < s.lastTimestamp) revert CommitmentTimestampDecreasing(offset, timestamp, s.lastTimestamp);
        // At most l1Timestamp, a uint64 block time.
        s.lastTimestamp = uint64(timestamp);
    }

    /// @notice Counts the commitments, walking the length prefixes once so that `_walk` allocates
    ///         its arrays exactly; reverts on an envelope that does not parse.
    /// @param data The batch's commitments.
    /// @return count How many there are.
    function _count(bytes calldata data) private pure returns (uint256 count) {
        if (data.length == 0) revert BatchEmpty();
        uint256 offset;
        while (offset < data.length) {
            if (offset + 2 > data.length) revert BatchTruncated(offset);
            uint256 length = uint16(bytes2(data[offset:offset + 2]));
            if (length < MIN_BODY && length != EMPTY_RUN_BYTES) revert CommitmentTooShort(offset, length);
            if (offset + 2 + length > data.length) revert BatchTruncated(offset);
            offset += 2 + length;
            unchecked {
                // Bounded by data.length / (2 + MIN_BODY), far below 2^256.
                ++count;
            }
        }
        if (count > MAX_COMMITMENTS) revert BatchTooManyCommitments(count, MAX_COMMITMENTS);
    }
}
