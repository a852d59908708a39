// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice Attack-review helper (test/adversarial/attackReview.test.ts): a challenger contract
///         that, when the Rollup pays it the reward for a fraud proof, calls back into the
///         contracts with calldata the test chose, and records what each call did.
contract ReviewReentrantChallenger {
    struct Call {
        address target;
        bytes data;
    }

    Call[] private _during;
    bool[] private _succeeded;
    bytes[] private _returned;
    /// @notice Wei received (the reward).
    uint256 public received;

    /// @notice Sends `proof` to `rollup`; `during` are the calls made from inside the reward payment.
    function prove(address rollup, bytes calldata proof, Call[] calldata during) external {
        delete _during;
        for (uint256 i = 0; i < during.length; i++) _during.push(during[i]);
        (bool ok, bytes memory ret) = rollup.call(proof);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }

    /// @notice What each call made during the payment did.
    function results() external view returns (bool[] memory, bytes[] memory) {
        return (_succeeded, _returned);
    }

    receive() external payable {
        received += msg.value;
        for (uint256 i = 0; i < _during.length; i++) {
            (bool ok, bytes memory ret) = _during[i].target.call(_during[i].data);
            _succeeded.push(ok);
            _returned.push(ret);
        }
    }
}
