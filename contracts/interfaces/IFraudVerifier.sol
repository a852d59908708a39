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
        QUEUE_EMPTY
    }

    /// @notice The counters and account-tree root behind a state root.
    struct PreState {
        bytes32 accountsRoot;
        uint64 accountCount;
        uint64 queueIndex;
        uint64 withdrawalCount;
        uint64 tokenCount;
    }

    /// @notice The pre-state leaf of one touched account, and its touched token balances.
    struct AccountWitness {
        uint32 index;
        bool empty; // the leaf is empty: an index the commitment creates
        address addr;
        uint64 nonce;
        uint256 balance;
        bytes32 tokenRoot;
        uint8[] tokenIds; // strictly increasing
        uint256[] tokenBalances;
        bytes32[] tokenProof; // MultiProof of tokenIds against tokenRoot
        bytes tokenZeroFlags;
    }

    /// @notice An L1 queue entry the commitment consumes (authenticated against the Bridge).
    struct QueueWitness {
        uint8 kind;
        address account;
        uint8 tokenId;
        uint256 amount;
    }

    struct Witness {
        PreState pre;
        AccountWitness[] accounts; // strictly increasing by index
        bytes32[] accountProof; // MultiProof of the account indices against pre.accountsRoot
        bytes accountZeroFlags;
        QueueWitness[] queue; // in queue order, from pre.queueIndex
    }

    /// @notice What the proof is checked against, from the Rollup's records.
    struct Context {
        bytes32 preStateRoot;
        uint256 chainId;
        address bridge;
        uint256 queueLimit; // the batch's queue count: no operation may consume past it
        bool lastInBatch; // the commitment must then end exactly at queueLimit
    }

    /// @notice The pre-state fields do not hash to the commitment's pre-state root.
    error FraudWitnessPreStateMismatch(bytes32 expected, bytes32 computed);
    /// @notice The account leaves and proof do not give the pre-state account root.
    error FraudWitnessAccountsMismatch(bytes32 expected, bytes32 computed);
    /// @notice Account `index`'s token balances and proof do not give its token root.
    error FraudWitnessTokensMismatch(uint256 index);
    /// @notice The replay needed account `index`, which the witness does not hold.
    error FraudWitnessMissingAccount(uint256 index);
    /// @notice The replay needed token `tokenId` of account `index`, which the witness does not hold.
    error FraudWitnessMissingToken(uint256 index, uint256 tokenId);
    /// @notice Account `index` is witnessed as existing where it must be empty, or the reverse.
    error FraudWitnessInconsistent(uint256 index);
    /// @notice The witness for queue entry `index` is missing or does not match the Bridge.
    error FraudWitnessBadQueueEntry(uint256 index);

    /// @notice Replays commitment `body` from the witnessed pre-state.
    /// @return kind    NONE when the commitment is honest.
    /// @return reason  For INVALID_OPERATION, which rule the operation broke.
    /// @return opIndex For INVALID_OPERATION, the operation's position.
    function verify(bytes calldata body, Witness calldata witness, Context calldata context)
        external
        view
        returns (FraudKind kind, Reason reason, uint256 opIndex);
}
