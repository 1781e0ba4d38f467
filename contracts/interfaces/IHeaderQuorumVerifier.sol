// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IHeaderQuorumVerifier
/// @notice Groth16 verifier of a header circuit, AggregatedHeaderQuorum or HeaderQuorum (generated into
///         contracts/generated/). Public inputs of both (circuits/ENCODING.md):
///         [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot].
interface IHeaderQuorumVerifier {
    /// @notice Checks a proof; proof = [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y] (snarkjs calldata order).
    /// @return True when the proof verifies for these public inputs.
    function verifyProof(uint256[8] calldata proof, uint256[4] calldata pubSignals) external view returns (bool);
}
