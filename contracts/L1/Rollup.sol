// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IRollup} from "../interfaces/IRollup.sol";
import {IBridge} from "../interfaces/IBridge.sol";
import {IFraudVerifier} from "../interfaces/IFraudVerifier.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {Types} from "../libraries/Types.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";
import {BlobData} from "../libraries/BlobData.sol";

/// @title Rollup
/// @notice The state commitment chain of Cairn. Bonded proposers post batches; each batch's
///         commitments are hashed into one root here, so that a fraud proof later needs only one
///         commitment and its Merkle path. A batch is final once its challenge window has passed.
/// @dev Over 300 lines on purpose: bonds, submission, fraud proofs and the liveness rules are one
///      state machine over the same storage (batch headers, bonds, the sequencer clock) behind one
///      reentrancy guard, and each section is short. What is not storage already lives apart:
///      envelope parsing in BatchCodec, replay in FraudVerifier, hashes in Hashing.
contract Rollup is IRollup, ReentrancyGuardTransient {
    /// @notice Semantic version.
    string public constant version = "0.2.0";
    /// @notice Queue entries a batch must consume when it leaves an overdue one out: at ~5 bytes
    ///         of commitment a queue operation, about 20 kB of calldata, well inside the L1 gas cap.
    uint256 public constant QUEUE_CATCH_UP = 4096;

    /// @notice Deployment parameters.
    struct Config {
        address sequencer; // the designated proposer
        uint256 bondSize; // wei a proposer must have posted
        uint64 challengeWindow; // seconds a batch stays challengeable
        uint64 inclusionWindow; // seconds a queue entry may wait before a batch must consume it
        uint64 sequencerTimeout; // seconds of sequencer silence after which any bonded proposer may post
        uint64 bondWithdrawalDelay; // seconds between asking for a bond back and getting it
        uint64 l2ChainId;
        bytes32 genesisStateRoot;
        IFraudVerifier fraudVerifier;
    }

    /// @notice The bridge whose queue batches consume.
    IBridge public immutable bridge;
    /// @notice The designated proposer.
    address public immutable sequencer;
    /// @notice Bond a proposer must hold, in wei.
    uint256 public immutable bondSize;
    /// @notice Seconds from submission until a batch is final.
    uint64 public immutable challengeWindow;
    /// @notice Seconds a queue entry may wait for inclusion.
    uint64 public immutable inclusionWindow;
    /// @notice Seconds of sequencer silence after which any bonded proposer may post.
    uint64 public immutable sequencerTimeout;
    /// @notice Seconds between asking for a bond back and getting it.
    uint64 public immutable bondWithdrawalDelay;
    /// @notice Chain id of the L2; every L2 signature commits to it.
    uint64 public immutable l2ChainId;
    /// @notice State root of the empty L2.
    bytes32 public immutable genesisStateRoot;
    /// @notice Replays disputed commitments.
    IFraudVerifier public immutable fraudVerifier;

    /// @dev Batch headers by index. Only indices below `_batchCount` are live: a fraud proof
    ///      lowers the count in O(1) and the next submission overwrites the stale slot, so the
    ///      cost of a proof never grows with the number of batches it reverts.
    mapping(uint256 index => Types.BatchHeader) private _batches;
    uint256 private _batchCount;
    /// @dev BlobData.hashBlobBatch of blob batch `index`'s versioned hashes and claims, zero for a
    ///      calldata batch: one slot, whatever the number of blobs (the claims are in the event).
    ///      Like the headers, stale beyond `_batchCount`: submissions overwrite or clear it.
    mapping(uint256 index => bytes32) private _blobBatchHashes;
    /// @notice L1 time of deployment: the fallback clock before the first batch.
    uint64 public immutable deployedAt;
    /// @notice Bond posted by each proposer, in wei.
    mapping(address proposer => uint256) public bonds;
    /// @notice L1 time of the sequencer's latest batch on the chain (deployment time before the
    ///         first): the clock of the fallback. Other proposers' batches do not move it, so once
    ///         the sequencer has been silent for the timeout, bonded proposers may post as often
    ///         as it takes to work through the queue.
    uint64 public sequencerLastPostedAt;
    /// @inheritdoc IRollup
    uint256 public revertedBatchCount;
    /// @notice Slashed bond kept by the contract forever, in wei.
    uint256 public burnedBonds;
    /// @notice When each proposer asked for its bond back (zero: it has not).
    mapping(address proposer => uint64) public bondWithdrawalRequestedAt;
    /// @dev L1 time of each proposer's latest batch (zero: none). Not lowered when a fraud proof
    ///      reverts that batch: the bond then waits at most one challenge window more than it
    ///      had to, which costs nothing in safety and keeps the revert O(1).
    mapping(address proposer => uint64) private _lastBatchAt;

    constructor(IBridge bridge_, Config memory config) {
        bridge = bridge_;
        sequencer = config.sequencer;
        bondSize = config.bondSize;
        challengeWindow = config.challengeWindow;
        inclusionWindow = config.inclusionWindow;
        sequencerTimeout = config.sequencerTimeout;
        bondWithdrawalDelay = config.bondWithdrawalDelay;
        l2ChainId = config.l2ChainId;
        genesisStateRoot = config.genesisStateRoot;
        fraudVerifier = config.fraudVerifier;
        deployedAt = uint64(block.timestamp);
        sequencerLastPostedAt = uint64(block.timestamp);
    }

    /// @inheritdoc IRollup
    function postBond() external payable {
        if (msg.value == 0) revert RollupZeroBond();
        uint256 total = bonds[msg.sender] + msg.value;
        bonds[msg.sender] = total;
        emit BondPosted(msg.sender, msg.value, total);
    }

    /// @inheritdoc IRollup
    function requestBondWithdrawal() external {
        uint256 bond = bonds[msg.sender];
        if (bond == 0) revert RollupNoBond(msg.sender);
        bondWithdrawalRequestedAt[msg.sender] = uint64(block.timestamp);
        emit BondWithdrawalRequested(msg.sender, bond, block.timestamp + bondWithdrawalDelay);
    }

    /// @inheritdoc IRollup
    function withdrawBond() external nonReentrant {
        uint256 requestedAt = bondWithdrawalRequestedAt[msg.sender];
        if (requestedAt == 0) revert RollupBondWithdrawalNotRequested(msg.sender);
        uint256 readyAt = requestedAt + bondWithdrawalDelay;
        if (block.timestamp < readyAt) revert RollupBondWithdrawalTooEarly(readyAt);
        // The bond answers for every batch its proposer posted until that batch is final; the
        // latest is the last to become final (submission times never decrease).
        uint256 lastAt = _lastBatchAt[msg.sender];
        if (lastAt != 0 && block.timestamp < lastAt + challengeWindow) revert RollupProposerHasPendingBatch(lastAt + challengeWindow);
        uint256 amount = bonds[msg.sender];
        if (amount == 0) revert RollupNoBond(msg.sender);
        bonds[msg.sender] = 0;
        bondWithdrawalRequestedAt[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert RollupBondTransferFailed(msg.sender, amount);
    }

    /// @inheritdoc IRollup
    function submitBatch(uint256 batchIndex, bytes32 preStateRoot_, uint64 queueCount, bytes calldata commitments)
        external
        nonReentrant
    {
        _checkOrigin();
        _checkCanonicalCalldata(commitments.length);
        _checkProposer(msg.sender);
        uint256 index = _batchCount;
        // Resubmitting a batch that already landed fails here instead of appending it twice.
        if (batchIndex != index) revert RollupUnexpectedBatchIndex(index, batchIndex);
        bytes32 tip = tipStateRoot();
        if (preStateRoot_ != tip) revert RollupPreStateMismatch(tip, preStateRoot_);

        uint64 previousL2Timestamp = index == 0 ? 0 : _batches[index - 1].l2Timestamp;
        BatchCodec.Summary memory s = BatchCodec.summarize(commitments, preStateRoot_, previousL2Timestamp, block.timestamp);
        _checkQueueCount(queueCount, s.lastTimestamp);
        // A blob batch reverted at this index left its versioned hash: this batch has none.
        if (_blobBatchHashes[index] != bytes32(0)) delete _blobBatchHashes[index];
        _record(index, preStateRoot_, queueCount, s);
    }

    /// @inheritdoc IRollup
    function submitBlobBatch(uint256 batchIndex, bytes32 preStateRoot_, uint64 queueCount, BatchCodec.Summary[] calldata claims)
        external
        nonReentrant
    {
        // No origin or calldata-layout rule here: the batch bytes are the blobs, which BLOBHASH
        // names whoever calls, and the claims are in the event.
        _checkProposer(msg.sender);
        uint256 index = _batchCount;
        if (batchIndex != index) revert RollupUnexpectedBatchIndex(index, batchIndex);
        bytes32 tip = tipStateRoot();
        if (preStateRoot_ != tip) revert RollupPreStateMismatch(tip, preStateRoot_);
        uint64 previousL2Timestamp = index == 0 ? 0 : _batches[index - 1].l2Timestamp;
        _checkBlobClaims(claims, previousL2Timestamp);
        bytes32[] memory versionedHashes = _versionedHashes(claims.length);
        BatchCodec.Summary memory s = BlobData.combine(claims);
        _checkQueueCount(queueCount, s.lastTimestamp);
        _blobBatchHashes[index] = BlobData.hashBlobBatch(versionedHashes, claims);
        emit BlobBatchPosted(index, versionedHashes, previousL2Timestamp, claims);
        _record(index, preStateRoot_, queueCount, s);
    }

    /// @dev The versioned hashes of the transaction's blobs, which must be exactly `n`: BLOBHASH
    ///      reads zero past the last blob, and no blob's is zero (it starts with its version byte).
    function _versionedHashes(uint256 n) private view returns (bytes32[] memory hashes) {
        hashes = new bytes32[](n);
        uint256 carried;
        // Counted up to one past the most a batch may hold, so a seventh blob is seen.
        while (carried <= BlobData.MAX_BLOBS && blobhash(carried) != bytes32(0)) {
            if (carried < n) hashes[carried] = blobhash(carried);
            carried++;
        }
        if (carried != n) revert RollupBadBlobCount(n, carried);
    }

    /// @dev What can be checked of a blob batch's claims without the bytes: their number, the
    ///      bounds a calldata batch meets by construction (for each blob, and the blocks of all of
    ///      them), so that no follower is ever asked to build more than a batch may hold, and the
    ///      L2 time of each blob's last block between the blob before's (the previous batch's for
    ///      the first) and L1's. The state roots chain by construction: blob k is judged from
    ///      blob k − 1's claimed post-state root. Whether each blob gives its claim is for a
    ///      fraud proof to settle.
    function _checkBlobClaims(BatchCodec.Summary[] calldata claims, uint64 previousL2Timestamp) private view {
        uint256 n = claims.length;
        if (n == 0 || n > BlobData.MAX_BLOBS) revert RollupBadBlobCount(n, 0);
        uint256 previous = previousL2Timestamp;
        uint256 blocks;
        for (uint256 k = 0; k < n; k++) {
            BatchCodec.Summary calldata c = claims[k];
            if (c.count == 0 || c.count > BlobData.MAX_COMMITMENTS || c.blocks < c.count || c.blocks > BatchCodec.MAX_BLOCKS) {
                revert RollupBadBlobClaimCounts(k, c.count, c.blocks);
            }
            if (c.lastTimestamp < previous || c.lastTimestamp > block.timestamp) {
                revert RollupBadBlobClaimTimestamp(k, c.lastTimestamp, previous, block.timestamp);
            }
            previous = c.lastTimestamp;
            blocks += c.blocks;
        }
        if (blocks > BatchCodec.MAX_BLOCKS) revert RollupBlobBatchTooManyBlocks(blocks, BatchCodec.MAX_BLOCKS);
    }

    /// @dev Records batch `index` as `s` summarizes it: the header, the proposer's clocks, the event.
    function _record(uint256 index, bytes32 preStateRoot_, uint64 queueCount, BatchCodec.Summary memory s) private {
        uint64 firstBlock = _nextBlock();
        if (msg.sender == sequencer) sequencerLastPostedAt = uint64(block.timestamp);
        _batches[index] = Types.BatchHeader({
            commitmentsRoot: s.commitmentsRoot,
            postStateRoot: s.postStateRoot,
            withdrawalRoot: s.withdrawalRoot,
            proposer: msg.sender,
            timestamp: uint48(block.timestamp),
            commitmentCount: s.count,
            blockCount: s.blocks,
            queueCount: queueCount,
            firstBlock: firstBlock,
            l2Timestamp: s.lastTimestamp,
            sequencerPostedAt: sequencerLastPostedAt
        });
        _batchCount = index + 1;
        _lastBatchAt[msg.sender] = uint64(block.timestamp);
        emit BatchSubmitted(
            index,
            msg.sender,
            preStateRoot_,
            s.postStateRoot,
            s.commitmentsRoot,
            s.withdrawalRoot,
            queueCount,
            firstBlock,
            s.count,
            s.blocks
        );
    }

    /// @inheritdoc IRollup
    function proveFraud(
        uint256 batchIndex,
        uint256 commitmentIndex,
        bytes32 preStateRoot_,
        bytes calldata body,
        bytes32[] calldata path,
        bytes calldata witness
    ) external nonReentrant {
        Types.BatchHeader memory batch = _challengeable(batchIndex);
        // A blob batch's root is over its blobs' roots, which this path does not walk.
        if (_blobBatchHashes[batchIndex] != bytes32(0)) revert RollupIsBlobBatch(batchIndex);
        bytes32 leaf = Hashing.commitmentLeaf(preStateRoot_, body);
        if (!_inTree(batch.commitmentsRoot, batch.commitmentCount, commitmentIndex, leaf, path)) {
            revert RollupBadCommitmentProof(batchIndex, commitmentIndex);
        }
        Verdict memory v = _replay(batch.queueCount, commitmentIndex + 1 == batch.commitmentCount, preStateRoot_, body, witness);
        if (v.kind == IFraudVerifier.FraudKind.NONE) revert RollupNotFraudulent(batchIndex, commitmentIndex);
        _revertFrom(batchIndex, commitmentIndex, batch.proposer, v);
    }

    /// @inheritdoc IRollup
    function proveBlobCommitmentFraud(uint256 batchIndex, BlobBatch calldata blobs, BlobCommitment calldata commitment, bytes calldata witness)
        external
        nonReentrant
    {
        Types.BatchHeader memory batch = _challengeable(batchIndex);
        uint256 n = _checkBlobBatch(batchIndex, blobs);
        uint256 blob = commitment.blobIndex;
        if (blob >= n) revert RollupUnknownBlob(batchIndex, blob, n);
        // The claims are the batch's (their hash is stored), and the batch root is made of their
        // roots: a path to the blob's claimed root is a path to the batch's.
        BatchCodec.Summary calldata claim = blobs.claims[blob];
        // Where the commitment stands in the batch, for FraudProven: the blobs before it, then its place in its own.
        uint256 position = commitment.commitmentIndex;
        for (uint256 k = 0; k < blob; k++) position += blobs.claims[k].count;
        bytes32 leaf = Hashing.commitmentLeaf(commitment.preStateRoot, commitment.body);
        if (!_inTree(claim.commitmentsRoot, claim.count, commitment.commitmentIndex, leaf, commitment.path)) {
            revert RollupBadCommitmentProof(batchIndex, position);
        }
        bool last = blob + 1 == n && commitment.commitmentIndex + 1 == claim.count;
        Verdict memory v = _replay(batch.queueCount, last, commitment.preStateRoot, commitment.body, witness);
        if (v.kind == IFraudVerifier.FraudKind.NONE) revert RollupNotFraudulent(batchIndex, position);
        _revertFrom(batchIndex, position, batch.proposer, v);
    }

    /// @dev The header of batch `batchIndex`, which must exist and still be challengeable.
    function _challengeable(uint256 batchIndex) private view returns (Types.BatchHeader memory) {
        uint256 count = _batchCount;
        if (batchIndex >= count) revert RollupUnknownBatch(batchIndex, count);
        if (isFinal(batchIndex)) revert RollupBatchFinal(batchIndex);
        return _batches[batchIndex];
    }

    /// @dev Checks that `blobs` is what blob batch `batchIndex` was posted with; returns its blob count.
    function _checkBlobBatch(uint256 batchIndex, BlobBatch calldata blobs) private view returns (uint256) {
        bytes32 stored = _blobBatchHashes[batchIndex];
        if (stored == bytes32(0)) revert RollupNotBlobBatch(batchIndex);
        if (BlobData.hashBlobBatch(blobs.versionedHashes, blobs.claims) != stored) revert RollupBadBlobBatch(batchIndex);
        // Equal lengths: the stored hash is over a submission's, which had one hash a claim.
        return blobs.claims.length;
    }

    /// @inheritdoc IRollup
    function proveBlobFraud(
        uint256 batchIndex,
        BlobBatch calldata blobs,
        uint256 blobIndex,
        bytes calldata topBytes,
        bytes calldata stream,
        bytes calldata opening
    ) external nonReentrant {
        Types.BatchHeader memory batch = _challengeable(batchIndex);
        uint256 n = _checkBlobBatch(batchIndex, blobs);
        if (blobIndex >= n) revert RollupUnknownBlob(batchIndex, blobIndex, n);
        if (!BlobData.opensPrefix(blobs.versionedHashes[blobIndex], topBytes, stream, opening)) revert RollupBadBlobOpening(batchIndex, blobIndex);
        uint8 fault = _blobFault(batchIndex, blobs, blobIndex, batch.timestamp, topBytes, stream);
        if (fault == BlobData.FAULT_NONE) revert RollupNotFraudulent(batchIndex, 0);
        emit BlobBatchFraudProven(batchIndex, blobIndex, fault);
        // A blob that is not the batch claimed is bytes that do not decode to it: MALFORMED.
        Verdict memory v = Verdict(IFraudVerifier.FraudKind.MALFORMED, IFraudVerifier.Reason.MALFORMED, 0);
        _revertFrom(batchIndex, 0, batch.proposer, v);
    }

    /// @inheritdoc IRollup
    function summarizeEnvelope(bytes calldata envelope, bytes32 preStateRoot_, uint256 previousL2Timestamp, uint256 l1Timestamp)
        external
        pure
        returns (BatchCodec.Summary memory)
    {
        return BatchCodec.summarize(envelope, preStateRoot_, previousL2Timestamp, l1Timestamp);
    }

    /// @dev What is wrong with blob `blob` of batch `batchIndex` (posted at L1 time `postedAt`),
    ///      whose payload (opened) is `topBytes`/`stream`: not a payload at all, or an envelope
    ///      submitBatch would refuse or summarize to something other than the blob's claim.
    function _blobFault(
        uint256 batchIndex,
        BlobBatch calldata blobs,
        uint256 blob,
        uint256 postedAt,
        bytes calldata topBytes,
        bytes calldata stream
    ) private view returns (uint8) {
        (uint8 layout, uint256 length) = BlobData.envelopeOf(topBytes, stream);
        if (layout != BlobData.FAULT_NONE) return layout;
        bytes calldata envelope = stream[BlobData.HEADER_BYTES:BlobData.HEADER_BYTES + length];
        if (BlobData.tooManyCommitments(envelope)) return BlobData.FAULT_ENVELOPE;
        return _judgeEnvelope(envelope, batchIndex, blobs, blob, postedAt);
    }

    /// @dev The state root and L2 time blob `blob` of batch `batchIndex` starts from: where the
    ///      blob before was claimed to end, or the previous batch for the first blob.
    function _blobStart(uint256 batchIndex, BatchCodec.Summary[] calldata claims, uint256 blob)
        private
        view
        returns (bytes32 pre, uint64 previous)
    {
        if (blob > 0) return (claims[blob - 1].postStateRoot, claims[blob - 1].lastTimestamp);
        if (batchIndex == 0) return (genesisStateRoot, 0);
        Types.BatchHeader storage before = _batches[batchIndex - 1];
        return (before.postStateRoot, before.l2Timestamp);
    }

    /// @dev FAULT_ENVELOPE if BatchCodec refuses `envelope` as blob `blob` of batch `batchIndex`
    ///      (from where the blob before ends, at L1 time `postedAt`), FAULT_CLAIM if its summary is
    ///      not the blob's claim, FAULT_NONE otherwise.
    function _judgeEnvelope(bytes calldata envelope, uint256 batchIndex, BlobBatch calldata blobs, uint256 blob, uint256 postedAt)
        private
        view
        returns (uint8)
    {
        (bytes32 pre, uint64 previous) = _blobStart(batchIndex, blobs.claims, blob);
        BatchCodec.Summary calldata claim = blobs.claims[blob];
        // An external call, so that a refusal is caught: then it is a verdict. Only BatchCodec's own
        // errors count; anything else (out of gas, say) is the prover's, and reverts the proof.
        try this.summarizeEnvelope(envelope, pre, previous, postedAt) returns (BatchCodec.Summary memory s) {
            bool same = s.commitmentsRoot == claim.commitmentsRoot && s.postStateRoot == claim.postStateRoot
                && s.withdrawalRoot == claim.withdrawalRoot && s.count == claim.count && s.blocks == claim.blocks
                && s.lastTimestamp == claim.lastTimestamp;
            return same ? BlobData.FAULT_NONE : BlobData.FAULT_CLAIM;
        } catch (bytes memory reason) {
            if (!BlobData.isEnvelopeRefusal(reason)) {
                assembly ("memory-safe") {
                    revert(add(reason, 32), mload(reason))
                }
            }
            return BlobData.FAULT_ENVELOPE;
        }
    }

    struct Verdict {
        IFraudVerifier.FraudKind kind;
        IFraudVerifier.Reason reason;
        uint256 opIndex;
    }

    function _replay(uint64 queueLimit, bool lastInBatch, bytes32 preStateRoot_, bytes calldata body, bytes calldata witness)
        private
        view
        returns (Verdict memory v)
    {
        IFraudVerifier.Context memory context = IFraudVerifier.Context({
            preStateRoot: preStateRoot_,
            chainId: l2ChainId,
            bridge: address(bridge),
            queueLimit: queueLimit,
            lastInBatch: lastInBatch
        });
        (v.kind, v.reason, v.opIndex) = fraudVerifier.verify(body, witness, context);
    }

    /// @dev Deletes batch `batchIndex` and every later one, slashes `proposer`, pays the challenger.
    ///      Everything else a batch changed is derived from the tip, and so restored by lowering
    ///      the count: the tip state root, the queue position consumed, the next L2 block number
    ///      and the L2 timestamp floor. The fallback clock is the one stored copy: it goes back to
    ///      what it was after the new tip, so a reverted batch cannot keep other proposers out.
    function _revertFrom(uint256 batchIndex, uint256 commitmentIndex, address proposer, Verdict memory v) private {
        // batchIndex < _batchCount, checked by proveFraud.
        uint256 reverted = _batchCount - batchIndex;
        _batchCount = batchIndex;
        sequencerLastPostedAt = batchIndex == 0 ? deployedAt : _batches[batchIndex - 1].sequencerPostedAt;
        revertedBatchCount += reverted;
        uint256 bond = bonds[proposer];
        bonds[proposer] = 0;
        bondWithdrawalRequestedAt[proposer] = 0;
        uint256 reward = bond / 2;
        burnedBonds += bond - reward;
        emit FraudProven(batchIndex, commitmentIndex, msg.sender, proposer, v.kind, v.reason, v.opIndex, reverted, reward, bond - reward);
        // Interaction last.
        if (reward > 0) {
            (bool ok,) = msg.sender.call{value: reward}("");
            if (!ok) revert RollupRewardTransferFailed(msg.sender, reward);
        }
    }

    /// @inheritdoc IRollup
    function batchCount() external view returns (uint256) {
        return _batchCount;
    }

    /// @inheritdoc IRollup
    function blobBatchHash(uint256 index) external view returns (bytes32) {
        if (index >= _batchCount) revert RollupUnknownBatch(index, _batchCount);
        return _blobBatchHashes[index];
    }

    /// @inheritdoc IRollup
    function getBatch(uint256 index) external view returns (Types.BatchHeader memory) {
        if (index >= _batchCount) revert RollupUnknownBatch(index, _batchCount);
        return _batches[index];
    }

    /// @inheritdoc IRollup
    function preStateRoot(uint256 index) external view returns (bytes32) {
        if (index >= _batchCount) revert RollupUnknownBatch(index, _batchCount);
        return index == 0 ? genesisStateRoot : _batches[index - 1].postStateRoot;
    }

    /// @inheritdoc IRollup
    function tipStateRoot() public view returns (bytes32) {
        uint256 n = _batchCount;
        return n == 0 ? genesisStateRoot : _batches[n - 1].postStateRoot;
    }

    /// @inheritdoc IRollup
    function isFinal(uint256 index) public view returns (bool) {
        return index < _batchCount && block.timestamp >= uint256(_batches[index].timestamp) + challengeWindow;
    }

    /// @inheritdoc IRollup
    function finalBatchCount() external view returns (uint256) {
        // Submission times never decrease, so the final batches are a prefix: binary search it.
        uint256 lo = 0;
        uint256 hi = _batchCount;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (isFinal(mid)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// @dev Batch bytes must be the calldata of a top-level transaction to this contract, so that
    ///      every follower reads them from the transaction itself and nothing else can be
    ///      presented as the batch. `msg.sender == tx.origin` alone no longer proves that: an
    ///      EIP-7702 account carries code (the 23-byte delegation designator) and can call in from
    ///      inside its own execution. An account with no code cannot make a nested call, so when
    ///      it is also the caller, this call is the transaction's top-level one.
    function _checkOrigin() private view {
        // solhint-disable-next-line avoid-tx-origin
        if (msg.sender != tx.origin || msg.sender.code.length != 0) revert RollupProposerNotEOA(msg.sender, tx.origin);
    }

    /// @dev The calldata must be the standard ABI encoding, byte for byte in layout: `commitments`
    ///      at offset 0x80, padded to a whole word, nothing after it. Solidity's decoder accepts
    ///      other layouts (no padding, a later offset, trailing bytes) that a strict off-chain
    ///      decoder refuses; a follower that cannot read a batch cannot dispute it.
    function _checkCanonicalCalldata(uint256 length) private pure {
        uint256 offset;
        assembly ("memory-safe") {
            offset := calldataload(100) // selector, batchIndex, preStateRoot, queueCount: the next word
        }
        // length < msg.data.length here (the decoder checked it), so the sum cannot overflow.
        uint256 expected = 4 + 5 * 32 + ((length + 31) / 32) * 32;
        if (offset != 0x80 || msg.data.length != expected) revert RollupNonCanonicalCalldata(offset, msg.data.length, expected);
    }

    function _checkProposer(address proposer) private view {
        if (bondWithdrawalRequestedAt[proposer] != 0) revert RollupBondWithdrawalPending(proposer);
        uint256 bond = bonds[proposer];
        if (bond < bondSize || bond == 0) revert RollupProposerNotBonded(proposer, bond, bondSize);
        if (proposer != sequencer) {
            uint256 openAt = proposingOpensAt();
            if (block.timestamp < openAt) revert RollupNotSequencer(proposer, openAt);
        }
    }

    /// @inheritdoc IRollup
    function proposingOpensAt() public view returns (uint256 openAt) {
        openAt = uint256(sequencerLastPostedAt) + sequencerTimeout;
        // A sequencer that posts but leaves the queue waiting is censoring: the oldest entry left
        // out also opens proposing, once it is a sequencer timeout past its inclusion deadline.
        uint256 consumed = _consumed();
        if (consumed < bridge.queueLength()) {
            uint256 censoredAt = uint256(bridge.queueTimestamp(consumed)) + inclusionWindow + sequencerTimeout;
            if (censoredAt < openAt) openAt = censoredAt;
        }
    }

    /// @dev The inclusion rule. An entry is overdue once the batch's time is later than the
    ///      entry's L1 time plus the inclusion window. The batch's time is its last L2 block's, so
    ///      a backlog of blocks sealed before the entry arrived can still be posted; but never
    ///      earlier than a sequencer timeout before L1, so stale L2 timestamps cannot put the rule
    ///      off for longer than that. A batch that leaves an overdue entry out must have consumed
    ///      at least QUEUE_CATCH_UP entries, so that any queue, however long, is worked through by
    ///      batches that each fit the L1 gas cap.
    function _checkQueueCount(uint64 queueCount, uint64 l2Timestamp) private view {
        uint256 consumed = _consumed();
        uint256 queued = bridge.queueLength();
        if (queueCount < consumed || queueCount > queued) revert RollupInvalidQueueCount(queueCount, consumed, queued);
        if (queueCount < queued && queueCount - consumed < QUEUE_CATCH_UP) {
            uint256 queuedAt = bridge.queueTimestamp(queueCount);
            uint256 deadline = queuedAt + inclusionWindow;
            uint256 batchTime = l2Timestamp;
            if (block.timestamp > sequencerTimeout && block.timestamp - sequencerTimeout > batchTime) batchTime = block.timestamp - sequencerTimeout;
            if (batchTime > deadline) revert RollupQueueEntryOverdue(queueCount, queuedAt, deadline);
        }
    }

    /// @dev L1 queue entries consumed by the tip.
    function _consumed() private view returns (uint256) {
        uint256 n = _batchCount;
        return n == 0 ? 0 : _batches[n - 1].queueCount;
    }

    /// @dev Walks the positional path of `leaf` (an odd node pairs with a zero word, which the
    ///      path carries) up to `root`, a tree of `count` commitments. The exact depth keeps an
    ///      inner node from passing for a leaf.
    function _inTree(bytes32 root, uint256 count, uint256 index, bytes32 leaf, bytes32[] calldata path) private pure returns (bool) {
        if (index >= count) return false;
        uint256 depth = 0;
        while ((uint256(1) << depth) < count) depth++;
        if (path.length != depth) return false;
        bytes32 node = leaf;
        for (uint256 level = 0; level < depth; level++) {
            node = (index >> level) & 1 == 0
                ? keccak256(abi.encodePacked(node, path[level]))
                : keccak256(abi.encodePacked(path[level], node));
        }
        return node == root;
    }

    function _nextBlock() private view returns (uint64) {
        uint256 n = _batchCount;
        if (n == 0) return 1;
        Types.BatchHeader storage last = _batches[n - 1];
        return last.firstBlock + last.blockCount;
    }
}
