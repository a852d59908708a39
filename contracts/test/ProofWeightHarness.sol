// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ProofWeight} from "../libraries/verifier/ProofWeight.sol";
import {CommitmentDecoder} from "../libraries/verifier/CommitmentDecoder.sol";

/// @notice Exposes ProofWeight so tests can hold it against src/core/proofWeight.ts on any
///         operations, decodable or not. Compiled as the FraudVerifier is (hardhat.config.ts).
contract ProofWeightHarness {
    /// @notice ProofWeight.weigh over operations given field by field.
    /// @param kinds The operations' kinds.
    /// @param xs Their `x` (the queue credit mode for queue operations).
    /// @param froms Their senders.
    /// @param tos Their recipients, spenders or credited accounts.
    /// @param owners Their owners (transferFrom).
    /// @param tokenIds Their token ids.
    /// @param feeRecipient The fee recipient.
    /// @param accountCount The pre-state's account count.
    /// @param tokenCount The pre-state's token count.
    /// @return accounts The account weight.
    /// @return tokens The token weight.
    function weigh(
        uint8[] calldata kinds,
        uint8[] calldata xs,
        uint256[] calldata froms,
        uint256[] calldata tos,
        uint256[] calldata owners,
        uint24[] calldata tokenIds,
        uint256 feeRecipient,
        uint256 accountCount,
        uint256 tokenCount
    ) external pure returns (uint256 accounts, uint256 tokens) {
        CommitmentDecoder.Op[] memory ops = new CommitmentDecoder.Op[](kinds.length);
        for (uint256 i = 0; i < kinds.length; i++) {
            ops[i].kind = kinds[i];
            ops[i].x = xs[i];
            ops[i].from = froms[i];
            ops[i].to = tos[i];
            ops[i].owner = owners[i];
            ops[i].tokenId = tokenIds[i];
        }
        return ProofWeight.weigh(ops, feeRecipient, accountCount, tokenCount);
    }
}
