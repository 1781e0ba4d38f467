// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAuctionEscrow
/// @notice Holds the sell asset of mode-1 auctions, keyed by auction AND depositor. Storage slot 0 is
///         `mapping(uint64 auctionId => mapping(address depositor => bytes32))` =
///         keccak256(abi.encode(uint64 auctionId, address depositor, address asset, uint256 amount,
///         uint64 refundNotBefore)), read by Home with eth_getProof to acknowledge the auctioneer's
///         deposit (ENCODING.md); it is cleared when the deposit is closed by its settlement or refunded.
///         Anyone else's deposit under the same auctionId occupies only its own key.
interface IAuctionEscrow {
    /// @notice `depositor` deposited the sell asset of `auctionId`.
    event Deposited(
        uint64 indexed auctionId,
        address indexed depositor,
        address asset,
        uint256 amount,
        uint64 refundNotBefore,
        bytes32 commitment
    );
    /// @notice A settlement released `delivered` of the deposit to a winner and, when closing, `returned` to the depositor.
    event Released(uint64 indexed auctionId, address indexed depositor, uint256 delivered, uint256 returned);
    /// @notice The rest of the deposit went back to the depositor (no settlement closed it).
    event Refunded(uint64 indexed auctionId, address indexed depositor, uint256 amount);

    /// @notice This depositor already holds a deposit for this auctionId.
    error DepositExists(uint64 auctionId, address depositor);
    /// @notice The auction already has a receipt; nothing can be deposited for it.
    error AuctionClosed(uint64 auctionId);
    /// @notice No deposit is held for the auction and depositor.
    error NoDeposit(uint64 auctionId);
    /// @notice Asset or amount differ from the deposit's commitment.
    error CommitmentMismatch(uint64 auctionId);
    /// @notice The payouts exceed the deposit.
    error InsufficientDeposit(uint64 auctionId);
    /// @notice No refund before `notBefore` (refundNotBefore plus the light client's paused time since the deposit).
    error RefundNotAvailable(uint64 auctionId, uint256 notBefore);
    /// @notice refundNotBefore must be in the future.
    error RefundTimeInPast(uint64 refundNotBefore);
    /// @notice The token moved a different amount than requested (fee-on-transfer tokens are not supported).
    error UnexpectedTransferAmount();
    /// @notice Amount is zero.
    error ZeroAmount();
    /// @notice Deposits are tracked in 128 bits.
    error AmountTooLarge(uint256 amount);
    /// @notice Caller is not the settlement contract.
    error NotSettlement();

    /// @notice Deposits `amount` of `asset` for `auctionId` under the caller's key (needs an allowance).
    ///         It cannot be refunded before `refundNotBefore` (extended by pauses); Home acknowledges it
    ///         only when refundNotBefore > the auction's settleDeadline.
    function deposit(uint64 auctionId, address asset, uint256 amount, uint64 refundNotBefore) external;

    /// @notice Settlement only: pays `value` of the deposit (depositor, asset, amount as committed) to
    ///         `to`; when `closing`, returns the rest to the depositor and clears the deposit (a no-op
    ///         for a deposit that is already gone when `value` is 0).
    function release(
        uint64 auctionId,
        address depositor,
        address asset,
        uint256 amount,
        address to,
        uint256 value,
        bool closing
    ) external;

    /// @notice Returns what is left of a deposit to its depositor once
    ///         block.timestamp >= refundNotBefore + lightClient.pausedDuring(depositedAt, now). Anyone may
    ///         call (with the deposit's details, e.g. from the Deposited event); funds only go to the depositor.
    function refund(uint64 auctionId, address depositor, address asset, uint256 amount) external;

    /// @notice Deposit commitment (slot 0); 0 when none, after closing and after a refund.
    function commitments(uint64 auctionId, address depositor) external view returns (bytes32);

    /// @notice A deposit's state: amount released so far, deposit time and refundNotBefore (zeros when none).
    function depositOf(uint64 auctionId, address depositor)
        external
        view
        returns (uint256 released, uint64 depositedAt, uint64 refundNotBefore);

    /// @notice The AtomicSettlement contract allowed to release.
    function settlement() external view returns (address);
}
