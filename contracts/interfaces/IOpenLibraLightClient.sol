// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IOpenLibraLightClient
/// @notice Away-chain client of Open Libra's own consensus: verifies BCS LedgerInfos signed by an
///         aggregate BLS12-381 quorum (total * 2 / 3 + 1 of the voting power) of the current epoch's
///         validator set, natively with the EIP-2537 precompiles, ratchets to the next set through the
///         current epoch's epoch-ending LedgerInfo, and takes attestation-set vouchers of any epoch whose
///         set it has held (the current one or an earlier one it ratcheted through: a voucher may come late).
///         Calldata encodings: circuits/ENCODING.md, "Open Libra anchoring".
interface IOpenLibraLightClient {
    /// @notice What a verified LedgerInfo commits to.
    struct LedgerInfoSummary {
        uint64 epoch;
        uint64 round;
        uint64 version;
        uint64 timestampUsecs;
        /// @notice The transaction accumulator root (executed_state_id) at `version`.
        bytes32 executedStateId;
        bool endsEpoch;
        uint256 signedPower;
    }

    /// @notice The client moved to `epoch` with the validator set committed as `setCommitment`.
    event EpochChanged(uint64 indexed epoch, bytes32 setCommitment, uint64 version, bytes32 executedStateId);
    /// @notice A quorum of the `epoch` validators vouched for the attestation set `attestationSetRoot`.
    event AttestationSetVouched(uint64 indexed epoch, bytes32 attestationSetRoot);

    /// @notice The LedgerInfo bytes are not the BCS of a LedgerInfo this client reads.
    error MalformedLedgerInfo();
    /// @notice The BCS of an EpochState (or next_epoch_state) is malformed.
    error MalformedEpochState();
    /// @notice The set opening's layout does not match the bitmask and validator count.
    error MalformedSetOpening();
    /// @notice The set opening does not hash to the committed validator set.
    error SetOpeningMismatch();
    /// @notice The LedgerInfo is for another epoch than the client's.
    error WrongEpoch(uint64 got, uint64 current);
    /// @notice The voucher is for an epoch whose set the client never held: it holds the sets of
    ///         `firstEpoch` (its trusted start) to `currentEpoch` only.
    error UnknownEpoch(uint64 epoch, uint64 firstEpoch, uint64 currentEpoch);
    /// @notice An epoch change needs a LedgerInfo carrying next_epoch_state.
    error NotEpochEnding();
    /// @notice next_epoch_state is not for the epoch after the current one.
    error WrongNextEpoch(uint64 got, uint64 expected);
    /// @notice The validator set has no validators, or more than a u16 bitmask indexes.
    error InvalidValidatorSet();
    /// @notice The bitmask is not exactly ceil(n / 8) bytes.
    error BitmaskLength(uint256 got, uint256 expected);
    /// @notice The bitmask sets a bit at or above the number of validators.
    error BitmaskOutOfRange();
    /// @notice The signers hold less than the quorum.
    error InsufficientVotingPower(uint256 signedPower, uint256 quorumPower);
    /// @notice The y-coordinate hints are not 48 bytes per validator.
    error MalformedKeyHints();
    /// @notice A key is not a valid compressed point with this y (flags, sign of y, curve).
    error InvalidPublicKey(uint256 index);
    /// @notice The signature is not 192 bytes of a G2 point in the subgroup.
    error InvalidSignature();
    /// @notice The aggregate signature does not verify.
    error SignatureMismatch();
    /// @notice A quorum already vouched for another attestation set root in this epoch.
    error ConflictingVoucher(uint64 epoch, bytes32 vouched);
    /// @notice A constructor argument is invalid.
    error InvalidConfig();

    /// @notice Verifies `ledgerInfo` (BCS) under the current set; reverts with the reason otherwise.
    /// @param ledgerInfo BCS(LedgerInfo), the signed bytes after seed("LedgerInfo").
    /// @param bitmask The quorum certificate's validator_bitmask.
    /// @param signature The aggregate signature, uncompressed: x.c0 | x.c1 | y.c0 | y.c1, 48 bytes each.
    /// @param setOpening The current set's opening for this bitmask (ENCODING.md).
    function verifyLedgerInfo(bytes calldata ledgerInfo, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        external
        view
        returns (LedgerInfoSummary memory);

    /// @notice Ratchets to the next epoch with the current epoch's epoch-ending LedgerInfo.
    /// @param nextKeyYs The y-coordinate (48 bytes BE) of every next_epoch_state key, in set order.
    function submitEpochChange(
        bytes calldata ledgerInfo,
        bytes calldata bitmask,
        bytes calldata signature,
        bytes calldata setOpening,
        bytes calldata nextKeyYs
    ) external returns (LedgerInfoSummary memory);

    /// @notice Verifies a voucher of `epoch` for `attestationSetRoot` under that epoch's set (the current
    ///         epoch or an earlier one the client ratcheted through, else UnknownEpoch); reverts otherwise.
    /// @param setOpening The opening of the set of `epoch` for this bitmask (ENCODING.md).
    /// @return signedPower The voting power that signed.
    function verifyVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening)
        external
        view
        returns (uint256 signedPower);

    /// @notice Verifies a voucher (as verifyVoucher: the current epoch or a past one) and records its
    ///         attestation set root (once per epoch: a second, different root for the same epoch is refused
    ///         as an equivocation).
    function submitVoucher(uint64 epoch, bytes32 attestationSetRoot, bytes calldata bitmask, bytes calldata signature, bytes calldata setOpening) external;

    /// @notice The commitment of a validator set given as BCS(EpochState) and its keys' y-coordinates:
    ///         what a deployer passes as the trusted start (checks the keys as an epoch change does).
    function commitmentOf(bytes calldata epochState, bytes calldata keyYs)
        external
        view
        returns (bytes32 commitment, uint64 epoch, uint128 totalPower, uint32 validators);

    /// @notice The epoch whose validator set the client holds.
    function currentEpoch() external view returns (uint64);
    /// @notice The commitment of the current validator set.
    function setCommitment() external view returns (bytes32);
    /// @notice The commitment of the validator set of `epoch` (zero unless firstEpoch <= epoch <= currentEpoch).
    function setCommitmentOf(uint64 epoch) external view returns (bytes32);
    /// @notice The trusted start's epoch: the client holds the sets of this epoch and every later one it ratcheted to.
    function firstEpoch() external view returns (uint64);
    /// @notice The attestation set root vouched for `epoch` (zero if none).
    function vouchedAttestationSetRoot(uint64 epoch) external view returns (bytes32);
}
