// The Atomic Auctions module through the chain (in process): credit limits from the LIBRA
// price and collateral ratio, sealed bids (commit/reveal), uniform-price clearing with
// ties and a partial fill, lock-backed bids, and rejections that change nothing.
import { afterEach, describe, expect, it } from "vitest";
import { keccak256, toHex, type Hex } from "viem";
import {
  auctionResultDigest,
  leafKey,
  lockupDigest,
  verifyStateProof,
  KIND_AUCTION_RESULT,
  KIND_LOCKUP,
  PRICE_SCALE,
  type AuctionResultPayload,
} from "../../../home/model/index.ts";
import { DevnetChain } from "../../../home/devnet/chain.ts";
import { resolveConfig, type DevnetConfig } from "../../../home/devnet/config.ts";
import { bidCommitment, creditLimitFor } from "../../../home/devnet/auctions-module.ts";
import { HomeError } from "../../../home/api/index.ts";
import { HTTP_STATUS } from "../../../home/devnet/server.ts";

const SELL = "0x00000000000000000000000000000000000a11ce" as Hex;
const BUY = "0x00000000000000000000000000000000000000b0" as Hex;
const AUCTIONEER = "0x1111111111111111111111111111111111111111" as Hex;
const bidderAddr = (i: number) => `0x${(0x2000 + i).toString(16).padStart(40, "0")}` as Hex;
const OWNER = keccak256(toHex("home-owner"));

const open: DevnetChain[] = [];
function chain(over: Partial<DevnetConfig> = {}): DevnetChain {
  const c = DevnetChain.open(
    resolveConfig({ dataDir: null, blockMs: 0, port: 0, settlementAddress: "0x5e77000000000000000000000000000000000001", ...over }),
  );
  open.push(c);
  return c;
}
afterEach(() => {
  while (open.length) open.pop()!.close();
});

async function rejects(p: Promise<unknown>, status: number, msg: RegExp): Promise<void> {
  const e = await p.then(
    () => null,
    (x) => x,
  );
  expect(e, "expected a rejection").toBeInstanceOf(HomeError);
  expect(HTTP_STATUS[(e as HomeError).code]).toBe(status);
  expect((e as HomeError).message).toMatch(msg);
}

const nowSec = (c: DevnetChain) => Math.floor(c.nowMs() / 1000);

async function createAuction(c: DevnetChain, extra: Record<string, unknown> = {}) {
  const t = nowSec(c);
  const r = await c.submit("create-auction", {
    auctioneer: AUCTIONEER,
    sellAsset: SELL,
    sellAmount: "100",
    buyAsset: BUY,
    mode: 1,
    reservePrice: (PRICE_SCALE / 2n).toString(),
    commitDeadline: t + 10,
    revealDeadline: t + 20,
    settleDeadline: t + 3600,
    ...extra,
  });
  return r.result.auctionId as bigint;
}

interface Bid { bidder: Hex; amount: bigint; limitPrice: bigint; lockId?: bigint; maxRateBps?: number; salt: Hex }
function bid(i: number, amount: bigint, priceTimes100: bigint, lockId = 0n, maxRateBps = 0): Bid {
  return { bidder: bidderAddr(i), amount, limitPrice: (priceTimes100 * PRICE_SCALE) / 100n, lockId, maxRateBps, salt: keccak256(toHex(`salt${i}`)) };
}
const revealBody = (auctionId: bigint, b: Bid) => ({
  auctionId: auctionId.toString(),
  bidder: b.bidder,
  amount: b.amount.toString(),
  limitPrice: b.limitPrice.toString(),
  lockId: (b.lockId ?? 0n).toString(),
  maxRateBps: b.maxRateBps ?? 0,
  salt: b.salt,
});
const commitOf = (auctionId: bigint, b: Bid) => bidCommitment({ auctionId, lockId: 0n, maxRateBps: 0, ...b });

