// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IFraudVerifier} from "../../interfaces/IFraudVerifier.sol";
import {IBridge} from "../../interfaces/IBridge.sol";
import {Hashing} from "../Hashing.sol";
import {Constants} from "../Constants.sol";

/// @title ReplayState
/// @notice Owns the state a fraud proof replays on: the witnessed accounts (in memory, by
///         index), the set of addresses they hold, the counters of the state root, and the
///         tokens resolved so far. Witness fills it; QueueOps and SignedOps change it through the
///         lookups here, which revert when the witness lacks what the replay needs (the
///         challenger's fault, never the proposer's).
library ReplayState {
    /// @notice A witnessed account: its leaf fields, the token balances and allowances the
    ///         witness holds, and where the witness keeps their multiproofs.
    struct Account {
        uint256 index;
        bool exists;
        address addr;
        uint64 nonce;
        uint256 balance;
        bytes32 tokenRoot; // pre-state token root
        uint256 tokensAt; // where the witness lists the pre-state token balances
        uint256[] tokenIds;
        uint256[] tokenBalances;
        uint256 tokenProofAt; // slices of the witness: the token multiproof
        uint256 tokenProofLen;
        uint256 tokenFlagsAt;
        uint256 tokenFlagsLen;
        bytes32 allowanceRoot; // pre-state allowance root
        uint256 allowancesAt; // where the witness lists the pre-state allowances
        uint256[] allowanceKeys; // tokenId << 24 | spender index
        uint256[] allowances;
        uint256 allowanceProofAt; // slices of the witness: the allowance multiproof
        uint256 allowanceProofLen;
        uint256 allowanceFlagsAt;
        uint256 allowanceFlagsLen;
    }

    /// @notice The replay's state, from the witnessed pre-state on.
    struct Run {
        Account[] accounts;
        /// Open-addressing set of the addresses held by witnessed accounts (existing or created):
        /// `address | 1 << 160` per slot, zero for empty. Makes "is this address new?" O(1).
        uint256[] holders;
        uint256 accountCount;
        uint256 queueIndex;
        uint256 withdrawalCount;
        uint256 tokenCount;
        bytes32[] withdrawals;
        uint256 withdrawalsLength;
        /// The tokens the replay has resolved so far: their ids, L1 addresses (read from the
        /// Bridge) and L2 addresses, the first `tokensKnown` of each (lazily allocated). A
        /// commitment uses at most MAX_OPS_PER_COMMITMENT tokens; a table by id would need 2^24 entries.
        uint256[] tokenIds;
        address[] l1Tokens;
        address[] l2Tokens;
        uint256 tokensKnown;
        /// The roots of empty subtrees by level, up to the allowance tree's depth: an empty leaf is
        /// the zero word in every tree, so one table serves the account, token and allowance trees.
        bytes32[] zero;
        /// One past the highest witnessed index: accounts from accountCount up to it are the
        /// (empty) slots the commitment may create, in order at the end of `accounts`.
        uint256 createdLimit;
    }

    /// @notice Where the witnessed account at `index` is in `run.accounts` (binary search: the
    ///         witness sorts by index). Lookups hand out positions, never `Account memory`
    ///         results: a function returning a memory struct (or a struct field, or a local
    ///         declared without a value, of that type) allocates and zeroes a blank one first.
    /// @param run The replay state.
    /// @param index The account's index.
    /// @return The position.
    function position(Run memory run, uint256 index) internal pure returns (uint256) {
        Account[] memory accounts = run.accounts;
        bool found;
        uint256 mid;
        // Unchecked reads: lo ≤ mid < hi ≤ accounts.length. `index` is the first word of Account.
        assembly ("memory-safe") {
            let lo := 0
            let hi := mload(accounts)
            for {} lt(lo, hi) {} {
                mid := shr(1, add(lo, hi))
                let at := mload(mload(add(accounts, shl(5, add(mid, 1)))))
                if eq(at, index) {
                    found := 1
                    break
                }
                switch lt(at, index)
                case 1 { lo := add(mid, 1) }
                default { hi := mid }
            }
        }
        if (found) return mid;
        revert IFraudVerifier.FraudWitnessMissingAccount(index);
    }

    /// @notice Position of `tokenId` in the account's witnessed balances.
    /// @param a The account.
    /// @param tokenId The token.
    /// @return The position in `a.tokenIds` and `a.tokenBalances`.
    function tokenPosition(Account memory a, uint256 tokenId) internal pure returns (uint256) {
        for (uint256 i = 0; i < a.tokenIds.length; i++) {
            if (a.tokenIds[i] == tokenId) return i;
        }
        revert IFraudVerifier.FraudWitnessMissingToken(a.index, tokenId);
    }

    /// @notice Position of the allowance at `key` in the account's witnessed allowances.
    /// @param a The account (the owner).
    /// @param key The allowance's key: `tokenId << 24 | spender index`.
    /// @return The position in `a.allowanceKeys` and `a.allowances`.
    function allowancePosition(Account memory a, uint256 key) internal pure returns (uint256) {
        for (uint256 i = 0; i < a.allowanceKeys.length; i++) {
            if (a.allowanceKeys[i] == key) return i;
        }
        revert IFraudVerifier.FraudWitnessMissingAllowance(a.index, key);
    }

    /// @notice The key of spender account `spender`'s allowance for token `tokenId` in its owner's tree.
    /// @param tokenId The token.
    /// @param spender The spender's account index.
    /// @return The key.
    function allowanceKey(uint256 tokenId, uint256 spender) internal pure returns (uint256) {
        return tokenId << Constants.ACCOUNT_TREE_DEPTH | spender;
    }

    /// @notice Slots of an address set for `entries` addresses: a power of two, at most half full.
    /// @param entries The most addresses the set will hold.
    /// @return size The number of slots.
    function tableSize(uint256 entries) internal pure returns (uint256 size) {
        size = 16;
        while (size < 2 * entries) size <<= 1;
    }

    /// @notice Whether a witnessed account (existing, or created earlier in this commitment) holds `addr`.
    /// @param table The address set (`Run.holders`).
    /// @param addr The address.
    /// @return Whether the set holds it.
    function held(uint256[] memory table, address addr) internal pure returns (bool) {
        uint256 key = uint256(uint160(addr)) | (1 << 160);
        uint256 mask = table.length - 1;
        for (uint256 slot = uint256(uint160(addr)) & mask; ; slot = (slot + 1) & mask) {
            uint256 v = table[slot];
            if (v == key) return true;
            if (v == 0) return false;
        }
        return false;
    }

    /// @notice Adds `addr` to the address set (a no-op when it is there).
    /// @param table The address set (`Run.holders`).
    /// @param addr The address.
    function hold(uint256[] memory table, address addr) internal pure {
        uint256 key = uint256(uint160(addr)) | (1 << 160);
        uint256 mask = table.length - 1;
        uint256 slot = uint256(uint160(addr)) & mask;
        while (table[slot] != 0 && table[slot] != key) slot = (slot + 1) & mask;
        table[slot] = key;
    }

    /// @notice Creates the account of `addr` at the next index, which must be witnessed empty.
    /// @param run The replay state; its account count goes up by one.
    /// @param addr The new account's address.
    /// @return pos The new account's position in `run.accounts`.
    function create(Run memory run, address addr) internal pure returns (uint256 pos) {
        // Created accounts take the next indices, which sort last in the witness: look there first.
        uint256 created = run.createdLimit > run.accountCount ? run.createdLimit - run.accountCount : 0;
        pos = run.accounts.length >= created ? run.accounts.length - created : run.accounts.length;
        if (!(created > 0 && pos < run.accounts.length && run.accounts[pos].index == run.accountCount)) {
            pos = position(run, run.accountCount);
        }
        Account memory a = run.accounts[pos];
        if (a.exists) revert IFraudVerifier.FraudWitnessInconsistent(a.index);
        a.exists = true;
        a.addr = addr;
        hold(run.holders, addr);
        run.accountCount++;
    }

    /// @notice Position of token `tokenId` in the run's token cache, resolving it on first use:
    ///         its L1 address read from the Bridge (one call per token per proof) and its L2
    ///         address. A linear scan: a commitment names at most MAX_OPS_PER_COMMITMENT tokens.
    /// @param run The replay state.
    /// @param tokenId The token, registered (below the run's token count).
    /// @param bridge The Bridge that registered it.
    /// @return k The position in `run.tokenIds`, `run.l1Tokens` and `run.l2Tokens`.
    function tokenSlot(Run memory run, uint24 tokenId, address bridge) internal view returns (uint256 k) {
        if (run.tokenIds.length == 0) {
            run.tokenIds = new uint256[](Constants.MAX_OPS_PER_COMMITMENT);
            run.l1Tokens = new address[](Constants.MAX_OPS_PER_COMMITMENT);
            run.l2Tokens = new address[](Constants.MAX_OPS_PER_COMMITMENT);
        }
        uint256 known = run.tokensKnown;
        uint256[] memory ids = run.tokenIds;
        // Unchecked reads: k < known ≤ ids.length (a checked index costs more than the compare).
        assembly ("memory-safe") {
            for {} lt(k, known) { k := add(k, 1) } {
                if eq(mload(add(ids, shl(5, add(k, 1)))), tokenId) { break }
            }
        }
        if (k < known) return k;
        // Each operation resolves at most one token, so `known` < MAX_OPS_PER_COMMITMENT here.
        address l1Address = IBridge(bridge).tokenAt(tokenId);
        run.tokenIds[k] = tokenId;
        run.l1Tokens[k] = l1Address;
        run.l2Tokens[k] = Hashing.l2TokenAddress(l1Address);
        run.tokensKnown = known + 1;
    }

    /// @notice The L1 address of token `tokenId`.
    /// @param run The replay state.
    /// @param tokenId The token, registered.
    /// @param bridge The Bridge that registered it.
    /// @return The token's L1 address.
    function l1Token(Run memory run, uint24 tokenId, address bridge) internal view returns (address) {
        // The slot first: `run.l1Tokens[...]` would read the array before the lookup allocates it.
        uint256 k = tokenSlot(run, tokenId, bridge);
        return run.l1Tokens[k];
    }
}
