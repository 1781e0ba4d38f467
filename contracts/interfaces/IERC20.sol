// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IERC20
/// @notice The subset of ERC-20 the Away contracts use.
interface IERC20 {
    /// @notice Moves `amount` from the caller to `to`.
    function transfer(address to, uint256 amount) external returns (bool);

    /// @notice Moves `amount` from `from` to `to` using the caller's allowance.
    function transferFrom(address from, address to, uint256 amount) external returns (bool);

    /// @notice Lets `spender` move up to `amount` of the caller's tokens.
    function approve(address spender, uint256 amount) external returns (bool);

    /// @notice Token balance of `account`.
    function balanceOf(address account) external view returns (uint256);

    /// @notice Remaining allowance of `spender` over `owner`'s tokens.
    function allowance(address owner, address spender) external view returns (uint256);
}
