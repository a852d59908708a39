// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain mintable ERC-20 for tests and the devnet.
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Takes a 1% fee on every transfer, burning it.
contract FeeOnTransferToken is ERC20 {
    constructor() ERC20("Fee Token", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0), fee);
            super._update(from, to, value - fee);
        } else {
            super._update(from, to, value);
        }
    }
}

/// @notice Like USDT: `transfer` and `transferFrom` return nothing.
contract NoReturnToken {
    string public constant name = "No Return";
    string public constant symbol = "NRT";
    uint8 public constant decimals = 6;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    function approve(address spender, uint256 amount) external {
        allowance[msg.sender][spender] = amount;
    }

    function transfer(address to, uint256 amount) external {
        balanceOf[msg.sender] -= amount;
        balanceOf[to] += amount;
    }

    function transferFrom(address from, address to, uint256 amount) external {
        allowance[from][msg.sender] -= amount;
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
    }
}

/// @notice Refuses ETH, to exercise failed withdrawal payouts.
contract EthRejecter {
    receive() external payable {
        revert("no ETH");
    }
}

/// @notice Reports success on transferFrom but delivers nothing (a 100% fee).
contract NothingDeliveredToken {
    function balanceOf(address) external pure returns (uint256) {
        return 0;
    }

    function transferFrom(address, address, uint256) external pure returns (bool) {
        return true;
    }
}

interface IRollupBond {
    function postBond() external payable;
    function requestBondWithdrawal() external;
    function withdrawBond() external;
}

/// @notice A proposer contract that refuses ETH, to exercise failed bond payouts.
contract BondHolder {
    IRollupBond private immutable rollup;

    constructor(IRollupBond rollup_) {
        rollup = rollup_;
    }

    function bond() external payable {
        rollup.postBond{value: msg.value}();
    }

    function request() external {
        rollup.requestBondWithdrawal();
    }

    function withdraw() external {
        rollup.withdrawBond();
    }
}
