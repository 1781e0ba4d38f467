// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IAuctionEscrow
/// @notice Holds the sell asset of mode-1 auctions. Storage slot 0 is
///         `mapping(uint64 auctionId => bytes32)` = keccak256(abi.encode(auctionId, depositor, asset, amount)),
///         read by Home with eth_getProof to acknowledge the deposit (ENCODING.md); it is cleared when the
///         deposit is released by a settlement or refunded.
interface IAuctionEscrow {
    /// @notice The auctioneer deposited the sell asset of `auctionId`.
    event Deposited(uint64 indexed auctionId, address indexed depositor, address asset, uint256 amount, bytes32 commitment);
    /// @notice A settlement released the deposit: `delivered` to the winners, `returned` (unsold) to the depositor.
    event Released(uint64 indexed auctionId, uint256 delivered, uint256 returned);
    /// @notice The deposit went back to the depositor.
    event Refunded(uint64 indexed auctionId, address indexed depositor, uint256 amount);

    /// @notice This auctionId already had a deposit.
    error DepositExists(uint64 auctionId);
    /// @notice The auction already has a receipt; nothing can be deposited for it.
    error AuctionClosed(uint64 auctionId);
    /// @notice No deposit is held for the auction.
    error NoDeposit(uint64 auctionId);
    /// @notice Depositor, asset or amount differ from the deposit's commitment.
    error CommitmentMismatch(uint64 auctionId);
    /// @notice The payouts exceed the deposit.
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

    /// @notice Pays out a deposit for a proven result (settlement contract only): `amounts[i]` to `to[i]`,
    ///         the rest back to the depositor. depositor/asset/amount must match the commitment.
    function release(
        uint64 auctionId,
        address depositor,
        address asset,
        uint256 amount,
        address[] calldata to,
        uint256[] calldata amounts
    ) external;

    /// @notice Returns the deposit to the depositor when the auction defaulted, or when no receipt exists
    ///         `refundDelay` seconds after the deposit. Anyone may call (with the deposit's details, e.g.
    ///         from the Deposited event); funds only go to the depositor.
    function refund(uint64 auctionId, address depositor, address asset, uint256 amount) external;

    /// @notice Deposit commitment (slot 0 mapping); 0 when none, after settlement or after a refund.
    function commitments(uint64 auctionId) external view returns (bytes32);

    /// @notice Deposit time of `auctionId` (0 if it never had a deposit).
    function depositedAt(uint64 auctionId) external view returns (uint64);

    /// @notice Seconds after a deposit from which it can be refunded if no receipt exists.
    function refundDelay() external view returns (uint64);

    /// @notice The AtomicSettlement contract allowed to release.
    function settlement() external view returns (address);
}
