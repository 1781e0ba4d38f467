// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IHomeLightClient} from "./IHomeLightClient.sol";

/// @title IAtomicSettlement
/// @notice Settles proven Home auction results fill by fill (mode 1: market makers borrow to bid; mode 2:
///         the auctioneer borrowed the sell asset from the LP the auction names) and records receipts
///         Home reads with eth_getProof. Storage slot 0 is `mapping(uint64 auctionId => uint256)` =
///         outcome (bits 0-7) | recordedAt (8-71) | settledMask (72-135) | auctioneerBlamed (bit 136);
///         outcome 0 open, 1 closed with every fill settled, 2 closed with defaults (ENCODING.md).
interface IAtomicSettlement {
    /// @notice One winning fill of an auction result (ENCODING.md field order).
    struct Fill {
        address winner;
        uint256 sellAmount;
        uint256 payAmount;
        uint64 lockId;
        uint16 maxRateBps;
    }

    /// @notice Auction result leaf payload (KIND_AUCTION_RESULT), ENCODING.md field order.
    struct ResultPayload {
        uint64 auctionId;
        address auctioneer;
        address sellAsset;
        uint256 sellAmount;
        address buyAsset;
        uint256 clearingPrice;
        uint8 mode;
        uint64 auctioneerLockId;
        uint16 auctioneerMaxRateBps;
        address lp;
        uint64 settleDeadline;
        uint64 clearedAt;
        Fill[] fills;
    }

    /// @notice Collateral lockup leaf payload (KIND_LOCKUP), ENCODING.md field order.
    struct LockupPayload {
        uint64 lockId;
        bytes32 owner;
        address borrower;
        address creditAsset;
        uint256 creditLimit;
        uint64 expiry;
        uint8 status;
    }

    /// @notice A settle call changed the receipt of `auctionId` (fills settled, or the auctioneer's blame bit).
    event Settled(uint64 indexed auctionId, uint8 mode, uint64 height, uint256 receipt);
    /// @notice A fill could not settle in this call and stays open (retry until the extended deadline).
    event FillFailed(uint64 indexed auctionId, uint256 fillIndex, bytes reason);
    /// @notice Mode 2: the auctioneer's own payment to the LP failed for fill `fillIndex`.
    event AuctioneerPaymentFailed(uint64 indexed auctionId, uint256 fillIndex);
    /// @notice A lockup backed a loan (or defaulted) and can never be used by another auction on this chain.
    event LockConsumed(uint64 indexed lockId, uint64 indexed auctionId);
    /// @notice An LP lent `principal` of `asset` for a settlement; it is owed `repaid` of `repayAsset`.
    ///         In the same call its registry capital went down by `principal` of `asset` and up by
    ///         `repaid` of `repayAsset`: the registry's only record of a loan (it emits none itself).
    event Loan(
        uint64 indexed auctionId,
        address indexed lp,
        address indexed borrower,
        address asset,
        uint256 principal,
        uint16 rateBps,
        address repayAsset,
        uint256 repaid
    );
    /// @notice A proven result passed its (extended) deadline with fills unsettled; the receipt closed with defaults.
    event Defaulted(uint64 indexed auctionId, uint64 height, uint256 receipt);

    /// @notice The auction's receipt is closed (every fill settled, or defaulted).
    error ReceiptExists(uint64 auctionId);
    /// @notice The lockup was already consumed on this chain.
    error LockAlreadyConsumed(uint64 lockId);
    /// @notice The (extended) settlement deadline has passed.
    error DeadlinePassed(uint256 extendedDeadline);
    /// @notice The (extended) settlement deadline has not passed yet.
    error DeadlineNotReached(uint256 extendedDeadline);
    /// @notice The header backing the proof is older than maxStateAge.
    error StaleHeader(uint64 height, uint64 headerTimestamp);
    /// @notice The settlement proof does not verify for the recomputed public inputs.
    error InvalidProof();
    /// @notice A used public input slot (result or lockup digest) is 0, which the circuit reads as unused.
    error ZeroDigest(uint256 publicInput);
    /// @notice The result's mode, lockup or LP fields are inconsistent.
    error InvalidResult();
    /// @notice More fills than the receipt's 64 settled bits.
    error TooManyFills(uint256 count);
    /// @notice The lockups passed do not match the result's lockIds in slot order.
    error LockupMismatch(uint256 slot);
    /// @notice More lockups than the circuit's K slots (lockSlots).
    error TooManyLockups(uint256 count);
    /// @notice The lockup's borrower is not the party that borrows.
    error WrongBorrower(uint64 lockId);
    /// @notice The lockup is not in status 1 (locked).
    error LockupNotLocked(uint64 lockId);
    /// @notice The lockup's credit asset is not the borrowed asset.
    error WrongCreditAsset(uint64 lockId);
    /// @notice The lockup's credit limit does not cover principal plus interest.
    error CreditLimitTooLow(uint64 lockId, uint256 creditLimit, uint256 owed);
    /// @notice The lockup expired (its expiry is extended by the paused time since clearing).
    error LockupExpired(uint64 lockId, uint256 extendedExpiry);
    /// @notice Mode 2: the named LP has no active offer for the sell asset.
    error LpOfferMissing(address lp);
    /// @notice Mode 2: the named LP's rate is above the auctioneer's proven maximum.
    error LpRateAboveCap(address lp, uint16 rateBps, uint16 maxRateBps);
    /// @notice Mode 2: the named LP does not accept repayment in the buy asset.
    error RepayAssetNotAccepted(address lp, address repayAsset);
    /// @notice Mode 2: the clearing price is below the minimum repayment price the LP set itself.
    error PriceBelowLpLimit(address lp, uint256 clearingPrice, uint256 minPrice);
    /// @notice A winner's payment (own funds, or repayment of its loan) failed.
    error PaymentFailed(uint256 fillIndex, address payer);
    /// @notice Mode 2: the auctioneer's payment to the LP failed again and nothing else changed.
    error AuctioneerPaymentMissing(uint64 auctionId);
    /// @notice A payment ran out of gas: the caller gave the transaction too little (nobody is blamed).
    error InsufficientGas();
    /// @notice settleFill is an internal step (external only for isolation).
    error OnlySelf();
    /// @notice A fill's payAmount is not floor(sellAmount * clearingPrice / 1e18), or fills exceed sellAmount.
    error InvalidFill(uint256 index);
    /// @notice The borrower's callback did not return the ERC-3156 magic value.
    error CallbackFailed(address borrower);
    /// @notice block.chainid does not fit in 64 bits.
    error ChainIdTooLarge();
    /// @notice A constructor argument is invalid.
    error InvalidConfig();

