// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAuctionEscrow
/// @notice Holds the sell asset of mode-1 auctions. Storage slot 0 is
///         `mapping(uint64 auctionId => bytes32)` = keccak256(abi.encode(auctionId, depositor, asset, amount)),
///         read by Home with eth_getProof to acknowledge the deposit (ENCODING.md).
interface IAuctionEscrow {
    /// @notice The auctioneer deposited the sell asset of `auctionId`.
    event Deposited(uint64 indexed auctionId, address indexed depositor, address asset, uint256 amount, bytes32 commitment);
    /// @notice The settlement contract released part of the deposit to `to`.
    event Released(uint64 indexed auctionId, address indexed to, uint256 amount);
    /// @notice The settlement contract closed the deposit; `returned` (unsold rest) went back to the depositor.
    event Closed(uint64 indexed auctionId, uint256 returned);
    /// @notice The deposit went back to the depositor.
    event Refunded(uint64 indexed auctionId, address indexed depositor, uint256 amount);

    /// @notice A deposit already exists for this auctionId.
    error DepositExists(uint64 auctionId);
    /// @notice The auction already has a receipt; nothing can be deposited for it.
    error AuctionClosed(uint64 auctionId);
    /// @notice No open deposit matches the auction.
    error NoDeposit(uint64 auctionId);
    /// @notice The deposit does not match the proven result (depositor, asset or amount).
    error CommitmentMismatch(uint64 auctionId);
    /// @notice The release exceeds what is left of the deposit.
    error InsufficientDeposit(uint64 auctionId);
    /// @notice Refund conditions are not met yet.
    error RefundNotAvailable(uint64 auctionId);
    /// @notice The token moved a different amount than requested (fee-on-transfer tokens are not supported).
    error UnexpectedTransferAmount();
    /// @notice Amount is zero.
    error ZeroAmount();
    /// @notice Caller is not the settlement contract.
    error NotSettlement();

    /// @notice Deposits `amount` of `asset` (caller is the auctioneer) for `auctionId`. Needs an allowance.
    function deposit(uint64 auctionId, address asset, uint256 amount) external;

    /// @notice Sends `amount` of the deposit to `to` (settlement contract only).
    /// @param commitment keccak256(abi.encode(auctionId, auctioneer, sellAsset, sellAmount)) of the proven result.
    function release(uint64 auctionId, bytes32 commitment, address to, uint256 amount) external;

    /// @notice Ends the deposit after a settlement and returns the unsold rest to the depositor (settlement only).
    function close(uint64 auctionId, bytes32 commitment) external;

    /// @notice Returns the deposit to the depositor when the auction defaulted, or when no receipt exists
    ///         `refundDelay` seconds after the deposit. Anyone may call; funds only go to the depositor.
    function refund(uint64 auctionId) external;

    /// @notice Deposit commitment (slot 0 mapping); 0 when none or after a refund.
    function commitments(uint64 auctionId) external view returns (bytes32);

    /// @notice Seconds after a deposit from which it can be refunded if no receipt exists.
    function refundDelay() external view returns (uint64);

    /// @notice The AtomicSettlement contract allowed to release.
    function settlement() external view returns (address);
}
