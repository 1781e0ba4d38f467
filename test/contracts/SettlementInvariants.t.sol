// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Contract-level property tests of DESIGN section 11 (Hardhat 3 Solidity tests: fuzz and invariant
// runs, bounded in hardhat.config.ts). The real AtomicSettlement, AuctionEscrow, LPRegistry and
// HomeLightClient (with its pause log) run with verifiers that accept every proof: proofs are tested
// elsewhere, here the handler plays Home and proposes only results Home would produce (fills priced
// at the clearing price, lockups with Home's credit and expiry rules), with random honest and
// dishonest actors: self-bidders under the LP's limit, non-paying winners and auctioneers, early
// refunders, escrow squatters and a pausing guardian. After every step the invariants check that
// tokens are conserved, the registry holds exactly the LPs' capital, no LP's value (at its own
// limit price) ever decreases, escrowed assets are all accounted for, and no honest party's lockup
// is ever defaulted or blamed.

import {AtomicSettlement} from "../../contracts/AtomicSettlement.sol";
import {HomeLightClient} from "../../contracts/HomeLightClient.sol";
import {IAtomicSettlement} from "../../contracts/interfaces/IAtomicSettlement.sol";
import {IHomeLightClient} from "../../contracts/interfaces/IHomeLightClient.sol";
import {IHeaderQuorumVerifier} from "../../contracts/interfaces/IHeaderQuorumVerifier.sol";
import {ISettlementVerifier} from "../../contracts/interfaces/ISettlementVerifier.sol";
import {ILPRegistry} from "../../contracts/interfaces/ILPRegistry.sol";
import {IAuctionEscrow} from "../../contracts/interfaces/IAuctionEscrow.sol";
import {TestToken} from "../../contracts/test/TestToken.sol";
import {TestBorrower} from "../../contracts/test/TestBorrower.sol";
import {SettlementRules} from "../../contracts/lib/SettlementRules.sol";

/// @dev The cheatcodes these tests use (Hardhat's EDR implements Foundry's).
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
}

/// @dev A verifier that accepts every proof (both the HeaderQuorum and the Settlement signature).
contract AcceptAllVerifier {
    fallback() external {
        assembly {
            mstore(0, 1)
            return(0, 32)
        }
    }
}

