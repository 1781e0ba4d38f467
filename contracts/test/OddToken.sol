// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title OddToken
/// @notice ERC-20 whose transfer and transferFrom answer in a chosen non-standard way, for the tests of
///         the contracts' ERC-20 safety: `NoReturn` moves tokens and returns no data (USDT-style),
///         `ReturnsFalse` moves nothing and returns false. Tests only.
contract OddToken {
    /// @notice How transfer and transferFrom answer.
    enum Style {
        NoReturn,
        ReturnsFalse
    }

    /// @notice Standard ERC-20 transfer event.
    event Transfer(address indexed from, address indexed to, uint256 value);

    /// @notice Balance too low.
    error InsufficientBalance();

    Style public immutable style;
    mapping(address => uint256) public balanceOf;

    constructor(Style style_) {
        style = style_;
    }

    /// @notice Creates `amount` tokens for `to` (anyone may mint: test token).
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    /// @notice Allowances are not checked (test token); always answers true.
    function approve(address, uint256) external pure returns (bool) {
        return true;
    }

    /// @notice ERC-20 transfer, answered in `style`.
    function transfer(address to, uint256 amount) external {
        _answer(msg.sender, to, amount);
    }

    /// @notice ERC-20 transferFrom without allowances, answered in `style`.
    function transferFrom(address from, address to, uint256 amount) external {
        _answer(from, to, amount);
    }

    function _answer(address from, address to, uint256 amount) private {
        if (style == Style.ReturnsFalse) {
            assembly ("memory-safe") {
                mstore(0, 0)
                return(0, 32)
            }
        }
        if (balanceOf[from] < amount) revert InsufficientBalance();
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
