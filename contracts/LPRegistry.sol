// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ILPRegistry} from "./interfaces/ILPRegistry.sol";
import {IERC20} from "./interfaces/IERC20.sol";
import {SafeTransfer} from "./lib/SafeTransfer.sol";
import {ReentrancyGuard} from "./lib/ReentrancyGuard.sol";

/// @title LPRegistry
/// @notice Per-LP, per-asset lendable capital with a rate (bps per loan) and accepted repayment assets.
///         Only the AtomicSettlement contract that deployed the registry can lend capital out (`draw`) and
///         book repayments (`credit`), so capital leaves only inside a settlement transaction, and comes
///         back in the same transaction or the whole transaction reverts. No protocol fee.
contract LPRegistry is ILPRegistry, ReentrancyGuard {
    using SafeTransfer for address;

    /// @notice Upper bound on LPs per asset, so bestOffer stays bounded in gas.
    uint256 public constant MAX_LENDERS_PER_ASSET = 64;
    uint16 private constant BPS = 10_000;

    /// @dev One slot per (LP, asset).
    struct Offer {
        uint128 capital;
        uint16 rateBps;
        bool listed; // set by setOffer; only listed offers are lent from
        uint32 listIndex; // position in _listings[asset] once listed
    }

    /// @dev One slot per listed LP: bestOffer reads a candidate's capital only when its rate beats the best so far.
    struct Listing {
        address lp;
        uint16 rateBps;
    }

    /// @inheritdoc ILPRegistry
    address public immutable settlement;

    mapping(address lp => mapping(address asset => Offer)) private _offers;
    mapping(address lp => mapping(address asset => mapping(address repayAsset => bool))) private _accepts;
    mapping(address asset => Listing[]) private _listings;

    /// @param settlement_ The AtomicSettlement contract allowed to draw and credit.
    constructor(address settlement_) {
        settlement = settlement_;
    }

    modifier onlySettlement() {
        if (msg.sender != settlement) revert NotSettlement();
        _;
    }

    /// @inheritdoc ILPRegistry
    function deposit(address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _offers[msg.sender][asset].capital += _u128(amount);
        uint256 before = IERC20(asset).balanceOf(address(this));
        asset.safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) - before != amount) revert UnexpectedTransferAmount();
        emit CapitalDeposited(msg.sender, asset, amount);
    }

    /// @inheritdoc ILPRegistry
    function withdraw(address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Offer storage o = _offers[msg.sender][asset];
        uint256 capital = o.capital;
        if (amount > capital) revert InsufficientCapital(msg.sender, asset, capital, amount);
        o.capital = uint128(capital - amount);
        asset.safeTransfer(msg.sender, amount);
        emit CapitalWithdrawn(msg.sender, asset, amount);
    }

    /// @inheritdoc ILPRegistry
    function setOffer(address asset, uint16 rateBps, address[] calldata repayAssets) external {
        if (rateBps > BPS) revert RateTooHigh(rateBps);
        Offer storage o = _offers[msg.sender][asset];
        Listing[] storage listings = _listings[asset];
        if (!o.listed) {
            if (listings.length >= MAX_LENDERS_PER_ASSET) revert TooManyLenders(asset);
            o.listed = true;
            o.listIndex = uint32(listings.length);
            listings.push(Listing({lp: msg.sender, rateBps: rateBps}));
        } else {
            listings[o.listIndex].rateBps = rateBps;
        }
        o.rateBps = rateBps;
        for (uint256 i; i < repayAssets.length; ++i) {
            _accepts[msg.sender][asset][repayAssets[i]] = true;
        }
        emit OfferSet(msg.sender, asset, rateBps, repayAssets);
    }

    /// @inheritdoc ILPRegistry
    function setRepayAsset(address asset, address repayAsset, bool accepted) external {
        _accepts[msg.sender][asset][repayAsset] = accepted;
        emit RepayAssetSet(msg.sender, asset, repayAsset, accepted);
    }

    /// @inheritdoc ILPRegistry
    function bestOffer(address asset, uint256 amount, address repayAsset)
        public
        view
        returns (address lp, uint16 rateBps)
    {
        Listing[] storage listings = _listings[asset];
        uint256 n = listings.length;
        uint256 best = type(uint256).max;
        bool sameAsset = repayAsset == asset;
        for (uint256 i; i < n; ++i) {
            Listing memory l = listings[i];
            uint16 rate = l.rateBps;
            if (rate >= best) continue;
            address candidate = l.lp;
            if (_offers[candidate][asset].capital < amount) continue;
            if (!sameAsset && !_accepts[candidate][asset][repayAsset]) continue;
            best = rate;
            lp = candidate;
        }
        if (lp != address(0)) rateBps = uint16(best);
    }

    /// @inheritdoc ILPRegistry
    function draw(address lp, address asset, uint256 amount, address to) external onlySettlement {
        Offer storage o = _offers[lp][asset];
        uint256 capital = o.capital;
        if (amount > capital) revert InsufficientCapital(lp, asset, capital, amount);
        o.capital = uint128(capital - amount);
        asset.safeTransfer(to, amount);
        emit Lent(lp, asset, amount, to);
    }

    /// @inheritdoc ILPRegistry
    function credit(address lp, address asset, uint256 amount) external onlySettlement {
        _offers[lp][asset].capital += _u128(amount);
        emit Repaid(lp, asset, amount);
    }

    /// @inheritdoc ILPRegistry
    function capitalOf(address lp, address asset) external view returns (uint256) {
        return _offers[lp][asset].capital;
    }

    /// @inheritdoc ILPRegistry
    function offerOf(address lp, address asset) external view returns (uint16 rateBps, bool listed) {
        Offer storage o = _offers[lp][asset];
        return (o.rateBps, o.listed);
    }

    /// @inheritdoc ILPRegistry
    function accepts(address lp, address asset, address repayAsset) external view returns (bool) {
        return repayAsset == asset || _accepts[lp][asset][repayAsset];
    }

    /// @inheritdoc ILPRegistry
    function lendersOf(address asset) external view returns (address[] memory lps) {
        Listing[] storage listings = _listings[asset];
        lps = new address[](listings.length);
        for (uint256 i; i < lps.length; ++i) {
            lps[i] = listings[i].lp;
        }
    }

    function _u128(uint256 x) private pure returns (uint128) {
        if (x > type(uint128).max) revert AmountTooLarge(x);
        return uint128(x);
    }
}
