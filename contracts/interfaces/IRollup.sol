// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "../libraries/Types.sol";
import {IFraudVerifier} from "./IFraudVerifier.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";

/// @title IRollup
/// @notice The state commitment chain: bonded proposers post batches of commitments; a batch is
///         final once its challenge window has passed.
interface IRollup {
    /// @notice `proposer` holds `bond` wei of bond, under the `required` amount.
    error RollupProposerNotBonded(address proposer, uint256 bond, uint256 required);
    /// @notice `proposer` is not the sequencer, and the sequencer has not been silent for the
    ///         timeout (it may post again from `openAt`).
    error RollupNotSequencer(address proposer, uint256 openAt);
    /// @notice The batch was built as number `given`; the next one is `expected`.
    error RollupUnexpectedBatchIndex(uint256 expected, uint256 given);
    /// @notice The batch was built on `given`; the chain's tip is `expected`.
    error RollupPreStateMismatch(bytes32 expected, bytes32 given);
    /// @notice The batch claims `queueCount` queue entries consumed; it must lie in [`min`, `max`].
    error RollupInvalidQueueCount(uint256 queueCount, uint256 min, uint256 max);
    /// @notice Queue entry `index`, queued at `queuedAt`, was due by `deadline` (in the batch's time:
    ///         its last L2 block's, or a sequencer timeout before L1 if that is later) and is left
    ///         out by a batch that consumed fewer than QUEUE_CATCH_UP entries.
    error RollupQueueEntryOverdue(uint256 index, uint256 queuedAt, uint256 deadline);
    /// @notice There is no batch `index` (there are `count`).
    error RollupUnknownBatch(uint256 index, uint256 count);
    /// @notice A bond must be posted with a non-zero value.
    error RollupZeroBond();
    /// @notice `proposer` has no bond to withdraw.
    error RollupNoBond(address proposer);
    /// @notice `proposer` has not asked to withdraw its bond.
    error RollupBondWithdrawalNotRequested(address proposer);
    /// @notice `proposer` asked to withdraw its bond and may not propose meanwhile.
    error RollupBondWithdrawalPending(address proposer);
    /// @notice The bond can be withdrawn from `readyAt` on.
    error RollupBondWithdrawalTooEarly(uint256 readyAt);
    /// @notice The proposer's latest batch is final only from `finalAt`: its bond answers for it until then.
    error RollupProposerHasPendingBatch(uint256 finalAt);
    /// @notice The submitBatch calldata is not the standard ABI layout: `commitments` at `offset`
    ///         (0x80 expected), `length` bytes of calldata where the padded encoding has `expected`.
    error RollupNonCanonicalCalldata(uint256 offset, uint256 length, uint256 expected);
    /// @notice Batches come only from an account with no code calling directly (`sender` is the
    ///         caller, `origin` the transaction's signer), so that their bytes are the
    ///         transaction's own calldata.
    error RollupProposerNotEOA(address sender, address origin);
    /// @notice Paying the bond of `amount` back to `proposer` failed.
    error RollupBondTransferFailed(address proposer, uint256 amount);
    /// @notice Batch `index` is final: its challenge window has passed.
    error RollupBatchFinal(uint256 index);
    /// @notice The commitment and path do not belong to batch `batchIndex` at `commitmentIndex`.
    error RollupBadCommitmentProof(uint256 batchIndex, uint256 commitmentIndex);
    /// @notice The replay found commitment `commitmentIndex` of batch `batchIndex` honest.
    error RollupNotFraudulent(uint256 batchIndex, uint256 commitmentIndex);
    /// @notice Paying the challenger's reward of `amount` to `challenger` failed.
    error RollupRewardTransferFailed(address challenger, uint256 amount);

