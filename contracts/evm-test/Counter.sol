// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Counter
/// @notice A contract for the experimental EVM mode's tests (test/e2e/experimentalEvm.test.ts):
///         storage, an event, a view, a payable call and a revert with a custom error.
contract Counter {
    /// @notice The count: storage slot 0.
    uint256 public count;
    /// @notice Who incremented last: storage slot 1.
    address public lastCaller;

    /// @notice The count was raised by `by` to `count` by `caller`.
    event Incremented(address indexed caller, uint256 by, uint256 count);

    /// @notice An increment of zero.
    error CounterZeroIncrement();

    /// @notice Raises the count by one.
    function increment() external {
        _add(1);
    }

    /// @notice Raises the count by `by`; reverts on zero.
    /// @param by How much to add.
    function add(uint256 by) external payable {
        if (by == 0) revert CounterZeroIncrement();
        _add(by);
    }

    function _add(uint256 by) private {
        count += by;
        lastCaller = msg.sender;
        emit Incremented(msg.sender, by, count);
    }
}
