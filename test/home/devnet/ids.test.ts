// The module's id allocation (DESIGN section 11 rule 7) against real depth-32 state-tree position
// collisions found offline with the model, through applyAction on a module state: a colliding id
// is skipped, so Home never gets stuck retrying it.
import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_CONFIG } from "../../../home/risk/index.ts";
import { applyAction, emptyModuleState, type ModuleParams } from "../../../home/devnet/auctions-module.ts";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, KIND_RECEIPT, STATE_DEPTH, leafKey, positionOf } from "../../../home/model/index.ts";

describe("Home id allocation (rule 7) on real depth-32 collisions", () => {
  const params: ModuleParams = {
    aways: [{ chainId: 31337n, settlementAddress: "0x5e77000000000000000000000000000000000001", escrowAddress: "0xe5c0000000000000000000000000000000000002" }],
    maxFills: 8,
    maxLockFills: 2,
    risk: DEFAULT_RISK_CONFIG,
  };
  const ctx = { nowMs: 1_800_000_000_000, priceScaled: 10n ** 18n, collateralRatioPercent: 130 };
  const lock = { owner: `0x${"11".repeat(32)}`, borrower: "0x2222222222222222222222222222222222222222", creditAsset: "0x3333333333333333333333333333333333333333", collateral: "1300", expiry: 1_800_100_000 };
  const auction = {
    auctioneer: "0x4444444444444444444444444444444444444444", sellAsset: "0x5555555555555555555555555555555555555555", sellAmount: "100",
    buyAsset: "0x6666666666666666666666666666666666666666", mode: 1, commitDeadline: 1_800_000_010, revealDeadline: 1_800_000_020, settleDeadline: 1_800_003_600,
  };

  it("skips a lock id whose lockup leaf would land on an auction's reserved result position", () => {
    expect(positionOf(leafKey(KIND_AUCTION_RESULT, 26334n), STATE_DEPTH)).toBe(positionOf(leafKey(KIND_LOCKUP, 42846n), STATE_DEPTH));
    const state = { ...emptyModuleState(DEFAULT_RISK_CONFIG, 10n ** 18n), nextAuctionId: 26334n, nextLockId: 42846n };
    expect(applyAction(state, params, "create-auction", auction, ctx).result.auctionId).toBe(26334n);
    const out = applyAction(state, params, "lock", lock, ctx);
    expect(out.result.lockId).toBe(42847n);
    expect(state.nextLockId).toBe(42848n);
  });

  it("skips an auction id whose future receipt position a lock already holds", () => {
    expect(positionOf(leafKey(KIND_LOCKUP, 41895n), STATE_DEPTH)).toBe(positionOf(leafKey(KIND_RECEIPT, 49419n), STATE_DEPTH));
    const state = { ...emptyModuleState(DEFAULT_RISK_CONFIG, 10n ** 18n), nextAuctionId: 49419n, nextLockId: 41895n };
    expect(applyAction(state, params, "lock", lock, ctx).result.lockId).toBe(41895n);
    expect(applyAction(state, params, "create-auction", auction, ctx).result.auctionId).toBe(49420n);
    // the risk-state leaf; the lock's lockup and account-lockup leaves and its account's leaf; three leaves of the auction
    expect(state.positions.size).toBe(7);
  });
});
