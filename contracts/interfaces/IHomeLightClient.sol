// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IHomeLightClient
/// @notice Away-chain light client of the Home chain (Open Libra): accepts header proofs (the aggregated
///         attestation circuit, or the per-validator fallback, over the same validator-set commitment),
///         stores per proven header the state root and timestamp, ratchets validator-set epochs.
interface IHomeLightClient {
    /// @notice Which header circuit a proof is of. Both have the same public inputs over the same set
    ///         commitment: AggregatedHeaderQuorum (one signature under the signers' summed keys) and
    ///         HeaderQuorum (one signature per signer, the non-interactive fallback).
    enum HeaderProof {
        Aggregated,
        PerValidator
    }

    /// @notice A header was proven and stored.
    event HeaderSubmitted(uint64 indexed height, uint64 indexed epoch, uint256 stateRoot, uint64 timestampMs);
    /// @notice An epoch-ending header moved the client to `newEpoch` with validator set `validatorSetRoot`.
    event EpochRotated(uint64 indexed newEpoch, uint256 validatorSetRoot, uint64 atHeight);
    /// @notice The guardian paused or unpaused the client (at block time `timestamp`).
    event PausedSet(bool paused, uint64 timestamp);

    /// @notice A public input is not a canonical field element (>= r).
    error PublicInputNotInField(uint256 index);
    /// @notice meta does not fit in 224 bits.
    error MalformedMeta();
    /// @notice The header is for another Home chain.
    error WrongChainId(uint32 got, uint32 expected);
    /// @notice The header's epoch is not the client's current epoch.
    error WrongEpoch(uint64 got, uint64 current);
    /// @notice The header's validatorSetRoot is not the current epoch's set.
    error WrongValidatorSet();
    /// @notice A different header is already stored at this height.
    error ConflictingHeader(uint64 height);
    /// @notice The height is not above the latest stored height.
    error HeightNotIncreasing(uint64 height, uint64 latest);
    /// @notice The Groth16 proof does not verify.
    error InvalidProof();
    /// @notice This client has no verifier for this kind of header proof (a profile without the per-validator circuit).
    error VerifierUnavailable(HeaderProof kind);
    /// @notice This client has no HeaderSettlement verifier (submitHeaderWithSettlement).
    error HeaderSettlementUnavailable();
    /// @notice The client is paused.
    error ClientPaused();
    /// @notice No header is stored at this height.
    error UnknownHeader(uint64 height);
    /// @notice Caller is not the guardian.
    error NotGuardian();
    /// @notice A constructor argument is invalid.
    error InvalidConfig();

    /// @notice Verifies a header proof for the current epoch and stores the header's state root and timestamp.
    /// @param kind Which circuit the proof is of (the caller says; it selects the verifier).
    /// @param proof Groth16 proof in snarkjs calldata order.
    /// @param pub [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot] (ENCODING.md).
    function submitHeader(HeaderProof kind, uint256[8] calldata proof, uint256[4] calldata pub) external;

    /// @notice Verifies a HeaderSettlement proof (a quorum of the current epoch's set attested the header,
    ///         and a settlement's leaves are in its stateRoot) and stores the header under exactly the rules
    ///         of submitHeader. When the same header (height and stateRoot) is already stored, only the
    ///         proof is checked (against the stored stateRoot) and nothing is written, so several
    ///         settlements of one Home block can each bring the header. The light client does not read
    ///         `settlementPub`; the caller (AtomicSettlement) recomputes it from the payloads it acts on.
    /// @param proof Groth16 proof of the HeaderSettlement circuit (snarkjs calldata order).
    /// @param pub [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot] (ENCODING.md).
    /// @param settlementPub The settlement's public inputs after its stateRoot: [awayBinding, resultDigest,
    ///        lockDigest[0..K-1]] (headerSettlementInputs - 4 of them).
    /// @return height The header's height.
    function submitHeaderWithSettlement(uint256[8] calldata proof, uint256[4] calldata pub, uint256[] calldata settlementPub)
        external
        returns (uint64 height);

    /// @notice Pauses header submission and settlement reads (guardian only; no-op when paused). Each
    ///         pause is logged so that settlement windows can be extended by the time it lasted.
    function pause() external;

    /// @notice Resumes the client (guardian only; no-op when not paused).
    function unpause() external;

    /// @notice Seconds the client was paused within [from, to] (an ongoing pause counts up to `to`);
    ///         0 when to <= from. O(log pauses).
    function pausedDuring(uint64 from, uint64 to) external view returns (uint64);

    /// @notice Number of pause intervals logged.
    function pauseCount() external view returns (uint256);

    /// @notice State root of the proven header at `height` (0 if none, or if it left the history ring).
    function stateRootAt(uint64 height) external view returns (uint256);

    /// @notice Timestamp (unix seconds, rounded down) of the proven header at `height` (0 if none or evicted).
    function timestampAt(uint64 height) external view returns (uint64);

    /// @notice State root and timestamp (unix seconds) of a proven header, for settlement.
    /// @dev Reverts with ClientPaused when paused and UnknownHeader when nothing is stored at `height`.
    function provenState(uint64 height) external view returns (uint256 stateRoot, uint64 timestamp);

    /// @notice The epoch whose validator set signs the next accepted header.
    function currentEpoch() external view returns (uint64);

    /// @notice The validator set root of the current epoch.
    function currentValidatorSetRoot() external view returns (uint256);

    /// @notice Highest stored height (0 before the first header; see hasHeaders).
    function latestHeight() external view returns (uint64);

    /// @notice True once at least one header is stored.
    function hasHeaders() external view returns (bool);

    /// @notice True while the guardian has paused the client.
    function paused() external view returns (bool);

    /// @notice Number of most recent headers the client keeps.
    function historySize() external view returns (uint64);

    /// @notice Home chain id this client follows.
    function homeChainId() external view returns (uint32);

    /// @notice The account allowed to pause and unpause.
    function guardian() external view returns (address);
}
