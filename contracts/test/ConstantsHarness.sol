// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Constants} from "../libraries/Constants.sol";
import {BatchCodec} from "../libraries/BatchCodec.sol";

/// @notice Exposes Constants (and the flag layout and batch bound that BatchCodec owns) so that
///         test/contracts/Constants.test.ts can hold each against src/core/constants.ts.
contract ConstantsHarness {
    uint256 public constant ACCOUNT_TREE_DEPTH = Constants.ACCOUNT_TREE_DEPTH;
    uint256 public constant TOKEN_TREE_DEPTH = Constants.TOKEN_TREE_DEPTH;
    uint256 public constant ALLOWANCE_TREE_DEPTH = Constants.ALLOWANCE_TREE_DEPTH;
    uint8 public constant OP_EXTENDED = Constants.OP_EXTENDED;
    bytes4 public constant SELECTOR_APPROVE = Constants.SELECTOR_APPROVE;
    bytes4 public constant SELECTOR_TRANSFER_FROM = Constants.SELECTOR_TRANSFER_FROM;
    uint256 public constant MAX_TOKEN_CLASS = Constants.MAX_TOKEN_CLASS;
    uint256 public constant MAX_OPS_PER_COMMITMENT = Constants.MAX_OPS_PER_COMMITMENT;
    uint256 public constant MAX_FEE_ENTRIES = Constants.MAX_FEE_ENTRIES;
    uint256 public constant MAX_PROOF_WEIGHT = Constants.MAX_PROOF_WEIGHT;
    uint256 public constant MAX_TOKEN_PROOF_WEIGHT = Constants.MAX_TOKEN_PROOF_WEIGHT;
    uint256 public constant GAS_ETH_TRANSFER = Constants.GAS_ETH_TRANSFER;
    uint256 public constant GAS_TOKEN_TRANSFER = Constants.GAS_TOKEN_TRANSFER;
    uint256 public constant GAS_WITHDRAWAL = Constants.GAS_WITHDRAWAL;
    uint256 public constant GAS_TOKEN_TRANSFER_TO_EMPTY = Constants.GAS_TOKEN_TRANSFER_TO_EMPTY;

    /// @notice The allowance gas figures, in src/core's GAS order.
    function allowanceGas() external pure returns (uint256[8] memory) {
        return [
            Constants.GAS_APPROVE_FROM_ZERO,
            Constants.GAS_APPROVE_CHANGE,
            Constants.GAS_APPROVE_UNCHANGED,
            Constants.GAS_APPROVE_CLEAR,
            Constants.GAS_TRANSFER_FROM_INFINITE,
            Constants.GAS_TRANSFER_FROM,
            Constants.GAS_TRANSFER_FROM_CLEARING,
            Constants.GAS_TO_EMPTY_EXTRA
        ];
    }
    address public constant WITHDRAWAL_PREDEPLOY = Constants.WITHDRAWAL_PREDEPLOY;
    bytes4 public constant SELECTOR_TRANSFER = Constants.SELECTOR_TRANSFER;
    bytes4 public constant SELECTOR_WITHDRAW = Constants.SELECTOR_WITHDRAW;
    uint256 public constant SECP256K1_N = Constants.SECP256K1_N;

    uint256 public constant MAX_COMMITMENTS = BatchCodec.MAX_COMMITMENTS;
    uint8 public constant FLAG_WITHDRAWALS = BatchCodec.FLAG_WITHDRAWALS;
    uint8 public constant FLAG_INDEX_SHIFT = BatchCodec.FLAG_INDEX_SHIFT;
    uint8 public constant FLAG_INDEX_MASK = BatchCodec.FLAG_INDEX_MASK;
    uint8 public constant FLAG_TOKEN_CLASS_SHIFT = BatchCodec.FLAG_TOKEN_CLASS_SHIFT;

    /// @notice The operation kinds, in OpKind order.
    function opKinds() external pure returns (uint8[11] memory) {
        return [
            Constants.OP_QUEUE,
            Constants.OP_ETH_TRANSFER,
            Constants.OP_ETH_TRANSFER_NEW,
            Constants.OP_TOKEN_TRANSFER,
            Constants.OP_TOKEN_TRANSFER_NEW,
            Constants.OP_WITHDRAW_ETH,
            Constants.OP_WITHDRAW_TOKEN,
            Constants.OP_APPROVE,
            Constants.OP_APPROVE_NEW,
            Constants.OP_TRANSFER_FROM,
            Constants.OP_TRANSFER_FROM_NEW
        ];
    }

    /// @notice BatchCodec's verdict on a flags byte, with the fields it reads from it.
    function flags(uint8 f) external pure returns (bool defined, uint256 indexWidth, uint256 tokenWidthClass) {
        return (BatchCodec.flagsDefined(f), BatchCodec.indexWidth(f), BatchCodec.tokenWidthClass(f));
    }
}
