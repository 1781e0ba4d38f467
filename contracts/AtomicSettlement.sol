// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAtomicSettlement} from "./interfaces/IAtomicSettlement.sol";
import {IHomeLightClient} from "./interfaces/IHomeLightClient.sol";
import {ISettlementVerifier} from "./interfaces/ISettlementVerifier.sol";
import {IAuctionEscrow} from "./interfaces/IAuctionEscrow.sol";
import {ILPRegistry} from "./interfaces/ILPRegistry.sol";
import {IERC3156FlashBorrower} from "./interfaces/IERC3156FlashBorrower.sol";
import {AuctionEscrow} from "./AuctionEscrow.sol";
import {LPRegistry} from "./LPRegistry.sol";
import {Field} from "./lib/Field.sol";
import {SafeTransfer} from "./lib/SafeTransfer.sol";
import {ReentrancyGuard} from "./lib/ReentrancyGuard.sol";

/// @title AtomicSettlement
/// @notice Settles a Home auction result proven against a stored light-client header, in one transaction:
///         the Settlement proof opens the result leaf and the lockup leaves it uses (all bound to this
///         contract on this chain) in the header's stateRoot; the contract recomputes every public input.
///         Mode 1: each fill with a lockId borrows its payAmount of the buy asset from the cheapest LP
///         (registry.bestOffer, rate capped by the fill) to pay the auctioneer, gets an ERC-3156 callback
///         (its sell amount from the escrow already delivered), then repays principal plus interest. Mode 2: the LP lends
///         the sold amount of the sell asset to the winners and is repaid in the buy asset at the clearing
///         price; the auctioneer keeps the rest or covers a shortfall. Anything short reverts everything.
///         The receipt (slot 0) is what Home releases or slashes collateral against.
/// @dev Anyone may call settle/recordDefault: parties, amounts and rate caps are all proven, the LP is
///      chosen by the registry, funds only move between the proven parties and the chosen LP. Borrowers
///      must check `msg.sender == settlement` in their callback, not the initiator.
contract AtomicSettlement is IAtomicSettlement, ReentrancyGuard {
    using SafeTransfer for address;

    /// @inheritdoc IAtomicSettlement
    /// @dev Storage slot 0 (ENCODING.md): outcome | (recordedAt << 8). Must stay the first state variable.
    mapping(uint64 auctionId => uint256) public receipts;
    /// @dev Slot 1: consumed lockIds, one bit each (word lockId >> 8, bit lockId & 255).
    mapping(uint64 word => uint256) private _consumedLocks;

    /// @notice Lockup slots K of the Settlement circuit the verifier was generated for (dev 2, prod 4).
    uint256 public immutable lockSlots;
    /// @dev Selector of `verifyProof(uint256[8],uint256[3+K])` (the array size is part of the signature).
    bytes4 private immutable _verifySelector;
    uint256 private constant PRICE_SCALE = 1e18;
    uint256 private constant BPS = 10_000;
    uint256 private constant OUTCOME_SETTLED = 1;
    uint256 private constant OUTCOME_DEFAULTED = 2;
    uint8 private constant STATUS_LOCKED = 1;
    bytes32 private constant CALLBACK_SUCCESS = keccak256("ERC3156FlashBorrower.onFlashLoan");

    /// @notice Light client whose stored headers back the proofs.
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
    /// @param refundDelay Seconds after an escrow deposit from which it can be refunded without a receipt.
    /// @param maxStateAge_ Maximum age in seconds of the header a settlement uses.
    constructor(
        IHomeLightClient lightClient_,
        ISettlementVerifier verifier_,
        uint8 lockSlots_,
        uint64 refundDelay,
        uint64 maxStateAge_
    ) {
        if (
            address(lightClient_).code.length == 0 || address(verifier_).code.length == 0 || maxStateAge_ == 0
                || lockSlots_ == 0 || lockSlots_ > 9
        ) revert InvalidConfig();
        lockSlots = lockSlots_;
        _verifySelector = _verifySelectorFor(3 + uint256(lockSlots_));
        if (block.chainid >> 64 != 0) revert ChainIdTooLarge();
        lightClient = lightClient_;
        verifier = verifier_;
        maxStateAge = maxStateAge_;
        escrow = new AuctionEscrow(address(this), refundDelay);
        registry = new LPRegistry(address(this));
    }

    // ---------------------------------------------------------------- entry points

    /// @inheritdoc IAtomicSettlement
    function settle(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint64 id = result.auctionId;
        if (receipts[id] != 0) revert ReceiptExists(id);
        if (block.timestamp > result.settleDeadline) revert DeadlinePassed(result.settleDeadline);
        _checkShape(result, lockups);
        _verify(height, proof, result, lockups, true);

        uint256 receipt = OUTCOME_SETTLED | (block.timestamp << 8);
        receipts[id] = receipt;
        emit Settled(id, result.mode, height, receipt);

        if (result.mode == 1) _settleMode1(result, lockups);
        else _settleMode2(result, lockups[0]);
    }

    /// @inheritdoc IAtomicSettlement
    function recordDefault(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external nonReentrant {
        uint64 id = result.auctionId;
        if (receipts[id] != 0) revert ReceiptExists(id);
        if (block.timestamp <= result.settleDeadline) revert DeadlineNotReached(result.settleDeadline);
        _checkShape(result, lockups);
        _verify(height, proof, result, lockups, false);

        uint256 receipt = OUTCOME_DEFAULTED | (block.timestamp << 8);
        receipts[id] = receipt;
        emit Defaulted(id, height, receipt);
        // The result's lockups can never back a loan here again.
        for (uint256 j; j < lockups.length; ++j) {
            uint64 lockId = lockups[j].lockId;
            if (!lockConsumed(lockId)) _consume(lockId, id);
        }
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
    function resultDigest(ResultPayload calldata r) public pure returns (uint256) {
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
                r.settleDeadline,
                r.fills
            )
        );
    }

    /// @inheritdoc IAtomicSettlement
    function lockupDigest(LockupPayload calldata l) public pure virtual returns (uint256) {
        return Field.digest(
            abi.encode(l.lockId, l.owner, l.borrower, l.creditAsset, l.creditLimit, l.expiry, l.status)
        );
    }

    // ---------------------------------------------------------------- proof

    /// @dev Lockups must be the result's lockIds in slot order (ENCODING.md) and fills must be consistent.
    function _checkShape(ResultPayload calldata r, LockupPayload[] calldata lockups) private view {
        Fill[] calldata fills = r.fills;
        uint256 price = r.clearingPrice;
        uint256 sold;
        uint256 slot;
        if (r.mode == 1) {
            if (r.auctioneerLockId != 0) revert InvalidResult();
        } else if (r.mode == 2) {
            if (r.auctioneerLockId == 0) revert InvalidResult();
            if (lockups.length == 0 || lockups[0].lockId != r.auctioneerLockId) revert LockupMismatch(0);
            slot = 1;
        } else {
            revert InvalidResult();
        }
        for (uint256 i; i < fills.length; ++i) {
            Fill calldata f = fills[i];
            if (f.payAmount != f.sellAmount * price / PRICE_SCALE) revert InvalidFill(i);
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
        (uint256 stateRoot, uint64 headerTime) = lightClient.provenState(height);
        if (requireFresh && uint256(headerTime) + maxStateAge < block.timestamp) revert StaleHeader(height, headerTime);
        uint256[] memory pub = new uint256[](3 + lockSlots);
        pub[0] = stateRoot;
        pub[1] = awayBinding();
        pub[2] = resultDigest(r);
        for (uint256 j; j < lockups.length; ++j) {
            pub[3 + j] = lockupDigest(lockups[j]);
        }
        for (uint256 i; i < pub.length; ++i) {
            if (pub[i] >= Field.R) revert InvalidProof();
        }
        // verifyProof(uint256[8], uint256[3 + K]): both static arrays, encoded in place after the selector.
        (bool ok, bytes memory ret) = address(verifier).staticcall(abi.encodePacked(_verifySelector, proof, pub));
        if (!ok || ret.length != 32 || abi.decode(ret, (uint256)) != 1) revert InvalidProof();
    }

    function _verifySelectorFor(uint256 nPub) private pure returns (bytes4) {
        bytes memory digits = nPub < 10
            ? abi.encodePacked(bytes1(uint8(48 + nPub)))
            : abi.encodePacked(bytes1(uint8(48 + nPub / 10)), bytes1(uint8(48 + nPub % 10)));
        return bytes4(keccak256(abi.encodePacked("verifyProof(uint256[8],uint256[", digits, "])")));
    }

    // ---------------------------------------------------------------- mode 1

    function _settleMode1(ResultPayload calldata r, LockupPayload[] calldata lockups) private {
        Fill[] calldata fills = r.fills;
        uint256 n = fills.length;
        // Deliver the sell asset to every winner and the unsold rest to the auctioneer, in one escrow call.
        address[] memory to = new address[](n);
        uint256[] memory amounts = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            to[i] = fills[i].winner;
            amounts[i] = fills[i].sellAmount;
        }
        escrow.release(r.auctionId, r.auctioneer, r.sellAsset, r.sellAmount, to, amounts);
        // Then collect each payment: from the winner's own funds, or through an LP loan.
        uint256 slot;
        for (uint256 i; i < n; ++i) {
            Fill calldata f = fills[i];
            if (f.lockId == 0) r.buyAsset.safeTransferFrom(f.winner, r.auctioneer, f.payAmount);
            else _mode1Loan(r, f, i, lockups[slot++]);
        }
    }

    /// @dev Borrow payAmount from the cheapest LP, pay the auctioneer, call back, repay the LP.
    function _mode1Loan(ResultPayload calldata r, Fill calldata f, uint256 index, LockupPayload calldata lock) private {
        (address lp, uint256 owed) = _openMode1Loan(r, f, lock);
        address asset = r.buyAsset;
        registry.draw(lp, asset, f.payAmount, r.auctioneer);
        _callBorrower(f.winner, asset, f.payAmount, owed - f.payAmount, abi.encode(r.auctionId, index));
        asset.safeTransferFrom(f.winner, address(registry), owed);
        registry.credit(lp, asset, owed);
    }

    /// @dev Picks the LP, checks and consumes the fill's lockup; returns the LP and principal plus interest.
    function _openMode1Loan(ResultPayload calldata r, Fill calldata f, LockupPayload calldata lock)
        private
        returns (address lp, uint256 owed)
    {
        address asset = r.buyAsset;
        uint256 principal = f.payAmount;
        uint16 rate;
        (lp, rate) = registry.bestOffer(asset, principal, asset);
        if (lp == address(0) || rate > f.maxRateBps) revert NoLiquidity(asset, principal, f.maxRateBps);
        owed = principal + _ceilDiv(principal * rate, BPS);
        _useLockup(lock, f.winner, asset, owed, r.auctionId);
        emit Loan(r.auctionId, lp, f.winner, asset, principal, rate, asset, owed);
    }

    function _callBorrower(address borrower, address asset, uint256 principal, uint256 fee, bytes memory data)
        private
    {
        bytes32 ok = IERC3156FlashBorrower(borrower).onFlashLoan(msg.sender, asset, principal, fee, data);
        if (ok != CALLBACK_SUCCESS) revert CallbackFailed(borrower);
    }

    // ---------------------------------------------------------------- mode 2

    function _settleMode2(ResultPayload calldata r, LockupPayload calldata lock) private {
        Fill[] calldata fills = r.fills;
        uint256 principal;
        for (uint256 i; i < fills.length; ++i) {
            principal += fills[i].sellAmount;
        }
        (address lp, uint16 rate) = registry.bestOffer(r.sellAsset, principal, r.buyAsset);
        if (lp == address(0) || rate > r.auctioneerMaxRateBps) {
            revert NoLiquidity(r.sellAsset, principal, r.auctioneerMaxRateBps);
        }
        uint256 debt = principal + _ceilDiv(principal * rate, BPS);
        _useLockup(lock, r.auctioneer, r.sellAsset, debt, r.auctionId);
        uint256 owed = _ceilDiv(debt * r.clearingPrice, PRICE_SCALE);
        _deliverAndRepayMode2(r, lp, owed);
        emit Loan(r.auctionId, lp, r.auctioneer, r.sellAsset, principal, rate, r.buyAsset, owed);
    }

    /// @dev Lends each fill's sell amount to its winner, collects the winners' payments, repays the LP
    ///      `owed` of the buy asset and gives the auctioneer the rest (or pulls the shortfall from it).
    function _deliverAndRepayMode2(ResultPayload calldata r, address lp, uint256 owed) private {
        Fill[] calldata fills = r.fills;
        address buyAsset = r.buyAsset;
        uint256 collected;
        for (uint256 i; i < fills.length; ++i) {
            Fill calldata f = fills[i];
            registry.draw(lp, r.sellAsset, f.sellAmount, f.winner);
            buyAsset.safeTransferFrom(f.winner, address(this), f.payAmount);
            collected += f.payAmount;
        }
        if (collected >= owed) {
            if (owed != 0) buyAsset.safeTransfer(address(registry), owed);
            if (collected > owed) buyAsset.safeTransfer(r.auctioneer, collected - owed);
        } else {
            if (collected != 0) buyAsset.safeTransfer(address(registry), collected);
            buyAsset.safeTransferFrom(r.auctioneer, address(registry), owed - collected);
        }
        registry.credit(lp, buyAsset, owed);
    }

    // ---------------------------------------------------------------- lockups

    /// @dev Checks a lockup against the loan it backs and consumes its lockId.
    function _useLockup(LockupPayload calldata l, address borrower, address asset, uint256 owed, uint64 auctionId)
        private
    {
        uint64 lockId = l.lockId;
        if (l.borrower != borrower) revert WrongBorrower(lockId);
        if (l.status != STATUS_LOCKED) revert LockupNotLocked(lockId);
        if (l.creditAsset != asset) revert WrongCreditAsset(lockId);
        if (l.creditLimit < owed) revert CreditLimitTooLow(lockId, l.creditLimit, owed);
        if (l.expiry <= block.timestamp) revert LockupExpired(lockId, l.expiry);
        if (lockConsumed(lockId)) revert LockAlreadyConsumed(lockId);
        _consume(lockId, auctionId);
    }

    function _consume(uint64 lockId, uint64 auctionId) private {
        _consumedLocks[lockId >> 8] |= uint256(1) << (lockId & 255);
        emit LockConsumed(lockId, auctionId);
    }

    function _ceilDiv(uint256 a, uint256 b) private pure returns (uint256) {
        return a == 0 ? 0 : (a - 1) / b + 1;
    }
}
