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

    /// @dev The LPs listed for one asset, in listing order, and their rates packed 16 to a word (entry i,
    ///      bits 16 * (i % 16) of rates[i / 16], is rateBps + 1 of lps[i]; 0 from `count` on). bestOffer
    ///      reads one rate word per 16 listed LPs, and a candidate's address and capital only when its
    ///      rate beats the best so far.
    struct Listing {
        uint256 count;
        uint256[MAX_LENDERS_PER_ASSET / 16] rates;
        address[MAX_LENDERS_PER_ASSET] lps;
    }

    /// @inheritdoc ILPRegistry
    address public immutable settlement;
    /// @inheritdoc ILPRegistry
    uint256 public immutable minCapital;

    mapping(address lp => mapping(address asset => Offer)) private _offers;
    mapping(address lp => mapping(address asset => mapping(address repayAsset => uint256))) private _minPrice;
    mapping(address asset => Listing) private _listings;

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
        if (o.listed) _setRate(_listings[asset], o.listIndex, uint256(rateBps) + 1);
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
        Listing storage l = _listings[asset];
        uint256 best = type(uint256).max;
        uint256 word;
        for (uint256 i; i < MAX_LENDERS_PER_ASSET; ++i) {
            if (i & 15 == 0) word = l.rates[i >> 4];
            uint256 entry = (word >> ((i & 15) << 4)) & 0xffff;
            if (entry == 0) break; // i == count
            if (entry - 1 >= best) continue;
            address candidate = l.lps[i];
            if (_offers[candidate][asset].capital < amount) continue;
            best = entry - 1;
            lp = candidate;
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
        Listing storage l = _listings[asset];
        lps = new address[](l.count);
        for (uint256 i; i < lps.length; ++i) {
            lps[i] = l.lps[i];
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
        Listing storage l = _listings[asset];
        uint256 n = l.count;
        uint256 index = n;
        if (n >= MAX_LENDERS_PER_ASSET) {
            uint256 smallest;
            (smallest, index) = _smallestListed(l, asset);
            if (o.capital <= smallest) {
                if (strict) revert ListFull(asset, smallest);
                return;
            }
            address evicted = l.lps[index];
            _offers[evicted][asset].listed = false;
            emit Delisted(evicted, asset);
        } else {
            l.count = n + 1;
        }
        l.lps[index] = lp;
        _setRate(l, index, uint256(o.rateBps) + 1);
        o.listed = true;
        o.listIndex = uint32(index);
        emit Listed(lp, asset);
    }

    function _smallestListed(Listing storage l, address asset) private view returns (uint256 smallest, uint256 index) {
        smallest = type(uint256).max;
        uint256 n = l.count;
        for (uint256 i; i < n; ++i) {
            uint256 c = _offers[l.lps[i]][asset].capital;
            if (c < smallest) (smallest, index) = (c, i);
        }
    }

    /// @dev Removes `lp` from the listing: the last listing takes its position.
    function _delist(address lp, address asset, Offer storage o) private {
        Listing storage l = _listings[asset];
        uint256 i = o.listIndex;
        uint256 last = l.count - 1;
        if (i != last) {
            address moved = l.lps[last];
            l.lps[i] = moved;
            _setRate(l, i, _rateEntry(l, last));
            _offers[moved][asset].listIndex = uint32(i);
        }
        l.lps[last] = address(0);
        _setRate(l, last, 0);
        l.count = last;
        o.listed = false;
        emit Delisted(lp, asset);
    }

    /// @dev Rate entry i of a listing: rateBps + 1 of lps[i], 0 when i >= count.
    function _rateEntry(Listing storage l, uint256 i) private view returns (uint256) {
        return (l.rates[i >> 4] >> ((i & 15) << 4)) & 0xffff;
    }

    function _setRate(Listing storage l, uint256 i, uint256 entry) private {
        uint256 shift = (i & 15) << 4;
        uint256 w = l.rates[i >> 4];
        l.rates[i >> 4] = (w & ~(uint256(0xffff) << shift)) | (entry << shift);
    }

    function _u128(uint256 x) private pure returns (uint128) {
        if (x > type(uint128).max) revert AmountTooLarge(x);
        return uint128(x);
    }
}
