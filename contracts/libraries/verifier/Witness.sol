// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../../interfaces/IFraudVerifier.sol";
import {Hashing} from "../Hashing.sol";
import {MultiProof} from "../MultiProof.sol";
import {Constants} from "../Constants.sol";
import {ByteReader} from "./ByteReader.sol";
import {ReplayState} from "./ReplayState.sol";

/// @title Witness
/// @notice Owns the packed witness (its layout is in IFraudVerifier, its writer is
///         src/core/fraudProof.ts `encodeWitness`): parses it, checks every witnessed field
///         against the pre-state root, loads the accounts into a ReplayState.Run, and after the
///         replay recomputes the account root over the same siblings. A witness that does not
///         match the pre-state reverts: the challenger sent it, so it can never make an honest
///         commitment look fraudulent.
library Witness {
    /// @notice Bytes of a witnessed queue entry: kind 1 | account 20 | tokenId 3 | amount 32.
    uint256 internal constant QUEUE_ENTRY_BYTES = 56;

    /// @notice Where the parts of the packed witness are.
    struct Layout {
        bytes32 accountsRoot;
        uint256 proofAt;
        uint256 proofLen;
        uint256 flagsAt;
        uint256 flagsLen;
        uint256 queueAt;
        uint256 queueCount;
        uint256 preQueueIndex;
    }

    /// @notice Reads `n` bytes of the witness as a big-endian integer; reverts past the end.
    /// @param w The witness.
    /// @param c The cursor, moved past the integer (`c.bad` is not used).
    /// @param n The integer's width in bytes (at most 32).
    /// @return v The integer.
    function take(bytes calldata w, ByteReader.Cursor memory c, uint256 n) internal pure returns (uint256 v) {
        uint256 at = c.at;
        if (at + n > w.length) revert IFraudVerifier.FraudWitnessMalformed(at);
        assembly ("memory-safe") {
            // n ≤ 32; shr by 256 (n = 0) gives 0.
            v := shr(mul(8, sub(32, n)), calldataload(add(w.offset, at)))
        }
        c.at = at + n;
    }

    /// @notice A counted run of `unit`-byte items: the count in `countBytes`, then the items.
    /// @param w The witness.
    /// @param c The cursor, moved past the items (not checked against the end: the caller does).
    /// @param countBytes The width of the count.
    /// @param unit The size of an item.
    /// @return at Where the items start.
    /// @return len Their length in bytes.
    function _slice(bytes calldata w, ByteReader.Cursor memory c, uint256 countBytes, uint256 unit)
        private
        pure
        returns (uint256 at, uint256 len)
    {
        len = take(w, c, countBytes) * unit;
        at = c.at;
        c.at = at + len;
    }

    /// @notice Parses the packed witness, checks the pre-state fields against the pre-state root
    ///         and every witnessed leaf and token balance against the pre-state, and copies them
    ///         into memory for the replay.
    /// @param w The witness.
    /// @param preStateRoot The state root the disputed commitment starts from.
    /// @return run The replay state at the pre-state.
    /// @return lay Where the account proof and the queue entries are in `w`.
    function load(bytes calldata w, bytes32 preStateRoot) internal pure returns (ReplayState.Run memory run, Layout memory lay) {
        ByteReader.Cursor memory c;
        lay.accountsRoot = bytes32(take(w, c, 32));
        run.accountCount = take(w, c, 8);
        run.queueIndex = take(w, c, 8);
        lay.preQueueIndex = run.queueIndex;
        run.withdrawalCount = take(w, c, 8);
        run.tokenCount = take(w, c, 8);
        bytes32 computed = Hashing.stateRoot(lay.accountsRoot, run.accountCount, run.queueIndex, run.withdrawalCount, run.tokenCount);
        if (computed != preStateRoot) revert IFraudVerifier.FraudWitnessPreStateMismatch(preStateRoot, computed);
        run.withdrawals = new bytes32[](Constants.MAX_OPS_PER_COMMITMENT);

        uint256 n = take(w, c, 2);
        run.accounts = new ReplayState.Account[](n);
        run.holders = new uint256[](ReplayState.tableSize(n + Constants.MAX_OPS_PER_COMMITMENT));
        // The deepest tree's table holds every shallower tree's (ReplayState.Run.zero).
        run.zero = MultiProof.zeroHashes(Constants.ALLOWANCE_TREE_DEPTH);
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            ReplayState.Account memory a = _readAccount(w, c, run);
            if (i > 0 && a.index <= indices[i - 1]) revert IFraudVerifier.FraudWitnessMalformed(c.at);
            indices[i] = a.index;
            leaves[i] = a.exists ? Hashing.accountLeaf(a.addr, a.nonce, a.balance, a.tokenRoot, a.allowanceRoot) : bytes32(0);
            if (a.exists) ReplayState.hold(run.holders, a.addr);
            run.accounts[i] = a;
        }
        run.createdLimit = n == 0 ? 0 : indices[n - 1] + 1;
        (lay.proofAt, lay.proofLen) = _slice(w, c, 2, 32);
        (lay.flagsAt, lay.flagsLen) = _slice(w, c, 2, 1);
        lay.queueCount = take(w, c, 1);
        lay.queueAt = c.at;
        if (c.at + lay.queueCount * QUEUE_ENTRY_BYTES != w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        if (n == 0) return (run, lay);
        bytes calldata proof = w[lay.proofAt:lay.proofAt + lay.proofLen];
        bytes calldata flags = w[lay.flagsAt:lay.flagsAt + lay.flagsLen];
        bytes32 root = MultiProof.root(Constants.ACCOUNT_TREE_DEPTH, indices, leaves, proof, flags, run.zero);
        if (root != lay.accountsRoot) revert IFraudVerifier.FraudWitnessAccountsMismatch(lay.accountsRoot, root);
    }

    /// @notice One witnessed account, its token balances and allowances checked against its roots.
    /// @param w The witness.
    /// @param c The cursor, moved past the account.
    /// @param run The replay state: the pre-state account count (indices below it hold
    ///        accounts) and the zero hashes of the token and allowance trees.
    /// @return a The account.
    function _readAccount(bytes calldata w, ByteReader.Cursor memory c, ReplayState.Run memory run)
        private
        pure
        returns (ReplayState.Account memory a)
    {
        bytes32[] memory zero = run.zero;
        a.index = take(w, c, 3);
        uint256 accountState = take(w, c, 1);
        if (accountState > 2) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        bool empty = accountState == 1;
        // An index below the account count holds an account; one at or above it is empty.
        if (empty != (a.index >= run.accountCount)) revert IFraudVerifier.FraudWitnessInconsistent(a.index);
        a.exists = !empty;
        a.tokenRoot = zero[Constants.TOKEN_TREE_DEPTH];
        a.allowanceRoot = zero[Constants.ALLOWANCE_TREE_DEPTH];
        if (!empty) {
            a.addr = address(uint160(take(w, c, 20)));
            a.nonce = uint64(take(w, c, 8));
            a.balance = take(w, c, 32);
            a.tokenRoot = bytes32(take(w, c, 32));
            // Most accounts have given no allowance: their root is the empty tree's, not sent.
            if (accountState == 2) a.allowanceRoot = bytes32(take(w, c, 32));
        }
        uint256 t = take(w, c, 1);
        a.tokenIds = new uint256[](t);
        a.tokenBalances = new uint256[](t);
        for (uint256 k = 0; k < t; k++) {
            a.tokenIds[k] = take(w, c, 3);
            a.tokenBalances[k] = take(w, c, 32);
            if (empty && a.tokenBalances[k] != 0) revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
        }
        // Two count bytes: in a depth-24 tree, one account's tokens may need over 255 siblings.
        (a.tokenProofAt, a.tokenProofLen) = _slice(w, c, 2, 32);
        (a.tokenFlagsAt, a.tokenFlagsLen) = _slice(w, c, 1, 1);
        if (c.at > w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        if (empty) {
            // An empty account's token tree is empty: no sibling may be sent (every one is a zero
            // hash), so its balances — checked zero above — need no proof.
            if (a.tokenProofLen != 0) revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
        } else if (t > 0 && tokenRoot(a, w, zero) != a.tokenRoot) {
            revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
        }
        _readAllowances(w, c, a, zero);
    }

    /// @notice The account's witnessed allowances, checked against its allowance root.
    /// @param w The witness.
    /// @param c The cursor, moved past the allowances.
    /// @param a The account, its allowance fields filled.
    /// @param zero The zero hashes of an allowance tree, by level.
    function _readAllowances(bytes calldata w, ByteReader.Cursor memory c, ReplayState.Account memory a, bytes32[] memory zero)
        private
        pure
    {
        uint256 n = take(w, c, 1);
        a.allowanceKeys = new uint256[](n);
        a.allowances = new uint256[](n);
        for (uint256 k = 0; k < n; k++) {
            a.allowanceKeys[k] = take(w, c, 6);
            a.allowances[k] = take(w, c, 32);
            if (!a.exists && a.allowances[k] != 0) revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
        }
        (a.allowanceProofAt, a.allowanceProofLen) = _slice(w, c, 2, 32);
        (a.allowanceFlagsAt, a.allowanceFlagsLen) = _slice(w, c, 1, 1);
        if (c.at > w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        if (!a.exists) {
            // As for tokens: an empty account's allowance tree is empty, so no sibling may be sent.
            if (a.allowanceProofLen != 0) revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
        } else if (n > 0 && allowanceRoot(a, w, zero) != a.allowanceRoot) {
            revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
        }
    }

    /// @notice The post-state account root: the same sibling hashes, the replayed leaves.
    /// @param run The replay state after the commitment's operations.
    /// @param w The witness.
    /// @param lay Where the account proof is in `w`.
    /// @return The account root.
    function postAccountsRoot(ReplayState.Run memory run, bytes calldata w, Layout memory lay) internal pure returns (bytes32) {
        uint256 n = run.accounts.length;
        if (n == 0) return lay.accountsRoot;
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            ReplayState.Account memory a = run.accounts[i];
            indices[i] = a.index;
            if (!a.exists) continue;
            bytes32 root = a.tokenIds.length > 0 ? tokenRoot(a, w, run.zero) : a.tokenRoot;
            bytes32 allowances = a.allowanceKeys.length > 0 ? allowanceRoot(a, w, run.zero) : a.allowanceRoot;
            leaves[i] = Hashing.accountLeaf(a.addr, a.nonce, a.balance, root, allowances);
        }
        bytes calldata proof = w[lay.proofAt:lay.proofAt + lay.proofLen];
        bytes calldata flags = w[lay.flagsAt:lay.flagsAt + lay.flagsLen];
        return MultiProof.root(Constants.ACCOUNT_TREE_DEPTH, indices, leaves, proof, flags, run.zero);
    }

    /// @notice Root of the account's token tree with its current witnessed balances.
    /// @param a The account.
    /// @param w The witness, which holds the account's token multiproof.
    /// @param zero The zero hashes by level (`Run.zero`).
    /// @return The token root.
    function tokenRoot(ReplayState.Account memory a, bytes calldata w, bytes32[] memory zero) internal pure returns (bytes32) {
        return _amountRoot(
            Constants.TOKEN_TREE_DEPTH,
            a.tokenIds,
            a.tokenBalances,
            w[a.tokenProofAt:a.tokenProofAt + a.tokenProofLen],
            w[a.tokenFlagsAt:a.tokenFlagsAt + a.tokenFlagsLen],
            zero
        );
    }

    /// @notice Root of the account's allowance tree with its current witnessed allowances.
    /// @param a The account.
    /// @param w The witness, which holds the account's allowance multiproof.
    /// @param zero The zero hashes by level (`Run.zero`).
    /// @return The allowance root.
    function allowanceRoot(ReplayState.Account memory a, bytes calldata w, bytes32[] memory zero) internal pure returns (bytes32) {
        return _amountRoot(
            Constants.ALLOWANCE_TREE_DEPTH,
            a.allowanceKeys,
            a.allowances,
            w[a.allowanceProofAt:a.allowanceProofAt + a.allowanceProofLen],
            w[a.allowanceFlagsAt:a.allowanceFlagsAt + a.allowanceFlagsLen],
            zero
        );
    }

    /// @notice Root of a tree of amounts (token balances or allowances) from the witnessed
    ///         leaves and their multiproof; a lone leaf takes MultiProof's one-leaf walk.
    /// @param depth The tree's depth.
    /// @param keys The leaves' positions, strictly increasing (not changed).
    /// @param amounts The amounts at them (not changed).
    /// @param proof The multiproof's siblings.
    /// @param flags The multiproof's zero flags.
    /// @param zero The zero hashes by level.
    /// @return The root.
    function _amountRoot(
        uint256 depth,
        uint256[] memory keys,
        uint256[] memory amounts,
        bytes calldata proof,
        bytes calldata flags,
        bytes32[] memory zero
    ) private pure returns (bytes32) {
        uint256 n = keys.length;
        if (n == 1) return MultiProof.leafRoot(depth, keys[0], bytes32(amounts[0]), proof, flags, zero);
        // MultiProof.root overwrites both arrays: the replay keeps using the account's.
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory leaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            indices[i] = keys[i];
            leaves[i] = bytes32(amounts[i]);
        }
        return MultiProof.root(depth, indices, leaves, proof, flags, zero);
    }
}