    /// @notice A blob batch makes `claims` claims and its transaction carries `blobs` blobs: they
    ///         must be equal, and between 1 and BlobData.MAX_BLOBS.
    error RollupBadBlobCount(uint256 claims, uint256 blobs);
    /// @notice Blob `blob` of a batch claims `count` commitments and `blocks` L2 blocks: it needs
    ///         1 ≤ count ≤ blocks ≤ 4,096 and count ≤ 256 (BlobData.MAX_COMMITMENTS).
    error RollupBadBlobClaimCounts(uint256 blob, uint256 count, uint256 blocks);
    /// @notice Blob `blob` of a batch claims its last L2 block at `timestamp`, outside
    ///         [`previous`, `l1Timestamp`]: `previous` is the blob before's claimed time (the
    ///         previous batch's for the first blob), so the claims' times chain.
    error RollupBadBlobClaimTimestamp(uint256 blob, uint256 timestamp, uint256 previous, uint256 l1Timestamp);
    /// @notice The blobs of a batch claim `blocks` L2 blocks together, over `max` (BatchCodec.MAX_BLOCKS).
    error RollupBlobBatchTooManyBlocks(uint256 blocks, uint256 max);

    /// @notice Batch `index` was posted as calldata: it has no blob to dispute.
    error RollupNotBlobBatch(uint256 index);
    /// @notice Batch `index` was posted in blobs: its commitments are disputed with proveBlobCommitmentFraud.
    error RollupIsBlobBatch(uint256 index);
    /// @notice The versioned hashes and claims given are not those blob batch `index` was posted with.
    error RollupBadBlobBatch(uint256 index);
    /// @notice Blob batch `index` has `blobs` blobs; there is no blob `blob`.
    error RollupUnknownBlob(uint256 index, uint256 blob, uint256 blobs);
    /// @notice The values and opening given do not open blob `blob` of batch `index`.
    error RollupBadBlobOpening(uint256 index, uint256 blob);

    /// @notice What a blob batch was posted with, as BlobBatchPosted logs it: each blob's versioned
    ///         hash and the proposer's claim for it. The Rollup stores only blobBatchHash over it,
    ///         so whoever disputes the batch passes it back.
    struct BlobBatch {
        bytes32[] versionedHashes;
        BatchCodec.Summary[] claims;
    }

    /// @notice A commitment of a blob batch as a fraud proof names it: commitment
    ///         `commitmentIndex` of blob `blobIndex`, starting from `preStateRoot` (bound by its
    ///         leaf), with `body` its bytes and `path` its positional path to the blob's claimed
    ///         commitments root.
    struct BlobCommitment {
        uint256 blobIndex;
        uint256 commitmentIndex;
        bytes32 preStateRoot;
        bytes body;
        bytes32[] path;
    }

    /// @notice Emitted, just before its FraudProven, when blob `blobIndex` of batch `batchIndex`
    ///         is proven not to be what its proposer claimed: `fault` 1, the blob is not a Cairn
    ///         payload; 2, its envelope breaks a rule of BatchCodec.summarize; 3, its summary is
    ///         not the claim (which includes a blob that does not start where the one before ends).
    event BlobBatchFraudProven(uint256 indexed batchIndex, uint256 blobIndex, uint8 fault);
    /// @notice Emitted, just before its BatchSubmitted, when batch `index` is posted in blobs:
    ///         followers fetch each blob by its versioned hash and check it against it. Blob k
    ///         starts from blob k − 1's claimed post-state root and last L2 time (the batch's
    ///         pre-state root and `previousL2Timestamp` for the first), so with these a follower
    ///         has every input BatchCodec.summarize takes for every blob, and checks each claim as
    ///         the Rollup checks a calldata batch.
    event BlobBatchPosted(uint256 indexed index, bytes32[] versionedHashes, uint64 previousL2Timestamp, BatchCodec.Summary[] claims);
    /// @notice Emitted when batch `index` is accepted.
    event BatchSubmitted(
        uint256 indexed index,
        address indexed proposer,
        bytes32 preStateRoot,
        bytes32 postStateRoot,
        bytes32 commitmentsRoot,
        bytes32 withdrawalRoot,
        uint64 queueCount,
        uint64 firstBlock,
        uint32 commitmentCount,
        uint32 blockCount
    );
    /// @notice Emitted when a fraud proof succeeds: batches `batchIndex` onwards are deleted, the
    ///         proposer's bond is slashed, `reward` paid to the challenger and `burned` kept forever.
    event FraudProven(
        uint256 indexed batchIndex,
        uint256 commitmentIndex,
        address indexed challenger,
        address indexed proposer,
        IFraudVerifier.FraudKind kind,
        IFraudVerifier.Reason reason,
        uint256 opIndex,
        uint256 batchesReverted,
        uint256 reward,
        uint256 burned
    );
    /// @notice Emitted when `proposer` asks for its bond back, payable from `readyAt`.
    event BondWithdrawalRequested(address indexed proposer, uint256 amount, uint256 readyAt);
    /// @notice Emitted when `proposer` takes its bond of `amount` back.
    event BondWithdrawn(address indexed proposer, uint256 amount);
    /// @notice Emitted when `proposer` adds `amount` to its bond, now `total`.
    event BondPosted(address indexed proposer, uint256 amount, uint256 total);

