// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IBridge} from "../interfaces/IBridge.sol";

/// @notice Fills the Bridge's L1 queue cheaply, many entries a transaction, as an attacker would
///         to bury a censored user's forced withdrawal: the liveness tests and the chaos run use it.
contract QueueFlooder {
    IBridge private immutable bridge;

    constructor(IBridge bridge_) {
        bridge = bridge_;
    }

    /// @notice Queues `count` forced ETH withdrawals of 1 wei each, in this contract's name.
    /// @param count How many entries to queue.
    function floodForcedWithdrawals(uint256 count) external {
        for (uint256 i = 0; i < count; i++) {
            bridge.forceWithdrawal(address(0), 1);
        }
    }

    /// @notice Queues `count` ETH deposits of 1 wei each to `recipient`; send `count` wei.
    /// @param count How many entries to queue.
    /// @param recipient The L2 account credited.
    function floodDeposits(uint256 count, address recipient) external payable {
        for (uint256 i = 0; i < count; i++) {
            bridge.depositETH{value: 1}(recipient);
        }
    }
}
