// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../../interfaces/IFraudVerifier.sol";
import {IBridge} from "../../interfaces/IBridge.sol";
import {Types} from "../Types.sol";
import {Hashing} from "../Hashing.sol";
import {Constants} from "../Constants.sol";
import {ByteReader} from "./ByteReader.sol";
import {ReplayState} from "./ReplayState.sol";
import {Witness} from "./Witness.sol";
import {CommitmentDecoder} from "./CommitmentDecoder.sol";

/// @title QueueOps
/// @notice Owns the queue operations of the replay (src/core/execute.ts, the queue kind of
///         `applyOp`): each consumes the next L1 queue entry — a deposit, a token registration or
///         a forced withdrawal — authenticated against the Bridge's running hash, and credits or
///         debits the account the commitment names for it.
library QueueOps {
    /// @notice A queue entry as the Bridge hashed it.
    struct QueueEntry {
        uint8 kind;
        address account;
        uint24 tokenId;
        uint256 amount;
    }

    /// @notice Applies a queue operation: consumes the next queue entry and applies it.
    /// @param run The replay state.
    /// @param op The operation; `op.x` is its credit mode (0 none, 1 new account, 2 existing
    ///        account `op.to`).
    /// @param w The witness, which holds the queue entries.
    /// @param lay Where the queue entries are in `w`.
    /// @param c What the proof is checked against.
    /// @return The rule the operation breaks, or NONE.
    function applyOp(
        ReplayState.Run memory run,
        CommitmentDecoder.Op memory op,
        bytes calldata w,
        Witness.Layout memory lay,
        IFraudVerifier.Context calldata c
    ) internal view returns (IFraudVerifier.Reason) {
        if (run.queueIndex >= c.queueLimit) return IFraudVerifier.Reason.QUEUE_EMPTY;
        QueueEntry memory e = _queueEntry(run.queueIndex, w, lay, c.bridge);
        if (e.kind == uint8(Types.QueueKind.TOKEN_REGISTRATION)) {
            if (op.x != 0) return IFraudVerifier.Reason.MALFORMED;
            if (e.tokenId != run.tokenCount) return IFraudVerifier.Reason.MALFORMED;
            run.tokenCount++;
            run.queueIndex++;
            return IFraudVerifier.Reason.NONE;
        }
        bool forced = e.kind >= uint8(Types.QueueKind.FORCED_WITHDRAWAL_ETH);
        bool token = e.kind == uint8(Types.QueueKind.TOKEN_DEPOSIT) || e.kind == uint8(Types.QueueKind.FORCED_WITHDRAWAL_TOKEN);
        if (token && e.tokenId >= run.tokenCount) return IFraudVerifier.Reason.UNKNOWN_TOKEN;
        if (forced) return _applyForcedWithdrawal(run, op, e, c.bridge);
        uint256 at;
        if (op.x == 2) {
            IFraudVerifier.Reason named;
            (named, at) = _namedAccount(run, op.to, e.account);
            if (named != IFraudVerifier.Reason.NONE) return named;
        } else if (op.x == 1) {
            if (ReplayState.held(run.holders, e.account)) return IFraudVerifier.Reason.ACCOUNT_EXISTS;
            if (run.accountCount >= 1 << Constants.ACCOUNT_TREE_DEPTH) return IFraudVerifier.Reason.OVERFLOW;
            at = ReplayState.create(run, e.account);
        } else {
            return IFraudVerifier.Reason.MALFORMED;
        }
        ReplayState.Account memory a = run.accounts[at];
        run.queueIndex++;
        if (e.kind == uint8(Types.QueueKind.ETH_DEPOSIT)) {
            // A credit that would overflow consumes the entry and credits nothing.
            if (e.amount <= type(uint256).max - a.balance) a.balance += e.amount;
        } else {
            uint256 t = ReplayState.tokenPosition(a, e.tokenId);
            if (e.amount <= type(uint256).max - a.tokenBalances[t]) a.tokenBalances[t] += e.amount;
        }
        return IFraudVerifier.Reason.NONE;
    }

    /// @notice The existing account a queue operation names by index, which must be `owner`'s.
    /// @param run The replay state.
    /// @param index The index the operation names.
    /// @param owner The queue entry's account.
    /// @return The rule the operation breaks, or NONE.
    /// @return at The account's position in `run.accounts`, when it is `owner`'s.
    function _namedAccount(ReplayState.Run memory run, uint256 index, address owner)
        private
        pure
        returns (IFraudVerifier.Reason, uint256 at)
    {
        if (index >= run.accountCount) return (IFraudVerifier.Reason.UNKNOWN_ACCOUNT, 0);
        at = ReplayState.position(run, index);
        if (run.accounts[at].addr != owner) return (IFraudVerifier.Reason.MALFORMED, at);
        return (IFraudVerifier.Reason.NONE, at);
    }

    /// @notice A forced withdrawal: all of `amount` from the caller's own account, or nothing
    ///         (no account, or too little). The commitment names the account, or says none.
    /// @param run The replay state.
    /// @param op The operation; `op.x` is 2 with the account's index in `op.to`, or 0 for none.
    /// @param e The queue entry, a forced withdrawal of a known token or of ETH.
    /// @param bridge The Bridge, for the token's L1 address.
    /// @return The rule the operation breaks, or NONE.
    function _applyForcedWithdrawal(ReplayState.Run memory run, CommitmentDecoder.Op memory op, QueueEntry memory e, address bridge)
        private
        view
        returns (IFraudVerifier.Reason)
    {
        uint256 at;
        if (op.x == 2) {
            IFraudVerifier.Reason named;
            (named, at) = _namedAccount(run, op.to, e.account);
            if (named != IFraudVerifier.Reason.NONE) return named;
        } else if (op.x == 0) {
            if (ReplayState.held(run.holders, e.account)) return IFraudVerifier.Reason.ACCOUNT_EXISTS;
            run.queueIndex++;
            return IFraudVerifier.Reason.NONE;
        } else {
            return IFraudVerifier.Reason.MALFORMED;
        }
        run.queueIndex++;
        ReplayState.Account memory a = run.accounts[at];
        bool isEth = e.kind == uint8(Types.QueueKind.FORCED_WITHDRAWAL_ETH);
        uint256 t = isEth ? 0 : ReplayState.tokenPosition(a, e.tokenId);
        uint256 held = isEth ? a.balance : a.tokenBalances[t];
        // Unreachable in practice (2^64 − 1 withdrawals), but defined: consumed, as when too little is held.
        if (held < e.amount || run.withdrawalCount >= type(uint64).max) return IFraudVerifier.Reason.NONE;
        if (isEth) a.balance = held - e.amount;
        else a.tokenBalances[t] = held - e.amount;
        run.withdrawals[run.withdrawalsLength++] = Hashing.withdrawalLeaf(
            Types.Withdrawal({
                id: uint64(run.withdrawalCount),
                l2Sender: e.account,
                l1Recipient: e.account,
                l1Token: isEth ? address(0) : ReplayState.l1Token(run, e.tokenId, bridge),
                amount: e.amount
            })
        );
        run.withdrawalCount++;
        return IFraudVerifier.Reason.NONE;
    }

    /// @notice The witnessed entry at queue position `index`, authenticated by the Bridge's
    ///         running hash; reverts when the witness lacks it or it does not match.
    /// @param index The entry's position in the L1 queue.
    /// @param w The witness.
    /// @param lay Where the queue entries are in `w`.
    /// @param bridge The Bridge whose queue it is.
    /// @return e The entry.
    function _queueEntry(uint256 index, bytes calldata w, Witness.Layout memory lay, address bridge)
        private
        view
        returns (QueueEntry memory e)
    {
        uint256 k = index - lay.preQueueIndex;
        if (k >= lay.queueCount) revert IFraudVerifier.FraudWitnessBadQueueEntry(index);
        ByteReader.Cursor memory c = ByteReader.Cursor({at: lay.queueAt + k * Witness.QUEUE_ENTRY_BYTES, bad: false});
        e.kind = uint8(Witness.take(w, c, 1));
        e.account = address(uint160(Witness.take(w, c, 20)));
        e.tokenId = uint24(Witness.take(w, c, 3));
        e.amount = Witness.take(w, c, 32);
        if (e.kind > uint8(Types.QueueKind.FORCED_WITHDRAWAL_TOKEN)) revert IFraudVerifier.FraudWitnessBadQueueEntry(index);
        bytes32 previous = index == 0 ? bytes32(0) : IBridge(bridge).queueAccumulator(index - 1);
        bytes32 stored = IBridge(bridge).queueAccumulator(index);
        bytes32 computed =
            Hashing.queueAccumulator(previous, Types.QueueKind(e.kind), e.account, e.tokenId, e.amount, uint64(uint256(stored)));
        if (computed != stored) revert IFraudVerifier.FraudWitnessBadQueueEntry(index);
    }
}
