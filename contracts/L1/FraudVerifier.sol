// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../interfaces/IFraudVerifier.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {MerkleLib} from "../libraries/MerkleLib.sol";
import {Constants} from "../libraries/Constants.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";
import {ReplayState} from "../libraries/verifier/ReplayState.sol";
import {Witness} from "../libraries/verifier/Witness.sol";
import {CommitmentDecoder} from "../libraries/verifier/CommitmentDecoder.sol";
import {QueueOps} from "../libraries/verifier/QueueOps.sol";
import {SignedOps} from "../libraries/verifier/SignedOps.sol";
import {ProofWeight} from "../libraries/verifier/ProofWeight.sol";

/// @title FraudVerifier
/// @notice The on-chain twin of `applyOp` in src/core/execute.ts: decodes one commitment,
///         replays its operations on the witnessed accounts with every validity rule, and
///         compares the result with what the commitment claims. A witness that does not match
///         the pre-state reverts; it can never make an honest commitment look fraudulent.
/// @dev The sections live in contracts/libraries/verifier/, one library each, all `internal`
///      so that they compile into this contract: Witness (the packed witness and the account
///      roots) loads a ReplayState; CommitmentDecoder decodes the body; QueueOps and SignedOps
///      apply the two families of operations. Every hash is in Hashing, every number in Constants.
contract FraudVerifier is IFraudVerifier {
    /// @notice Semantic version.
    string public constant version = "0.1.0";

    /// @inheritdoc IFraudVerifier
    function verify(bytes calldata body, bytes calldata witness, Context calldata context)
        external
        view
        returns (FraudKind, Reason, uint256)
    {
        (ReplayState.Run memory run, Witness.Layout memory lay) = Witness.load(witness, context.preStateRoot);
        // An empty run (the Rollup checked its count and timestamp) changes nothing: it can only
        // be the batch's last commitment stopping short of the queue count the batch claims.
        if (body.length == BatchCodec.EMPTY_RUN_BYTES) {
            // A run of no blocks: the Rollup never accepts one, but both sides answer alike.
            if (bytes2(body[0:2]) == bytes2(0)) return (FraudKind.MALFORMED, Reason.NONE, 0);
            bool short = context.lastInBatch && run.queueIndex != context.queueLimit;
            return (short ? FraudKind.QUEUE_COUNT_MISMATCH : FraudKind.NONE, Reason.NONE, 0);
        }
        (bool ok, CommitmentDecoder.Header memory header, CommitmentDecoder.Op[] memory ops) = CommitmentDecoder.decode(body);
        if (!ok) return (FraudKind.MALFORMED, Reason.NONE, 0);
        // Too spread through the trees for a bounded proof: a verdict on the body and the
        // (authenticated) pre-state counters alone.
        (uint256 accountWeight, uint256 tokenWeight) = ProofWeight.weigh(ops, header.feeRecipient, run.accountCount, run.tokenCount);
        if (accountWeight > Constants.MAX_PROOF_WEIGHT || tokenWeight > Constants.MAX_TOKEN_PROOF_WEIGHT) {
            return (FraudKind.MALFORMED, Reason.NONE, 0);
        }

        (Reason reason, uint256 at) = _replay(run, header, ops, witness, lay, context);
        // Every verdict from here on rests on the witnessed accounts: prove them first.
        bytes32 accountsRoot = Witness.authenticate(run, witness, lay);
        if (reason != Reason.NONE) return (FraudKind.INVALID_OPERATION, reason, at);

        // Signed operations check the fee recipient as they are applied; a commitment without
        // one must still name an account (src/core/replay.ts).
        if (header.feeRecipient >= run.accountCount) return (FraudKind.MALFORMED, Reason.NONE, 0);
        bytes32 withdrawalRoot = MerkleLib.sortedRoot(run.withdrawals, run.withdrawalsLength);
        if (withdrawalRoot != (header.hasWithdrawals ? header.withdrawalRoot : bytes32(0))) {
            return (FraudKind.WRONG_WITHDRAWAL_ROOT, Reason.NONE, 0);
        }
        bytes32 postRoot = Hashing.stateRoot(accountsRoot, run.accountCount, run.queueIndex, run.withdrawalCount, run.tokenCount);
        if (postRoot != header.postStateRoot) return (FraudKind.WRONG_POST_STATE, Reason.NONE, 0);
        if (context.lastInBatch && run.queueIndex != context.queueLimit) return (FraudKind.QUEUE_COUNT_MISMATCH, Reason.NONE, 0);
        return (FraudKind.NONE, Reason.NONE, 0);
    }

    /// @dev Applies the operations in order up to the first invalid one.
    /// @return reason Why operation `at` is invalid (NONE: all are valid).
    /// @return at The invalid operation's position.
    function _replay(
        ReplayState.Run memory run,
        CommitmentDecoder.Header memory header,
        CommitmentDecoder.Op[] memory ops,
        bytes calldata witness,
        Witness.Layout memory lay,
        Context calldata context
    ) private view returns (Reason reason, uint256 at) {
        for (uint256 i = 0; i < ops.length; i++) {
            reason = ops[i].kind == Constants.OP_QUEUE
                ? QueueOps.applyOp(run, ops[i], witness, lay, context)
                : SignedOps.applyOp(run, header, ops[i], context);
            if (reason != Reason.NONE) return (reason, i);
        }
        return (Reason.NONE, 0);
    }
}
