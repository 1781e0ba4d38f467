// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title OddToken
/// @notice ERC-20 whose transfer and transferFrom answer in a chosen non-standard way, for the tests of
///         the contracts' ERC-20 safety: `NoReturn` moves tokens and returns no data (USDT-style),
///         `ReturnsFalse` moves nothing and returns false. transfer and transferFrom can answer in
///         different styles, and the styles can change after deposits (a token that starts refusing
///         later, e.g. by an upgrade). Tests only.
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

    /// @notice How transfer answers.
    Style public transferStyle;
    /// @notice How transferFrom answers.
    Style public transferFromStyle;
    mapping(address => uint256) public balanceOf;

    /// @param style_ How both transfer and transferFrom answer.
    constructor(Style style_) {
        transferStyle = style_;
        transferFromStyle = style_;
    }

    /// @notice Sets how transfer and transferFrom answer from now on (anyone may: test token).
    function setStyles(Style forTransfer, Style forTransferFrom) external {
        transferStyle = forTransfer;
        transferFromStyle = forTransferFrom;
    }

    /// @notice Creates `amount` tokens for `to` (anyone may mint: test token).
    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
    }

    /// @notice Allowances are not checked (test token); always answers true.
    function approve(address, uint256) external pure returns (bool) {
        return true;
    }

    /// @notice Allowances are not checked (test token): every spender may move everything.
    function allowance(address, address) external pure returns (uint256) {
        return type(uint256).max;
    }

    /// @notice ERC-20 transfer, answered in transferStyle.
    function transfer(address to, uint256 amount) external {
        _answer(transferStyle, msg.sender, to, amount);
    }

    /// @notice ERC-20 transferFrom without allowances, answered in transferFromStyle.
    function transferFrom(address from, address to, uint256 amount) external {
        _answer(transferFromStyle, from, to, amount);
    }

    function _answer(Style style, address from, address to, uint256 amount) private {
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