describe("collateral lockups", () => {
  it("computes the credit limit from the LIBRA price and the collateral ratio", async () => {
    expect(creditLimitFor(1300n, PRICE_SCALE, 130)).toBe(1000n);
    expect(creditLimitFor(1000n, PRICE_SCALE / 4n, 130)).toBe(192n); // 250 * 100 / 130 = 192.3
    const c = chain({ libraPrice: "2.5", collateralRatioPercent: 150 });
    const r = await c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, collateral: "999", expiry: nowSec(c) + 7200 });
    // 999 LIBRA * 2.5 = 2497 (floor), * 100 / 150 = 1664
    expect(r.result).toEqual({ lockId: 1n, creditLimit: 1664n, accountId: 1n, ratioBps: 15_000 });
    expect(r.height).toBe(1n);
    const l = c.lockup(1n)!;
    expect(l.payload.status).toBe(1);
    expect(l.payload.owner).toBe(OWNER);
    // The leaf enters the state tree with the next block.
    expect(c.stateProof(KIND_LOCKUP, 1n).proof.included).toBe(false);
    const b = c.produceBlock();
    const p = c.stateProof(KIND_LOCKUP, 1n);
    expect(p.proof.included).toBe(true);
    expect(p.proof.leaf!.payloadDigest).toBe(lockupDigest(l.payload));
    expect(verifyStateProof(b.header.stateRoot, p.proof)).toBe(true);
  });

  it("rejects bad lock requests and releases only expired, unused locks", async () => {
    const c = chain();
    const t = nowSec(c);
    await rejects(c.submit("lock", { owner: OWNER, borrower: "0x12", creditAsset: BUY, collateral: "10", expiry: t + 99 }), 400, /borrower/);
    await rejects(c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, collateral: "10", expiry: t - 1 }), 400, /expiry/);
    await rejects(c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, collateral: "1", expiry: t + 99 }), 422, /no credit/);
    await rejects(c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, colateral: "10", expiry: t + 99 }), 400, /unknown field 'colateral'/);
    expect(c.lockups()).toHaveLength(0);
    await c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, collateral: "10", expiry: t + 99 });
    expect(c.lockups()[0]!.payload.lockId).toBe(1n); // rejected requests consumed no id
    await rejects(c.submit("release-lock", { lockId: 1 }), 409, /expires at/);
    c.advanceTime(100);
    const r = await c.submit("release-lock", { lockId: 1 });
    expect(r.result.status).toBe(2);
    await rejects(c.submit("release-lock", { lockId: 1 }), 409, /not locked/);
    await rejects(c.submit("release-lock", { lockId: 7 }), 404, /no such lockup/);
  });
});

