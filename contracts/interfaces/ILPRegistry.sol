// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILPRegistry
/// @notice Liquidity providers' capital, rates and accepted repayment assets. Capital is lent only
///         inside an AtomicSettlement transaction; 0% protocol fee (all interest goes to the LP).
interface ILPRegistry {
    /// @notice An LP deposited capital.
    event CapitalDeposited(address indexed lp, address indexed asset, uint256 amount);
    /// @notice An LP withdrew capital.
    event CapitalWithdrawn(address indexed lp, address indexed asset, uint256 amount);
    /// @notice An LP set its rate and accepted repayment assets for lending `asset`.
    event OfferSet(address indexed lp, address indexed asset, uint16 rateBps, address[] repayAssets);
    /// @notice An LP started or stopped accepting `repayAsset` for loans of `asset`.
    event RepayAssetSet(address indexed lp, address indexed asset, address repayAsset, bool accepted);
    /// @notice Settlement lent `amount` of `asset` from `lp` to `to`.
    event Lent(address indexed lp, address indexed asset, uint256 amount, address indexed to);
    /// @notice Settlement repaid `amount` of `asset` (principal plus interest) into `lp`'s capital.
    event Repaid(address indexed lp, address indexed asset, uint256 amount);

    /// @notice Caller is not the settlement contract.
    error NotSettlement();
    /// @notice Not enough capital.
    error InsufficientCapital(address lp, address asset, uint256 available, uint256 wanted);
    /// @notice Rate above 10000 bps.
    error RateTooHigh(uint16 rateBps);
    /// @notice Too many LPs for one asset.
    error TooManyLenders(address asset);
    /// @notice Capital is tracked in 128 bits per LP and asset.
    error AmountTooLarge(uint256 amount);
    /// @notice Amount is zero.
    error ZeroAmount();
    /// @notice The token moved a different amount than requested (fee-on-transfer tokens are not supported).
    error UnexpectedTransferAmount();

    /// @notice Deposits `amount` of `asset` as the caller's lendable capital. Needs an allowance.
    function deposit(address asset, uint256 amount) external;

    /// @notice Withdraws `amount` of the caller's capital in `asset`.
    function withdraw(address asset, uint256 amount) external;

    /// @notice Lists the caller as a lender of `asset` (first call) and sets its rate (bps per loan) and
    ///         additional accepted repayment assets (repayment in `asset` itself is always accepted).
    ///         Capital is only lent from listed offers.
    function setOffer(address asset, uint16 rateBps, address[] calldata repayAssets) external;

    /// @notice Starts or stops accepting `repayAsset` as repayment for the caller's loans of `asset`.
    function setRepayAsset(address asset, address repayAsset, bool accepted) external;

    /// @notice Cheapest LP lending `asset` with at least `amount` capital that accepts `repayAsset`;
    ///         ties go to the earliest registered. Returns (address(0), 0) when none.
    function bestOffer(address asset, uint256 amount, address repayAsset) external view returns (address lp, uint16 rateBps);

    /// @notice Lends `amount` of `lp`'s `asset` to `to` (settlement contract only).
    function draw(address lp, address asset, uint256 amount, address to) external;

    /// @notice Books `amount` of `asset`, already transferred to this registry, to `lp`'s capital (settlement only).
    function credit(address lp, address asset, uint256 amount) external;

    /// @notice Lendable capital of `lp` in `asset`.
    function capitalOf(address lp, address asset) external view returns (uint256);

    /// @notice Rate of `lp` for lending `asset` and whether it has listed an offer (setOffer).
    function offerOf(address lp, address asset) external view returns (uint16 rateBps, bool listed);

    /// @notice Whether `lp` lending `asset` accepts repayment in `repayAsset`.
    function accepts(address lp, address asset, address repayAsset) external view returns (bool);

    /// @notice LPs that listed an offer for `asset`, in listing order.
    function lendersOf(address asset) external view returns (address[] memory);

    /// @notice The AtomicSettlement contract allowed to draw and credit.
    function settlement() external view returns (address);
}
