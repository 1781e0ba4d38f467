// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title BLS12381
/// @notice BLS12-381 min-pk verification with the EIP-2537 precompiles (Prague): hash to G2 per RFC 9380
///         (expand_message_xmd with SHA-256, hash_to_field by MODEXP reduction, MAP_FP2_TO_G2 twice, G2ADD;
///         the map clears the cofactor, and clearing is linear, so the sum is hash_to_curve), G1
///         accumulation with G1ADD and the two-pair pairing check e(pk, H(m)) * e(-g1, sig) == 1.
///         Points use the EIP-2537 encoding: each Fp element is 64 bytes (16 zero bytes, 48 big-endian).
library BLS12381 {
    address internal constant G1ADD = address(0x0b);
    address internal constant G2ADD = address(0x0d);
    address internal constant PAIRING = address(0x0f);
    address internal constant MAP_FP2_TO_G2 = address(0x11);
    address internal constant MODEXP = address(0x05);

    /// @dev Gas caps, so a precompile refusing invalid points does not burn the caller's whole gas.
    uint256 private constant G1ADD_GAS = 1_000;
    uint256 private constant G2ADD_GAS = 2_000;
    uint256 private constant PAIRING_2_GAS = 200_000;

    /// @dev p = P_HI (16 bytes) || P_LO (32 bytes); (p - 1) / 2 likewise.
    uint256 internal constant P_HI = 0x1a0111ea397fe69a4b1ba7b6434bacd7;
    uint256 internal constant P_LO = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab;
    uint256 internal constant HALF_HI = 0x0d0088f51cbff34d258dd3db21a5d66b;
    uint256 internal constant HALF_LO = 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555;
    /// @dev -g1 (the negated G1 generator).
    uint256 private constant NEG_G1_X_HI = 0x17f1d3a73197d7942695638c4fa9ac0f;
    uint256 private constant NEG_G1_X_LO = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb;
    uint256 private constant NEG_G1_Y_HI = 0x114d1d6855d545a8aa7d76c8cf2e21f2;
    uint256 private constant NEG_G1_Y_LO = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca;

    /// @notice The signature DST is BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_ (43 bytes; DST_PRIME_* below).

    /// @notice True when the 48-byte big-endian value (hi 16 bytes, lo 32 bytes) is above (p - 1) / 2,
    ///         i.e. the "lexicographically largest" y that sets the sign flag of a compressed point.
    function isLargest(uint256 hi, uint256 lo) internal pure returns (bool) {
        return hi > HALF_HI || (hi == HALF_HI && lo > HALF_LO);
    }

    /// @notice p - y for 0 < y < p (hi 16 bytes, lo 32 bytes); 0 stays 0.
    function negate(uint256 hi, uint256 lo) internal pure returns (uint256, uint256) {
        if (hi == 0 && lo == 0) return (0, 0);
        unchecked {
            uint256 borrow = lo > P_LO ? 1 : 0;
            return (P_HI - hi - borrow, P_LO - lo);
        }
    }

    /// @notice A G1 accumulator: 256 bytes, the sum in the first 128 and a scratch point in the rest.
    function newAccumulator() internal pure returns (bytes memory acc) {
        acc = new bytes(256);
    }

    /// @notice Sets the accumulator's sum to (x, y) (EIP-2537 words: hi 16 bytes, lo 32 bytes each).
    function setSum(bytes memory acc, uint256 xHi, uint256 xLo, uint256 yHi, uint256 yLo) internal pure {
        assembly ("memory-safe") {
            let p := add(acc, 32)
            mstore(p, xHi)
            mstore(add(p, 32), xLo)
            mstore(add(p, 64), yHi)
            mstore(add(p, 96), yLo)
        }
    }

    /// @notice sum += (x, y); false when (x, y) is not a point on G1's curve with coordinates below p.
    function add(bytes memory acc, uint256 xHi, uint256 xLo, uint256 yHi, uint256 yLo) internal view returns (bool ok) {
        assembly ("memory-safe") {
            let p := add(acc, 32)
            mstore(add(p, 128), xHi)
            mstore(add(p, 160), xLo)
            mstore(add(p, 192), yHi)
            mstore(add(p, 224), yLo)
            ok := staticcall(G1ADD_GAS, 0x0b, p, 256, p, 128)
        }
    }

    /// @notice The sum as (xHi, xLo, yHi, yLo).
    function sum(bytes memory acc) internal pure returns (uint256 xHi, uint256 xLo, uint256 yHi, uint256 yLo) {
        assembly ("memory-safe") {
            let p := add(acc, 32)
            xHi := mload(p)
            xLo := mload(add(p, 32))
            yHi := mload(add(p, 64))
            yLo := mload(add(p, 96))
        }
    }

    /// @notice True when the accumulator's sum is the point at infinity.
    function sumIsInfinity(bytes memory acc) internal pure returns (bool inf) {
        (uint256 a, uint256 b, uint256 c, uint256 d) = sum(acc);
        inf = (a | b | c | d) == 0;
    }

    /// @dev DST || I2OSP(len(DST), 1) (44 bytes): its first 32 bytes, and the last 12 left-aligned.
    uint256 private constant DST_PRIME_0 = 0x424c535f5349475f424c53313233383147325f584d443a5348412d3235365f53;
    uint256 private constant DST_PRIME_1 = 0x5357555f524f5f504f505f2b0000000000000000000000000000000000000000;

    /// @notice hash_to_curve(head || tail) on G2 with the signature DST (RFC 9380: expand_message_xmd with
    ///         SHA-256 to 256 bytes, four elements reduced mod p by MODEXP, MAP_FP2_TO_G2 of each Fp2 pair,
    ///         G2ADD). Returns 256 bytes, EIP-2537 encoding. Memory-only assembly, for gas.
    /// @param head Message bytes in memory (e.g. a seed). @param tail The rest of the message, in calldata.
    function hashToG2(bytes memory head, bytes calldata tail) internal view returns (bytes memory h) {
        assembly ("memory-safe") {
            let free := mload(0x40)
            let headLen := mload(head)
            let msgLen := add(headLen, tail.length)
            // b0 = SHA256(Z_pad (64 zero bytes) || msg || I2OSP(256, 2) || I2OSP(0, 1) || DST')
            mstore(free, 0)
            mstore(add(free, 32), 0)
            mcopy(add(free, 64), add(head, 32), headLen)
            calldatacopy(add(add(free, 64), headLen), tail.offset, tail.length)
            let q := add(add(free, 64), msgLen)
            mstore(q, shl(232, 0x010000))
            mstore(add(q, 3), DST_PRIME_0)
            mstore(add(q, 35), DST_PRIME_1)
            if iszero(staticcall(gas(), 0x02, free, add(msgLen, 111), 0, 32)) { revert(0, 0) }
            let b0 := mload(0)
            // b_i = SHA256((b0 xor b_{i-1}) || I2OSP(i, 1) || DST'), b_0' = 0; uniform bytes b_1..b_8 at u
            let u := free
            let r := add(free, 256)
            mstore(add(r, 33), DST_PRIME_0)
            mstore(add(r, 65), DST_PRIME_1)
            let prev := 0
            for { let i := 1 } lt(i, 9) { i := add(i, 1) } {
                mstore(r, xor(b0, prev))
                mstore8(add(r, 32), i)
                let out := add(u, mul(sub(i, 1), 32))
                if iszero(staticcall(gas(), 0x02, r, 77, out, 32)) { revert(0, 0) }
                prev := mload(out)
            }
            // e_j = OS2IP(u[64j : 64j + 64]) mod p, by MODEXP(base, 1, p); written as 64-byte Fp elements at f
            let mm := add(free, 384)
            mstore(mm, 64)
            mstore(add(mm, 32), 1)
            mstore(add(mm, 64), 48)
            mstore8(add(mm, 160), 1)
            mstore(add(mm, 161), shl(128, P_HI))
            mstore(add(mm, 177), P_LO)
            let f := add(free, 640)
            for { let j := 0 } lt(j, 4) { j := add(j, 1) } {
                mcopy(add(mm, 96), add(u, mul(j, 64)), 64)
                let out := add(f, mul(j, 64))
                mstore(out, 0)
                if iszero(staticcall(gas(), 0x05, mm, 209, add(out, 16), 48)) { revert(0, 0) }
            }
            // Q0 = map(e0, e1), Q1 = map(e2, e3) (each cofactor-cleared), H = Q0 + Q1
            h := add(free, 896)
            let hp := add(h, 32)
            if iszero(staticcall(gas(), 0x11, f, 128, hp, 256)) { revert(0, 0) }
            if iszero(staticcall(gas(), 0x11, add(f, 128), 128, add(hp, 256), 256)) { revert(0, 0) }
            if iszero(staticcall(G2ADD_GAS, 0x0d, hp, 512, hp, 256)) { revert(0, 0) }
            mstore(h, 256)
            mstore(0x40, add(hp, 512))
        }
    }

    /// @notice Whether the pairing check e(pk, hm) * e(-g1, sig) == 1 holds; `valid` is false when the
    ///         precompile refuses its input (a signature off the curve or outside the subgroup).
    /// @param pkAcc An accumulator whose sum is the public key.
    /// @param hm H(m), 256 bytes. @param sig192 x.c0 | x.c1 | y.c0 | y.c1, 48 bytes each, in calldata.
    function pairingCheck(bytes memory pkAcc, bytes memory hm, bytes calldata sig192) internal view returns (bool valid, bool holds) {
        bytes memory input = new bytes(768);
        assembly ("memory-safe") {
            let p := add(input, 32)
            mcopy(p, add(pkAcc, 32), 128)
            mcopy(add(p, 128), add(hm, 32), 256)
            mstore(add(p, 384), NEG_G1_X_HI)
            mstore(add(p, 416), NEG_G1_X_LO)
            mstore(add(p, 448), NEG_G1_Y_HI)
            mstore(add(p, 480), NEG_G1_Y_LO)
            let s := sig192.offset
            for { let k := 0 } lt(k, 4) { k := add(k, 1) } {
                let dst := add(add(p, 512), mul(k, 64))
                // 16 zero bytes, then the 48-byte element
                mstore(dst, 0)
                calldatacopy(add(dst, 16), add(s, mul(k, 48)), 48)
            }
            valid := staticcall(PAIRING_2_GAS, 0x0f, p, 768, 0, 32)
            holds := and(valid, eq(mload(0), 1))
        }
    }
}
