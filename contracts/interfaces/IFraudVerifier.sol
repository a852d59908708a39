// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IFraudVerifier
/// @notice Replays one commitment on-chain against witnesses of the accounts it touches and
///         says whether it is fraudulent. Stateless: the Rollup calls it from `proveFraud`.
interface IFraudVerifier {
    /// @notice What makes a commitment fraudulent.
    enum FraudKind {
        NONE,
        MALFORMED, // the bytes do not decode
        INVALID_OPERATION, // an operation breaks a validity rule (see Reason)
        WRONG_WITHDRAWAL_ROOT,
        WRONG_POST_STATE,
        QUEUE_COUNT_MISMATCH // the batch's last commitment does not end at the batch's queue count
    }

    /// @notice Why an operation is invalid; mirrors `InvalidReason` in src/core/errors.ts.
    enum Reason {
        NONE,
        BAD_SIGNATURE, // also a wrong chain id or nonce: the rebuilt hash recovers someone else
        UNKNOWN_ACCOUNT,
        INSUFFICIENT_FUNDS,
        FEE_TOO_LOW,
        GAS_LIMIT_TOO_LOW,
        UNKNOWN_TOKEN,
        ACCOUNT_EXISTS,
        MALFORMED,
        OVERFLOW,
        QUEUE_EMPTY,
        INSUFFICIENT_ALLOWANCE // a transferFrom above what the owner allowed the signer
    }

    // The witness is one packed byte string (src/core/fraudProof.ts `encodeWitness`), so a proof
    // pays for its data once, not for ABI padding and re-encoding between contracts:
    //
    //   pre:       accountsRoot 32 | accountCount 8 | queueIndex 8 | withdrawalCount 8 | tokenCount 8
    //   accounts:  count 2, then per account (strictly increasing index):
    //              index 3 | state 1 (0 held, 1 empty, 2 held and allowanceRoot sent)
    //              | [addr 20 | nonce 8 | balance 32 | tokenRoot 32]  (if held)
    //              | [allowanceRoot 32]  (if state 2; else the empty tree's root)
    //              | tokens 1 | per token: id 3 | balance 32   (ids strictly increasing)
    //              | tokenSiblings 2 | siblings 32 each | tokenFlags 1 | flag bytes
    //              | allowances 1 | per allowance: key 6 | amount 32   (keys strictly increasing)
    //              | allowanceSiblings 2 | siblings 32 each | allowanceFlags 1 | flag bytes
    //   proof:     siblings 2 | siblings 32 each | flags 2 | flag bytes   (MultiProof of the accounts)
    //   queue:     count 1, then per entry: kind 1 | account 20 | tokenId 3 | amount 32

    /// @notice What the proof is checked against, from the Rollup's records.
    struct Context {
        bytes32 preStateRoot;
        uint256 chainId;
        address bridge;
        uint256 queueLimit; // the batch's queue count: no operation may consume past it
        bool lastInBatch; // the commitment must then end exactly at queueLimit
    }

    /// @notice The witness bytes do not follow the layout above (at byte `offset`).
    error FraudWitnessMalformed(uint256 offset);
    /// @notice The pre-state fields do not hash to the commitment's pre-state root.
    error FraudWitnessPreStateMismatch(bytes32 expected, bytes32 computed);
    /// @notice The account leaves and proof do not give the pre-state account root.
    error FraudWitnessAccountsMismatch(bytes32 expected, bytes32 computed);
    /// @notice Account `index`'s token balances and proof do not give its token root.
    error FraudWitnessTokensMismatch(uint256 index);
    /// @notice Account `index`'s allowances and proof do not give its allowance root.
    error FraudWitnessAllowancesMismatch(uint256 index);
    /// @notice The replay needed allowance `key` of account `index`, which the witness does not hold.
    error FraudWitnessMissingAllowance(uint256 index, uint256 key);
    /// @notice The replay needed account `index`, which the witness does not hold.
    error FraudWitnessMissingAccount(uint256 index);
    /// @notice The replay needed token `tokenId` of account `index`, which the witness does not hold.
    error FraudWitnessMissingToken(uint256 index, uint256 tokenId);
    /// @notice Account `index` is witnessed as existing where it must be empty, or the reverse.
    error FraudWitnessInconsistent(uint256 index);
    /// @notice The witness for queue entry `index` is missing or does not match the Bridge.
    error FraudWitnessBadQueueEntry(uint256 index);

    /// @notice Replays commitment `body` from the witnessed pre-state. Returns a verdict for any
    ///         body; reverts only on a witness that does not match `context` (the challenger's).
    /// @param body     The commitment's bytes, as posted (src/core/commitment.ts).
    /// @param witness  The touched accounts and queue entries, packed as laid out above.
    /// @param context  The Rollup's records the proof is checked against.
    /// @return kind    NONE when the commitment is honest.
    /// @return reason  For INVALID_OPERATION, which rule the operation broke.
    /// @return opIndex For INVALID_OPERATION, the operation's position.
    function verify(bytes calldata body, bytes calldata witness, Context calldata context)
        external
        view
        returns (FraudKind kind, Reason reason, uint256 opIndex);
}
