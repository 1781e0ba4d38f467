// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title ILPRegistry
/// @notice Liquidity providers' capital and terms per lent asset: a rate (bps per loan) and, per
///         accepted repayment asset other than the lent asset, the LP's own minimum repayment price.
///         Capital is lent only inside an AtomicSettlement transaction; 0% protocol fee. LPs with an
///         active offer and at least `minCapital` are listed for `bestOffer` (at most 64 per asset; a
///         newcomer with more capital than the smallest listed LP takes its place).
interface ILPRegistry {
    /// @notice A repayment asset an LP accepts for loans of some asset, and the lowest price it accepts:
    ///         repayAsset base units per lent-asset base unit, times 1e18 (0 stops accepting it).
    struct RepayTerm {
        address asset;
        uint256 minPrice;
    }

    /// @notice An LP deposited capital.
    event CapitalDeposited(address indexed lp, address indexed asset, uint256 amount);
    /// @notice An LP withdrew capital.
    event CapitalWithdrawn(address indexed lp, address indexed asset, uint256 amount);
    /// @notice An LP set (or changed) its offer for lending `asset`.
    event OfferSet(address indexed lp, address indexed asset, uint16 rateBps);
    /// @notice An LP withdrew its offer for `asset` (its capital stays withdrawable).
    event OfferRemoved(address indexed lp, address indexed asset);
    /// @notice An LP set its minimum price for repayment in `repayAsset` of loans of `asset` (0: not accepted).
    event RepayTermSet(address indexed lp, address indexed asset, address repayAsset, uint256 minPrice);
    /// @notice `lp` entered the `asset` listing that bestOffer scans.
    event Listed(address indexed lp, address indexed asset);
    /// @notice `lp` left the `asset` listing (offer removed, capital below the minimum, or outbid on a full list).
    event Delisted(address indexed lp, address indexed asset);

    /// @notice Caller is not the settlement contract.
    error NotSettlement();
    /// @notice Not enough capital.
    error InsufficientCapital(address lp, address asset, uint256 available, uint256 wanted);
    /// @notice Rate above 10000 bps.
    error RateTooHigh(uint16 rateBps);
    /// @notice The listing of `asset` is full and the caller's capital does not exceed the smallest listed LP's.
    error ListFull(address asset, uint256 smallestListedCapital);
    /// @notice A repayment term names the lent asset itself (always accepted, at par).
    error RepayAssetIsLentAsset(address asset);
    /// @notice Capital is tracked in 128 bits per LP and asset.
    error AmountTooLarge(uint256 amount);
    /// @notice Amount is zero.
    error ZeroAmount();
    /// @notice The token moved a different amount than requested (fee-on-transfer tokens are not supported).
    error UnexpectedTransferAmount();
    /// @notice A constructor argument is invalid.
    error InvalidConfig();

    /// @notice Deposits `amount` of `asset` as the caller's lendable capital (needs an allowance); lists
    ///         the caller when its offer is active, its capital reaches minCapital and there is room.
    function deposit(address asset, uint256 amount) external;

    /// @notice Withdraws `amount` of the caller's capital in `asset`; below minCapital the caller is delisted.
    function withdraw(address asset, uint256 amount) external;

    /// @notice Makes the caller's offer for lending `asset` active at `rateBps` per loan and sets the
    ///         given repayment terms (repayment in `asset` itself is always accepted). Lists the caller
    ///         when its capital reaches minCapital; reverts ListFull when 64 LPs are listed and none has
    ///         less capital than the caller.
    function setOffer(address asset, uint16 rateBps, RepayTerm[] calldata terms) external;

    /// @notice Withdraws the caller's offer for `asset` and delists it; nothing is lent from it until setOffer.
    function removeOffer(address asset) external;

    /// @notice Sets the caller's minimum price for repayment in `repayAsset` of its loans of `asset` (0: not accepted).
    function setRepayTerm(address asset, address repayAsset, uint256 minPrice) external;

    /// @notice Cheapest listed LP lending `asset` with at least `amount` capital (repaid in `asset`);
    ///         ties go to the lower listing position. (address(0), 0) when none. Scans at most 64 listings.
    function bestOffer(address asset, uint256 amount) external view returns (address lp, uint16 rateBps);

    /// @notice The terms of `lp` for loans of `asset` repaid in `repayAsset`: whether its offer is active,
    ///         its rate and its minimum price for `repayAsset` (0: not accepted; unused when repayAsset == asset).
    function terms(address lp, address asset, address repayAsset)
        external
        view
        returns (bool active, uint16 rateBps, uint256 minPrice);

    /// @notice Lends `amount` of `lp`'s `asset` to `to` (settlement contract only). Emits no event of its
    ///         own: the settlement's `Loan` event (IAtomicSettlement) names the LP, the lent asset and
    ///         principal and what was repaid, which is every capital change a settlement makes.
    function draw(address lp, address asset, uint256 amount, address to) external;

    /// @notice Books `amount` of `asset`, already transferred to this registry, to `lp`'s capital
    ///         (settlement only; recorded by the settlement's `Loan` event, see draw).
    function credit(address lp, address asset, uint256 amount) external;

    /// @notice Lendable capital of `lp` in `asset`.
    function capitalOf(address lp, address asset) external view returns (uint256);

    /// @notice Rate of `lp` for lending `asset`, whether its offer is active, and whether it is listed.
    function offerOf(address lp, address asset) external view returns (uint16 rateBps, bool active, bool listed);

    /// @notice Whether `lp` lending `asset` accepts repayment in `repayAsset` (always for `asset` itself).
    function accepts(address lp, address asset, address repayAsset) external view returns (bool);

    /// @notice Listed LPs of `asset`, in listing order (at most 64).
    function lendersOf(address asset) external view returns (address[] memory);

    /// @notice Capital (base units of the lent asset) an LP needs to be listed.
    function minCapital() external view returns (uint256);

    /// @notice The AtomicSettlement contract allowed to draw and credit.
    function settlement() external view returns (address);
}
