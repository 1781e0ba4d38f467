// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SettlementRules} from "../lib/SettlementRules.sol";

/// @title RulesHarness
/// @notice Test harness exposing SettlementRules, so tests compare the Solidity rules with
///         home/model/rules.ts on the same vectors.
contract RulesHarness {
    /// @notice SettlementRules.creditNeeded.
    function creditNeeded(uint256 principal, uint256 rateBps) external pure returns (uint256) {
        return SettlementRules.creditNeeded(principal, rateBps);
    }

    /// @notice SettlementRules.interest.
    function interest(uint256 principal, uint256 rateBps) external pure returns (uint256) {
        return SettlementRules.interest(principal, rateBps);
    }

    /// @notice SettlementRules.mode2Owed.
    function mode2Owed(uint256 sold, uint256 rateBps, uint256 clearingPrice) external pure returns (uint256) {
        return SettlementRules.mode2Owed(sold, rateBps, clearingPrice);
    }

    /// @notice SettlementRules.lockUsable.
    function lockUsable(uint256 expiry, uint256 t, uint256 extension) external pure returns (bool) {
        return SettlementRules.lockUsable(expiry, t, extension);
    }

    /// @notice SettlementRules.withinWindow.
    function withinWindow(uint256 settleDeadline, uint256 t, uint256 extension) external pure returns (bool) {
        return SettlementRules.withinWindow(settleDeadline, t, extension);
    }
}
