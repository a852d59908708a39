// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "../libraries/Types.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {MerkleLib} from "../libraries/MerkleLib.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";

/// @notice Exposes every Hashing function, and the Merkle roots and batch summary built on them,
///         so that test/contracts/Hashing.test.ts can hold each against src/core.
contract HashingHarness {
    function queueAccumulator(bytes32 previous, uint8 kind, address account, uint24 tokenId, uint256 amount, uint64 timestamp)
        external
        pure
        returns (bytes32)
    {
        return Hashing.queueAccumulator(previous, Types.QueueKind(kind), account, tokenId, amount, timestamp);
    }

    function withdrawalLeaf(Types.Withdrawal calldata w) external pure returns (bytes32) {
        return Hashing.withdrawalLeaf(w);
    }

    function commitmentLeaf(bytes32 preStateRoot, bytes calldata body) external pure returns (bytes32) {
        return Hashing.commitmentLeaf(preStateRoot, body);
    }

    function l2TokenAddress(address l1Token) external pure returns (address) {
        return Hashing.l2TokenAddress(l1Token);
    }

    function accountLeaf(address addr, uint64 nonce, uint256 balance, bytes32 tokenRoot, bytes32 allowanceRoot) external pure returns (bytes32) {
        return Hashing.accountLeaf(addr, nonce, balance, tokenRoot, allowanceRoot);
    }

    function stateRoot(bytes32 accountsRoot, uint256 accountCount, uint256 queueIndex, uint256 withdrawalCount, uint256 tokenCount)
        external
        pure
        returns (bytes32)
    {
        return Hashing.stateRoot(accountsRoot, accountCount, queueIndex, withdrawalCount, tokenCount);
    }

    function positionalRoot(bytes32[] memory leaves) external pure returns (bytes32) {
        return MerkleLib.positionalRoot(leaves);
    }

    function sortedRoot(bytes32[] memory leaves) external pure returns (bytes32) {
        return MerkleLib.sortedRoot(leaves, leaves.length);
    }

    function summarize(bytes calldata data, bytes32 preStateRoot, uint256 previousTimestamp, uint256 l1Timestamp)
        external
        pure
        returns (BatchCodec.Summary memory)
    {
        return BatchCodec.summarize(data, preStateRoot, previousTimestamp, l1Timestamp);
    }
}
