// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAuctionEscrow} from "./interfaces/IAuctionEscrow.sol";
import {IAtomicSettlement} from "./interfaces/IAtomicSettlement.sol";
import {IERC20} from "./interfaces/IERC20.sol";
import {SafeTransfer} from "./lib/SafeTransfer.sol";
import {ReentrancyGuard} from "./lib/ReentrancyGuard.sol";

/// @title AuctionEscrow
/// @notice Holds the sell asset of a mode-1 auction between the auctioneer's deposit and settlement.
///         Home acknowledges a deposit by reading slot 0 (`commitments`) with eth_getProof. Only the
///         AtomicSettlement contract that deployed this escrow can release funds, and only against the
///         commitment of a proven result. Refunds go to the depositor once the auction defaulted, or
///         `refundDelay` seconds after the deposit if no receipt exists; Home must choose settleDeadline
///         before depositedAt + refundDelay.
contract AuctionEscrow is IAuctionEscrow, ReentrancyGuard {
    using SafeTransfer for address;

    uint8 private constant STATE_NONE = 0;
    uint8 private constant STATE_HELD = 1;
    uint8 private constant STATE_CLOSED = 2;
    uint8 private constant STATE_REFUNDED = 3;
    uint8 private constant OUTCOME_DEFAULTED = 2;

    /// @inheritdoc IAuctionEscrow
    /// @dev Storage slot 0 (ENCODING.md): keccak256(abi.encode(uint64 auctionId, address depositor, address asset, uint256 amount)).
    mapping(uint64 auctionId => bytes32) public commitments;

    struct Deposit {
        address depositor;
        uint64 depositedAt;
        uint8 state;
        address asset;
        uint256 remaining;
    }

    mapping(uint64 auctionId => Deposit) private _deposits;

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

    modifier onlySettlement() {
        if (msg.sender != settlement) revert NotSettlement();
        _;
    }

    /// @inheritdoc IAuctionEscrow
    function deposit(uint64 auctionId, address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (_deposits[auctionId].state != STATE_NONE) revert DepositExists(auctionId);
        if (IAtomicSettlement(settlement).receipts(auctionId) != 0) revert AuctionClosed(auctionId);
        bytes32 commitment = keccak256(abi.encode(auctionId, msg.sender, asset, amount));
        commitments[auctionId] = commitment;
        _deposits[auctionId] = Deposit({
            depositor: msg.sender,
            depositedAt: uint64(block.timestamp),
            state: STATE_HELD,
            asset: asset,
            remaining: amount
        });
        uint256 before = IERC20(asset).balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) - before != amount) revert UnexpectedTransferAmount();
        emit Deposited(auctionId, msg.sender, asset, amount, commitment);
    }

    /// @inheritdoc IAuctionEscrow
    function release(uint64 auctionId, bytes32 commitment, address to, uint256 amount) external onlySettlement {
        Deposit storage d = _held(auctionId, commitment);
        uint256 remaining = d.remaining;
        if (amount > remaining) revert InsufficientDeposit(auctionId);
        d.remaining = remaining - amount;
        d.asset.safeTransfer(to, amount);
        emit Released(auctionId, to, amount);
    }

    /// @inheritdoc IAuctionEscrow
    function close(uint64 auctionId, bytes32 commitment) external onlySettlement {
        Deposit storage d = _held(auctionId, commitment);
        uint256 rest = d.remaining;
        d.state = STATE_CLOSED;
        if (rest != 0) {
            d.remaining = 0;
            d.asset.safeTransfer(d.depositor, rest);
        }
        emit Closed(auctionId, rest);
    }

    /// @inheritdoc IAuctionEscrow
    function refund(uint64 auctionId) external nonReentrant {
        Deposit storage d = _deposits[auctionId];
        if (d.state != STATE_HELD) revert NoDeposit(auctionId);
        uint256 receipt = IAtomicSettlement(settlement).receipts(auctionId);
        bool defaulted = uint8(receipt) == OUTCOME_DEFAULTED;
        bool timedOut = receipt == 0 && block.timestamp >= uint256(d.depositedAt) + refundDelay;
        if (!defaulted && !timedOut) revert RefundNotAvailable(auctionId);
        uint256 amount = d.remaining;
        address depositor = d.depositor;
        d.state = STATE_REFUNDED;
        d.remaining = 0;
        delete commitments[auctionId];
        d.asset.safeTransfer(depositor, amount);
        emit Refunded(auctionId, depositor, amount);
    }

    /// @notice Deposit details of `auctionId` (state: 0 none, 1 held, 2 closed by settlement, 3 refunded).
    function depositOf(uint64 auctionId)
        external
        view
        returns (address depositor, address asset, uint256 remaining, uint64 depositedAt, uint8 state)
    {
        Deposit storage d = _deposits[auctionId];
        return (d.depositor, d.asset, d.remaining, d.depositedAt, d.state);
    }

    function _held(uint64 auctionId, bytes32 commitment) private view returns (Deposit storage d) {
        d = _deposits[auctionId];
        if (d.state != STATE_HELD) revert NoDeposit(auctionId);
        if (commitments[auctionId] != commitment) revert CommitmentMismatch(auctionId);
    }
}
