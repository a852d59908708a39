// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "./Types.sol";

/// @title Hashing
/// @notice Every hash the L1 contracts and the L2 share, in one place. `src/core/hashing.ts` is
///         its TypeScript twin; `test/contracts/Hashing.test.ts` holds each function against it
///         through `contracts/test/HashingHarness.sol`.
library Hashing {
    /// @dev Low 64 bits of a queue accumulator carry the entry's L1 timestamp, so one storage
    ///      slot per entry serves both the running hash and the inclusion-window check.
    uint256 internal constant TIMESTAMP_MASK = type(uint64).max;

    /// @notice The next running hash of the L1 queue: the previous one's hash bits (its low 64
    ///         bits, a timestamp, are ignored), the entry's fields, and (in the low 64 bits,
    ///         replacing hash bits) the L1 timestamp it was queued at. Ignoring the previous
    ///         timestamp lets the Bridge keep the chain's head and the queue length in one slot;
    ///         each entry's own timestamp is still bound by its slot. The token id is packed in
    ///         its 3 bytes (`src/core/hashing.ts` writes the same).
    /// @param previous The accumulator of the entry before (zero for the first entry).
    /// @param kind What the entry asks the L2 to do.
    /// @param account The entry's L2 recipient, L1 token or withdrawing account (by kind).
    /// @param tokenId The entry's token id (zero for ETH).
    /// @param amount The entry's amount (zero for a registration).
    /// @param timestamp The L1 time the entry was queued at.
    /// @return The entry's accumulator.
    function queueAccumulator(
        bytes32 previous,
        Types.QueueKind kind,
        address account,
        uint24 tokenId,
        uint256 amount,
        uint64 timestamp
    ) internal pure returns (bytes32) {
        bytes32 h = keccak256(abi.encodePacked(uint256(previous) & ~TIMESTAMP_MASK, uint8(kind), account, tokenId, amount));
        return bytes32((uint256(h) & ~TIMESTAMP_MASK) | uint256(timestamp));
    }

    /// @notice Leaf of a withdrawal tree; hashed twice so that no 64-byte inner node can pass
    ///         as a leaf.
    /// @param w The withdrawal.
    /// @return The leaf.
    function withdrawalLeaf(Types.Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(w.id, w.l2Sender, w.l1Recipient, w.l1Token, w.amount))));
    }

    /// @notice Leaf of a batch's commitment tree, and the L2 block hash. Binding the pre-state
    ///         root makes every commitment self-contained for a fraud proof.
    /// @param preStateRoot The state root the commitment starts from.
    /// @param body The commitment's bytes.
    /// @return The leaf.
    function commitmentLeaf(bytes32 preStateRoot, bytes calldata body) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(preStateRoot, body));
    }

    /// @notice The deterministic L2 address of a bridged L1 token.
    /// @param l1Token The token's L1 address.
    /// @return The token's L2 address.
    function l2TokenAddress(address l1Token) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked("cairn:l2-token", l1Token)))));
    }

    /// @notice Leaf of the account tree: `keccak256(abi.encodePacked(addr, nonce, balance,
    ///         tokenRoot, allowanceRoot))`, 124 bytes (one keccak block). A fraud proof hashes two
    ///         per witnessed account, so they are written at the free memory pointer, which is
    ///         left where it was.
    /// @param addr The account's address.
    /// @param nonce The account's nonce.
    /// @param bal The account's ETH balance, in wei.
    /// @param tokenRoot The root of the account's token tree.
    /// @param allowanceRoot The root of the account's allowance tree.
    /// @return h The leaf.
    function accountLeaf(address addr, uint64 nonce, uint256 bal, bytes32 tokenRoot, bytes32 allowanceRoot) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, shl(96, addr))
            mstore(add(p, 20), shl(192, nonce))
            mstore(add(p, 28), bal)
            mstore(add(p, 60), tokenRoot)
            mstore(add(p, 92), allowanceRoot)
            h := keccak256(p, 124)
        }
    }

    /// @notice The L2 state root: the account tree and the counters a fraud proof needs. Each
    ///         counter is written as 8 bytes, its low 64 bits.
    /// @param accountsRoot The root of the account tree.
    /// @param accountCount Accounts created so far (the next account's index).
    /// @param queueIndex L1 queue entries consumed so far.
    /// @param withdrawalCount Withdrawals made so far (the next withdrawal's id).
    /// @param tokenCount Tokens registered so far.
    /// @return The state root.
    function stateRoot(bytes32 accountsRoot, uint256 accountCount, uint256 queueIndex, uint256 withdrawalCount, uint256 tokenCount)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(
            abi.encodePacked(accountsRoot, uint64(accountCount), uint64(queueIndex), uint64(withdrawalCount), uint64(tokenCount))
        );
    }
}