describe("sealed-bid auctions", () => {
  it("enforces the commit and reveal phases, matching reveals, and escrow before a mode 1 auction clears", async () => {
    const c = chain();
    const id = await createAuction(c);
    // Lock backing bidder 4's bid: credit in the buy asset.
    await c.submit("lock", { owner: OWNER, borrower: bidderAddr(4), creditAsset: BUY, collateral: "1300", expiry: nowSec(c) + 7200 });
    const bids = [
      bid(1, 40n, 150n), // tie at 1.50, committed first
      bid(2, 30n, 300n), // highest
      bid(3, 40n, 150n), // tie at 1.50, committed later: partially filled
      bid(4, 10n, 200n, 1n, 500), // borrows via lock 1
      bid(5, 50n, 40n), // below reserve 0.5
    ];
    for (const b of bids) await c.submit("commit-bid", { auctionId: id.toString(), commitment: commitOf(id, b) });
    await rejects(c.submit("reveal-bid", revealBody(id, bids[0]!)), 409, /reveal phase/);
    await rejects(c.submit("commit-bid", { auctionId: id.toString(), commitment: commitOf(id, bids[0]!) }), 409, /already submitted/);
    c.advanceTime(10);
    await rejects(c.submit("commit-bid", { auctionId: id.toString(), commitment: keccak256(toHex("late")) }), 409, /not taking bids/);
    // A reveal that does not match its commitment (amount changed) is refused.
    await rejects(c.submit("reveal-bid", revealBody(id, { ...bids[0]!, amount: 41n })), 422, /no commitment/);
    for (const b of [...bids].reverse()) await c.submit("reveal-bid", revealBody(id, b)); // reveal order does not matter
    await rejects(c.submit("reveal-bid", revealBody(id, bids[1]!)), 409, /already revealed/);
    await rejects(c.submit("clear-auction", { auctionId: id.toString() }), 409, /reveal deadline/);
    c.advanceTime(10);
    await rejects(c.submit("clear-auction", { auctionId: id.toString() }), 409, /escrow deposit is not acknowledged/);
    // Acknowledging the escrow needs the Away chain: away.test.ts clears a mode 1 auction end to end.
    expect(c.auction(id)!.status).toBe("open");
    expect(c.auction(id)!.bids).toHaveLength(5);
  });

  it("writes the auction-result leaf (mode 2) with the uniform price and fills in fill order", async () => {
    const c = chain({ maxFills: 3 });
    const t = nowSec(c);
    // The auctioneer's lockup: credit in the sell asset covering the LP loan of up to sellAmount plus
    // its interest at up to auctioneerMaxRateBps (132 LIBRA -> credit 101 = 100 + ceil(100 * 30 / 10000)).
    await c.submit("lock", { owner: OWNER, borrower: AUCTIONEER, creditAsset: SELL, collateral: "132", expiry: t + 7200 });
    const LP = { lp: bidderAddr(9) };
    await rejects(createAuction(c, { mode: 2, ...LP }), 400, /auctioneerLockId/);
    await rejects(createAuction(c, { mode: 2, auctioneerLockId: "1", auctioneerMaxRateBps: 30 }), 400, /need lp/);
    await rejects(createAuction(c, { mode: 1, ...LP }), 400, /no auctioneerLockId \/ auctioneerMaxRateBps \/ lp/);
    await rejects(createAuction(c, { mode: 2, auctioneerLockId: "1", sellAmount: "101", auctioneerMaxRateBps: 30, ...LP }), 422, /insufficient credit/);
    await rejects(createAuction(c, { mode: 2, auctioneerLockId: "1", auctioneerMaxRateBps: 101, ...LP }), 422, /the loan needs 102/);
    const id = await createAuction(c, { mode: 2, auctioneerLockId: "1", auctioneerMaxRateBps: 30, ...LP });
    expect(c.lockup(1n)!.heldBy).toBe(id);
    await rejects(createAuction(c, { mode: 2, auctioneerLockId: "1", auctioneerMaxRateBps: 30, ...LP }), 409, /already backs auction/);
    const bids = [bid(1, 40n, 150n), bid(2, 30n, 300n), bid(3, 40n, 150n), bid(6, 5n, 100n)];
    for (const b of bids) await c.submit("commit-bid", { auctionId: id, commitment: commitOf(id, b) });
    c.advanceTime(10);
    await rejects(c.submit("reveal-bid", revealBody(id, { ...bids[0]!, lockId: 1n })), 422, /no commitment|mode 2/);
    for (const b of bids) await c.submit("reveal-bid", revealBody(id, b));
    c.advanceTime(10);
    const r = await c.submit("clear-auction", { auctionId: id });
    expect(r.result).toMatchObject({ clearingPrice: (150n * PRICE_SCALE) / 100n, sold: 100n, unsold: 0n, fills: 3 });
    const result = c.auction(id)!.result as AuctionResultPayload;
    expect(result.fills.map((f) => [f.winner, f.sellAmount, f.payAmount])).toEqual([
      [bidderAddr(2), 30n, 45n],
      [bidderAddr(1), 40n, 60n],
      [bidderAddr(3), 30n, 45n],
    ]);
    expect(result.auctioneerLockId).toBe(1n);
    expect(result.auctioneerMaxRateBps).toBe(30);
    expect(result.lp).toBe(bidderAddr(9));
    expect(result.clearedAt).toBe(BigInt(nowSec(c)));
    const b = c.produceBlock();
    const p = c.stateProof(KIND_AUCTION_RESULT, id);
    expect(p.proof.included).toBe(true);
    expect(p.proof.leaf!.payloadDigest).toBe(auctionResultDigest(result));
    expect(p.proof.leaf!.leafKey).toBe(leafKey(KIND_AUCTION_RESULT, id));
    expect(verifyStateProof(b.header.stateRoot, p.proof)).toBe(true);
    await rejects(c.submit("clear-auction", { auctionId: id }), 409, /already cleared/);
  });

  it("checks lock-backed bids: borrower, asset, credit, and nothing half-applied on rejection", async () => {
    const c = chain();
    const t = nowSec(c);
    await c.submit("lock", { owner: OWNER, borrower: bidderAddr(1), creditAsset: BUY, collateral: "130", expiry: t + 7200 }); // limit 100
    await c.submit("lock", { owner: OWNER, borrower: bidderAddr(2), creditAsset: SELL, collateral: "1300", expiry: t + 7200 }); // wrong asset
    const id = await createAuction(c);
    const tooBig = bid(1, 100n, 101n, 1n, 0); // may pay 101 > 100
    const noInterest = bid(1, 100n, 100n, 1n, 1); // may pay 100, plus up to 1 of interest
    const ok = bid(1, 100n, 100n, 1n, 0);
    const wrongAsset = bid(2, 10n, 100n, 2n);
    const notMine = bid(3, 10n, 100n, 1n);
    for (const b of [tooBig, noInterest, ok, wrongAsset, notMine]) await c.submit("commit-bid", { auctionId: id, commitment: commitOf(id, b) });
    c.advanceTime(10);
    const before = structuredClone(c.auction(id));
    await rejects(c.submit("reveal-bid", revealBody(id, tooBig)), 422, /insufficient credit/);
    await rejects(c.submit("reveal-bid", revealBody(id, noInterest)), 422, /the loan needs 101 \(principal up to 100 plus interest at up to 1 bps\)/);
    await rejects(c.submit("reveal-bid", revealBody(id, wrongAsset)), 422, /gives credit in/);
    await rejects(c.submit("reveal-bid", revealBody(id, notMine)), 422, /belongs to borrower/);
    // Nothing was half-applied: the commits are still unrevealed and the lock is free.
    expect(c.auction(id)).toEqual(before);
    expect(c.lockup(1n)!.heldBy).toBeNull();
    await c.submit("reveal-bid", revealBody(id, ok));
    expect(c.lockup(1n)!.heldBy).toBe(id);
  });
});
