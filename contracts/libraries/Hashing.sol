// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "./Types.sol";

/// @title Hashing
/// @notice Every hash the L1 contracts and the L2 share, in one place. `src/core/hashing.ts` is
///         its TypeScript twin.
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
    function withdrawalLeaf(Types.Withdrawal memory w) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(w.id, w.l2Sender, w.l1Recipient, w.l1Token, w.amount))));
    }

    /// @notice Leaf of a batch's commitment tree. Binding the pre-state root makes every
    ///         commitment self-contained for a fraud proof.
    function commitmentLeaf(bytes32 preStateRoot, bytes calldata body) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(preStateRoot, body));
    }

    /// @notice The deterministic L2 address of a bridged L1 token.
    function l2TokenAddress(address l1Token) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encodePacked("cairn:l2-token", l1Token)))));
    }
}
