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
///         src/core/fraudProof.ts `encodeWitness`): parses it and loads the accounts into a
///         ReplayState.Run; after the replay, one walk of each tree over the witnessed siblings
///         gives both the pre-state root (it must be the one the commitment starts from) and the
///         post-state root. A witness that does not match the pre-state reverts: the challenger
///         sent it, so it can never make an honest commitment look fraudulent. The verifier
///         gives no verdict that rests on the accounts before `authenticate` has proven them.
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
        bytes32[] preLeaves; // the witnessed accounts' pre-state leaves (zero: empty)
    }

    /// @notice Reads `n` bytes of the witness as a big-endian integer; reverts past the end.
    /// @param w The witness.
    /// @param c The cursor, moved past the integer (`c.bad` is not used).
    /// @param n The integer's width in bytes (at most 32).
    /// @return v The integer.
    function take(bytes calldata w, ByteReader.Cursor memory c, uint256 n) internal pure returns (uint256 v) {
        uint256 at;
        bool past;
        // Unchecked: `at` is within the witness (or one read past it, which reverts) and n ≤ 32.
        assembly ("memory-safe") {
            at := mload(c)
            let next := add(at, n)
            past := gt(next, w.length)
            // n ≤ 32; shr by 256 (n = 0) gives 0.
            v := shr(shl(3, sub(32, n)), calldataload(add(w.offset, at)))
            mstore(c, next)
        }
        if (past) revert IFraudVerifier.FraudWitnessMalformed(at);
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

    /// @notice Parses the packed witness, checks the state root's fields against the pre-state
    ///         root, and copies the witnessed accounts into memory for the replay. Their leaves,
    ///         balances and allowances are proven by `authenticate`, after the replay.
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
        run.accounts = _accountSlots(n);
        run.holders = new uint256[](ReplayState.tableSize(n + Constants.MAX_OPS_PER_COMMITMENT));
        // The deepest tree's table holds every shallower tree's (ReplayState.Run.zero).
        run.zero = MultiProof.zeroHashes(Constants.ALLOWANCE_TREE_DEPTH);
        lay.preLeaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            ReplayState.Account memory a = _readAccount(w, c, run);
            if (i > 0 && a.index <= run.accounts[i - 1].index) revert IFraudVerifier.FraudWitnessMalformed(c.at);
            if (a.exists) {
                lay.preLeaves[i] = Hashing.accountLeaf(a.addr, a.nonce, a.balance, a.tokenRoot, a.allowanceRoot);
                ReplayState.hold(run.holders, a.addr);
            }
            run.accounts[i] = a;
        }
        run.createdLimit = n == 0 ? 0 : run.accounts[n - 1].index + 1;
        (lay.proofAt, lay.proofLen) = _slice(w, c, 2, 32);
        (lay.flagsAt, lay.flagsLen) = _slice(w, c, 2, 1);
        lay.queueCount = take(w, c, 1);
        lay.queueAt = c.at;
        if (c.at + lay.queueCount * QUEUE_ENTRY_BYTES != w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
    }

    /// @notice An array of `n` account pointers, not set: `new ReplayState.Account[](n)` would
    ///         allocate and zero a blank Account for each. `load` sets every one, in order,
    ///         before anything reads it.
    /// @param n The length.
    /// @return accounts The array.
    function _accountSlots(uint256 n) private pure returns (ReplayState.Account[] memory accounts) {
        assembly ("memory-safe") {
            accounts := mload(0x40)
            mstore(accounts, n)
            mstore(0x40, add(accounts, shl(5, add(n, 1))))
        }
    }

    /// @notice One witnessed account, its token balances and allowances (proven by `authenticate`).
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
        a.tokensAt = c.at;
        // None witnessed: the blank struct's empty arrays will do (no allocation).
        if (t > 0) {
            a.tokenIds = new uint256[](t);
            a.tokenBalances = new uint256[](t);
        }
        for (uint256 k = 0; k < t; k++) {
            a.tokenIds[k] = take(w, c, 3);
            a.tokenBalances[k] = take(w, c, 32);
            if (empty && a.tokenBalances[k] != 0) revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
        }
        // Two count bytes: in a depth-24 tree, one account's tokens may need over 255 siblings.
        (a.tokenProofAt, a.tokenProofLen) = _slice(w, c, 2, 32);
        (a.tokenFlagsAt, a.tokenFlagsLen) = _slice(w, c, 1, 1);
        if (c.at > w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        // An empty account's token tree is empty: no sibling may be sent (every one is a zero
        // hash), so its balances — checked zero above — need no proof.
        if (empty && a.tokenProofLen != 0) revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
        _readAllowances(w, c, a);
    }

    /// @notice The account's witnessed allowances (proven by `authenticate`).
    /// @param w The witness.
    /// @param c The cursor, moved past the allowances.
    /// @param a The account, its allowance fields filled.
    function _readAllowances(bytes calldata w, ByteReader.Cursor memory c, ReplayState.Account memory a) private pure {
        uint256 n = take(w, c, 1);
        a.allowancesAt = c.at;
        if (n > 0) {
            a.allowanceKeys = new uint256[](n);
            a.allowances = new uint256[](n);
        }
        for (uint256 k = 0; k < n; k++) {
            a.allowanceKeys[k] = take(w, c, 6);
            a.allowances[k] = take(w, c, 32);
            if (!a.exists && a.allowances[k] != 0) revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
        }
        (a.allowanceProofAt, a.allowanceProofLen) = _slice(w, c, 2, 32);
        (a.allowanceFlagsAt, a.allowanceFlagsLen) = _slice(w, c, 1, 1);
        if (c.at > w.length) revert IFraudVerifier.FraudWitnessMalformed(c.at);
        // As for tokens: an empty account's allowance tree is empty, so no sibling may be sent.
        if (!a.exists && a.allowanceProofLen != 0) revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
    }

    /// @notice Proves the witnessed accounts against the pre-state and computes the post-state
    ///         account root: for every account, one walk of its token tree and one of its
    ///         allowance tree give the pre-state root (it must be the witnessed one) and the
    ///         replayed root; then one walk of the account tree gives the pre-state accounts root
    ///         (it must be the witnessed one, which the pre-state root commits to) and the
    ///         post-state one. Reverts on any mismatch (the challenger's data).
    /// @param run The replay state after the commitment's operations (or as far as it went).
    /// @param w The witness.
    /// @param lay Where the account proof is in `w`, and the pre-state leaves.
    /// @return The post-state account root.
    function authenticate(ReplayState.Run memory run, bytes calldata w, Layout memory lay) internal pure returns (bytes32) {
        uint256 n = run.accounts.length;
        if (n == 0) return lay.accountsRoot;
        uint256[] memory indices = new uint256[](n);
        bytes32[] memory postLeaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            ReplayState.Account memory a = run.accounts[i];
            indices[i] = a.index;
            // An account empty in the pre-state has empty trees there (checked by `load`): only
            // its replayed roots are needed.
            bool existed = lay.preLeaves[i] != bytes32(0);
            bytes32 tokens = a.tokenRoot;
            if (a.tokenIds.length > 0) {
                bytes32 pre;
                (pre, tokens) = _amountRoots(Constants.TOKEN_TREE_DEPTH, a.tokenIds, a.tokensAt, 35, 3, a.tokenBalances, w, a.tokenProofAt, a.tokenProofLen, a.tokenFlagsAt, a.tokenFlagsLen, run.zero);
                if (existed && pre != a.tokenRoot) revert IFraudVerifier.FraudWitnessTokensMismatch(a.index);
            }
            bytes32 allowances = a.allowanceRoot;
            if (a.allowanceKeys.length > 0) {
                bytes32 pre;
                (pre, allowances) = _amountRoots(Constants.ALLOWANCE_TREE_DEPTH, a.allowanceKeys, a.allowancesAt, 38, 6, a.allowances, w, a.allowanceProofAt, a.allowanceProofLen, a.allowanceFlagsAt, a.allowanceFlagsLen, run.zero);
                if (existed && pre != a.allowanceRoot) revert IFraudVerifier.FraudWitnessAllowancesMismatch(a.index);
            }
            if (a.exists) postLeaves[i] = Hashing.accountLeaf(a.addr, a.nonce, a.balance, tokens, allowances);
        }
        (bytes32 preRoot, bytes32 postRoot) = MultiProof.roots(
            Constants.ACCOUNT_TREE_DEPTH,
            indices,
            lay.preLeaves,
            postLeaves,
            w[lay.proofAt:lay.proofAt + lay.proofLen],
            w[lay.flagsAt:lay.flagsAt + lay.flagsLen],
            run.zero
        );
        if (preRoot != lay.accountsRoot) revert IFraudVerifier.FraudWitnessAccountsMismatch(lay.accountsRoot, preRoot);
        return postRoot;
    }

    /// @notice The pre-state and replayed roots of a tree of amounts (token balances or
    ///         allowances): the pre-state amounts re-read from the witness, where `load` found
    ///         them, the replayed ones from memory; one walk over the witnessed multiproof.
    /// @param depth The tree's depth.
    /// @param keys The leaves' positions, strictly increasing.
    /// @param entriesAt Where the witness lists the entries: `entryBytes` each, a `keyBytes` key
    ///        then the 32-byte pre-state amount.
    /// @param entryBytes The size of an entry.
    /// @param keyBytes The size of its key.
    /// @param amounts The replayed amounts at `keys`.
    /// @param w The witness.
    /// @param proofAt Where the multiproof's siblings are in `w`.
    /// @param proofLen Their length.
    /// @param flagsAt Where the multiproof's zero flags are in `w`.
    /// @param flagsLen Their length.
    /// @param zero The zero hashes by level.
    /// @return pre The pre-state root.
    /// @return post The replayed root.
    function _amountRoots(
        uint256 depth,
        uint256[] memory keys,
        uint256 entriesAt,
        uint256 entryBytes,
        uint256 keyBytes,
        uint256[] memory amounts,
        bytes calldata w,
        uint256 proofAt,
        uint256 proofLen,
        uint256 flagsAt,
        uint256 flagsLen,
        bytes32[] memory zero
    ) private pure returns (bytes32 pre, bytes32 post) {
        uint256 n = keys.length;
        // A lone leaf (nearly every token tree) needs no leaf arrays.
        if (n == 1) {
            return MultiProof.leafRoots(depth, keys[0], bytes32(w[entriesAt + keyBytes:entriesAt + entryBytes]), bytes32(amounts[0]), w[proofAt:proofAt + proofLen], w[flagsAt:flagsAt + flagsLen], zero);
        }
        bytes32[] memory preLeaves = new bytes32[](n);
        bytes32[] memory postLeaves = new bytes32[](n);
        for (uint256 i = 0; i < n; i++) {
            preLeaves[i] = bytes32(w[entriesAt + i * entryBytes + keyBytes:entriesAt + (i + 1) * entryBytes]);
            postLeaves[i] = bytes32(amounts[i]);
        }
        return MultiProof.roots(depth, keys, preLeaves, postLeaves, w[proofAt:proofAt + proofLen], w[flagsAt:flagsAt + flagsLen], zero);
    }
}
