// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAtomicSettlement} from "./interfaces/IAtomicSettlement.sol";
import {IHomeLightClient} from "./interfaces/IHomeLightClient.sol";
import {ISettlementVerifier} from "./interfaces/ISettlementVerifier.sol";
import {IAuctionEscrow} from "./interfaces/IAuctionEscrow.sol";
import {ILPRegistry} from "./interfaces/ILPRegistry.sol";
import {IERC3156FlashBorrower} from "./interfaces/IERC3156FlashBorrower.sol";
import {AuctionEscrow} from "./AuctionEscrow.sol";
import {LPRegistry} from "./LPRegistry.sol";
import {Field} from "./lib/Field.sol";
import {Groth16Call} from "./lib/Groth16Call.sol";
import {SettlementRules} from "./lib/SettlementRules.sol";

/// @title AtomicSettlement
/// @notice Settles a Home auction result proven against a stored light-client header, fill by fill:
///         the Settlement proof opens the result leaf and the lockup leaves it uses (all bound to this
///         contract on this chain) in the header's stateRoot; the contract recomputes every public input.
///         Each fill settles atomically or not at all, in isolation from the others (DESIGN section 11
///         rule 2), and the receipt (slot 0) records which fills settled, so Home releases or slashes
///         each lockup for its owner's own outcome.
///         Mode 1: a fill with a lockId borrows its payAmount of the buy asset from the cheapest LP
///         (registry.bestOffer, rate capped by the fill) to pay the auctioneer, receives its sell amount
///         from the escrow, gets an ERC-3156 callback, then repays principal plus interest; with no LP
///         offer it pays from its own funds, as fills without a lockId do. Mode 2: the LP the auction
///         names lends each fill's sell amount to its winner, under the LP's own terms (active offer,
///         rate <= the auctioneer's cap, a minimum repayment price <= the clearing price); the winner
///         pays the buy asset, the LP is owed principal plus interest at the clearing price, and the
///         auctioneer pays the difference (or keeps the surplus). Only the auctioneer's own failed payment
///         blames it.
/// @dev Anyone may call settle/recordDefault: parties, amounts and rate caps are all proven, the LP is
///      chosen by the registry (mode 1) or named by the proven result and checked against its own terms
///      (mode 2), funds only move between the proven parties and that LP. Borrowers must check
///      `msg.sender == settlement` in their callback, not the initiator.
contract AtomicSettlement is IAtomicSettlement, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IAtomicSettlement
    /// @dev Storage slot 0 (ENCODING.md): outcome | recordedAt << 8 | settledMask << 72 | auctioneerBlamed << 136.
    ///      Must stay the first state variable.
    mapping(uint64 auctionId => uint256) public receipts;
    /// @dev Slot 1: consumed lockIds, one bit each (word lockId >> 8, bit lockId & 255).
    mapping(uint64 word => uint256) private _consumedLocks;
    /// @dev The caller of settle, passed to ERC-3156 callbacks (also from isolated fill steps).
    address private transient _initiator;

    /// @notice Lockup slots K of the Settlement circuit the verifier was generated for (dev 2, prod 4).
    uint256 public immutable lockSlots;
    /// @dev Selector of `verifyProof(uint256[8],uint256[3+K])` (the array size is part of the signature).
    bytes4 private immutable _verifySelector;
    uint256 private constant MAX_FILLS = 64;
    uint256 private constant MASK64 = (1 << 64) - 1;
    uint256 private constant OUTCOME_OPEN = 0;
    uint256 private constant OUTCOME_SETTLED = 1;
    uint256 private constant OUTCOME_DEFAULTED = 2;
    uint256 private constant BLAMED = 1 << 136;
    uint256 private constant FILL_SETTLED = 0;
    uint256 private constant FILL_AUCTIONEER_FAILED = 1;
    uint256 private constant FILL_FAILED = 2;
    uint8 private constant STATUS_LOCKED = 1;
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice Light client whose stored headers back the proofs and whose pause log extends deadlines.
    IHomeLightClient public immutable lightClient;
    /// @notice Settlement Groth16 verifier (ISettlementVerifier for K = 2; same shape with 3 + K inputs otherwise).
    ISettlementVerifier public immutable verifier;
    /// @notice Escrow of mode-1 sell assets (deployed by this contract).
    IAuctionEscrow public immutable escrow;
    /// @notice LP registry (deployed by this contract).
    ILPRegistry public immutable registry;
    /// @notice A header older than this (seconds, by its Home timestamp) cannot back a settlement.
    uint64 public immutable maxStateAge;

    /// @param lightClient_ The HomeLightClient.
    /// @param verifier_ The Settlement verifier, `verifyProof(uint256[8], uint256[3 + lockSlots_])`.
    /// @param lockSlots_ The circuit's lockup slots K (1..9).
    /// @param maxStateAge_ Maximum age in seconds of the header a settlement uses.
    /// @param minLpCapital Capital (lent-asset base units) an LP needs to be listed in the registry.
    constructor(
        IHomeLightClient lightClient_,
        ISettlementVerifier verifier_,
        uint8 lockSlots_,
        uint64 maxStateAge_,
        uint256 minLpCapital
    ) {
        if (
            address(lightClient_).code.length == 0 || address(verifier_).code.length == 0 || maxStateAge_ == 0
                || lockSlots_ == 0 || lockSlots_ > 9
        ) revert InvalidConfig();
        lockSlots = lockSlots_;
        _verifySelector = Groth16Call.selector(3 + uint256(lockSlots_));
        if (block.chainid >> 64 != 0) revert ChainIdTooLarge();
        lightClient = lightClient_;
        verifier = verifier_;
        maxStateAge = maxStateAge_;
        escrow = new AuctionEscrow(address(this), lightClient_);
        registry = new LPRegistry(address(this), minLpCapital);
    }

    // ---------------------------------------------------------------- entry points

    /// @inheritdoc IAtomicSettlement
    function settle(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint256 word = _checkSettleable(result, lockups);
        _verify(height, proof, result, lockups, true);
        _settle(height, result, lockups, word);
    }

    /// @inheritdoc IAtomicSettlement
    function settleWithHeader(
        uint256[8] calldata proof,
        uint256[4] calldata headerPub,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint256 word = _checkSettleable(result, lockups);
        uint256[] memory claims = new uint256[](2 + lockSlots);
        _settlementClaims(claims, 0, result, lockups);
        uint64 height = lightClient.submitHeaderWithSettlement(proof, headerPub, claims);
        _freshState(height, true);
        _settle(height, result, lockups, word);
    }

    /// @inheritdoc IAtomicSettlement
    function settleWithHeaderTwoProofs(
        IHomeLightClient.HeaderProof kind,
        uint256[8] calldata headerProof,
        uint256[4] calldata headerPub,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint256 word = _checkSettleable(result, lockups);
        uint64 height = uint64(headerPub[0] >> 96); // meta's height field (ENCODING.md "Header")
        // Already stored (another settlement of the same block came first): settle against it.
        if (lightClient.stateRootAt(height) != headerPub[1] || headerPub[1] == 0) {
            lightClient.submitHeader(kind, headerProof, headerPub);
        }
        _verify(height, proof, result, lockups, true);
        _settle(height, result, lockups, word);
    }

    /// @dev The checks of a settle call before its proof: receipt open, within the (pause-extended)
    ///      deadline, payload shape. Returns the receipt word.
    function _checkSettleable(ResultPayload calldata result, LockupPayload[] calldata lockups)
        private
        view
        returns (uint256 word)
    {
        uint64 id = result.auctionId;
        word = receipts[id];
        if (uint8(word) != OUTCOME_OPEN) revert ReceiptExists(id);
        // Fast path: before settleDeadline the pause log is not read.
        if (block.timestamp > result.settleDeadline) {
            uint256 ext = _extension(result.clearedAt);
            if (!SettlementRules.withinWindow(result.settleDeadline, block.timestamp, ext)) {
                revert DeadlinePassed(result.settleDeadline + ext);
            }
        }
        _checkShape(result, lockups);
    }

    /// @dev Settles the open fills of a proven result and emits Settled.
    function _settle(uint64 height, ResultPayload calldata result, LockupPayload[] calldata lockups, uint256 word) private {
        _initiator = msg.sender;
        uint256 receipt = _settleOpenFills(result, lockups, word);
        emit Settled(result.auctionId, result.mode, height, receipt);
    }

    /// @inheritdoc IAtomicSettlement
    function recordDefault(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint64 id = result.auctionId;
        uint256 word = receipts[id];
        if (uint8(word) != OUTCOME_OPEN) revert ReceiptExists(id);
        uint256 ext = block.timestamp > result.settleDeadline ? _extension(result.clearedAt) : 0;
        if (SettlementRules.withinWindow(result.settleDeadline, block.timestamp, ext)) {
            revert DeadlineNotReached(result.settleDeadline + ext);
        }
        _checkShape(result, lockups);
        _verify(height, proof, result, lockups, false); // reverts ClientPaused while paused

        uint256 mask = (word >> 72) & MASK64;
        if (result.mode == 1) {
            // The lockups of unsettled fills back nothing here again; Home slashes them.
            Fill[] calldata fills = result.fills;
            for (uint256 i; i < fills.length; ++i) {
                uint64 lockId = fills[i].lockId;
                if (lockId != 0 && (mask >> i) & 1 == 0 && !lockConsumed(lockId)) _consume(lockId, id);
            }
        } else if (word & BLAMED != 0 && !lockConsumed(result.auctioneerLockId)) {
            _consume(result.auctioneerLockId, id);
        }
        uint256 receipt = OUTCOME_DEFAULTED | (block.timestamp << 8) | (word & ((MASK64 << 72) | BLAMED));
        receipts[id] = receipt;
        emit Defaulted(id, height, receipt);
        if (result.mode == 1) _closeEscrow(result);
    }

    /// @inheritdoc IAtomicSettlement
    function settleFill(
        ResultPayload calldata result,
        LockupPayload[] calldata lockups,
        uint256 index,
        uint256 slot,
        uint16 lpRate
    ) external returns (bool auctioneerFailed) {
        if (msg.sender != address(this)) revert OnlySelf();
        return _settleFill(result, lockups, index, slot, lpRate, false);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAtomicSettlement
    function lockConsumed(uint64 lockId) public view returns (bool) {
        return (_consumedLocks[lockId >> 8] >> (lockId & 255)) & 1 == 1;
    }

    /// @inheritdoc IAtomicSettlement
    function awayBinding() public view returns (uint256) {
        return (block.chainid << 160) | uint160(address(this));
    }

    /// @inheritdoc IAtomicSettlement
    /// @dev A canonically encoded, clean payload (fills right after the head, every field within its
    ///      type) is hashed where it lies in calldata: those bytes are exactly abi.encode of its fields.
    ///      Anything else takes the abi.encode path, which decodes (and so reverts on) dirty fields as
    ///      before. Both paths compute ENCODING.md's digest.
    function resultDigest(ResultPayload calldata r) public pure returns (uint256) {
        (bool fast, uint256 start, uint256 end) = _canonicalResult(r);
        return fast ? _calldataDigest(start, end) : _encodedResultDigest(r);
    }

    /// @dev ENCODING.md's result digest by abi.encode (decodes, and so refuses, dirty fields).
    function _encodedResultDigest(ResultPayload calldata r) private pure returns (uint256) {
        return Field.digest(
            abi.encode(
                r.auctionId,
                r.auctioneer,
                r.sellAsset,
                r.sellAmount,
                r.buyAsset,
                r.clearingPrice,
                r.mode,
                r.auctioneerLockId,
                r.auctioneerMaxRateBps,
                r.lp,
                r.settleDeadline,
                r.clearedAt,
                r.fills
            )
        );
    }

    /// @dev Whether r's calldata is its canonical, clean encoding (the fills right after the 13-word head,
    ///      every field within its type), and where those bytes are.
    function _canonicalResult(ResultPayload calldata r) private pure returns (bool fast, uint256 start, uint256 end) {
        Fill[] calldata fills = r.fills;
        assembly ("memory-safe") {
            start := r
            end := add(fills.offset, mul(fills.length, 0xa0))
            fast := and(eq(calldataload(add(r, 0x180)), 0x1a0), eq(fills.offset, add(r, 0x1c0)))
            let dirty := or(shr(64, calldataload(r)), shr(160, calldataload(add(r, 0x20))))
            dirty := or(dirty, shr(160, calldataload(add(r, 0x40))))
            dirty := or(dirty, shr(160, calldataload(add(r, 0x80))))
            dirty := or(dirty, shr(8, calldataload(add(r, 0xc0))))
            dirty := or(dirty, shr(64, calldataload(add(r, 0xe0))))
            dirty := or(dirty, shr(16, calldataload(add(r, 0x100))))
            dirty := or(dirty, shr(160, calldataload(add(r, 0x120))))
            dirty := or(dirty, shr(64, calldataload(add(r, 0x140))))
            dirty := or(dirty, shr(64, calldataload(add(r, 0x160))))
            for { let f := fills.offset } lt(f, end) { f := add(f, 0xa0) } {
                dirty := or(dirty, shr(160, calldataload(f)))
                dirty := or(dirty, shr(64, calldataload(add(f, 0x60))))
                dirty := or(dirty, shr(16, calldataload(add(f, 0x80))))
            }
            fast := and(fast, iszero(dirty))
        }
    }

    /// @inheritdoc IAtomicSettlement
    /// @dev A clean payload (a static struct: 7 words in place) is hashed in calldata, as resultDigest.
    function lockupDigest(LockupPayload calldata l) public pure virtual returns (uint256) {
        uint256 start;
        bool dirty;
        assembly ("memory-safe") {
            start := l
            let x := or(shr(64, calldataload(l)), shr(160, calldataload(add(l, 0x40))))
            x := or(x, shr(160, calldataload(add(l, 0x60))))
            x := or(x, shr(64, calldataload(add(l, 0xa0))))
            dirty := or(x, shr(8, calldataload(add(l, 0xc0))))
        }
        if (!dirty) return _calldataDigest(start, start + 0xe0);
        return Field.digest(
            abi.encode(l.lockId, l.owner, l.borrower, l.creditAsset, l.creditLimit, l.expiry, l.status)
        );
    }

    /// @dev digest (ENCODING.md) of calldata[start, end), copied to scratch memory past the free pointer.
    function _calldataDigest(uint256 start, uint256 end) private pure returns (uint256 d) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            let len := sub(end, start)
            calldatacopy(m, start, len)
            d := keccak256(m, len)
        }
        d %= Field.R;
    }

    // ---------------------------------------------------------------- proof

    /// @dev Lockups must be the result's lockIds in slot order (ENCODING.md) and fills must be consistent.
    function _checkShape(ResultPayload calldata r, LockupPayload[] calldata lockups) private view {
        Fill[] calldata fills = r.fills;
        if (fills.length > MAX_FILLS) revert TooManyFills(fills.length);
        uint256 price = r.clearingPrice;
        uint256 sold;
        uint256 slot;
        if (r.mode == 1) {
            if (r.auctioneerLockId != 0 || r.lp != address(0)) revert InvalidResult();
        } else if (r.mode == 2) {
            if (r.auctioneerLockId == 0 || r.lp == address(0)) revert InvalidResult();
            if (lockups.length == 0 || lockups[0].lockId != r.auctioneerLockId) revert LockupMismatch(0);
            slot = 1;
        } else {
            revert InvalidResult();
        }
        for (uint256 i; i < fills.length; ++i) {
            Fill calldata f = fills[i];
            if (f.payAmount != f.sellAmount * price / SettlementRules.PRICE_SCALE) revert InvalidFill(i);
            sold += f.sellAmount;
            if (f.lockId != 0) {
                if (r.mode == 2) revert InvalidResult();
                if (slot >= lockups.length || lockups[slot].lockId != f.lockId) revert LockupMismatch(slot);
                ++slot;
            }
        }
        if (sold > r.sellAmount) revert InvalidFill(fills.length);
        if (slot != lockups.length) revert LockupMismatch(slot);
        if (slot > lockSlots) revert TooManyLockups(slot);
    }

    /// @dev Rebuilds [stateRoot, awayBinding, resultDigest, lockDigest[0..K-1]] (unused slots 0) and
    ///      verifies the proof.
    function _verify(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata r,
        LockupPayload[] calldata lockups,
        bool requireFresh
    ) private view {
        uint256[] memory pub = new uint256[](3 + lockSlots);
        pub[0] = _freshState(height, requireFresh);
        _settlementClaims(pub, 1, r, lockups);
        if (!Groth16Call.verify(address(verifier), _verifySelector, proof, pub)) revert InvalidProof();
    }

    /// @dev The stored stateRoot of `height` (ClientPaused, UnknownHeader from the light client), and
    ///      with `requireFresh` StaleHeader when its Home timestamp is older than maxStateAge.
    function _freshState(uint64 height, bool requireFresh) private view returns (uint256 stateRoot) {
        uint64 headerTime;
        (stateRoot, headerTime) = lightClient.provenState(height);
        if (requireFresh && uint256(headerTime) + maxStateAge < block.timestamp) revert StaleHeader(height, headerTime);
    }

    /// @dev Writes the settlement's public inputs after its stateRoot, [awayBinding, resultDigest,
    ///      lockDigest[0..K-1]] (unused slots 0), into pub[offset..offset + 2 + K). A used digest of 0 would read
    ///      as an unused slot to the circuit: refused (ZeroDigest numbers the Settlement circuit's inputs).
    function _settlementClaims(uint256[] memory pub, uint256 offset, ResultPayload calldata r, LockupPayload[] calldata lockups)
        private
        view
    {
        pub[offset] = awayBinding();
        uint256 d = resultDigest(r);
        if (d == 0) revert ZeroDigest(2);
        pub[offset + 1] = d;
        for (uint256 j; j < lockups.length; ++j) {
            d = lockupDigest(lockups[j]);
            if (d == 0) revert ZeroDigest(3 + j);
            pub[offset + 2 + j] = d;
        }
    }

    // ---------------------------------------------------------------- fills

    /// @dev Attempts the open fills, writes and returns the new receipt word, and returns the rest of a
    ///      mode-1 escrow when the receipt closed.
    function _settleOpenFills(ResultPayload calldata r, LockupPayload[] calldata lockups, uint256 word)
        private
        returns (uint256 receipt)
    {
        uint256 n = r.fills.length;
        Progress memory p = Progress({mask: (word >> 72) & MASK64, blamed: word & BLAMED != 0, escrowClosed: false, firstError: ""});
        if (n != 0) {
            uint16 rate;
            if (r.mode == 2) rate = _checkMode2(r, lockups[0], p.mask != 0);
            _attemptFills(r, lockups, p, rate);
        }
        bool closed = p.mask == _allFills(n);
        receipt = (closed ? OUTCOME_SETTLED : OUTCOME_OPEN) | (block.timestamp << 8) | (p.mask << 72)
            | (p.blamed ? BLAMED : 0);
        receipts[r.auctionId] = receipt;
        if (closed && r.mode == 1 && !p.escrowClosed) _closeEscrow(r);
    }

    /// @dev What a settle call changed so far: settled bits, the auctioneer's blame, whether the escrow
    ///      was closed by the last fill, the first fill error.
    struct Progress {
        uint256 mask;
        bool blamed;
        bool escrowClosed;
        bytes firstError;
    }

    /// @dev Attempts every open fill. A single open fill (auctioneer not blamed) runs in this frame, so
    ///      its revert is the call's revert; otherwise each runs in an isolated self-call and a failure
    ///      leaves it open. Reverts with the first fill's error when nothing changed.
    function _attemptFills(ResultPayload calldata r, LockupPayload[] calldata lockups, Progress memory p, uint16 rate)
        private
    {
        uint256 mask = p.mask;
        bool blamed = p.blamed;
        bool direct = _openFills(mask, r.fills.length) == 1 && !blamed;
        uint256 slot;
        for (uint256 i; i < r.fills.length; ++i) {
            if ((mask >> i) & 1 == 0) {
                (uint256 outcome, bytes memory reason) = _attemptFill(r, lockups, i, slot, rate, direct);
                _record(r, p, i, outcome, reason, direct);
            }
            if (r.mode == 1 && r.fills[i].lockId != 0) ++slot;
        }
        if (p.mask == mask && p.blamed == blamed) {
            bytes memory err = p.firstError;
            if (err.length == 0) revert AuctioneerPaymentMissing(r.auctionId); // (also: a failure without revert data)
            assembly {
                revert(add(err, 32), mload(err))
            }
        }
    }

    /// @dev Folds one attempt's outcome into the progress.
    function _record(
        ResultPayload calldata r,
        Progress memory p,
        uint256 i,
        uint256 outcome,
        bytes memory reason,
        bool direct
    ) private {
        if (outcome == FILL_SETTLED) {
            p.mask |= 1 << i;
            p.blamed = false;
            p.escrowClosed = direct && r.mode == 1;
        } else if (outcome == FILL_AUCTIONEER_FAILED) {
            p.blamed = true;
            emit AuctioneerPaymentFailed(r.auctionId, i);
        } else {
            if (p.firstError.length == 0) p.firstError = reason;
            // A winner's failed payment comes after the auctioneer's step: that step passed.
            if (r.mode == 2 && reason.length >= 4 && bytes4(reason) == PaymentFailed.selector) p.blamed = false;
            emit FillFailed(r.auctionId, i, reason);
        }
    }

    /// @dev One fill, in this frame (`direct`) or in an isolated self-call whose revert is caught.
    function _attemptFill(
        ResultPayload calldata r,
        LockupPayload[] calldata lockups,
        uint256 i,
        uint256 slot,
        uint16 rate,
        bool direct
    ) private returns (uint256 outcome, bytes memory reason) {
        bool auctioneerFailed;
        if (direct) {
            auctioneerFailed = _settleFill(r, lockups, i, slot, rate, true);
        } else {
            try this.settleFill(r, lockups, i, slot, rate) returns (bool failed) {
                auctioneerFailed = failed;
            } catch (bytes memory err) {
                return (FILL_FAILED, err);
            }
        }
        outcome = auctioneerFailed ? FILL_AUCTIONEER_FAILED : FILL_SETTLED;
    }

    function _openFills(uint256 mask, uint256 n) private pure returns (uint256 open) {
        for (uint256 i; i < n; ++i) {
            if ((mask >> i) & 1 == 0) ++open;
        }
    }

    /// @dev Settles fill `i` or reverts; returns true (having moved nothing) when mode 2's auctioneer
    ///      payment failed. `closing`: it is the last open fill, so the escrow returns the rest with it.
    function _settleFill(
        ResultPayload calldata r,
        LockupPayload[] calldata lockups,
        uint256 i,
        uint256 slot,
        uint16 rate,
        bool closing
    ) private returns (bool auctioneerFailed) {
        if (r.mode == 1) {
            _mode1Fill(r, lockups, i, slot, closing);
            return false;
        }
        return _mode2Fill(r, lockups[0], i, rate);
    }

    /// @dev Mode 1: deliver the fill's sell amount from the escrow, then the payment: an LP loan when the
    ///      fill has a lockup and an LP offers the loan at or below its rate cap, else the winner's own funds.
    function _mode1Fill(ResultPayload calldata r, LockupPayload[] calldata lockups, uint256 i, uint256 slot, bool closing)
        private
    {
        Fill calldata f = r.fills[i];
        escrow.release(r.auctionId, r.auctioneer, r.sellAsset, r.sellAmount, f.winner, f.sellAmount, closing);
        if (f.lockId != 0) {
            (address lp, uint16 rate) = registry.bestOffer(r.buyAsset, f.payAmount);
            if (lp != address(0) && rate <= f.maxRateBps) {
                _mode1Loan(r, f, i, lockups[slot], lp, rate);
                return;
            }
        }
        _pay(r.buyAsset, f.winner, r.auctioneer, f.payAmount, i);
    }

    /// @dev Borrow payAmount from `lp` against the fill's lockup, pay the auctioneer, call back, repay the LP.
    function _mode1Loan(
        ResultPayload calldata r,
        Fill calldata f,
        uint256 i,
        LockupPayload calldata lock,
        address lp,
        uint16 rate
    ) private {
        address asset = r.buyAsset;
        uint256 principal = f.payAmount;
        uint256 owed = SettlementRules.creditNeeded(principal, rate);
        _checkLockup(lock, f.winner, asset, owed, r.clearedAt);
        if (lockConsumed(lock.lockId)) revert LockAlreadyConsumed(lock.lockId);
        _consume(lock.lockId, r.auctionId);
        registry.draw(lp, asset, principal, r.auctioneer);
        _callBorrower(f.winner, asset, principal, owed - principal, abi.encode(r.auctionId, i));
        _pay(asset, f.winner, address(registry), owed, i);
        registry.credit(lp, asset, owed);
        emit Loan(r.auctionId, lp, f.winner, asset, principal, rate, asset, owed);
    }

    function _callBorrower(address borrower, address asset, uint256 principal, uint256 fee, bytes memory data)
        private
    {
        bytes32 ok = IERC3156FlashBorrower(borrower).onFlashLoan(_initiator, asset, principal, fee, data);
        if (ok != CALLBACK_SUCCESS) revert CallbackFailed(borrower);
    }

    /// @dev Mode 2, per call: the named LP's terms (LP-side failures blame nobody) and the auctioneer's
    ///      lockup against the whole loan. `started`: a fill of this auction already consumed the lockup.
    function _checkMode2(ResultPayload calldata r, LockupPayload calldata lock, bool started)
        private
        view
        returns (uint16 rate)
    {
        address lp = r.lp;
        bool active;
        uint256 minPrice;
        (active, rate, minPrice) = registry.terms(lp, r.sellAsset, r.buyAsset);
        if (!active) revert LpOfferMissing(lp);
        if (rate > r.auctioneerMaxRateBps) revert LpRateAboveCap(lp, rate, r.auctioneerMaxRateBps);
        if (minPrice == 0) revert RepayAssetNotAccepted(lp, r.buyAsset);
        if (r.clearingPrice < minPrice) revert PriceBelowLpLimit(lp, r.clearingPrice, minPrice);
        uint256 sold;
        for (uint256 i; i < r.fills.length; ++i) {
            sold += r.fills[i].sellAmount;
        }
        _checkLockup(lock, r.auctioneer, r.sellAsset, SettlementRules.creditNeeded(sold, rate), r.clearedAt);
        if (!started && lockConsumed(lock.lockId)) revert LockAlreadyConsumed(lock.lockId);
    }

    /// @dev Mode 2, one fill: the auctioneer's share first (nothing is moved when it fails), then the LP
    ///      lends the sell amount to the winner, the winner pays, the LP is credited what it is owed.
    function _mode2Fill(ResultPayload calldata r, LockupPayload calldata lock, uint256 i, uint16 rate)
        private
        returns (bool auctioneerFailed)
    {
        Fill calldata f = r.fills[i];
        uint256 owed = SettlementRules.mode2Owed(f.sellAmount, rate, r.clearingPrice);
        uint256 pay = f.payAmount;
        address reg = address(registry);
        if (owed > pay && !_tryPay(r.buyAsset, r.auctioneer, reg, owed - pay)) return true;
        registry.draw(r.lp, r.sellAsset, f.sellAmount, f.winner);
        if (pay > owed) {
            _pay(r.buyAsset, f.winner, reg, owed, i);
            _pay(r.buyAsset, f.winner, r.auctioneer, pay - owed, i);
        } else if (pay != 0) {
            _pay(r.buyAsset, f.winner, reg, pay, i);
        }
        registry.credit(r.lp, r.buyAsset, owed);
        if (!lockConsumed(lock.lockId)) _consume(lock.lockId, r.auctionId);
        emit Loan(r.auctionId, r.lp, r.auctioneer, r.sellAsset, f.sellAmount, rate, r.buyAsset, owed);
        return false;
    }

    /// @dev A payment by the fill's winner: reverts PaymentFailed when it fails.
    function _pay(address token, address from, address to, uint256 amount, uint256 i) private {
        if (!_tryPay(token, from, to, amount)) revert PaymentFailed(i, from);
    }

    /// @dev transferFrom that reports failure, except a failure by exhausted gas (the caller's doing,
    ///      not the payer's), which reverts InsufficientGas so that nobody is blamed for it.
    function _tryPay(address token, address from, address to, uint256 amount) private returns (bool ok) {
        uint256 g = gasleft();
        ok = IERC20(token).trySafeTransferFrom(from, to, amount);
        if (!ok && gasleft() <= g / 63) revert InsufficientGas();
    }

    function _closeEscrow(ResultPayload calldata r) private {
        escrow.release(r.auctionId, r.auctioneer, r.sellAsset, r.sellAmount, address(0), 0, true);
    }

    // ---------------------------------------------------------------- lockups and time

    /// @dev Checks a lockup against the loan it backs (not its consumption).
    function _checkLockup(
        LockupPayload calldata l,
        address borrower,
        address asset,
        uint256 needed,
        uint64 clearedAt
    ) private view {
        uint64 lockId = l.lockId;
        if (l.borrower != borrower) revert WrongBorrower(lockId);
        if (l.status != STATUS_LOCKED) revert LockupNotLocked(lockId);
        if (l.creditAsset != asset) revert WrongCreditAsset(lockId);
        if (l.creditLimit < needed) revert CreditLimitTooLow(lockId, l.creditLimit, needed);
        if (block.timestamp >= l.expiry) {
            uint256 ext = _extension(clearedAt);
            if (!SettlementRules.lockUsable(l.expiry, block.timestamp, ext)) revert LockupExpired(lockId, l.expiry + ext);
        }
    }

    function _consume(uint64 lockId, uint64 auctionId) private {
        _consumedLocks[lockId >> 8] |= uint256(1) << (lockId & 255);
        emit LockConsumed(lockId, auctionId);
    }

    /// @dev Seconds the light client was paused since the result cleared: deadlines and lock expiries move by it.
    function _extension(uint64 clearedAt) private view returns (uint256) {
        return lightClient.pausedDuring(clearedAt, uint64(block.timestamp));
    }

    function _allFills(uint256 n) private pure returns (uint256) {
        return n == 0 ? 0 : type(uint256).max >> (256 - n);
    }
}
