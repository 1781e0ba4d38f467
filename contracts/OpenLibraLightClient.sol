// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IOpenLibraLightClient} from "./interfaces/IOpenLibraLightClient.sol";
import {BLS12381} from "./lib/BLS12381.sol";

/// @title OpenLibraLightClient
/// @notice Follows Open Libra's real validator sets from a trusted start (epoch and set commitment,
///         like a waypoint). A LedgerInfo verifies when the signers named by its bitmask hold at least
///         total * 2 / 3 + 1 of the current set's voting power and their aggregate BLS12-381 signature
///         (min-pk, DST BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_) signs seed("LedgerInfo") || BCS(LedgerInfo).
///         The client stores only a commitment of the set (circuits/ENCODING.md): keys travel in calldata,
///         and only the absent validators' keys, since the commitment carries the sum of all keys.
///         An epoch-ending LedgerInfo of the current epoch moves the client to its next_epoch_state, whose
///         compressed keys are read from the signed BCS and completed with y-coordinate hints that must be
///         the decompression (same x, same sign of y, on the curve). The commitment of every set the client
///         has held stays (one slot per epoch), so a voucher of a past epoch can still come, checked against
///         that epoch's set: a client that ratchets past an epoch before its voucher does not strand it.
contract OpenLibraLightClient is IOpenLibraLightClient {
    /// @notice seed("LedgerInfo") = SHA3-256("DIEM::LedgerInfo").
    bytes32 public constant LEDGER_INFO_SEED = 0xcd510d1ab583c33b54fa949014601df0664857c18c4cfb228c862dd869df1b62;
    /// @notice ASCII domain tag that starts a voucher message (31 bytes).
    bytes31 public constant VOUCHER_DOMAIN = "OLZK::AttestationSetVoucher::V1";

    uint256 private constant KEY_BYTES = 48;
    uint256 private constant VALIDATOR_BCS_BYTES = 89; // address 32 | uleb 48 | key 48 | voting power u64
    uint256 private constant ABSENT_BYTES = 104; // x 48 | y 48 | voting power u64 BE
    uint256 private constant OPENING_HEADER = 116; // total power u128 | n u32 | aggregate x 48 | y 48
    uint256 private constant MASK125 = (1 << 125) - 1;
    uint256 private constant G1ADD_GAS = 1_000;

    struct Cursor {
        uint64 epoch;
        uint64 lastChangeVersion;
    }

    /// @inheritdoc IOpenLibraLightClient
    uint64 public immutable firstEpoch;

    Cursor private _cursor;
    /// @dev The commitment of the set of every epoch from firstEpoch to the current one (zero for any other).
    mapping(uint64 epoch => bytes32) private _setCommitments;
    mapping(uint64 epoch => bytes32) private _vouched;

    /// @param epoch The trusted epoch.
    /// @param commitment The trusted commitment of that epoch's set (see commitmentOf).
    constructor(uint64 epoch, bytes32 commitment) {
        if (commitment == bytes32(0)) revert InvalidConfig();
        firstEpoch = epoch;
        _setCommitments[epoch] = commitment;
        _cursor = Cursor({epoch: epoch, lastChangeVersion: 0});
        emit EpochChanged(epoch, commitment, 0, bytes32(0));
    }

    /// @inheritdoc IOpenLibraLightClient
    function currentEpoch() external view returns (uint64) {
        return _cursor.epoch;
    }

    /// @inheritdoc IOpenLibraLightClient
    function setCommitment() external view returns (bytes32) {
        return _setCommitments[_cursor.epoch];
    }

    /// @inheritdoc IOpenLibraLightClient
    function setCommitmentOf(uint64 epoch) external view returns (bytes32) {
        return _setCommitments[epoch];
    }

    /// @inheritdoc IOpenLibraLightClient
    function vouchedAttestationSetRoot(uint64 epoch) external view returns (bytes32) {
        return _vouched[epoch];
    }

    /// @inheritdoc IOpenLibraLightClient
    function verifyLedgerInfo(bytes calldata ledgerInfo, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        external
        view
        returns (LedgerInfoSummary memory s)
    {
        (s,) = _verifyLedgerInfo(ledgerInfo, bitmask, signature, setOpening);
    }

    /// @inheritdoc IOpenLibraLightClient
    function submitEpochChange(
        bytes calldata ledgerInfo,
        bytes calldata bitmask,
        bytes calldata signature,
        bytes calldata setOpening,
        bytes calldata nextKeyYs
    ) external returns (LedgerInfoSummary memory s) {
        uint256 nextOffset;
        (s, nextOffset) = _verifyLedgerInfo(ledgerInfo, bitmask, signature, setOpening);
        if (!s.endsEpoch) revert NotEpochEnding();
        (bytes32 next, uint64 nextEpoch,,) = _commitEpochState(ledgerInfo, nextOffset, nextKeyYs);
        if (nextEpoch != s.epoch + 1) revert WrongNextEpoch(nextEpoch, s.epoch + 1);
        _setCommitments[nextEpoch] = next;
        _cursor = Cursor({epoch: nextEpoch, lastChangeVersion: s.version});
        emit EpochChanged(nextEpoch, next, s.version, s.executedStateId);
    }

    /// @inheritdoc IOpenLibraLightClient
    function verifyVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        public
        view
        returns (uint256 signedPower)
    {
        if (_setCommitments[epoch] == bytes32(0)) revert UnknownEpoch(epoch, firstEpoch, _cursor.epoch);
        signedPower = _verifyQuorum(epoch, abi.encodePacked(VOUCHER_DOMAIN, epoch, attestationSetRoot), msg.data[0:0], bitmask, signature, setOpening);
    }

    /// @inheritdoc IOpenLibraLightClient
    function submitVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        external
    {
        verifyVoucher(epoch, attestationSetRoot, bitmask, signature, setOpening);
        bytes32 vouched = _vouched[epoch];
        if (vouched != bytes32(0) && vouched != attestationSetRoot) revert ConflictingVoucher(epoch, vouched);
        _vouched[epoch] = attestationSetRoot;
        emit AttestationSetVouched(epoch, attestationSetRoot);
    }

    /// @inheritdoc IOpenLibraLightClient
    function commitmentOf(bytes calldata epochState, bytes calldata keyYs)
        external
        view
        returns (bytes32 commitment, uint64 epoch, uint128 totalPower, uint32 validators)
    {
        uint256 end;
        (commitment, epoch, totalPower, validators, end) = _commitValidators(epochState, 0, keyYs);
        if (end != epochState.length) revert MalformedEpochState();
    }

    // ------------------------------------------------------------------ LedgerInfo

    /// @dev Reads the LedgerInfo's fixed fields, checks its BCS layout, verifies its quorum certificate.
    ///      Returns the offset of next_epoch_state's EpochState (0 when it has none).
    function _verifyLedgerInfo(bytes calldata li, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        private
        view
        returns (LedgerInfoSummary memory s, uint256 nextOffset)
    {
        // BlockInfo: epoch u64 | round u64 | id 32 | executed_state_id 32 | version u64 | timestamp u64 |
        // Option<EpochState>; then consensus_data_hash 32.
        if (li.length < 129) revert MalformedLedgerInfo();
        s.epoch = _u64le(li, 0);
        s.round = _u64le(li, 8);
        s.executedStateId = bytes32(li[48:80]);
        s.version = _u64le(li, 80);
        s.timestampUsecs = _u64le(li, 88);
        uint8 tag = uint8(li[96]);
        if (tag == 1) {
            nextOffset = 97;
            (, uint256 n, uint256 pos) = _epochStateHeader(li, nextOffset);
            if (pos + n * VALIDATOR_BCS_BYTES + 32 != li.length) revert MalformedLedgerInfo();
            s.endsEpoch = true;
        } else if (tag != 0 || li.length != 129) {
            revert MalformedLedgerInfo();
        }
        uint64 current = _cursor.epoch;
        if (s.epoch != current) revert WrongEpoch(s.epoch, current);
        s.signedPower = _verifyQuorum(current, abi.encodePacked(LEDGER_INFO_SEED), li, bitmask, signature, setOpening);
    }

    // ------------------------------------------------------------------ quorum certificates

    /// @dev Checks the bitmask shape and the opening against the committed set of `epoch`, then that the
    ///      signers hold a quorum and their aggregate key (sum of all keys minus the absent ones) verifies `head || tail`.
    function _verifyQuorum(uint64 epoch, bytes memory head, bytes calldata tail, bytes calldata bitmask, bytes calldata signature, bytes calldata opening)
        private
        view
        returns (uint256 signedPower)
    {
        if (signature.length != 192) revert InvalidSignature();
        bytes memory acc;
        (acc, signedPower) = _openSet(epoch, bitmask, opening);
        _checkSignature(acc, BLS12381.hashToG2(head, tail), signature);
    }

    /// @dev Opens the committed set of `epoch` for `bitmask`: returns the signers' aggregate key (in an
    ///      accumulator) and their voting power, which must reach the quorum.
    function _openSet(uint64 epoch, bytes calldata bitmask, bytes calldata opening) private view returns (bytes memory acc, uint256 signedPower) {
        if (opening.length < OPENING_HEADER) revert MalformedSetOpening();
        uint256 totalPower = uint128(bytes16(opening[0:16]));
        uint256 n = uint32(bytes4(opening[16:20]));
        _checkBitmask(bitmask, n);
        acc = BLS12381.newAccumulator();
        BLS12381.setSum(acc, _hi(opening, 20), _lo(opening, 20), _hi(opening, 68), _lo(opening, 68));
        (bytes32 leavesHash, uint256 absentPower) = _openGroups(bitmask, n, opening, acc);
        if (keccak256(abi.encodePacked(epoch, uint128(totalPower), uint32(n), opening[20:116], leavesHash)) != _setCommitments[epoch]) {
            revert SetOpeningMismatch();
        }
        signedPower = totalPower - absentPower;
        uint256 quorum = totalPower * 2 / 3 + 1;
        if (signedPower < quorum) revert InsufficientVotingPower(signedPower, quorum);
    }

    /// @dev The signers' aggregate key (the accumulator's sum) must not be infinity and `signature` must
    ///      verify under it for the message hashed to `hm`.
    function _checkSignature(bytes memory acc, bytes memory hm, bytes calldata signature) private view {
        if (BLS12381.sumIsInfinity(acc)) revert SignatureMismatch();
        (bool valid, bool holds) = BLS12381.pairingCheck(acc, hm, signature);
        if (!valid) revert InvalidSignature();
        if (!holds) revert SignatureMismatch();
    }

    /// @dev Exactly ceil(n / 8) bytes, no bit at or above n (ValidatorVerifier::check_num_of_voters).
    function _checkBitmask(bytes calldata bitmask, uint256 n) private pure {
        if (n == 0 || n > 0xffff) revert InvalidValidatorSet();
        uint256 len = (n + 7) / 8;
        if (bitmask.length != len) revert BitmaskLength(bitmask.length, len);
        uint256 spare = len * 8 - n;
        if (uint8(bitmask[len - 1]) & ((1 << spare) - 1) != 0) revert BitmaskOutOfRange();
    }

    /// @dev Walks the opening group by group (8 validators, one bitmask byte each), recomputing the
    ///      leaves hash and subtracting every absent validator's key from `acc` and power from the total.
    ///      A group whose validators all signed is its hash; otherwise each signer is its leaf and each
    ///      absent validator is x | y | power (its leaf is hashed here, its key goes through G1ADD, which
    ///      checks it is on the curve). Assembly: this loop is most of the non-precompile gas.
    function _openGroups(bytes calldata bitmask, uint256 n, bytes calldata opening, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 absentPower)
    {
        uint256 maskAt;
        uint256 from;
        uint256 end;
        assembly ("memory-safe") {
            maskAt := bitmask.offset
            from := add(opening.offset, OPENING_HEADER)
            end := add(opening.offset, opening.length)
        }
        uint256 bad;
        (leavesHash, absentPower, bad) = _openGroupsAt(maskAt, bitmask.length, n, from, end, acc);
        if (bad == 1) revert MalformedSetOpening();
        if (bad > 1) revert InvalidPublicKey(bad - 2);
    }

    /// @dev _openGroups on absolute calldata offsets: the bitmask at maskAt, the groups from `from` to `end`.
    ///      bad is 1 for a malformed opening, 2 + i for an invalid key of validator i.
    function _openGroupsAt(uint256 maskAt, uint256 groups, uint256 n, uint256 from, uint256 end, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 absentPower, uint256 bad)
    {
        assembly ("memory-safe") {
            // The absent validator x | y | power at calldata pos: writes its leaf at out and adds (x, p - y)
            // into the accumulator at accp; ok = 0 when G1ADD refuses the point.
            function subtractAbsent(pos, accp, out) -> ok, power {
                calldatacopy(out, pos, 104)
                power := shr(192, calldataload(add(pos, 96)))
                let yHi := shr(128, calldataload(add(pos, 48)))
                let yLo := calldataload(add(pos, 64))
                if or(yHi, yLo) {
                    // p = 0x1a0111ea...bacd7 || 0x64774b84...ffaaab (BLS12381.P_HI, P_LO)
                    let pLo := 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab
                    let borrow := gt(yLo, pLo)
                    yLo := sub(pLo, yLo)
                    yHi := sub(sub(0x1a0111ea397fe69a4b1ba7b6434bacd7, yHi), borrow)
                }
                mstore(add(accp, 128), shr(128, calldataload(pos)))
                mstore(add(accp, 160), calldataload(add(pos, 16)))
                mstore(add(accp, 192), yHi)
                mstore(add(accp, 224), yLo)
                ok := staticcall(1000, 0x0b, accp, 256, accp, 128)
            }
            let gh := mload(0x40)
            let lv := add(gh, mul(groups, 32))
            mstore(0x40, add(lv, 384)) // group hashes | 8 leaves | a 104-byte scratch
            let pos := from
            for { let g := 0 } lt(g, groups) { g := add(g, 1) } {
                let members := sub(n, mul(g, 8))
                if gt(members, 8) { members := 8 }
                let bits := byte(0, calldataload(add(maskAt, g)))
                if eq(bits, and(shl(sub(8, members), 0xff), 0xff)) {
                    if gt(add(pos, 32), end) {
                        bad := 1
                        break
                    }
                    mstore(add(gh, mul(g, 32)), calldataload(pos))
                    pos := add(pos, 32)
                    continue
                }
                for { let k := 0 } lt(k, members) { k := add(k, 1) } {
                    switch and(bits, shr(k, 0x80))
                    case 0 {
                        if gt(add(pos, 104), end) {
                            bad := 1
                            break
                        }
                        let ok, power := subtractAbsent(pos, add(acc, 32), add(lv, 256))
                        if iszero(ok) {
                            bad := add(2, add(mul(g, 8), k))
                            break
                        }
                        absentPower := add(absentPower, power)
                        mstore(add(lv, mul(k, 32)), keccak256(add(lv, 256), 104))
                        pos := add(pos, 104)
                    }
                    default {
                        if gt(add(pos, 32), end) {
                            bad := 1
                            break
                        }
                        mstore(add(lv, mul(k, 32)), calldataload(pos))
                        pos := add(pos, 32)
                    }
                }
                if bad { break }
                mstore(add(gh, mul(g, 32)), keccak256(lv, mul(members, 32)))
            }
            if and(iszero(bad), iszero(eq(pos, end))) { bad := 1 }
            leavesHash := keccak256(gh, mul(groups, 32))
        }
    }

    // ------------------------------------------------------------------ validator sets

    /// @dev EpochState at `pos`: epoch u64 | ULEB128 validator count. Returns the offset of the first validator.
    function _epochStateHeader(bytes calldata b, uint256 pos) private pure returns (uint64 epoch, uint256 n, uint256 next) {
        if (b.length < pos + 9) revert MalformedEpochState();
        epoch = _u64le(b, pos);
        (n, next) = _uleb(b, pos + 8);
        if (n == 0 || n > 0xffff) revert InvalidValidatorSet();
    }

    /// @dev The commitment of the EpochState at `pos` (ENCODING.md): every key must be a compressed,
    ///      non-infinity point whose y (from `ys`) has the flagged sign and lies on the curve.
    function _commitEpochState(bytes calldata b, uint256 pos, bytes calldata ys) private view returns (bytes32 c, uint64 epoch, uint128 total, uint32 n) {
        (c, epoch, total, n,) = _commitValidators(b, pos, ys);
    }

    function _commitValidators(bytes calldata b, uint256 pos, bytes calldata ys)
        private
        view
        returns (bytes32 commitment, uint64 epoch, uint128 totalPower, uint32 validators, uint256 end)
    {
        uint256 n;
        (epoch, n, pos) = _epochStateHeader(b, pos);
        if (b.length < pos + n * VALIDATOR_BCS_BYTES) revert MalformedEpochState();
        if (ys.length != n * KEY_BYTES) revert MalformedKeyHints();
        bytes memory acc = BLS12381.newAccumulator();
        (bytes32 leavesHash, uint256 total) = _hashValidators(b, pos, n, ys, acc);
        end = pos + n * VALIDATOR_BCS_BYTES;
        totalPower = uint128(total);
        validators = uint32(n);
        (uint256 axh, uint256 axl, uint256 ayh, uint256 ayl) = BLS12381.sum(acc);
        commitment = keccak256(abi.encodePacked(epoch, totalPower, validators, uint128(axh), axl, uint128(ayh), ayl, leavesHash));
    }

    /// @dev The leaves hash and total power of the n BCS validators at b[pos:] (address 32 | 0x30 | key 48 |
    ///      power u64 LE), summing their keys into `acc`. Each key must have the compression flag, not the
    ///      infinity flag, and the sign flag set exactly when its y (from `ys`) is above (p - 1) / 2; G1ADD
    ///      checks that (x, y) is on the curve with both coordinates below p. So (x, y) is the key's
    ///      decompression. Assembly, for gas.
    function _hashValidators(bytes calldata b, uint256 pos, uint256 n, bytes calldata ys, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 total)
    {
        uint256 first; // calldata offset of the first validator
        uint256 yFirst; // calldata offset of the first y
        assembly ("memory-safe") {
            first := add(b.offset, pos)
            yFirst := ys.offset
        }
        uint256 bad;
        (leavesHash, total, bad) = _hashValidatorsAt(first, n, yFirst, acc);
        if (bad == 1) revert MalformedEpochState();
        if (bad > 1) revert InvalidPublicKey(bad - 2);
    }

    /// @dev _hashValidators on absolute calldata offsets; bad is 1 for malformed BCS, 2 + i for an invalid key i.
    function _hashValidatorsAt(uint256 first, uint256 n, uint256 yFirst, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 total, uint256 bad)
    {
        assembly ("memory-safe") {
            let gh := mload(0x40)
            let lv := add(gh, shl(5, shr(3, add(n, 7))))
            mstore(0x40, add(lv, 384)) // group hashes | 8 leaves | a 104-byte leaf preimage
            let accp := add(acc, 32)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                let v := add(first, mul(i, VALIDATOR_BCS_BYTES))
                if iszero(eq(byte(0, calldataload(add(v, 32))), KEY_BYTES)) {
                    bad := 1
                    break
                }
                let y := add(yFirst, mul(i, KEY_BYTES))
                // the point (x of the compressed key, y) goes into the accumulator's scratch half
                let xHi := and(shr(128, calldataload(add(v, 33))), MASK125)
                mstore(add(accp, 128), xHi)
                mstore(add(accp, 160), calldataload(add(v, 49)))
                mstore(add(accp, 192), shr(128, calldataload(y)))
                mstore(add(accp, 224), calldataload(add(y, 16)))
                {
                    // flags of the key (compressed | infinity | sign): compressed, not infinity, and the
                    // sign set exactly when y > (p - 1) / 2 = BLS12381.HALF_HI || BLS12381.HALF_LO
                    let flags := shr(5, byte(0, calldataload(add(v, 33))))
                    let yHi := mload(add(accp, 192))
                    let hHi := 0x0d0088f51cbff34d258dd3db21a5d66b
                    let largest :=
                        or(gt(yHi, hHi), and(eq(yHi, hHi), gt(mload(add(accp, 224)), 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555)))
                    if iszero(and(eq(and(flags, 6), 4), eq(and(flags, 1), largest))) {
                        bad := add(2, i)
                        break
                    }
                }
                // G1ADD checks the point is on the curve with coordinates below p, and adds it
                if iszero(staticcall(G1ADD_GAS, 0x0b, accp, 256, accp, 128)) {
                    bad := add(2, i)
                    break
                }
                // voting power: u64 little-endian
                let w := shr(192, calldataload(add(v, 81)))
                w := or(shr(8, and(w, 0xFF00FF00FF00FF00)), shl(8, and(w, 0x00FF00FF00FF00FF)))
                w := or(shr(16, and(w, 0xFFFF0000FFFF0000)), shl(16, and(w, 0x0000FFFF0000FFFF)))
                w := or(shr(32, w), shl(32, and(w, 0xFFFFFFFF)))
                total := add(total, w)
                // leaf = keccak256(x 48 | y 48 | power u64 BE); a group hash every 8 leaves
                let o := add(lv, 256)
                mstore(o, shl(128, xHi))
                mstore(add(o, 16), calldataload(add(v, 49)))
                calldatacopy(add(o, 48), y, 48)
                mstore(add(o, 96), shl(192, w))
                let k := and(i, 7)
                mstore(add(lv, shl(5, k)), keccak256(o, ABSENT_BYTES))
                if or(eq(k, 7), eq(i, sub(n, 1))) { mstore(add(gh, shl(5, shr(3, i))), keccak256(lv, shl(5, add(k, 1)))) }
            }
            leavesHash := keccak256(gh, shl(5, shr(3, add(n, 7))))
        }
    }

    // ------------------------------------------------------------------ calldata helpers

    /// @dev Little-endian u64 at b[pos:pos+8] (BCS).
    function _u64le(bytes calldata b, uint256 pos) private pure returns (uint64 v) {
        uint256 w = uint256(bytes32(b[pos:pos + 8])) >> 192;
        // byte-reverse 8 bytes
        w = ((w & 0xFF00FF00FF00FF00) >> 8) | ((w & 0x00FF00FF00FF00FF) << 8);
        w = ((w & 0xFFFF0000FFFF0000) >> 16) | ((w & 0x0000FFFF0000FFFF) << 16);
        v = uint64((w >> 32) | ((w & 0xFFFFFFFF) << 32));
    }

    /// @dev A canonical ULEB128 of at most 3 bytes at b[pos:]; returns the value and the next offset.
    function _uleb(bytes calldata b, uint256 pos) private pure returns (uint256 v, uint256 next) {
        for (uint256 i; i < 3; ++i) {
            if (pos + i >= b.length) revert MalformedEpochState();
            uint256 byt = uint8(b[pos + i]);
            v |= (byt & 0x7f) << (7 * i);
            if (byt & 0x80 == 0) {
                if (i > 0 && byt == 0) revert MalformedEpochState();
                return (v, pos + i + 1);
            }
        }
        revert MalformedEpochState();
    }

    /// @dev High 16 bytes of the 48-byte big-endian element at b[pos:], as the first EIP-2537 word.
    function _hi(bytes calldata b, uint256 pos) private pure returns (uint256) {
        return uint128(bytes16(b[pos:pos + 16]));
    }

    /// @dev Low 32 bytes of the 48-byte element at b[pos:].
    function _lo(bytes calldata b, uint256 pos) private pure returns (uint256) {
        return uint256(bytes32(b[pos + 16:pos + 48]));
    }
}
