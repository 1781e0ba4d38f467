// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AtomicSettlement} from "../AtomicSettlement.sol";
import {IHomeLightClient} from "../interfaces/IHomeLightClient.sol";
import {ISettlementVerifier} from "../interfaces/ISettlementVerifier.sol";

/// @title ZeroDigestSettlement
/// @notice Test double: an AtomicSettlement for which the lockup with lockId 777 has payload digest 0,
///         standing in for a payload whose keccak256 is a multiple of r (infeasible to find). Used to
///         check that a used lockup slot with digest 0 is refused rather than read as an unused slot.
contract ZeroDigestSettlement is AtomicSettlement {
    constructor(
        IHomeLightClient lightClient_,
        ISettlementVerifier verifier_,
        uint8 lockSlots_,
        uint64 maxStateAge_,
        uint256 minLpCapital
    ) AtomicSettlement(lightClient_, verifier_, lockSlots_, maxStateAge_, minLpCapital) {}

    /// @inheritdoc AtomicSettlement
    function lockupDigest(LockupPayload calldata l) public pure override returns (uint256) {
        return l.lockId == 777 ? 0 : super.lockupDigest(l);
    }
}
