// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Types} from "../libraries/Types.sol";
import {Hashing} from "../libraries/Hashing.sol";
import {MerkleLib} from "../libraries/MerkleLib.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";

/// @notice Exposes the shared libraries so tests can hold them against src/core.
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

    function l2TokenAddress(address l1Token) external pure returns (address) {
        return Hashing.l2TokenAddress(l1Token);
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
