// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAtomicSettlement
/// @notice Settles one proven Home auction result per call (mode 1: market makers borrow to bid; mode 2:
///         the auctioneer borrowed the sell asset) and records receipts Home reads with eth_getProof:
///         storage slot 0 is `mapping(uint64 auctionId => uint256)` = outcome | (recordedAt << 8),
///         outcome 1 settled, 2 defaulted (ENCODING.md).
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
        uint64 settleDeadline;
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

    /// @notice A proven result was settled at Home height `height`.
    event Settled(uint64 indexed auctionId, uint8 mode, uint64 height, uint256 receipt);
    /// @notice A lockup backed a loan and can never be used again on this chain.
    event LockConsumed(uint64 indexed lockId, uint64 indexed auctionId);
    /// @notice An LP lent `principal` of `asset` for a settlement; it is owed `repaid` of `repayAsset`.
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
    /// @notice A proven result passed its deadline unsettled; default receipt recorded.
    event Defaulted(uint64 indexed auctionId, uint64 height, uint256 receipt);

    /// @notice The auction already has a receipt (settled or defaulted).
    error ReceiptExists(uint64 auctionId);
    /// @notice The lockup was already consumed on this chain.
    error LockAlreadyConsumed(uint64 lockId);
    /// @notice The settlement deadline has passed (settle) or not yet passed (recordDefault).
    error DeadlinePassed(uint64 settleDeadline);
    /// @notice See DeadlinePassed.
    error DeadlineNotReached(uint64 settleDeadline);
    /// @notice The header backing the proof is older than maxStateAge.
    error StaleHeader(uint64 height, uint64 headerTimestamp);
    /// @notice The settlement proof does not verify for the recomputed public inputs.
    error InvalidProof();
    /// @notice The result's mode or lockup fields are inconsistent.
    error InvalidResult();
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
    /// @notice The lockup expired.
    error LockupExpired(uint64 lockId, uint64 expiry);
    /// @notice No LP offers the loan at or below the proven maximum rate.
    error NoLiquidity(address asset, uint256 amount, uint16 maxRateBps);
    /// @notice A fill's payAmount is not floor(sellAmount * clearingPrice / 1e18), or fills exceed sellAmount.
    error InvalidFill(uint256 index);
    /// @notice The borrower's callback did not return the ERC-3156 magic value.
    error CallbackFailed(address borrower);
    /// @notice block.chainid does not fit in 64 bits.
    error ChainIdTooLarge();
    /// @notice A constructor argument is invalid.
    error InvalidConfig();

    /// @notice Settles a proven auction result atomically: loans, payments, deliveries, LP repayment,
    ///         or reverts everything. Anyone may call: every amount and party is fixed by the proof and
    ///         the LP is chosen by the registry at the proven rate cap.
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

    /// @notice After result.settleDeadline, records a default receipt for a proven, unsettled result
    ///         and consumes its lockIds. Anyone may call.
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

    /// @notice Receipt of `auctionId`: outcome | (recordedAt << 8); 0 when none.
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
