// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title BenchPair
/// @notice A minimal constant-product pair of two ERC-20 tokens, for `npm run bench:evm` only:
///         one swap does what a Uniswap-v2-style pair and router do together in one call —
///         pull the input with `transferFrom`, price the output at x·y = k less a 0.3% fee, send
///         it, re-read both balances and store the reserves packed in one slot, log the swap.
///         Not audited, not for deployment: no liquidity shares, no flash swaps, no price oracle.
contract BenchPair {
    /// @notice The pair's first token.
    IERC20 public immutable token0;
    /// @notice The pair's second token.
    IERC20 public immutable token1;

    /// @dev Both reserves in one slot, as a v2 pair keeps them (two SLOADs would cost a swap 2,100 gas more).
    uint128 private _reserve0;
    uint128 private _reserve1;

    /// @notice A swap of `amountIn` of one token for `amountOut` of the other.
    event Swapped(address indexed sender, bool zeroForOne, uint256 amountIn, uint256 amountOut, address indexed to);

    /// @notice The output is below what the caller accepts.
    error BenchPairInsufficientOutput(uint256 amountOut, uint256 minOut);
    /// @notice A token transfer returned false.
    error BenchPairTransferFailed(address token);

    constructor(IERC20 a, IERC20 b) {
        token0 = a;
        token1 = b;
    }

    /// @notice The current reserves.
    function reserves() external view returns (uint256, uint256) {
        return (_reserve0, _reserve1);
    }

    /// @notice Adds both tokens (pulled with transferFrom) to the reserves.
    /// @param amount0 Of token0.
    /// @param amount1 Of token1.
    function addLiquidity(uint256 amount0, uint256 amount1) external {
        _pull(token0, amount0);
        _pull(token1, amount1);
        _sync();
    }

    /// @notice Swaps exactly `amountIn` of one token for as much of the other as x·y = k gives.
    /// @param zeroForOne True to sell token0 for token1.
    /// @param amountIn What the caller sells (it must have approved the pair).
    /// @param minOut The least the caller accepts.
    /// @param to Who receives the output.
    /// @return amountOut What `to` received.
    function swapExactIn(bool zeroForOne, uint256 amountIn, uint256 minOut, address to) external returns (uint256 amountOut) {
        (IERC20 tokenIn, IERC20 tokenOut) = zeroForOne ? (token0, token1) : (token1, token0);
        (uint256 reserveIn, uint256 reserveOut) = zeroForOne ? (_reserve0, _reserve1) : (_reserve1, _reserve0);
        _pull(tokenIn, amountIn);
        uint256 inWithFee = amountIn * 997;
        amountOut = (inWithFee * reserveOut) / (reserveIn * 1000 + inWithFee);
        if (amountOut < minOut) revert BenchPairInsufficientOutput(amountOut, minOut);
        if (!tokenOut.transfer(to, amountOut)) revert BenchPairTransferFailed(address(tokenOut));
        _sync();
        emit Swapped(msg.sender, zeroForOne, amountIn, amountOut, to);
    }

    function _pull(IERC20 token, uint256 amount) private {
        if (!token.transferFrom(msg.sender, address(this), amount)) revert BenchPairTransferFailed(address(token));
    }

    /// @dev Reserves from balances, as a v2 pair records them after every swap.
    function _sync() private {
        _reserve0 = uint128(token0.balanceOf(address(this)));
        _reserve1 = uint128(token1.balanceOf(address(this)));
    }
}
