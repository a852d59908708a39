// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @notice A rogue ERC-20 whose balance reports are whatever the test arms it with: the Bridge
///         credits the difference it sees across `transferFrom`, so one deposit can credit any
///         amount up to 2^256 - 1 on L2. The adversarial suite uses it to build L2 token balances
///         at the top of uint256, which honest tokens (whose supply is bounded) cannot reach.
contract LyingToken {
    string public constant name = "Lying Token";
    string public constant symbol = "LIE";
    uint8 public constant decimals = 18;

    uint256 private _reported;
    uint256 private _credit;

    /// @notice The next deposit will see its balance go from 0 to `credit`.
    function arm(uint256 credit) external {
        _reported = 0;
        _credit = credit;
    }

    function balanceOf(address) external view returns (uint256) {
        return _reported;
    }

    function transferFrom(address, address, uint256) external returns (bool) {
        _reported = _credit;
        return true;
    }

    function transfer(address, uint256) external pure returns (bool) {
        return true;
    }

    function approve(address, uint256) external pure returns (bool) {
        return true;
    }
}
