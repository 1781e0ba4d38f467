// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAuctionEscrow} from "./interfaces/IAuctionEscrow.sol";
import {IAtomicSettlement} from "./interfaces/IAtomicSettlement.sol";
import {IHomeLightClient} from "./interfaces/IHomeLightClient.sol";

/// @title AuctionEscrow
/// @notice Holds the sell asset of a mode-1 auction between the auctioneer's deposit and settlement.
///         Deposits are keyed by (auctionId, depositor): slot 0 holds each one's commitment
///         keccak256(abi.encode(auctionId, depositor, asset, amount, refundNotBefore)), which Home reads
///         with eth_getProof under the auctioneer's key, so nobody else can occupy an auction's escrow
///         (DESIGN section 11 rule 4). Only the AtomicSettlement that deployed the escrow releases a
///         deposit, one fill's share at a time, and returns the rest when the auction's receipt closes.
///         A refund is possible only from refundNotBefore (chosen by the depositor, checked by Home to be
///         after the settle deadline) plus the time the light client was paused since the deposit, so
///         an auctioneer cannot withdraw while its auction can still settle.
contract AuctionEscrow is IAuctionEscrow, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant MASK128 = (1 << 128) - 1;

    /// @inheritdoc IAuctionEscrow
    /// @dev Storage slot 0 (ENCODING.md). Must stay the first state variable.
    mapping(uint64 auctionId => mapping(address depositor => bytes32)) public commitments;
    /// @dev Slot 1: released (bits 0-127) | depositedAt (128-191) | refundNotBefore (192-255).
    mapping(uint64 auctionId => mapping(address depositor => uint256)) private _deposits;

    /// @inheritdoc IAuctionEscrow
    address public immutable settlement;
    /// @notice Light client whose pause log extends refund times.
    IHomeLightClient public immutable lightClient;

    /// @param settlement_ The AtomicSettlement contract (releases deposits; its receipts close auctions).
    /// @param lightClient_ The light client (pausedDuring).
    constructor(address settlement_, IHomeLightClient lightClient_) {
        settlement = settlement_;
        lightClient = lightClient_;
    }

    /// @inheritdoc IAuctionEscrow
    function deposit(uint64 auctionId, address asset, uint256 amount, uint64 refundNotBefore) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (amount > MASK128) revert AmountTooLarge(amount);
        if (refundNotBefore <= block.timestamp) revert RefundTimeInPast(refundNotBefore);
        if (commitments[auctionId][msg.sender] != 0) revert DepositExists(auctionId, msg.sender);
        if (IAtomicSettlement(settlement).receipts(auctionId) != 0) revert AuctionClosed(auctionId);
        bytes32 commitment = _commitment(auctionId, msg.sender, asset, amount, refundNotBefore);
        commitments[auctionId][msg.sender] = commitment;
        _deposits[auctionId][msg.sender] = (block.timestamp << 128) | (uint256(refundNotBefore) << 192);
        uint256 before = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) - before != amount) revert UnexpectedTransferAmount();
        emit Deposited(auctionId, msg.sender, asset, amount, refundNotBefore, commitment);
    }

    /// @inheritdoc IAuctionEscrow
    function release(
        uint64 auctionId,
        address depositor,
        address asset,
        uint256 amount,
        address to,
        uint256 value,
        bool closing
    ) external {
        if (msg.sender != settlement) revert NotSettlement();
        bytes32 stored = commitments[auctionId][depositor];
        if (stored == 0) {
            if (closing && value == 0) return; // refunded already: nothing left to return
            revert NoDeposit(auctionId);
        }
        uint256 d = _deposits[auctionId][depositor];
        if (stored != _commitment(auctionId, depositor, asset, amount, uint64(d >> 192))) revert CommitmentMismatch(auctionId);
        uint256 released = (d & MASK128) + value;
        if (released > amount) revert InsufficientDeposit(auctionId);
        uint256 rest;
        if (closing) {
            rest = amount - released;
            delete commitments[auctionId][depositor];
            delete _deposits[auctionId][depositor];
        } else {
            _deposits[auctionId][depositor] = (d & ~MASK128) | released;
        }
        if (value != 0) IERC20(asset).safeTransfer(to, value);
        if (rest != 0) IERC20(asset).safeTransfer(depositor, rest);
        emit Released(auctionId, depositor, value, rest);
    }

    /// @inheritdoc IAuctionEscrow
    function refund(uint64 auctionId, address depositor, address asset, uint256 amount) external nonReentrant {
        bytes32 stored = commitments[auctionId][depositor];
        if (stored == 0) revert NoDeposit(auctionId);
        uint256 d = _deposits[auctionId][depositor];
        uint64 refundNotBefore = uint64(d >> 192);
        if (stored != _commitment(auctionId, depositor, asset, amount, refundNotBefore)) revert CommitmentMismatch(auctionId);
        uint256 notBefore =
            uint256(refundNotBefore) + lightClient.pausedDuring(uint64(d >> 128), uint64(block.timestamp));
        if (block.timestamp < notBefore) revert RefundNotAvailable(auctionId, notBefore);
        uint256 rest = amount - (d & MASK128);
        delete commitments[auctionId][depositor];
        delete _deposits[auctionId][depositor];
        if (rest != 0) IERC20(asset).safeTransfer(depositor, rest);
        emit Refunded(auctionId, depositor, rest);
    }

    /// @inheritdoc IAuctionEscrow
    function depositOf(uint64 auctionId, address depositor)
        external
        view
        returns (uint256 released, uint64 depositedAt, uint64 refundNotBefore)
    {
        uint256 d = _deposits[auctionId][depositor];
        return (d & MASK128, uint64(d >> 128), uint64(d >> 192));
    }

    function _commitment(uint64 auctionId, address depositor, address asset, uint256 amount, uint64 refundNotBefore)
        private
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(auctionId, depositor, asset, amount, refundNotBefore));
    }
}