/// @dev Plays Home (proposes results), the relayer, the actors and the guardian.
contract SafetyHandler {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 private constant E18 = 1e18;
    uint32 private constant HOME_CHAIN = 7;
    uint256 private constant GENESIS_ROOT = 12345;
    uint256 private constant MIN_PRICE = 5e26; // LPs' own limit: 0.0005 WETH per USDC base unit (scaled)

    AtomicSettlement public immutable settlement;
    HomeLightClient public immutable lightClient;
    ILPRegistry public immutable registry;
    IAuctionEscrow public immutable escrow;
    TestToken public immutable usdc;
    TestToken public immutable weth;
    TestToken public immutable junk;
    address public immutable guardian = address(0x6a);

    address[2] public lps = [address(0x1001), address(0x1002)];
    /// @dev Auctioneers: 0 honest (funds and approvals), 1 dishonest (never pays its mode-2 share).
    address[2] public auctioneers = [address(0x2001), address(0x2002)];
    address public constant SQUATTER = address(0x3001);
    /// @dev Winners: ERC-3156 borrowers; even index honest (repays, standing approvals), odd index never pays.
    TestBorrower[4] public winners;

    uint64 private _height;
    uint64 private _nextAuction = 1;
    uint64 private _nextLock = 1;

    struct Tracked {
        bytes data; // abi.encode(ResultPayload, LockupPayload[])
        uint64 height;
        bool finished;
        bool tried; // a relayer attempted settle inside the window, unpaused, with a fresh header
    }

    Tracked[] private _auctions;
    /// @dev Ghost failures: set when an invariant-relevant event happened that must never happen.
    bool public honestLockDefaulted;
    bool public honestAuctioneerBlamed;
    bool public lpLostValue;
    /// @dev Each LP's value after the previous step: it may only grow.
    uint256[2] public lpValueFloor;
    uint256 public calls;

    /// @dev Counts the step and, after it, checks that no LP's value went down (a flag, not a revert:
    ///      the fuzzer discards reverted calls).
    modifier step() {
        ++calls;
        _;
        for (uint256 i; i < 2; ++i) {
            uint256 v = _lpValue(i);
            if (v < lpValueFloor[i]) lpLostValue = true;
            lpValueFloor[i] = v;
        }
    }

    constructor() {
        AcceptAllVerifier v = new AcceptAllVerifier();
        lightClient = new HomeLightClient(HOME_CHAIN, 0, GENESIS_ROOT, IHeaderQuorumVerifier(address(v)), IHeaderQuorumVerifier(address(0)), address(0), 0, guardian, 64);
        settlement = new AtomicSettlement(IHomeLightClient(address(lightClient)), ISettlementVerifier(address(v)), 2, 1 days, 1e6);
        registry = settlement.registry();
        escrow = settlement.escrow();
        usdc = new TestToken("USDC", "USDC", 6);
        weth = new TestToken("WETH", "WETH", 18);
        junk = new TestToken("JUNK", "JNK", 18);
        for (uint256 i; i < 2; ++i) {
            address lp = lps[i];
            usdc.mint(lp, 10_000_000e6);
            ILPRegistry.RepayTerm[] memory terms = new ILPRegistry.RepayTerm[](1);
            terms[0] = ILPRegistry.RepayTerm({asset: address(weth), minPrice: MIN_PRICE});
            vm.startPrank(lp);
            usdc.approve(address(registry), type(uint256).max);
            registry.deposit(address(usdc), 10_000_000e6);
            registry.setOffer(address(usdc), uint16(10 + 5 * i), terms);
            vm.stopPrank();
            lpValueFloor[i] = _lpValue(i);
        }
        for (uint256 i; i < 4; ++i) {
            winners[i] = new TestBorrower(address(settlement));
            usdc.mint(address(winners[i]), 100_000_000e6);
            weth.mint(address(winners[i]), 1_000_000 * E18);
            if (i % 2 == 0) {
                winners[i].approveToken(address(usdc), address(settlement), type(uint256).max);
                winners[i].approveToken(address(weth), address(settlement), type(uint256).max);
            } else {
                winners[i].setBehaviour(TestBorrower.Behaviour.NoRepay, "");
            }
        }
        for (uint256 i; i < 2; ++i) {
            weth.mint(auctioneers[i], 1_000_000 * E18);
            vm.startPrank(auctioneers[i]);
            weth.approve(address(escrow), type(uint256).max);
            if (i == 0) weth.approve(address(settlement), type(uint256).max);
            vm.stopPrank();
        }
        junk.mint(SQUATTER, 1e30);
        vm.prank(SQUATTER);
        junk.approve(address(escrow), type(uint256).max);
        _newHeader();
    }

    // ---------------------------------------------------------------- actions (fuzzed)

    /// @notice Home clears a new auction (mode from the seed) with 1-3 fills and random actors.
    function newAuction(uint256 seed) external step {
        uint8 mode = uint8(1 + seed % 2);
        uint256 n = 1 + (seed >> 8) % 3;
        address auctioneer = mode == 1 ? auctioneers[0] : auctioneers[(seed >> 16) % 2];
        // Mode 2 prices: half at or above the LP's limit, half a self-bid far below it.
        uint256 price = mode == 1 ? 1990e6 + (seed >> 24) % 100e6 : ((seed >> 24) % 2 == 0 ? MIN_PRICE + (seed >> 32) % 1e26 : 1e7);
        IAtomicSettlement.ResultPayload memory r;
        r.auctionId = _nextAuction++;
        r.auctioneer = auctioneer;
        r.sellAsset = mode == 1 ? address(weth) : address(usdc);
        r.buyAsset = mode == 1 ? address(usdc) : address(weth);
        r.clearingPrice = price;
        r.mode = mode;
        r.settleDeadline = uint64(block.timestamp + 1 hours);
        r.clearedAt = uint64(block.timestamp);
        r.fills = new IAtomicSettlement.Fill[](n);
        IAtomicSettlement.LockupPayload[] memory locks = new IAtomicSettlement.LockupPayload[](mode == 1 ? 2 : 1);
        uint256 nLocks;
        uint256 sold;
        for (uint256 i; i < n; ++i) {
            uint256 s = mode == 1 ? (1 + (seed >> (40 + 8 * i)) % 50) * 1e17 : (1 + (seed >> (40 + 8 * i)) % 50) * 1_000e6;
            address winner = address(winners[(seed >> (64 + 4 * i)) % 4]);
            bool borrows = mode == 1 && nLocks < 2 && (seed >> (80 + i)) % 2 == 0;
            uint64 lockId = borrows ? _nextLock++ : 0;
            uint256 pay = s * price / E18;
            r.fills[i] = IAtomicSettlement.Fill({winner: winner, sellAmount: s, payAmount: pay, lockId: lockId, maxRateBps: borrows ? 20 : 0});
            if (borrows) locks[nLocks++] = _lockup(lockId, winner, address(usdc), SettlementRules.creditNeeded(pay, 20), r.settleDeadline);
            sold += s;
        }
        r.sellAmount = sold + (seed >> 100) % 3 * (mode == 1 ? 1e17 : 1_000e6); // some unsold rest
        if (mode == 2) {
            r.auctioneerLockId = _nextLock++;
            r.auctioneerMaxRateBps = 20;
            r.lp = lps[(seed >> 104) % 2];
            locks[0] = _lockup(r.auctioneerLockId, auctioneer, address(usdc), SettlementRules.creditNeeded(r.sellAmount, 20), r.settleDeadline);
            nLocks = 1;
        } else {
            // Home acknowledged the auctioneer's escrow, refundable an hour after the deadline.
            vm.prank(auctioneer);
            escrow.deposit(r.auctionId, address(weth), r.sellAmount, r.settleDeadline + 1 hours);
        }
        assembly {
            mstore(locks, nLocks)
        }
        _auctions.push(Tracked({data: abi.encode(r, locks), height: _newHeader(), finished: false, tried: false}));
    }

    /// @notice A relayer calls settle on a tracked auction with a fresh header (a failure is fine;
    ///         the invariants judge the state).
    function settle(uint256 idx) external step {
        if (_auctions.length == 0) return;
        Tracked storage t = _auctions[idx % _auctions.length];
        if (!lightClient.paused()) t.height = _newHeader();
        _trySettle(t);
    }

    /// @notice The guardian pauses or unpauses.
    function togglePause() external step {
        vm.startPrank(guardian);
        if (lightClient.paused()) lightClient.unpause();
        else lightClient.pause();
        vm.stopPrank();
    }

    /// @notice Time passes (up to 40 minutes).
    function warp(uint256 dt) external step {
        vm.warp(block.timestamp + 1 + dt % 40 minutes);
    }

    /// @notice The auctioneer (or anyone) tries to take an escrow back; only succeeds when it may.
    function refund(uint256 idx) external step {
        if (_auctions.length == 0) return;
        (IAtomicSettlement.ResultPayload memory r,) = _decode(_auctions[idx % _auctions.length]);
        if (r.mode != 1) return;
        try escrow.refund(r.auctionId, r.auctioneer, address(weth), r.sellAmount) {} catch {}
    }

    /// @notice A squatter deposits junk under the next auction id (its own key only).
    function squat(uint256 amount) external step {
        vm.prank(SQUATTER);
        try escrow.deposit(_nextAuction, address(junk), 1 + amount % 1e20, uint64(block.timestamp + 1)) {} catch {}
    }

    /// @notice The honest relayer finishes an auction: once unpaused it settles within the window, then
    ///         after the extended deadline records the default; the ghost checks blame and defaults.
    function finish(uint256 idx) external step {
        if (_auctions.length == 0) return;
        Tracked storage t = _auctions[idx % _auctions.length];
        if (t.finished) return;
        (IAtomicSettlement.ResultPayload memory r, IAtomicSettlement.LockupPayload[] memory locks) = _decode(t);
        if (lightClient.paused()) {
            vm.prank(guardian);
            lightClient.unpause();
        }
        uint256 ext = lightClient.pausedDuring(r.clearedAt, uint64(block.timestamp));
        if (block.timestamp <= r.settleDeadline + ext) {
            t.height = _newHeader();
            _trySettle(t);
        }
        ext = lightClient.pausedDuring(r.clearedAt, uint64(block.timestamp));
        if (block.timestamp <= r.settleDeadline + ext) vm.warp(r.settleDeadline + ext + 1);
        uint256 word = settlement.receipts(r.auctionId);
        if (uint8(word) == 0) settlement.recordDefault(t.height, _proof(), r, locks);
        t.finished = true;
        // Liveness is the relayers' job: only an auction someone tried to settle in time is judged.
        if (t.tried) _judge(r, settlement.receipts(r.auctionId));
    }

    // ---------------------------------------------------------------- views for the invariants

    function auctionCount() external view returns (uint256) {
        return _auctions.length;
    }

    /// @notice Value of LP i's capital at its own limit price (USDC base units).
    function lpValue(uint256 i) external view returns (uint256) {
        return _lpValue(i);
    }

    /// @notice WETH the escrow must hold: what is left of every open mode-1 deposit.
    function escrowOwed() external view returns (uint256 owed) {
        for (uint256 i; i < _auctions.length; ++i) {
            (IAtomicSettlement.ResultPayload memory r,) = _decode(_auctions[i]);
            if (r.mode != 1 || escrow.commitments(r.auctionId, r.auctioneer) == 0) continue;
            (uint256 released,,) = escrow.depositOf(r.auctionId, r.auctioneer);
            owed += r.sellAmount - released;
        }
    }

    /// @notice Every holder of the tokens (totalSupply must be spread over exactly these).
    function holders() public view returns (address[] memory h) {
        h = new address[](14);
        h[0] = address(settlement);
        h[1] = address(registry);
        h[2] = address(escrow);
        h[3] = lps[0];
        h[4] = lps[1];
        h[5] = auctioneers[0];
        h[6] = auctioneers[1];
        h[7] = SQUATTER;
        for (uint256 i; i < 4; ++i) {
            h[8 + i] = address(winners[i]);
        }
        h[12] = address(this);
        h[13] = guardian;
    }

    // ---------------------------------------------------------------- internals

    function _trySettle(Tracked storage t) private {
        (IAtomicSettlement.ResultPayload memory r, IAtomicSettlement.LockupPayload[] memory locks) = _decode(t);
        bool fair = !lightClient.paused() && t.height == _height
            && block.timestamp <= r.settleDeadline + lightClient.pausedDuring(r.clearedAt, uint64(block.timestamp));
        if (fair) t.tried = true;
        try settlement.settle(t.height, _proof(), r, locks) {} catch {}
    }

    /// @dev Rule 2 on a closed receipt: an honest winner's lockup fill never defaulted, an honest
    ///      auctioneer is never blamed. (The honest relayer tried to settle inside the window.)
    function _judge(IAtomicSettlement.ResultPayload memory r, uint256 word) private {
        uint256 mask = (word >> 72) & type(uint64).max;
        for (uint256 i; i < r.fills.length; ++i) {
            if (r.fills[i].lockId == 0 || (mask >> i) & 1 == 1) continue;
            if (_honest(r.fills[i].winner)) honestLockDefaulted = true;
        }
        if (r.mode == 2 && (word >> 136) & 1 == 1 && r.auctioneer == auctioneers[0]) honestAuctioneerBlamed = true;
    }

    function _honest(address winner) private view returns (bool) {
        for (uint256 i; i < 4; i += 2) {
            if (winner == address(winners[i])) return true;
        }
        return false;
    }

    function _lpValue(uint256 i) private view returns (uint256) {
        address lp = lps[i];
        return registry.capitalOf(lp, address(usdc)) + registry.capitalOf(lp, address(weth)) * E18 / MIN_PRICE;
    }

    function _lockup(uint64 lockId, address borrower, address asset, uint256 credit, uint64 deadline)
        private
        pure
        returns (IAtomicSettlement.LockupPayload memory)
    {
        return IAtomicSettlement.LockupPayload({
            lockId: lockId,
            owner: bytes32(uint256(lockId)),
            borrower: borrower,
            creditAsset: asset,
            creditLimit: credit,
            expiry: deadline + 1,
            status: 1
        });
    }

    function _newHeader() private returns (uint64 h) {
        if (lightClient.paused()) return _height;
        h = ++_height;
        uint256 meta = uint256(HOME_CHAIN) | (uint256(h) << 96) | (uint256(block.timestamp * 1000) << 160);
        uint256[8] memory proof;
        lightClient.submitHeader(IHomeLightClient.HeaderProof.Aggregated, proof, [meta, uint256(h), GENESIS_ROOT, 0]);
    }

    function _proof() private pure returns (uint256[8] memory p) {}

    function _decode(Tracked storage t)
        private
        view
        returns (IAtomicSettlement.ResultPayload memory r, IAtomicSettlement.LockupPayload[] memory locks)
    {
        (r, locks) = abi.decode(t.data, (IAtomicSettlement.ResultPayload, IAtomicSettlement.LockupPayload[]));
    }
}