    /// @notice Attempts every open fill of a proven auction result, each in isolation: a fill settles
    ///         atomically (loan, payment, delivery, LP repayment) or stays open for a later call; the
    ///         others are unaffected. Closes the receipt (outcome 1) when the last fill settles and then
    ///         returns the unsold rest of a mode-1 escrow. Reverts with the first fill's error when the
    ///         call changes nothing. Works until settleDeadline plus the light client's paused time since
    ///         the result cleared. Anyone may call: parties, amounts and rate caps are fixed by the proof.
    /// @param height Home height of a header stored in the light client whose stateRoot the proof opens.
    /// @param proof Settlement Groth16 proof (snarkjs calldata order).
    /// @param result The auction result payload.
    /// @param lockups Lockup payloads in slot order (mode 1: fills with lockId != 0; mode 2: the auctioneer's).
    function settle(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external;

    /// @notice settle for a result whose header is not yet on this chain, in one transaction with one
    ///         proof: a HeaderSettlement proof (a quorum of the current epoch's set attested the header, and
    ///         the result and lockup leaves are in its stateRoot). The header goes through
    ///         lightClient.submitHeaderWithSettlement, so it gets exactly the rules of submitHeader (pause,
    ///         chain, epoch and validator set, increasing height) and is stored for later settle calls; a
    ///         header already stored with the same stateRoot is used as it is. Then as settle (maxStateAge
    ///         included).
    /// @param proof HeaderSettlement Groth16 proof (snarkjs calldata order).
    /// @param headerPub The header's public inputs [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot].
    /// @param result The auction result payload.
    /// @param lockups Lockup payloads in slot order (as settle).
    function settleWithHeader(
        uint256[8] calldata proof,
        uint256[4] calldata headerPub,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external;

    /// @notice settle with its header in one transaction and two proofs: the header proof goes to
    ///         lightClient.submitHeader (skipped when that header is already stored with the same
    ///         stateRoot), then the Settlement proof is checked against it as in settle. More gas than
    ///         settleWithHeader (two verifications); the path for a header with a per-validator proof.
    /// @param kind Which header circuit headerProof is of.
    /// @param headerProof The header proof.
    /// @param headerPub The header's public inputs.
    /// @param proof Settlement Groth16 proof of the result and lockups in the header's stateRoot.
    /// @param result The auction result payload.
    /// @param lockups Lockup payloads in slot order.
    function settleWithHeaderTwoProofs(
        IHomeLightClient.HeaderProof kind,
        uint256[8] calldata headerProof,
        uint256[4] calldata headerPub,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external;

    /// @notice After the extended deadline, closes an open receipt with defaults (outcome 2): the lockIds
    ///         of unsettled fills (and of a blamed mode-2 auctioneer) are consumed, for Home to slash; the
    ///         rest of a mode-1 escrow goes back to the auctioneer. Refused while the client is paused.
    /// @param height Home height whose stateRoot the proof opens.
    /// @param proof Settlement Groth16 proof.
    /// @param result The auction result payload.
    /// @param lockups The lockup payloads the proof was made with, in slot order.
    function recordDefault(
        uint64 height,
        uint256[8] calldata proof,
        ResultPayload calldata result,
        LockupPayload[] calldata lockups
    ) external;

    /// @notice Isolation step of settle (callable only by this contract): settles fill `index` or reverts.
    /// @return auctioneerFailed True when mode 2's auctioneer payment failed (nothing was moved).
    function settleFill(
        ResultPayload calldata result,
        LockupPayload[] calldata lockups,
        uint256 index,
        uint256 slot,
        uint16 lpRate
    ) external returns (bool auctioneerFailed);

    /// @notice Receipt word of `auctionId` (layout above); 0 when nothing was recorded.
    function receipts(uint64 auctionId) external view returns (uint256);

    /// @notice Lockup slots K of the Settlement circuit (its verifier takes 3 + K public inputs).
    function lockSlots() external view returns (uint256);

    /// @notice Whether `lockId` has been consumed on this chain.
    function lockConsumed(uint64 lockId) external view returns (bool);

    /// @notice awayBinding of this contract: block.chainid * 2^160 + address(this).
    function awayBinding() external view returns (uint256);

    /// @notice Payload digest of a result, exactly as ENCODING.md (keccak256(abi.encode(...)) mod r).
    function resultDigest(ResultPayload calldata result) external pure returns (uint256);

    /// @notice Payload digest of a lockup, exactly as ENCODING.md.
    function lockupDigest(LockupPayload calldata lockup) external pure returns (uint256);
}
