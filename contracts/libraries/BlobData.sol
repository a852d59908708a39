// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {BatchCodec} from "./BatchCodec.sol";
import {MerkleLib} from "./MerkleLib.sol";

/// @title BlobData
/// @notice Opens the payload of a blob batch on L1, in one transaction, with the point-evaluation
///         precompile. A blob holds p(x) in evaluation form: element i is p(ω^brp(i)) over the
///         4,096th roots of unity in bit-reversed order, so its first 2,048 elements — where
///         Cairn writes a batch (src/core/blobLayout.ts) — are p on the subgroup H of order
///         2,048. A prover who claims those 2,048 values d (it sends the first `n`; the rest are
///         zero) also sends Q, a commitment to q = (p − I) / (x^2048 − 1), where I is the
///         interpolant of d on H. At z = keccak(versionedHash, Q, the values) mod r, chosen after
///         all of them, the precompile opens p(z) and q(z), and the contract evaluates I(z) from
///         d by the barycentric formula; p(z) = q(z)·(z^2048 − 1) + I(z) holds for every z only if
///         p − I vanishes on H, that is, only if d are the blob's values (a false d gives a
///         non-zero polynomial of degree < 6,144 that a random z hits with probability < 2^-240).
///         The cost is one precompile call per commitment, the calldata of the values and ~0.3k
///         gas a non-zero value; src/node/challenger/blobFraudProver.ts builds the proof.
library BlobData {
    /// @notice The BLS12-381 scalar field's modulus: every blob element is below it.
    uint256 internal constant BLS_MODULUS = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001;
    /// @notice Elements carrying the payload: the subgroup of order 2,048.
    uint256 internal constant PAYLOAD_ELEMENTS = 2048;
    /// @notice A generator of that subgroup: 7^((r − 1) / 2,048), the square of EIP-4844's root of unity.
    uint256 internal constant ROOT_OF_UNITY = 0x6d031f1b5c49c83409f1ca610a08f16655ea6811be9c622d4a838b5d59cd79e5;
    /// @notice 2,048^-1 mod r.
    uint256 internal constant INV_PAYLOAD_ELEMENTS = 0x73df299e3f3849988a3370cd08a0a3ca53132c4e7f9e5c33801fffff00200001;
    /// @notice Payload bytes per element (the top byte of a Cairn element is zero).
    uint256 internal constant BYTES_PER_ELEMENT = 31;
    /// @notice Layout version, and header bytes (version 1, envelope length 3).
    uint256 internal constant LAYOUT_VERSION = 1;
    uint256 internal constant HEADER_BYTES = 4;
    /// @notice The longest envelope: 2,048 × 31 − 4 bytes.
    uint256 internal constant ENVELOPE_CAPACITY = PAYLOAD_ELEMENTS * BYTES_PER_ELEMENT - HEADER_BYTES;
    /// @notice The most commitments a blob batch may hold. BatchCodec.summarize costs ~3.8k gas
    ///         a commitment, so a proof that summarizes 4,096 of them would cost ~16M; 256 keep the
    ///         worst blob proof under 5M (docs/architecture.md, *Blob batches*). A blob of full
    ///         blocks holds ~27 commitments; 256 is ~30 kB of one-transaction blocks.
    uint256 internal constant MAX_COMMITMENTS = 256;
    /// @notice The most blobs a batch may span: the most one L1 transaction may carry since Osaka
    ///         (EIP-7594). A batch is one transaction, so BLOBHASH reads every blob's versioned hash.
    uint256 internal constant MAX_BLOBS = 6;
    /// @notice Bytes of an opening: commitment, quotient commitment, their two proofs (48 each), p(z), q(z).
    uint256 internal constant OPENING_BYTES = 4 * 48 + 2 * 32;

    /// @notice The prover sent `elements` elements as `streamLength` bytes and an opening of
    ///         `openingLength` bytes: not 31 bytes an element, at most 2,048, and 256.
    error BlobOpeningMalformed(uint256 elements, uint256 streamLength, uint256 openingLength);
    /// @notice The envelope ends at byte `needed` of the stream; the prover sent `sent`.
    error BlobEnvelopeNotSent(uint256 needed, uint256 sent);
    /// @notice The challenge point fell on the subgroup (probability 2^-243): change the opening.
    error BlobChallengeOnDomain(uint256 z);
    /// @notice Sent element `index` is not below the BLS12-381 modulus, so no blob holds it.
    error BlobElementNotInField(uint256 index);
    /// @notice The modexp precompile did not answer.
    error BlobModexpFailed();

    address private constant POINT_EVALUATION = address(0x0a);
    address private constant MODEXP = address(0x05);

    /// @notice Why a blob is not the batch claimed for it (the fault of BlobBatchFraudProven).
    uint8 internal constant FAULT_NONE = 0;
    uint8 internal constant FAULT_LAYOUT = 1; // not a payload Cairn writes
    uint8 internal constant FAULT_ENVELOPE = 2; // a calldata batch with this envelope would be refused
    uint8 internal constant FAULT_CLAIM = 3; // the envelope's summary is not the claim

    /// @notice What the Rollup keeps of a blob batch's blobs: one hash over each blob's versioned
    ///         hash and claim, whose preimage BlobBatchPosted logs (src/core/blobBatch.ts hashes
    ///         the same ABI encoding).
    /// @param versionedHashes The blobs' versioned hashes, in order.
    /// @param claims The claim for each blob.
    /// @return The hash.
    function hashBlobBatch(bytes32[] memory versionedHashes, BatchCodec.Summary[] calldata claims) internal pure returns (bytes32) {
        return keccak256(abi.encode(versionedHashes, claims));
    }

    /// @notice The batch a chain of blob claims makes, as the Rollup records it: the positional
    ///         root of the blobs' commitments roots (so a single blob's is its own), the last
    ///         blob's post-state root and time, the sorted-pair root of the blobs' non-zero
    ///         withdrawal roots (a withdrawal's proof is its path in its commitment's tree, then
    ///         in its blob's, then in this one: one sorted-pair path for the Bridge), and the
    ///         counts summed. Claims must have been bounded (counts) first: the sums then fit.
    /// @param claims The claims, in blob order; at least one.
    /// @return s The batch's summary.
    function combine(BatchCodec.Summary[] calldata claims) internal pure returns (BatchCodec.Summary memory s) {
        uint256 n = claims.length;
        bytes32[] memory roots = new bytes32[](n);
        bytes32[] memory withdrawalRoots = new bytes32[](n);
        uint256 withdrawals;
        uint256 count;
        uint256 blocks;
        for (uint256 k = 0; k < n; k++) {
            BatchCodec.Summary calldata c = claims[k];
            roots[k] = c.commitmentsRoot;
            if (c.withdrawalRoot != bytes32(0)) withdrawalRoots[withdrawals++] = c.withdrawalRoot;
            count += c.count;
            blocks += c.blocks;
        }
        s.commitmentsRoot = MerkleLib.positionalRoot(roots);
        s.withdrawalRoot = MerkleLib.sortedRoot(withdrawalRoots, withdrawals);
        s.postStateRoot = claims[n - 1].postStateRoot;
        s.lastTimestamp = claims[n - 1].lastTimestamp;
        // n ≤ MAX_BLOBS claims of ≤ MAX_COMMITMENTS each: 1,536 fits 16 bits; blocks are bounded by the caller.
        s.count = uint16(count);
        s.blocks = uint32(blocks);
    }

    /// @notice Whether the first 2,048 elements of the blob `versionedHash` are, in order, the
    ///         `topBytes.length` elements `topBytes[i] ‖ stream[31i : 31i + 31]` followed by zeros.
    ///         Reverts (never answers false) on a prover's malformed input: it is not the proposer's.
    /// @param versionedHash The blob's versioned hash, as BLOBHASH gave it.
    /// @param topBytes Each sent element's top byte.
    /// @param stream Each sent element's low 31 bytes, concatenated.
    /// @param opening `commitment ‖ quotient ‖ proof ‖ quotientProof ‖ y ‖ quotientY`.
    /// @return opened Whether the values are the blob's.
    function opensPrefix(bytes32 versionedHash, bytes calldata topBytes, bytes calldata stream, bytes calldata opening)
        internal
        view
        returns (bool opened)
    {
        uint256 n = topBytes.length;
        if (n > PAYLOAD_ELEMENTS || stream.length != n * BYTES_PER_ELEMENT || opening.length != OPENING_BYTES) {
            revert BlobOpeningMalformed(n, stream.length, opening.length);
        }
        uint256 z = _challenge(versionedHash, opening[48:96], topBytes, stream);
        if (!_opensAt(versionedHash, z, opening)) return false;
        uint256 vanishing = addmod(_pow2048(z), BLS_MODULUS - 1, BLS_MODULUS);
        uint256 interpolated = mulmod(mulmod(vanishing, INV_PAYLOAD_ELEMENTS, BLS_MODULUS), _weightedSum(z, topBytes, stream), BLS_MODULUS);
        uint256 quotientY = uint256(bytes32(opening[224:256]));
        opened = uint256(bytes32(opening[192:224])) == addmod(mulmod(quotientY, vanishing, BLS_MODULUS), interpolated, BLS_MODULUS);
    }

    /// @notice The challenge point: fixed only once the values and the quotient commitment are.
    function _challenge(bytes32 versionedHash, bytes calldata quotient, bytes calldata topBytes, bytes calldata stream) private pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(versionedHash, quotient, keccak256(topBytes), keccak256(stream)))) % BLS_MODULUS;
    }

    /// @notice Whether the precompile opens the blob to `y` and the quotient to `quotientY` at `z`.
    function _opensAt(bytes32 versionedHash, uint256 z, bytes calldata opening) private view returns (bool) {
        bytes calldata quotient = opening[48:96];
        bytes32 quotientHash = (sha256(quotient) & ~bytes32(uint256(0xff) << 248)) | bytes32(uint256(1) << 248);
        return _pointEvaluation(versionedHash, z, uint256(bytes32(opening[192:224])), opening[0:48], opening[96:144])
            && _pointEvaluation(quotientHash, z, uint256(bytes32(opening[224:256])), quotient, opening[144:192]);
    }

    /// @notice The envelope a blob's payload carries, or the layout fault: every top byte zero,
    ///         version 1, length within capacity, every byte after the envelope zero.
    /// @param topBytes The first elements' top bytes (the rest of the 2,048 are zero).
    /// @param stream The first elements' low 31 bytes.
    /// @return fault FAULT_NONE or FAULT_LAYOUT.
    /// @return length The envelope's length; it is stream[4 : 4 + length].
    function envelopeOf(bytes calldata topBytes, bytes calldata stream) internal pure returns (uint8 fault, uint256 length) {
        if (!_allZero(topBytes, 0)) return (FAULT_LAYOUT, 0);
        // Fewer than four bytes sent: the header reads zero past them, version 0.
        if (stream.length < HEADER_BYTES || uint8(stream[0]) != LAYOUT_VERSION) return (FAULT_LAYOUT, 0);
        length = uint24(bytes3(stream[1:4]));
        if (length > ENVELOPE_CAPACITY) return (FAULT_LAYOUT, 0);
        // The envelope must lie within what was sent; past it everything is zero, so a shorter
        // prefix could only hide envelope bytes: a prover's mistake, not a verdict.
        if (HEADER_BYTES + length > stream.length) revert BlobEnvelopeNotSent(HEADER_BYTES + length, stream.length);
        if (!_allZero(stream, HEADER_BYTES + length)) return (FAULT_LAYOUT, 0);
    }

    /// @notice Whether `envelope` holds more than MAX_COMMITMENTS bodies, walking its length
    ///         prefixes only (and no further than that many): such a blob batch is refused before
    ///         any summarizing, which is what bounds the proof. A walk that runs off the end stops;
    ///         summarize then refuses the envelope on its own.
    /// @param envelope The blob's envelope.
    /// @return Whether it has too many bodies for a blob batch.
    function tooManyCommitments(bytes calldata envelope) internal pure returns (bool) {
        uint256 offset;
        uint256 count;
        while (offset + 2 <= envelope.length) {
            if (++count > MAX_COMMITMENTS) return true;
            offset += 2 + uint16(bytes2(envelope[offset:offset + 2]));
        }
        return false;
    }

    /// @notice Whether every byte of `data` from `from` on is zero, a word at a time.
    function _allZero(bytes calldata data, uint256 from) private pure returns (bool zero) {
        zero = true;
        assembly ("memory-safe") {
            let end := add(data.offset, data.length)
            for { let at := add(data.offset, from) } lt(at, end) { at := add(at, 32) } {
                let word := calldataload(at)
                // The last word may read past the data: keep only its bytes.
                let left := sub(end, at)
                if lt(left, 32) { word := shr(mul(8, sub(32, left)), word) }
                if word {
                    zero := 0
                    break
                }
            }
        }
    }

    /// @notice Whether `reason` is a revert of BatchCodec.summarize, i.e. a refusal of the
    ///         envelope, as opposed to running out of gas or anything else a prover could cause.
    /// @param reason The revert data of the summarize call.
    /// @return refused Whether it is one of BatchCodec's errors.
    function isEnvelopeRefusal(bytes memory reason) internal pure returns (bool refused) {
        if (reason.length < 4) return false;
        bytes4 s = bytes4(reason);
        refused = s == BatchCodec.BatchEmpty.selector || s == BatchCodec.BatchTooManyCommitments.selector
            || s == BatchCodec.BatchTruncated.selector || s == BatchCodec.CommitmentTooShort.selector
            || s == BatchCodec.CommitmentBadFlags.selector || s == BatchCodec.EmptyRunOfNoBlocks.selector
            || s == BatchCodec.BatchTooManyBlocks.selector || s == BatchCodec.CommitmentZeroWithdrawalRoot.selector
            || s == BatchCodec.CommitmentTimestampInFuture.selector || s == BatchCodec.CommitmentTimestampDecreasing.selector;
    }

    /// @notice Σ d_i · x_i / (z − x_i) over the sent elements, x_i = ω^brp(i). The sum does not
    ///         depend on the order, so it walks the subgroup in natural order k (x = ω^k, one
    ///         multiplication a step) and reads element brp(k); the divisions share one inversion.
    function _weightedSum(uint256 z, bytes calldata topBytes, bytes calldata stream) private view returns (uint256 sum) {
        // Three words a non-zero element: z − x, d·x, and the running product of the z − x.
        uint256[] memory t = new uint256[](3 * topBytes.length);
        uint256 streamOffset;
        assembly ("memory-safe") {
            streamOffset := stream.offset
        }
        (uint256 terms, uint256 product) = _collect(z, topBytes, streamOffset, t);
        if (terms == 0) return 0;
        uint256 inverse = _inverse(product);
        uint256 r = BLS_MODULUS;
        assembly ("memory-safe") {
            let base := add(t, 32)
            for { let i := terms } gt(i, 0) { i := sub(i, 1) } {
                let slot := add(base, mul(sub(i, 1), 96))
                let before := 1
                if gt(i, 1) { before := mload(sub(slot, 32)) }
                // inverse is 1 / (the first i denominators' product): times the first i − 1's, 1 / denominator i.
                sum := addmod(sum, mulmod(mload(add(slot, 32)), mulmod(inverse, before, r), r), r)
                inverse := mulmod(inverse, mload(slot), r)
            }
        }
    }

    /// @notice The first pass of _weightedSum: fills `t` and returns how many terms and their product.
    function _collect(uint256 z, bytes calldata topBytes, uint256 streamOffset, uint256[] memory t)
        private
        pure
        returns (uint256 terms, uint256 product)
    {
        // 0: none; i + 1: element i is not below the modulus; max: z is on the subgroup.
        uint256 failure;
        assembly ("memory-safe") {
            product := 1
            let x := 1
            let j := 0 // brp(k)
            for { let k := 0 } lt(k, PAYLOAD_ELEMENTS) { k := add(k, 1) } {
                if lt(j, topBytes.length) {
                    // The low 31 bytes, the word's 32nd byte (the next element's) shifted out.
                    let d := or(shl(248, byte(0, calldataload(add(topBytes.offset, j)))), shr(8, calldataload(add(streamOffset, mul(j, 31)))))
                    if iszero(lt(d, BLS_MODULUS)) {
                        failure := add(j, 1)
                        break
                    }
                    if d {
                        let slot := add(add(t, 32), mul(terms, 96))
                        mstore(slot, addmod(z, sub(BLS_MODULUS, x), BLS_MODULUS))
                        if iszero(mload(slot)) {
                            failure := not(0)
                            break
                        }
                        mstore(add(slot, 32), mulmod(d, x, BLS_MODULUS))
                        product := mulmod(product, mload(slot), BLS_MODULUS)
                        mstore(add(slot, 64), product)
                        terms := add(terms, 1)
                    }
                }
                x := mulmod(x, ROOT_OF_UNITY, BLS_MODULUS)
                // brp(k + 1) from brp(k): add one at the top bit, carrying downwards.
                let bit := shr(1, PAYLOAD_ELEMENTS)
                for {} and(j, bit) {} {
                    j := xor(j, bit)
                    bit := shr(1, bit)
                }
                j := or(j, bit)
            }
        }
        // z on the subgroup has probability 2^-243; the prover's data, so a revert.
        if (failure == type(uint256).max) revert BlobChallengeOnDomain(z);
        if (failure != 0) revert BlobElementNotInField(failure - 1);
    }

    /// @notice z^2048 by eleven squarings.
    function _pow2048(uint256 z) private pure returns (uint256 v) {
        v = z;
        for (uint256 i = 0; i < 11; i++) {
            v = mulmod(v, v, BLS_MODULUS);
        }
    }

    /// @notice a^(r − 2) mod r through the modexp precompile: the inverse of a non-zero a.
    function _inverse(uint256 a) private view returns (uint256) {
        (bool ok, bytes memory out) = MODEXP.staticcall(abi.encodePacked(uint256(32), uint256(32), uint256(32), a, BLS_MODULUS - 2, BLS_MODULUS));
        if (!ok || out.length != 32) revert BlobModexpFailed();
        return uint256(bytes32(out));
    }

    /// @notice Whether the precompile verifies that the blob (or quotient) `hash` evaluates to `y` at `z`.
    function _pointEvaluation(bytes32 hash, uint256 z, uint256 y, bytes calldata commitment, bytes calldata proof) private view returns (bool) {
        (bool ok, bytes memory out) = POINT_EVALUATION.staticcall(abi.encodePacked(hash, z, y, commitment, proof));
        return ok && out.length == 64;
    }
}