/// @dev Foundry-style fuzz selector set (what the invariant fuzzer calls on the handler).
struct FuzzSelector {
    address addr;
    bytes4[] selectors;
}

contract SettlementInvariantsTest {
    SafetyHandler private handler;

    function setUp() public {
        handler = new SafetyHandler();
    }

    function targetContracts() public view returns (address[] memory t) {
        t = new address[](1);
        t[0] = address(handler);
    }

    function targetSelectors() public view returns (FuzzSelector[] memory s) {
        bytes4[] memory sel = new bytes4[](7);
        sel[0] = SafetyHandler.newAuction.selector;
        sel[1] = SafetyHandler.settle.selector;
        sel[2] = SafetyHandler.togglePause.selector;
        sel[3] = SafetyHandler.warp.selector;
        sel[4] = SafetyHandler.refund.selector;
        sel[5] = SafetyHandler.squat.selector;
        sel[6] = SafetyHandler.finish.selector;
        s = new FuzzSelector[](1);
        s[0] = FuzzSelector({addr: address(handler), selectors: sel});
    }

    /// @notice Tokens are conserved: the whole supply is held by the known parties, the settlement holds none.
    function invariant_tokensConserved() public view {
        address[] memory h = handler.holders();
        TestToken[2] memory tokens = [handler.usdc(), handler.weth()];
        for (uint256 k; k < 2; ++k) {
            uint256 sum;
            for (uint256 i; i < h.length; ++i) {
                sum += tokens[k].balanceOf(h[i]);
            }
            require(sum == tokens[k].totalSupply(), "tokens left the known holders");
            require(tokens[k].balanceOf(address(handler.settlement())) == 0, "settlement holds tokens");
        }
    }

    /// @notice The registry holds exactly the LPs' capital, in each asset.
    function invariant_registrySolvent() public view {
        ILPRegistry r = handler.registry();
        TestToken[2] memory tokens = [handler.usdc(), handler.weth()];
        for (uint256 k; k < 2; ++k) {
            uint256 sum = r.capitalOf(handler.lps(0), address(tokens[k])) + r.capitalOf(handler.lps(1), address(tokens[k]));
            require(tokens[k].balanceOf(address(r)) == sum, "registry balance != LP capital");
        }
    }

    /// @notice No LP's value (its capital, repayment assets valued at its own minimum price) ever
    ///         decreased in any step.
    function invariant_lpValueNeverDecreases() public view {
        require(!handler.lpLostValue(), "an LP lost value in a step");
        for (uint256 i; i < 2; ++i) {
            require(handler.lpValue(i) >= handler.lpValueFloor(i), "an LP lost value");
        }
    }

    /// @notice Every escrowed unit is accounted for by an open deposit's remaining amount.
    function invariant_escrowBacked() public view {
        require(handler.weth().balanceOf(address(handler.escrow())) == handler.escrowOwed(), "escrow balance != open deposits");
    }

    /// @notice An honest winner's lockup is never defaulted, an honest auctioneer never blamed.
    function invariant_honestLockupsSafe() public view {
        require(!handler.honestLockDefaulted(), "an honest winner's lockup defaulted");
        require(!handler.honestAuctioneerBlamed(), "an honest auctioneer was blamed");
    }
}

