// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title SettlementRules
/// @notice The rules Home and Away apply identically (DESIGN section 11 rule 3; circuits/ENCODING.md
///         "Settlement rules"). The TypeScript twins are in home/model/rules.ts; the contract tests
///         check both on shared vectors (contracts/test/RulesHarness.sol).
library SettlementRules {
    uint256 internal constant PRICE_SCALE = 1e18;
    uint256 internal constant BPS = 10_000;

    /// @notice Interest on a loan: ceil(principal * rateBps / 10000).
    function interest(uint256 principal, uint256 rateBps) internal pure returns (uint256) {
        return ceilDiv(principal * rateBps, BPS);
    }

    /// @notice Credit a lockup must give for a loan of `principal` at `rateBps`: principal plus interest.
    function creditNeeded(uint256 principal, uint256 rateBps) internal pure returns (uint256) {
        return principal + interest(principal, rateBps);
    }

    /// @notice What a mode-2 LP is owed in the buy asset: ceil(creditNeeded(sold, rate) * price / 1e18).
    function mode2Owed(uint256 sold, uint256 rateBps, uint256 clearingPrice) internal pure returns (uint256) {
        return ceilDiv(creditNeeded(sold, rateBps) * clearingPrice, PRICE_SCALE);
    }

    /// @notice A lockup backs a loan at `t` while t < expiry + extension (extension: paused time since clearing).
    function lockUsable(uint256 expiry, uint256 t, uint256 extension) internal pure returns (bool) {
        return t < expiry + extension;
    }

    /// @notice settle is possible while t <= settleDeadline + extension; recordDefault only after.
    function withinWindow(uint256 settleDeadline, uint256 t, uint256 extension) internal pure returns (bool) {
        return t <= settleDeadline + extension;
    }

    function ceilDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
