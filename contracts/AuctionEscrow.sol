// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAuctionEscrow} from "./interfaces/IAuctionEscrow.sol";
import {IAtomicSettlement} from "./interfaces/IAtomicSettlement.sol";
import {IERC20} from "./interfaces/IERC20.sol";
import {SafeTransfer} from "./lib/SafeTransfer.sol";
import {ReentrancyGuard} from "./lib/ReentrancyGuard.sol";

/// @title AuctionEscrow
/// @notice Holds the sell asset of a mode-1 auction between the auctioneer's deposit and settlement.
///         Storage slot 0 (`commitments`) is keccak256(abi.encode(auctionId, depositor, asset, amount)),
///         which Home reads with eth_getProof to acknowledge the deposit; the commitment is the only
///         record of depositor, asset and amount (callers restate them and the escrow checks them against
///         it). Only the AtomicSettlement contract that deployed this escrow can release a deposit, in
///         one call, against a proven result. Refunds go to the depositor once the auction defaulted, or
///         `refundDelay` seconds after the deposit if no receipt exists; Home must choose settleDeadline
///         before depositedAt + refundDelay. An auctionId can hold one deposit, ever.
contract AuctionEscrow is IAuctionEscrow, ReentrancyGuard {
    using SafeTransfer for address;

    uint8 private constant OUTCOME_DEFAULTED = 2;

    /// @inheritdoc IAuctionEscrow
    /// @dev Storage slot 0 (ENCODING.md). 0 when there is no deposit, after a refund and after settlement.
    mapping(uint64 auctionId => bytes32) public commitments;
    /// @inheritdoc IAuctionEscrow
    mapping(uint64 auctionId => uint64) public depositedAt;

    /// @inheritdoc IAuctionEscrow
    address public immutable settlement;
    /// @inheritdoc IAuctionEscrow
    uint64 public immutable refundDelay;

    /// @param settlement_ The AtomicSettlement contract (reads its receipts for refunds).
    /// @param refundDelay_ Seconds after a deposit from which a refund is possible when no receipt exists.
    constructor(address settlement_, uint64 refundDelay_) {
        settlement = settlement_;
        refundDelay = refundDelay_;
    }

    /// @inheritdoc IAuctionEscrow
    function deposit(uint64 auctionId, address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (depositedAt[auctionId] != 0) revert DepositExists(auctionId);
        if (IAtomicSettlement(settlement).receipts(auctionId) != 0) revert AuctionClosed(auctionId);
        bytes32 commitment = keccak256(abi.encode(auctionId, msg.sender, asset, amount));
        commitments[auctionId] = commitment;
        depositedAt[auctionId] = uint64(block.timestamp);
        uint256 before = IERC20(asset).balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) - before != amount) revert UnexpectedTransferAmount();
        emit Deposited(auctionId, msg.sender, asset, amount, commitment);
    }

    /// @inheritdoc IAuctionEscrow
    function release(
        uint64 auctionId,
        address depositor,
        address asset,
        uint256 amount,
        address[] calldata to,
        uint256[] calldata amounts
    ) external {
        if (msg.sender != settlement) revert NotSettlement();
        _consume(auctionId, depositor, asset, amount);
        uint256 left = amount;
        for (uint256 i; i < to.length; ++i) {
            uint256 a = amounts[i];
            if (a > left) revert InsufficientDeposit(auctionId);
            left -= a;
            if (a != 0) asset.safeTransfer(to[i], a);
        }
        if (left != 0) asset.safeTransfer(depositor, left);
        emit Released(auctionId, amount - left, left);
    }

    /// @inheritdoc IAuctionEscrow
    function refund(uint64 auctionId, address depositor, address asset, uint256 amount) external nonReentrant {
        uint256 receipt = IAtomicSettlement(settlement).receipts(auctionId);
        bool defaulted = uint8(receipt) == OUTCOME_DEFAULTED;
        bool timedOut = receipt == 0 && block.timestamp >= uint256(depositedAt[auctionId]) + refundDelay;
        if (!defaulted && !timedOut) revert RefundNotAvailable(auctionId);
        _consume(auctionId, depositor, asset, amount);
        asset.safeTransfer(depositor, amount);
        emit Refunded(auctionId, depositor, amount);
    }

    /// @dev Checks the restated deposit against the commitment and clears it (the deposit is spent).
    function _consume(uint64 auctionId, address depositor, address asset, uint256 amount) private {
        bytes32 stored = commitments[auctionId];
        if (stored == 0) revert NoDeposit(auctionId);
        if (stored != keccak256(abi.encode(auctionId, depositor, asset, amount))) revert CommitmentMismatch(auctionId);
        delete commitments[auctionId];
    }
}
