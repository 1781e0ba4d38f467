// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IHomeLightClient} from "./interfaces/IHomeLightClient.sol";
import {IHeaderQuorumVerifier} from "./interfaces/IHeaderQuorumVerifier.sol";
import {Field} from "./lib/Field.sol";
import {Groth16Call} from "./lib/Groth16Call.sol";

/// @title HomeLightClient
/// @notice Follows the Home chain from a trusted genesis validator set. Each accepted header carries a
///         header proof (a quorum of the current epoch's set attested it): an AggregatedHeaderQuorum proof,
///         or a per-validator HeaderQuorum proof where this client has that verifier; the caller says which,
///         and both are checked against the same validator-set commitment. The client stores the
///         header's stateRoot and timestamp for the last `historySize` headers (a ring), and moves to the next epoch only through the
///         epoch-ending header of the current epoch (nextValidatorSetRoot != 0). Heights strictly
///         increase, so past epochs, older heights and conflicting headers are rejected. The guardian can
///         pause and unpause; it cannot write headers or roots. Every pause interval is logged, and
///         `pausedDuring` tells settlement how long to extend its deadlines (DESIGN section 11 rule 6).
///         A header can also come with a HeaderSettlement proof (quorum and a settlement's inclusion in
///         one proof, for AtomicSettlement.settleWithHeader): the same rules, one verifier call.
contract HomeLightClient is IHomeLightClient {
    uint256 private constant MASK32 = (1 << 32) - 1;
    uint256 private constant MASK64 = (1 << 64) - 1;

    /// @inheritdoc IHomeLightClient
    uint32 public immutable homeChainId;
    /// @inheritdoc IHomeLightClient
    address public immutable guardian;
    /// @notice AggregatedHeaderQuorum Groth16 verifier (HeaderProof.Aggregated).
    IHeaderQuorumVerifier public immutable aggregatedVerifier;
    /// @notice Per-validator HeaderQuorum Groth16 verifier (HeaderProof.PerValidator); address(0) when not deployed.
    IHeaderQuorumVerifier public immutable perValidatorVerifier;

    /// @notice HeaderSettlement Groth16 verifier (header quorum and settlement inclusion in one proof,
    ///         submitHeaderWithSettlement); address(0) when not deployed.
    address public immutable headerSettlementVerifier;
    /// @notice Public inputs of the HeaderSettlement circuit: the header's 4, then the settlement's
    ///         after its stateRoot (2 + K); 0 without the verifier.
    uint256 public immutable headerSettlementInputs;
    bytes4 private immutable _headerSettlementSelector;

    /// @notice Number of most recent headers kept (a ring indexed by height % historySize).
    uint64 public immutable historySize;

    uint256 private constant ENTRY_INIT = 1; // set in every ring slot from construction on
    uint256 private constant ENTRY_VALID = 2; // the entry holds a proven header

    /// @dev One slot read and written per header: epoch, next acceptable height, paused.
    struct Cursor {
        uint64 epoch;
        uint64 nextHeight; // latest stored height + 1, 0 before the first header
        bool paused;
        bool initialized; // keeps the slot nonzero (cheaper rewrites)
    }

    /// @dev A ring entry: the header's stateRoot, and ENTRY_INIT | ENTRY_VALID | timestampSec << 64 | height << 128.
    struct Entry {
        uint256 stateRoot;
        uint256 meta;
    }

    /// @dev A pause interval: [start, end) in block time (end 0 while ongoing) and the paused seconds
    ///      of all earlier intervals, so pausedDuring is two binary searches.
    struct Pause {
        uint64 start;
        uint64 end;
        uint64 before;
    }

    Cursor private _cursor;
    uint256 private _setRoot;
    mapping(uint256 index => Entry) private _ring;
    Pause[] private _pauses;

    /// @param homeChainId_ Home chain id (u32) headers must carry.
    /// @param genesisEpoch Trusted epoch to start from.
    /// @param genesisValidatorSetRoot Trusted validator set root of `genesisEpoch`.
    /// @param aggregatedVerifier_ AggregatedHeaderQuorum verifier.
    /// @param perValidatorVerifier_ HeaderQuorum verifier of the same set commitment, or address(0) for none.
    /// @param headerSettlementVerifier_ HeaderSettlement verifier of the same set commitment, or address(0) for none.
    /// @param headerSettlementInputs_ Its number of public inputs (> 4; ignored without the verifier).
    /// @param guardian_ Account that may pause and unpause.
    /// @param historySize_ Recent headers kept for settlement (older ones are overwritten). Every ring
    ///        slot is written once here, so header updates only ever rewrite nonzero slots (cheaper).
    constructor(
        uint32 homeChainId_,
        uint64 genesisEpoch,
        uint256 genesisValidatorSetRoot,
        IHeaderQuorumVerifier aggregatedVerifier_,
        IHeaderQuorumVerifier perValidatorVerifier_,
        address headerSettlementVerifier_,
        uint256 headerSettlementInputs_,
        address guardian_,
        uint64 historySize_
    ) {
        if (
            genesisValidatorSetRoot == 0 || genesisValidatorSetRoot >= Field.R || address(aggregatedVerifier_).code.length == 0
                || (address(perValidatorVerifier_) != address(0) && address(perValidatorVerifier_).code.length == 0)
                || (headerSettlementVerifier_ != address(0)
                    && (headerSettlementVerifier_.code.length == 0 || headerSettlementInputs_ <= 4 || headerSettlementInputs_ >= 100))
                || guardian_ == address(0) || historySize_ == 0 || historySize_ > 4096
        ) revert InvalidConfig();
        homeChainId = homeChainId_;
        guardian = guardian_;
        aggregatedVerifier = aggregatedVerifier_;
        perValidatorVerifier = perValidatorVerifier_;
        headerSettlementVerifier = headerSettlementVerifier_;
        headerSettlementInputs = headerSettlementVerifier_ == address(0) ? 0 : headerSettlementInputs_;
        _headerSettlementSelector = Groth16Call.selector(headerSettlementInputs_ % 100);
        historySize = historySize_;
        _cursor = Cursor({epoch: genesisEpoch, nextHeight: 0, paused: false, initialized: true});
        _setRoot = genesisValidatorSetRoot;
        for (uint256 i; i < historySize_; ++i) {
            _ring[i] = Entry({stateRoot: ENTRY_INIT, meta: ENTRY_INIT});
        }
        emit EpochRotated(genesisEpoch, genesisValidatorSetRoot, 0);
    }

    /// @inheritdoc IHomeLightClient
    function submitHeader(HeaderProof kind, uint256[8] calldata proof, uint256[4] calldata pub) external {
        (Cursor memory c, uint64 height) = _checkHeader(pub);
        IHeaderQuorumVerifier v = kind == HeaderProof.Aggregated ? aggregatedVerifier : perValidatorVerifier;
        if (address(v) == address(0)) revert VerifierUnavailable(kind);
        if (!v.verifyProof(proof, pub)) revert InvalidProof();
        _storeHeader(c, height, pub);
    }

    /// @inheritdoc IHomeLightClient
    function submitHeaderWithSettlement(uint256[8] calldata proof, uint256[4] calldata pub, uint256[] calldata settlementPub)
        external
        returns (uint64 height)
    {
        if (headerSettlementVerifier == address(0)) revert HeaderSettlementUnavailable();
        if (settlementPub.length != headerSettlementInputs - 4) revert InvalidProof();
        Cursor memory c = _cursor;
        height = _metaHeight(pub[0]);
        // The header is already stored (another settlement of the same block came first): the
        // settlement part of the proof is checked against the stored stateRoot, nothing is written.
        bool known = height < c.nextHeight && pub[1] != 0 && _storedRoot(height) == pub[1];
        if (known) {
            if (c.paused) revert ClientPaused();
        } else {
            (c, height) = _checkHeader(pub);
        }
        if (!Groth16Call.verifyPacked(headerSettlementVerifier, _headerSettlementSelector, proof, abi.encodePacked(pub, settlementPub))) {
            revert InvalidProof();
        }
        if (!known) _storeHeader(c, height, pub);
    }

    /// @dev Every light-client rule of a submitted header but the proof: not paused, canonical inputs,
    ///      well-formed meta, this chain, a height above the latest (or ConflictingHeader for another
    ///      header at a stored height), the current epoch and its validator set. Returns the cursor and height.
    function _checkHeader(uint256[4] calldata pub) private view returns (Cursor memory c, uint64 height) {
        c = _cursor;
        if (c.paused) revert ClientPaused();
        for (uint256 i; i < 4; ++i) {
            if (pub[i] >= Field.R) revert PublicInputNotInField(i);
        }
        uint256 meta = pub[0];
        if (meta >> 224 != 0) revert MalformedMeta();
        uint32 chainId = uint32(meta & MASK32);
        uint64 epoch = uint64((meta >> 32) & MASK64);
        height = _metaHeight(meta);

        if (chainId != homeChainId) revert WrongChainId(chainId, homeChainId);
        if (height < c.nextHeight) {
            uint256 stored = _storedRoot(height);
            if (stored != 0 && stored != pub[1]) revert ConflictingHeader(height);
            revert HeightNotIncreasing(height, c.nextHeight - 1);
        }
        if (epoch != c.epoch) revert WrongEpoch(epoch, c.epoch);
        if (pub[2] != _setRoot) revert WrongValidatorSet();
    }

    /// @dev Stores a header whose rules (_checkHeader) and proof were checked; rotates on an epoch end.
    function _storeHeader(Cursor memory c, uint64 height, uint256[4] calldata pub) private {
        uint64 epoch = c.epoch;
        uint64 timestampMs = uint64(pub[0] >> 160);
        Entry storage e = _ring[height % historySize];
        e.stateRoot = pub[1];
        e.meta = ENTRY_INIT | ENTRY_VALID | (uint256(timestampMs / 1000) << 64) | (uint256(height) << 128);
        c.nextHeight = height + 1;
        emit HeaderSubmitted(height, epoch, pub[1], timestampMs);
        if (pub[3] != 0) {
            c.epoch = epoch + 1;
            _setRoot = pub[3];
            emit EpochRotated(epoch + 1, pub[3], height);
        }
        _cursor = c;
    }

    /// @dev The height field of meta (ENCODING.md: chainId + epoch*2^32 + height*2^96 + timestampMs*2^160).
    function _metaHeight(uint256 meta) private pure returns (uint64) {
        return uint64((meta >> 96) & MASK64);
    }

    /// @notice The verifier of one kind of header proof (address(0) for a kind this client does not accept).
    function verifierOf(HeaderProof kind) external view returns (IHeaderQuorumVerifier) {
        return kind == HeaderProof.Aggregated ? aggregatedVerifier : perValidatorVerifier;
    }

    /// @inheritdoc IHomeLightClient
    function pause() external {
        if (msg.sender != guardian) revert NotGuardian();
        if (_cursor.paused) return;
        _cursor.paused = true;
        uint256 n = _pauses.length;
        uint64 before;
        if (n != 0) {
            Pause storage last = _pauses[n - 1];
            before = last.before + (last.end - last.start);
        }
        _pauses.push(Pause({start: uint64(block.timestamp), end: 0, before: before}));
        emit PausedSet(true, uint64(block.timestamp));
    }

    /// @inheritdoc IHomeLightClient
    function unpause() external {
        if (msg.sender != guardian) revert NotGuardian();
        if (!_cursor.paused) return;
        _cursor.paused = false;
        _pauses[_pauses.length - 1].end = uint64(block.timestamp);
        emit PausedSet(false, uint64(block.timestamp));
    }

    /// @inheritdoc IHomeLightClient
    function pausedDuring(uint64 from, uint64 to) external view returns (uint64) {
        if (to <= from) return 0;
        return _pausedBefore(to) - _pausedBefore(from);
    }

    /// @inheritdoc IHomeLightClient
    function pauseCount() external view returns (uint256) {
        return _pauses.length;
    }

    /// @dev Paused seconds in [0, t): the last interval starting before t, plus all earlier ones.
    function _pausedBefore(uint64 t) private view returns (uint64) {
        uint256 lo;
        uint256 hi = _pauses.length;
        while (lo < hi) {
            uint256 mid = (lo + hi) / 2;
            if (_pauses[mid].start < t) lo = mid + 1;
            else hi = mid;
        }
        if (lo == 0) return 0;
        Pause memory p = _pauses[lo - 1];
        uint64 end = p.end == 0 || p.end > t ? t : p.end;
        return p.before + (end - p.start);
    }

    /// @inheritdoc IHomeLightClient
    function stateRootAt(uint64 height) external view returns (uint256) {
        return _storedRoot(height);
    }

    /// @inheritdoc IHomeLightClient
    function timestampAt(uint64 height) external view returns (uint64 timestamp) {
        (, timestamp) = _lookup(height);
    }

    /// @inheritdoc IHomeLightClient
    function provenState(uint64 height) external view returns (uint256 stateRoot, uint64 timestamp) {
        if (_cursor.paused) revert ClientPaused();
        (stateRoot, timestamp) = _lookup(height);
        if (stateRoot == 0) revert UnknownHeader(height);
    }

    /// @inheritdoc IHomeLightClient
    function currentEpoch() external view returns (uint64) {
        return _cursor.epoch;
    }

    /// @inheritdoc IHomeLightClient
    function currentValidatorSetRoot() external view returns (uint256) {
        return _setRoot;
    }

    /// @inheritdoc IHomeLightClient
    function latestHeight() external view returns (uint64) {
        uint64 n = _cursor.nextHeight;
        return n == 0 ? 0 : n - 1;
    }

    /// @inheritdoc IHomeLightClient
    function hasHeaders() external view returns (bool) {
        return _cursor.nextHeight != 0;
    }

    /// @inheritdoc IHomeLightClient
    function paused() external view returns (bool) {
        return _cursor.paused;
    }

    /// @dev stateRoot of `height` if it is still in the ring, else 0.
    function _storedRoot(uint64 height) private view returns (uint256 stateRoot) {
        (stateRoot,) = _lookup(height);
    }

    /// @dev (stateRoot, timestamp) of `height` if it is still in the ring, else (0, 0).
    function _lookup(uint64 height) private view returns (uint256 stateRoot, uint64 timestamp) {
        Entry storage e = _ring[height % historySize];
        uint256 meta = e.meta;
        if (meta & ENTRY_VALID == 0 || uint64(meta >> 128) != height) return (0, 0);
        return (e.stateRoot, uint64(meta >> 64));
    }
}
