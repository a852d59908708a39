// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title EvmTestToken
/// @notice An OpenZeppelin 5 ERC-20 deployed on L2 by the experimental EVM mode's tests
///         (test/e2e/experimentalEvm.test.ts): its whole supply goes to the deployer.
contract EvmTestToken is ERC20 {
    /// @param supply The tokens minted to the deployer.
    constructor(uint256 supply) ERC20("Experimental Token", "EXP") {
        _mint(msg.sender, supply);
    }
}
