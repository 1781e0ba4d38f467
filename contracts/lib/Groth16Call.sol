// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title Groth16Call
/// @notice Calls a generated Groth16 verifier (contracts/generated/) whose number of public inputs is
///         known only at deployment: `verifyProof(uint256[8], uint256[n])` has n in its selector, and both
///         arguments are static arrays, so the call data is the selector, the proof and the inputs in place.
library Groth16Call {
    /// @notice The selector of `verifyProof(uint256[8],uint256[n])` (n < 100).
    function selector(uint256 n) internal pure returns (bytes4) {
        bytes memory digits = n < 10
            ? abi.encodePacked(bytes1(uint8(48 + n)))
            : abi.encodePacked(bytes1(uint8(48 + n / 10)), bytes1(uint8(48 + n % 10)));
        return bytes4(keccak256(abi.encodePacked("verifyProof(uint256[8],uint256[", digits, "])")));
    }

    /// @notice True when `verifier` accepts `proof` for the public inputs `pub` (in circuit order), and
    ///         `sel` is its verifyProof selector for `pub.length` inputs. A revert, a short return or a
    ///         selector the verifier does not have (a wrong input count) reads as false.
    function verify(address verifier, bytes4 sel, uint256[8] calldata proof, uint256[] memory pub) internal view returns (bool) {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(sel, proof, pub));
        return _result(ok, ret);
    }

    /// @notice The same with the public inputs already packed (32 bytes each, circuit order).
    function verifyPacked(address verifier, bytes4 sel, uint256[8] calldata proof, bytes memory packedPub)
        internal
        view
        returns (bool)
    {
        (bool ok, bytes memory ret) = verifier.staticcall(abi.encodePacked(sel, proof, packedPub));
        return _result(ok, ret);
    }

    function _result(bool ok, bytes memory ret) private pure returns (bool) {
        return ok && ret.length == 32 && abi.decode(ret, (uint256)) == 1;
    }
}