/// @notice Stateless fuzz tests of the pause log and the shared rules.
contract PauseLogFuzzTest {
    Vm private constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    HomeLightClient private lc;

    function setUp() public {
        AcceptAllVerifier v = new AcceptAllVerifier();
        lc = new HomeLightClient(1, 0, 1, IHeaderQuorumVerifier(address(v)), IHeaderQuorumVerifier(address(0)), address(0), 0, address(this), 1);
    }

    /// @notice pausedDuring equals a second-by-second count over up to four random pause intervals.
    function testFuzz_pausedDuringMatchesBruteForce(uint64 seed, uint64 from, uint64 span) public {
        uint64 t0 = 1_000_000;
        vm.warp(t0);
        uint64[8] memory edges;
        uint64 t = t0;
        for (uint256 i; i < 8; ++i) {
            t += uint64(1 + (seed >> (8 * i)) % 50);
            edges[i] = t;
        }
        for (uint256 i; i < 8; i += 2) {
            vm.warp(edges[i]);
            lc.pause();
            if (i == 6 && seed % 3 == 0) break; // leave the last pause ongoing sometimes
            vm.warp(edges[i + 1]);
            lc.unpause();
        }
        uint64 now_ = t + 20;
        vm.warp(now_);
        from = t0 + from % (now_ - t0 + 10);
        uint64 to = from + span % 500;
        uint64 expected;
        for (uint64 s = from; s < to; ++s) {
            if (_pausedAt(edges, s, seed % 3 == 0, now_)) ++expected;
        }
        require(lc.pausedDuring(from, to) == expected, "pausedDuring differs from a brute-force count");
    }

    /// @notice Credit covers principal plus interest and a mode-2 LP is owed at least principal plus
    ///         interest valued at any price of its own at or below the clearing price (amounts up to
    ///         2^96: beyond 2^128 the registry refuses capital anyway).
    function testFuzz_rulesNeverShortTheLp(uint96 principal, uint16 rate, uint96 price, uint96 minPrice) public pure {
        uint256 r = rate % 10_001;
        uint256 p = uint256(price) + 1;
        uint256 m = 1 + uint256(minPrice) % p;
        uint256 credit = SettlementRules.creditNeeded(principal, r);
        require(credit >= principal && credit - principal == SettlementRules.interest(principal, r), "credit");
        uint256 owed = SettlementRules.mode2Owed(principal, r, p);
        require(owed * 1e18 / m >= credit, "owed below the LP's value at its limit");
    }

    function _pausedAt(uint64[8] memory edges, uint64 s, bool lastOngoing, uint64) private pure returns (bool) {
        for (uint256 i; i < 8; i += 2) {
            uint64 end = (i == 6 && lastOngoing) ? type(uint64).max : edges[i + 1];
            if (s >= edges[i] && s < end) return true;
        }
        return false;
    }
}
