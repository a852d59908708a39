// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Types
/// @notice Types shared by the L1 contracts (their numbers are in Constants). `QueueKind` is
///         `QueueKind` in src/core/constants.ts and `Withdrawal` is `Withdrawal` in
///         src/core/hashing.ts; test/contracts/Hashing.test.ts hashes both on each side and
///         compares. `BatchHeader` reaches TypeScript through `IRollup.getBatch`'s typechain binding.
library Types {
    /// @notice What an L1 queue entry asks the L2 to do, in queue order.
    enum QueueKind {
        ETH_DEPOSIT, // credit `amount` wei to `account` on L2
        TOKEN_DEPOSIT, // credit `amount` of token `tokenId` to `account` on L2
        TOKEN_REGISTRATION, // make token `tokenId` (L1 address `account`) known on L2
        FORCED_WITHDRAWAL_ETH, // withdraw `amount` wei of `account`'s L2 funds to `account` on L1
        FORCED_WITHDRAWAL_TOKEN // withdraw `amount` of token `tokenId` likewise
    }

    /// @notice The header the Rollup keeps for every batch. Five storage slots.
    struct BatchHeader {
        bytes32 commitmentsRoot; // positional Merkle root of the commitment leaves
        bytes32 postStateRoot; // state root after the batch's last commitment
        bytes32 withdrawalRoot; // sorted-pair Merkle root of the commitments' withdrawal roots
        address proposer;
        uint48 timestamp; // L1 time of submission: the challenge window starts here
        uint16 commitmentCount; // at most BatchCodec.MAX_COMMITMENTS
        uint32 blockCount; // L2 blocks: one per commitment, `count` per empty run; at most BatchCodec.MAX_BLOCKS
        uint64 queueCount; // L1 queue entries consumed by the L2 after this batch
        uint64 firstBlock; // L2 block number of the batch's first block
        uint64 l2Timestamp; // L2 timestamp of the last commitment: the floor for the next batch's
        uint64 sequencerPostedAt; // the fallback clock after this batch: the sequencer's latest post
    }

    /// @notice A withdrawal as recorded in a batch's withdrawal tree.
    struct Withdrawal {
        uint64 id; // global, sequential on the L2: what makes "exactly once" enforceable
        address l2Sender;
        address l1Recipient;
        address l1Token; // address(0) for ETH
        uint256 amount;
    }
}
