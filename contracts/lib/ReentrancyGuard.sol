// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ReentrancyGuard
/// @notice One lock per contract, kept in transient storage (EIP-1153) so it takes no storage slot:
///         contracts whose slot 0 is read by Home (ENCODING.md) can inherit it safely.
abstract contract ReentrancyGuard {
    /// @notice A guarded function was entered again before it returned.
    error Reentrancy();

    bool private transient _entered;

    modifier nonReentrant() {
        if (_entered) revert Reentrancy();
        _entered = true;
        _;
        _entered = false;
    }
}
