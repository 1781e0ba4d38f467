// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Field
/// @notice BN254 scalar field constants shared with the circuits (circuits/ENCODING.md).
library Field {
    /// @notice r, the BN254 scalar field modulus; every public input must be below it.
    uint256 internal constant R =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice digest(bytes) of ENCODING.md: keccak256 reduced into the field.
    function digest(bytes memory data) internal pure returns (uint256) {
        return uint256(keccak256(data)) % R;
    }
}
