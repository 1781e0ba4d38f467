// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title TestSwap
/// @notice A fixed-price swap desk for tests: sells its inventory of `tokenOut` for `tokenIn` at a
///         price set by anyone (test only), so a market maker can swap inside its settlement callback.
contract TestSwap {
    /// @notice A swap happened.
    event Swapped(address indexed trader, address tokenIn, uint256 amountIn, address tokenOut, uint256 amountOut);
    /// @notice A price was set.
    event PriceSet(address tokenIn, address tokenOut, uint256 price);

    /// @notice No price for the pair.
    error NoPrice();

    /// @notice tokenOut base units per tokenIn base unit, times 1e18.
    mapping(address tokenIn => mapping(address tokenOut => uint256)) public price;

    /// @notice Sets the price of a pair.
    function setPrice(address tokenIn, address tokenOut, uint256 price_) external {
        price[tokenIn][tokenOut] = price_;
        emit PriceSet(tokenIn, tokenOut, price_);
    }

    /// @notice Sells `amountIn` of `tokenIn` (needs an allowance) for tokenOut at the set price.
    function swap(address tokenIn, address tokenOut, uint256 amountIn) external returns (uint256 amountOut) {
        uint256 p = price[tokenIn][tokenOut];
        if (p == 0) revert NoPrice();
        amountOut = amountIn * p / 1e18;
        IERC20(tokenIn).transferFrom(msg.sender, address(this), amountIn);
        IERC20(tokenOut).transfer(msg.sender, amountOut);
        emit Swapped(msg.sender, tokenIn, amountIn, tokenOut, amountOut);
    }
}
