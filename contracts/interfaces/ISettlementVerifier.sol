// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ISettlementVerifier
/// @notice Groth16 verifier of the Settlement(D, K) circuit for the dev profile K = 2 (3 + K = 5 public
///         inputs): [stateRoot, awayBinding, resultDigest, lockDigest0, lockDigest1] (circuits/ENCODING.md).
interface ISettlementVerifier {
    /// @notice Checks a proof; proof = [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y] (snarkjs calldata order).
    /// @return True when the proof verifies for these public inputs.
    function verifyProof(uint256[8] calldata proof, uint256[5] calldata pubSignals) external view returns (bool);
}