    /// @notice Posts a batch of commitments on top of the current tip.
    /// @param batchIndex  The index this batch must get; makes resubmission idempotent.
    /// @param preStateRoot The tip's state root the batch was built on.
    /// @param queueCount  L1 queue entries consumed on L2 once this batch is applied.
    /// @param commitments The packed commitments (see BatchCodec).
    function submitBatch(uint256 batchIndex, bytes32 preStateRoot, uint64 queueCount, bytes calldata commitments)
        external;

    /// @notice Posts a batch whose commitments travel in the transaction's blobs, 1 to
    ///         BlobData.MAX_BLOBS of them (each laid out as src/core/blobLayout.ts writes), with
    ///         the summary the proposer claims for each. Blob k's claim starts where blob k − 1's
    ///         ends. The Rollup cannot read the blobs: each claim stands unless a fraud proof shows
    ///         its blob does not give it. The batch is recorded as a calldata batch would be, with
    ///         the claims combined (BlobData.combine), and one hash over the versioned hashes and
    ///         the claims (blobBatchHash).
    /// @param batchIndex   The index this batch must get.
    /// @param preStateRoot The tip's state root the batch was built on.
    /// @param queueCount   L1 queue entries consumed on L2 once this batch is applied.
    /// @param claims       For each blob in order, what BatchCodec.summarize gives for its commitments.
    function submitBlobBatch(uint256 batchIndex, bytes32 preStateRoot, uint64 queueCount, BatchCodec.Summary[] calldata claims)
        external;

    /// @notice Proves, in one transaction, that blob `blobIndex` of batch `batchIndex` is not what
    ///         its proposer claimed (see BlobData for the opening, BatchCodec for the rules): its
    ///         first 2,048 elements are opened against its versioned hash, then decoded and
    ///         summarized as submitBatch would, from where the blob before it was claimed to end.
    ///         On fraud the batch and every later one are reverted and the proposer slashed, as by
    ///         proveFraud. Every fraud inside a blob that does give its claim is proven with
    ///         proveBlobCommitmentFraud, from the bodies read out of the blob.
    /// @param batchIndex The blob batch.
    /// @param blobs      What the batch was posted with (its BlobBatchPosted event).
    /// @param blobIndex  The disputed blob.
    /// @param topBytes   The top byte of each of the blob's first `n` elements (the rest of the
    ///                   2,048 are zero).
    /// @param stream     Their low 31 bytes, concatenated.
    /// @param opening    The blob's commitment, the quotient commitment, both opening proofs and
    ///                   both values (BlobData.OPENING_BYTES).
    function proveBlobFraud(
        uint256 batchIndex,
        BlobBatch calldata blobs,
        uint256 blobIndex,
        bytes calldata topBytes,
        bytes calldata stream,
        bytes calldata opening
    ) external;

