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
///         the decompression (same x, same sign of y, on the curve).
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

    struct Cursor {
        uint64 epoch;
        uint64 lastChangeVersion;
    }

    bytes32 private _setCommitment;
    Cursor private _cursor;
    mapping(uint64 epoch => bytes32) private _vouched;

    /// @param epoch The trusted epoch.
    /// @param commitment The trusted commitment of that epoch's set (see commitmentOf).
    constructor(uint64 epoch, bytes32 commitment) {
        if (commitment == bytes32(0)) revert InvalidConfig();
        _setCommitment = commitment;
        _cursor = Cursor({epoch: epoch, lastChangeVersion: 0});
        emit EpochChanged(epoch, commitment, 0, bytes32(0));
    }

    /// @inheritdoc IOpenLibraLightClient
    function currentEpoch() external view returns (uint64) {
        return _cursor.epoch;
    }

    /// @inheritdoc IOpenLibraLightClient
    function setCommitment() external view returns (bytes32) {
        return _setCommitment;
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
        _setCommitment = next;
        _cursor = Cursor({epoch: nextEpoch, lastChangeVersion: s.version});
        emit EpochChanged(nextEpoch, next, s.version, s.executedStateId);
    }

    /// @inheritdoc IOpenLibraLightClient
    function verifyVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        public
        view
        returns (uint256 signedPower)
    {
        uint64 current = _cursor.epoch;
        if (epoch != current) revert WrongEpoch(epoch, current);
        signedPower = _verifyQuorum(abi.encodePacked(VOUCHER_DOMAIN, epoch, attestationSetRoot), bitmask, signature, setOpening);
    }

    /// @inheritdoc IOpenLibraLightClient
    function submitVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        external
    {
        verifyVoucher(epoch, attestationSetRoot, bitmask, signature, setOpening);
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
        s.signedPower = _verifyQuorum(abi.encodePacked(LEDGER_INFO_SEED, li), bitmask, signature, setOpening);
    }

    // ------------------------------------------------------------------ quorum certificates

    /// @dev Checks the bitmask shape and the opening against the committed set, then that the signers
    ///      hold a quorum and their aggregate key (sum of all keys minus the absent ones) verifies `message`.
    function _verifyQuorum(bytes memory message, bytes calldata bitmask, bytes calldata signature, bytes calldata opening)
        private
        view
        returns (uint256 signedPower)
    {
        if (signature.length != 192) revert InvalidSignature();
        bytes memory acc;
        (acc, signedPower) = _openSet(bitmask, opening);
        _checkSignature(acc, message, signature);
    }

    /// @dev Opens the committed set for `bitmask`: returns the signers' aggregate key (in an
    ///      accumulator) and their voting power, which must reach the quorum.
    function _openSet(bytes calldata bitmask, bytes calldata opening) private view returns (bytes memory acc, uint256 signedPower) {
        if (opening.length < OPENING_HEADER) revert MalformedSetOpening();
        uint256 totalPower = uint128(bytes16(opening[0:16]));
        uint256 n = uint32(bytes4(opening[16:20]));
        _checkBitmask(bitmask, n);
        acc = BLS12381.newAccumulator();
        BLS12381.setSum(acc, _hi(opening, 20), _lo(opening, 20), _hi(opening, 68), _lo(opening, 68));
        (bytes32 leavesHash, uint256 absentPower) = _openGroups(bitmask, n, opening, acc);
        if (keccak256(abi.encodePacked(_cursor.epoch, uint128(totalPower), uint32(n), opening[20:116], leavesHash)) != _setCommitment) {
            revert SetOpeningMismatch();
        }
        signedPower = totalPower - absentPower;
        uint256 quorum = totalPower * 2 / 3 + 1;
        if (signedPower < quorum) revert InsufficientVotingPower(signedPower, quorum);
    }

    /// @dev The signers' aggregate key (the accumulator's sum) must not be infinity and must verify `signature` over `message`.
    function _checkSignature(bytes memory acc, bytes memory message, bytes calldata signature) private view {
        if (BLS12381.sumIsInfinity(acc)) revert SignatureMismatch();
        (bool valid, bool holds) = BLS12381.pairingCheck(acc, BLS12381.hashToG2(message), signature);
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

    /// @dev Position in the opening and the voting power of the absent validators seen so far.
    struct Walk {
        uint256 pos;
        uint256 absentPower;
    }

    /// @dev Walks the opening group by group (8 validators, one bitmask byte each), recomputing the
    ///      leaves hash and subtracting every absent validator's key from `acc` and power from the total.
    function _openGroups(bytes calldata bitmask, uint256 n, bytes calldata opening, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 absentPower)
    {
        bytes memory groupHashes = new bytes(bitmask.length * 32);
        Walk memory w = Walk({pos: OPENING_HEADER, absentPower: 0});
        for (uint256 g; g < bitmask.length; ++g) {
            bytes32 groupHash = _openGroup(uint8(bitmask[g]), g * 8, n - g * 8 < 8 ? n - g * 8 : 8, opening, acc, w);
            assembly ("memory-safe") {
                mstore(add(add(groupHashes, 32), mul(g, 32)), groupHash)
            }
        }
        if (w.pos != opening.length) revert MalformedSetOpening();
        return (keccak256(groupHashes), w.absentPower);
    }

    /// @dev The group of `members` validators from `first` at opening[w.pos:]: its hash if all of them
    ///      signed, else a leaf per signer and x | y | power per absent validator (whose key is subtracted
    ///      from `acc`).
    function _openGroup(uint256 bits, uint256 first, uint256 members, bytes calldata opening, bytes memory acc, Walk memory w)
        private
        view
        returns (bytes32)
    {
        if (bits == (0xff << (8 - members)) & 0xff) return _take32(opening, w);
        bytes memory leaves = new bytes(members * 32);
        for (uint256 k; k < members; ++k) {
            bytes32 leaf = bits & (0x80 >> k) != 0 ? _take32(opening, w) : _subtractAbsent(opening, acc, first + k, w);
            assembly ("memory-safe") {
                mstore(add(add(leaves, 32), mul(k, 32)), leaf)
            }
        }
        return keccak256(leaves);
    }

    /// @dev The next 32 bytes of the opening.
    function _take32(bytes calldata opening, Walk memory w) private pure returns (bytes32 v) {
        uint256 pos = w.pos;
        if (opening.length < pos + 32) revert MalformedSetOpening();
        w.pos = pos + 32;
        v = bytes32(opening[pos:pos + 32]);
    }

    /// @dev The absent validator x | y | power at opening[w.pos:]: subtracts its key from `acc` and adds its
    ///      power to `w.absentPower`; returns its leaf.
    function _subtractAbsent(bytes calldata opening, bytes memory acc, uint256 index, Walk memory w) private view returns (bytes32 leaf) {
        uint256 pos = w.pos;
        if (opening.length < pos + ABSENT_BYTES) revert MalformedSetOpening();
        w.pos = pos + ABSENT_BYTES;
        leaf = keccak256(opening[pos:pos + ABSENT_BYTES]);
        w.absentPower += uint64(bytes8(opening[pos + 96:pos + 104]));
        (uint256 yHi, uint256 yLo) = BLS12381.negate(_hi(opening, pos + 48), _lo(opening, pos + 48));
        if (!BLS12381.add(acc, _hi(opening, pos), _lo(opening, pos), yHi, yLo)) revert InvalidPublicKey(index);
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

    /// @dev The leaves hash and total power of the n BCS validators at b[pos:], summing their keys into `acc`.
    function _hashValidators(bytes calldata b, uint256 pos, uint256 n, bytes calldata ys, bytes memory acc)
        private
        view
        returns (bytes32 leavesHash, uint256 total)
    {
        bytes memory groupHashes = new bytes(((n + 7) / 8) * 32);
        bytes memory leaves = new bytes(8 * 32);
        for (uint256 i; i < n; ++i) {
            uint256 v = pos + i * VALIDATOR_BCS_BYTES;
            (bytes32 leaf, uint256 power) = _checkedKeyLeaf(b, v, ys, acc, i);
            total += power;
            assembly ("memory-safe") {
                mstore(add(add(leaves, 32), mul(mod(i, 8), 32)), leaf)
            }
            if (i % 8 == 7 || i == n - 1) {
                assembly ("memory-safe") {
                    mstore(add(add(groupHashes, 32), mul(div(i, 8), 32)), keccak256(add(leaves, 32), mul(add(mod(i, 8), 1), 32)))
                }
            }
        }
        leavesHash = keccak256(groupHashes);
    }

    /// @dev Checks the compressed key of the BCS validator at b[v:] against its y-coordinate ys[48 i:],
    ///      adds the key to `acc`, returns the validator's leaf and voting power.
    function _checkedKeyLeaf(bytes calldata b, uint256 v, bytes calldata ys, bytes memory acc, uint256 i)
        private
        view
        returns (bytes32 leaf, uint256 power)
    {
        if (uint8(b[v + 32]) != KEY_BYTES) revert MalformedEpochState();
        power = _u64le(b, v + 81);
        uint256 hi = _hi(b, v + 33);
        uint256 flags = hi >> 125; // compressed | infinity | sign
        uint256 xHi = hi & MASK125;
        uint256 xLo = _lo(b, v + 33);
        uint256 yHi = _hi(ys, i * KEY_BYTES);
        uint256 yLo = _lo(ys, i * KEY_BYTES);
        if (flags & 6 != 4 || (flags & 1 == 1) != BLS12381.isLargest(yHi, yLo)) revert InvalidPublicKey(i);
        if (!BLS12381.add(acc, xHi, xLo, yHi, yLo)) revert InvalidPublicKey(i);
        leaf = keccak256(abi.encodePacked(uint128(xHi), xLo, uint128(yHi), yLo, uint64(power)));
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
