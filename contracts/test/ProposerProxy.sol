// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A contract that forwards its owner's calls (with value) and bubbles up their revert
///         data: the adversarial suite uses it to post bonds and batches to the Rollup from a
///         contract instead of an EOA, which the Rollup must refuse.
contract ProposerProxy {
    address private immutable owner;

    /// @notice Only the deployer may forward calls.
    error ProposerProxyNotOwner(address caller);

    constructor() {
        owner = msg.sender;
    }

    /// @notice Calls `target` with `data` and the value sent; reverts with the callee's revert data.
    function forward(address target, bytes calldata data) external payable returns (bytes memory) {
        if (msg.sender != owner) revert ProposerProxyNotOwner(msg.sender);
        (bool ok, bytes memory result) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 32), mload(result))
            }
        }
        return result;
    }

    receive() external payable {}
}
