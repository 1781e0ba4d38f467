// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ILPRegistry} from "./interfaces/ILPRegistry.sol";

/// @title LPRegistry
/// @notice Per-LP, per-asset lendable capital with a rate (bps per loan) and, per accepted repayment
///         asset, the LP's own minimum repayment price. Only the AtomicSettlement contract that deployed
///         the registry can lend capital out (`draw`) and book repayments (`credit`), so capital leaves
///         only inside a settlement transaction, and comes back in the same transaction or the whole
///         transaction reverts. No protocol fee.
/// @dev Listing (what bestOffer scans) is kept by the LP's own actions: active offer and capital >=
///      minCapital. Loans do not change listings; a listed LP drained by loans is skipped by bestOffer
///      and outbid by any newcomer with more capital once the list is full, so nobody can fill the
///      list with empty or dust listings and keep funded LPs out.
contract LPRegistry is ILPRegistry, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Upper bound on listed LPs per asset, so bestOffer stays bounded in gas.
    uint256 public constant MAX_LENDERS_PER_ASSET = 64;
    uint16 private constant BPS = 10_000;

    /// @dev One slot per (LP, asset).
    struct Offer {
        uint128 capital;
        uint16 rateBps;
        bool active; // set by setOffer, cleared by removeOffer: the LP consents to lend at rateBps
        bool listed; // in _listings[asset]
        uint32 listIndex; // position in _listings[asset] while listed
    }

    /// @dev One slot per listed LP: bestOffer reads a candidate's capital only when its rate beats the best so far.
    struct Listing {
        address lp;
        uint16 rateBps;
    }

    /// @inheritdoc ILPRegistry
    address public immutable settlement;
    /// @inheritdoc ILPRegistry
    uint256 public immutable minCapital;

    mapping(address lp => mapping(address asset => Offer)) private _offers;
    mapping(address lp => mapping(address asset => mapping(address repayAsset => uint256))) private _minPrice;
    mapping(address asset => Listing[]) private _listings;

    /// @param settlement_ The AtomicSettlement contract allowed to draw and credit.
    /// @param minCapital_ Capital (lent-asset base units) an LP needs to be listed; at least 1.
    constructor(address settlement_, uint256 minCapital_) {
        if (minCapital_ == 0 || minCapital_ > type(uint128).max) revert InvalidConfig();
        settlement = settlement_;
        minCapital = minCapital_;
    }

    modifier onlySettlement() {
        if (msg.sender != settlement) revert NotSettlement();
        _;
    }

    // ---------------------------------------------------------------- LP actions

    /// @inheritdoc ILPRegistry
    function deposit(address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Offer storage o = _offers[msg.sender][asset];
        o.capital = _u128(o.capital + amount);
        uint256 before = IERC20(asset).balanceOf(address(this));
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);
        if (IERC20(asset).balanceOf(address(this)) - before != amount) revert UnexpectedTransferAmount();
        emit CapitalDeposited(msg.sender, asset, amount);
        if (o.active && !o.listed && o.capital >= minCapital) _tryList(msg.sender, asset, o, false);
    }

    /// @inheritdoc ILPRegistry
    function withdraw(address asset, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Offer storage o = _offers[msg.sender][asset];
        uint256 capital = o.capital;
        if (amount > capital) revert InsufficientCapital(msg.sender, asset, capital, amount);
        o.capital = uint128(capital - amount);
        if (o.listed && o.capital < minCapital) _delist(msg.sender, asset, o);
        IERC20(asset).safeTransfer(msg.sender, amount);
        emit CapitalWithdrawn(msg.sender, asset, amount);
    }

    /// @inheritdoc ILPRegistry
    function setOffer(address asset, uint16 rateBps, RepayTerm[] calldata repayTerms) external {
        if (rateBps > BPS) revert RateTooHigh(rateBps);
        Offer storage o = _offers[msg.sender][asset];
        o.rateBps = rateBps;
        o.active = true;
        for (uint256 i; i < repayTerms.length; ++i) {
            _setRepayTerm(asset, repayTerms[i].asset, repayTerms[i].minPrice);
        }
        emit OfferSet(msg.sender, asset, rateBps);
        if (o.listed) _listings[asset][o.listIndex].rateBps = rateBps;
        else if (o.capital >= minCapital) _tryList(msg.sender, asset, o, true);
    }

    /// @inheritdoc ILPRegistry
    function removeOffer(address asset) external {
        Offer storage o = _offers[msg.sender][asset];
        o.active = false;
        if (o.listed) _delist(msg.sender, asset, o);
        emit OfferRemoved(msg.sender, asset);
    }

    /// @inheritdoc ILPRegistry
    function setRepayTerm(address asset, address repayAsset, uint256 minPrice) external {
        _setRepayTerm(asset, repayAsset, minPrice);
    }

    // ---------------------------------------------------------------- settlement

    /// @inheritdoc ILPRegistry
    function draw(address lp, address asset, uint256 amount, address to) external onlySettlement {
        Offer storage o = _offers[lp][asset];
        uint256 capital = o.capital;
        if (amount > capital) revert InsufficientCapital(lp, asset, capital, amount);
        o.capital = uint128(capital - amount);
        IERC20(asset).safeTransfer(to, amount);
    }

    /// @inheritdoc ILPRegistry
    function credit(address lp, address asset, uint256 amount) external onlySettlement {
        Offer storage o = _offers[lp][asset];
        o.capital = _u128(o.capital + amount);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILPRegistry
    function bestOffer(address asset, uint256 amount) external view returns (address lp, uint16 rateBps) {
        Listing[] storage listings = _listings[asset];
        uint256 n = listings.length;
        uint256 best = type(uint256).max;
        for (uint256 i; i < n; ++i) {
            Listing memory l = listings[i];
            uint16 rate = l.rateBps;
            if (rate >= best) continue;
            if (_offers[l.lp][asset].capital < amount) continue;
            best = rate;
            lp = l.lp;
        }
        if (lp != address(0)) rateBps = uint16(best);
    }

    /// @inheritdoc ILPRegistry
    function terms(address lp, address asset, address repayAsset)
        external
        view
        returns (bool active, uint16 rateBps, uint256 minPrice)
    {
        Offer storage o = _offers[lp][asset];
        return (o.active, o.rateBps, _minPrice[lp][asset][repayAsset]);
    }

    /// @inheritdoc ILPRegistry
    function capitalOf(address lp, address asset) external view returns (uint256) {
        return _offers[lp][asset].capital;
    }

    /// @inheritdoc ILPRegistry
    function offerOf(address lp, address asset) external view returns (uint16 rateBps, bool active, bool listed) {
        Offer storage o = _offers[lp][asset];
        return (o.rateBps, o.active, o.listed);
    }

    /// @inheritdoc ILPRegistry
    function accepts(address lp, address asset, address repayAsset) external view returns (bool) {
        return repayAsset == asset || _minPrice[lp][asset][repayAsset] != 0;
    }

    /// @inheritdoc ILPRegistry
    function lendersOf(address asset) external view returns (address[] memory lps) {
        Listing[] storage listings = _listings[asset];
        lps = new address[](listings.length);
        for (uint256 i; i < lps.length; ++i) {
            lps[i] = listings[i].lp;
        }
    }

    // ---------------------------------------------------------------- listing

    function _setRepayTerm(address asset, address repayAsset, uint256 minPrice) private {
        if (repayAsset == asset) revert RepayAssetIsLentAsset(asset);
        _minPrice[msg.sender][asset][repayAsset] = minPrice;
        emit RepayTermSet(msg.sender, asset, repayAsset, minPrice);
    }

    /// @dev Lists `lp` (active, capital >= minCapital): appends while there is room, else takes the place
    ///      of the listed LP with the least capital if `lp` has more. When it cannot, reverts ListFull if
    ///      `strict` (setOffer) and otherwise leaves it unlisted (a deposit never fails for this).
    function _tryList(address lp, address asset, Offer storage o, bool strict) private {
        Listing[] storage listings = _listings[asset];
        uint256 n = listings.length;
        uint256 index = n;
        if (n >= MAX_LENDERS_PER_ASSET) {
            uint256 smallest;
            (smallest, index) = _smallestListed(listings, asset);
            if (o.capital <= smallest) {
                if (strict) revert ListFull(asset, smallest);
                return;
            }
            address evicted = listings[index].lp;
            _offers[evicted][asset].listed = false;
            emit Delisted(evicted, asset);
            listings[index] = Listing({lp: lp, rateBps: o.rateBps});
        } else {
            listings.push(Listing({lp: lp, rateBps: o.rateBps}));
        }
        o.listed = true;
        o.listIndex = uint32(index);
        emit Listed(lp, asset);
    }

    function _smallestListed(Listing[] storage listings, address asset) private view returns (uint256 smallest, uint256 index) {
        smallest = type(uint256).max;
        for (uint256 i; i < listings.length; ++i) {
            uint256 c = _offers[listings[i].lp][asset].capital;
            if (c < smallest) (smallest, index) = (c, i);
        }
    }

    /// @dev Removes `lp` from the listing: the last listing takes its position.
    function _delist(address lp, address asset, Offer storage o) private {
        Listing[] storage listings = _listings[asset];
        uint256 i = o.listIndex;
        uint256 last = listings.length - 1;
        if (i != last) {
            Listing memory moved = listings[last];
            listings[i] = moved;
            _offers[moved.lp][asset].listIndex = uint32(i);
        }
        listings.pop();
        o.listed = false;
        emit Delisted(lp, asset);
    }

    function _u128(uint256 x) private pure returns (uint128) {
        if (x > type(uint128).max) revert AmountTooLarge(x);
        return uint128(x);
    }
}