    /// @notice Proves a commitment of blob batch `batchIndex` wrong, in one transaction, as
    ///         proveFraud does for a calldata batch: the commitment's path leads to its blob's
    ///         claimed commitments root, and the claims are the batch's (blobBatchHash).
    /// @param batchIndex The blob batch.
    /// @param blobs      What the batch was posted with (its BlobBatchPosted event).
    /// @param commitment The disputed commitment, its blob, position, pre-state root and path.
    /// @param witness    The touched accounts and queue entries, packed (see IFraudVerifier).
    function proveBlobCommitmentFraud(uint256 batchIndex, BlobBatch calldata blobs, BlobCommitment calldata commitment, bytes calldata witness)
        external;

    /// @notice BatchCodec.summarize as an external call, so that proveBlobFraud can catch its refusals.
    /// @param envelope            A batch's commitments, `[u16 length][body]` each.
    /// @param preStateRoot        The state root the first commitment starts from.
    /// @param previousL2Timestamp The L2 timestamp of the block before the batch.
    /// @param l1Timestamp         The L1 time the batch was posted at.
    /// @return The summary submitBatch would record.
    function summarizeEnvelope(bytes calldata envelope, bytes32 preStateRoot, uint256 previousL2Timestamp, uint256 l1Timestamp)
        external
        pure
        returns (BatchCodec.Summary memory);

    /// @notice What the Rollup keeps of blob batch `index`'s blobs: keccak256 of the ABI encoding
    ///         of its versioned hashes and claims (BlobData.hashBlobBatch).
    /// @param index The batch.
    /// @return The hash, or zero for a batch posted as calldata.
    function blobBatchHash(uint256 index) external view returns (bytes32);

    /// @notice Proves commitment `commitmentIndex` of calldata batch `batchIndex` wrong, in one
    ///         transaction. Deletes that batch and every later one and slashes the batch's
    ///         proposer. A blob batch's commitments: proveBlobCommitmentFraud.
    /// @param batchIndex    The calldata batch.
    /// @param commitmentIndex The commitment's position in it.
    /// @param preStateRoot_ The state root the commitment starts from (bound by its leaf).
    /// @param body          The commitment's bytes, as posted.
    /// @param path          Positional Merkle path of the commitment leaf in the batch.
    /// @param witness       The touched accounts and queue entries, packed (see IFraudVerifier).
    function proveFraud(
        uint256 batchIndex,
        uint256 commitmentIndex,
        bytes32 preStateRoot_,
        bytes calldata body,
        bytes32[] calldata path,
        bytes calldata witness
    ) external;

    /// @notice Batches deleted by fraud proofs so far.
    function revertedBatchCount() external view returns (uint256);

    /// @notice Adds `msg.value` to the caller's proposer bond.
    function postBond() external payable;

    /// @notice Starts the bond withdrawal delay; the caller may not propose until it withdraws.
    function requestBondWithdrawal() external;

    /// @notice Pays the caller's bond back once the delay has passed and none of its batches
    ///         can still be challenged.
    function withdrawBond() external;

    /// @notice Number of batches on the chain (reverted ones excluded).
    function batchCount() external view returns (uint256);

    /// @notice Header of batch `index`.
    function getBatch(uint256 index) external view returns (Types.BatchHeader memory);

    /// @notice The state root batch `index` was built on.
    function preStateRoot(uint256 index) external view returns (bytes32);

    /// @notice The state root of the chain's tip (the genesis root before any batch).
    function tipStateRoot() external view returns (bytes32);

    /// @notice L1 time from which any bonded proposer may post: a sequencer timeout after the
    ///         latest batch, or earlier if the oldest queue entry left waiting is a sequencer
    ///         timeout past its inclusion deadline.
    /// @return openAt The L1 timestamp.
    function proposingOpensAt() external view returns (uint256 openAt);

    /// @notice Whether batch `index` exists and its challenge window has passed.
    function isFinal(uint256 index) external view returns (bool);

    /// @notice Number of batches that are final (they are always a prefix of the chain).
    function finalBatchCount() external view returns (uint256);
}
