// Issue 8, the attacks of DESIGN section 11 on the real stack (Home module rules with verified
// eth_getProof reads, contracts on EDR, real proofs). Each attack succeeded against the rules before
// the fix (commit 547812d has this file asserting that); each test now asserts the refusal (custom
// error or Home 4xx with its code and message) and that nobody honest lost a balance or a lockup.
// contracts/SECURITY.md maps the rules to these tests.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decodeEventLog, getAddress, maxUint256, numberToHex, type Address } from "viem";
import {
  auctionResultDigest,
  awayBinding,
  decodeReceiptWord,
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  leafKey,
  positionOf,
  SparseMerkleTree,
  STATE_DEPTH,
  type AuctionResultPayload,
  type LockupPayload,
} from "../../home/model/index.ts";
import { proveSettlement as proveSettlementCircuit } from "../../prover/prover.ts";
import { connectChain, deployStack, expectRevert, send } from "../contracts/fixtures.ts";
import { header, T0 } from "../contracts/home-scenario.ts";
import { proveHeader } from "../contracts/prove.ts";
import { E18, E6, LIBRA, show, LOCK_LOCKED, LOCK_RELEASED, PRICE_SCALE, SafetyStack } from "./stack.ts";

const HOUR = 3600;
const DAY = 24 * HOUR;
/** 1,000 USDC per ETH: USDC base units per wei, times 1e18. */
const USDC_PER_ETH_1000 = 1000n * E6;
/** 0.001 ETH per USDC: wei per USDC base unit, times 1e18. */
const ETH_PER_USDC_0_001 = (E18 * PRICE_SCALE) / (1000n * E6);
/** The LPs' own limit for WETH repayment of USDC loans: 0.0004 ETH per USDC. */
const LP_MIN_WETH_PRICE = (4n * E18 * PRICE_SCALE) / (10_000n * E6);

let s: SafetyStack;

async function fundLp(lp: Address, asset: Address, amount: bigint, rateBps: number, repay: { asset: Address; minPrice: bigint }[] = []): Promise<void> {
  await s.mint(asset, lp, amount);
  await s.approve(lp, asset, s.c.registry);
  await s.send(lp, s.c.registry, s.abi.registry, "deposit", [asset, amount]);
  await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [asset, rateBps, repay]);
}

interface AuctionSpec {
  auctioneer: Address;
  sellAsset: Address;
  sellAmount: bigint;
  buyAsset: Address;
  mode: 1 | 2;
  settleIn: number;
  auctioneerLockId?: bigint;
  auctioneerMaxRateBps?: number;
  lp?: Address;
}

function auctionBody(a: AuctionSpec): Record<string, unknown> {
  const t = s.homeNow();
  return {
    auctioneer: a.auctioneer, sellAsset: a.sellAsset, sellAmount: a.sellAmount.toString(), buyAsset: a.buyAsset, mode: a.mode, reservePrice: "0",
    commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + a.settleIn,
    ...(a.mode === 2 ? { auctioneerLockId: a.auctioneerLockId!.toString(), auctioneerMaxRateBps: a.auctioneerMaxRateBps ?? 20, lp: a.lp } : {}),
  };
}

async function createAuction(a: AuctionSpec): Promise<bigint> {
  return (await s.act("create-auction", auctionBody(a))).auctionId as bigint;
}

const TIMING = { commitIn: 10, revealIn: 21 };

/** Mode 1 sell side: the auctioneer escrows `amount` WETH (refundable a day after the deadline) and Home acknowledges it. */
async function escrowAndAck(auctionId: bigint, amount: bigint): Promise<void> {
  const refundNotBefore = s.home.auction(auctionId)!.settleDeadline + BigInt(DAY);
  await s.mint(s.c.weth, s.account.auctioneer, amount);
  await s.approve(s.account.auctioneer, s.c.weth, s.c.escrow);
  await s.send(s.account.auctioneer, s.c.escrow, s.abi.escrow, "deposit", [auctionId, s.c.weth, amount, refundNotBefore]);
  await s.act("ack-escrow", { auctionId: auctionId.toString(), refundNotBefore: refundNotBefore.toString() });
}

/** Past the (extended) deadline: anyone records the default, Home reads it and releases or slashes per lockup. */
async function defaultAndConsume(auctionId: bigint, waitSeconds: number): Promise<Record<string, any>> {
  await s.advance(waitSeconds);
  const d = await s.recordDefault(auctionId);
  expect(show(d)).toBe("ok");
  return s.consumeReceipt(auctionId);
}

async function receipt(auctionId: bigint) {
  return decodeReceiptWord(await s.receiptWord(auctionId));
}

/** Token balances and LP capital of the honest parties, to compare before and after an attack. */
async function ledger(entries: [string, () => Promise<bigint>][]): Promise<Record<string, bigint>> {
  const out: Record<string, bigint> = {};
  for (const [k, f] of entries) out[k] = await f();
  return out;
}

function delta(a: Record<string, bigint>, b: Record<string, bigint>): Record<string, bigint> {
  return Object.fromEntries(Object.keys(a).map((k) => [k, b[k]! - a[k]!]));
}

/** The Away revert reason of each FillFailed event in a settle transaction. */
function failedFills(o: Awaited<ReturnType<SafetyStack["settle"]>>): { fillIndex: bigint; error: string }[] {
  if (!o.ok) return [];
  return o.receipt.logs.flatMap((log) => {
    try {
      const ev = decodeEventLog({ abi: s.abi.settlement, data: log.data, topics: log.topics }) as { eventName: string; args: any };
      return ev.eventName === "FillFailed" ? [{ fillIndex: ev.args.fillIndex as bigint, error: s.decode({ data: ev.args.reason }).error }] : [];
    } catch {
      return [];
    }
  });
}

describe("issue 8 attacks (each refused, nobody honest loses anything)", () => {
  beforeEach(async () => {
    s = await SafetyStack.start();
  }, 120_000);
  afterEach(async () => {
    await s?.close();
  });

  it("case 1 (rule 1): a self-bid of the auctioneer's mode-2 auction is refused by the LP's own minimum price", async () => {
    const lp = s.account.lp;
    await fundLp(lp, s.c.usdc, 100_000n * E6, 15, [{ asset: s.c.weth, minPrice: LP_MIN_WETH_PRICE }]);
    const atk = s.account.attacker;
    const lock = await s.lock(atk, s.c.usdc, LIBRA(200_000n), s.homeNow() + 2 * DAY);
    const id = await createAuction({ auctioneer: atk, sellAsset: s.c.usdc, sellAmount: 100_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: lock.lockId, lp });
    for (const who of [atk, s.account.attacker2]) {
      await s.mint(s.c.weth, who, 10n);
      await s.approve(who, s.c.weth, s.c.settlement);
    }
    await s.runBids(id, [{ bidder: s.account.attacker2, amount: 100_000n * E6, limitPrice: 10n ** 7n }], TIMING);
    const before = await ledger([["lp USDC", () => s.capital(lp, s.c.usdc)], ["lp WETH", () => s.capital(lp, s.c.weth)], ["registry USDC", () => s.balance(s.c.usdc, s.c.registry)]]);
    const r = await s.settle(id);
    expect(show(r)).toBe(`PriceBelowLpLimit(${lp}, 10000000, ${LP_MIN_WETH_PRICE})`);
    expect(delta(before, await ledger([["lp USDC", () => s.capital(lp, s.c.usdc)], ["lp WETH", () => s.capital(lp, s.c.weth)], ["registry USDC", () => s.balance(s.c.usdc, s.c.registry)]]))).toEqual({
      "lp USDC": 0n, "lp WETH": 0n, "registry USDC": 0n,
    });
    expect(await s.balance(s.c.usdc, s.account.attacker2)).toBe(0n);
    // The LP-side refusal blames nobody: the default releases the (attacker's) collateral, nothing was lent.
    const rc = await defaultAndConsume(id, HOUR);
    expect(rc).toMatchObject({ outcome: 2, auctioneerBlamed: false, released: [lock.lockId], slashed: [] });
  });

  it("case 2 (rule 4): an escrow refundable before the deadline is not acknowledged, and a valid one cannot be withdrawn early", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const au = s.account.auctioneer;
    // A deposit refundable at the settle deadline itself: Home refuses to acknowledge it, so the auction cannot clear.
    const bad = await createAuction({ auctioneer: au, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: 4 * DAY });
    const deadline = s.home.auction(bad)!.settleDeadline;
    await s.mint(s.c.weth, au, 2n * E18);
    await s.approve(au, s.c.weth, s.c.escrow);
    await s.send(au, s.c.escrow, s.abi.escrow, "deposit", [bad, s.c.weth, E18, deadline]);
    const refusal = await s.refused("ack-escrow", { auctionId: bad.toString(), refundNotBefore: deadline.toString() });
    expect(refusal).toEqual({ status: 422, code: "refund-too-early", message: expect.stringMatching(/refundNotBefore > settleDeadline/) });
    await s.advance(21);
    expect((await s.refused("clear-auction", { auctionId: bad.toString() })).message).toMatch(/not acknowledged/);

    // A valid deposit: the auctioneer's refund three days in (the deadline is at four) is refused.
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 10 * DAY);
    const id = await createAuction({ auctioneer: au, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: 4 * DAY });
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    await s.advance(3 * DAY);
    const early = await s.call(au, s.c.escrow, s.abi.escrow, "refund", [id, au, s.c.weth, E18]);
    expect(show(early)).toMatch(/^RefundNotAvailable\(/);
    expect(show(await s.settle(id))).toBe("ok");
    expect(await s.balance(s.c.weth, mm)).toBe(E18);
    const rc = await s.consumeReceipt(id);
    expect(rc).toMatchObject({ outcome: 1, released: [lock.lockId], slashed: [] });
    expect(await s.capital(s.account.lp, s.c.usdc)).toBe(10_000n * E6 + 1_000_000n);
  });

  it("case 3 (rule 2): one non-paying winner fails only its own fill (mode 1), and does not get the mode-2 auctioneer slashed", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10, [{ asset: s.c.weth, minPrice: LP_MIN_WETH_PRICE }]);
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * DAY);
    const au = s.account.auctioneer;
    const id = await createAuction({ auctioneer: au, sellAsset: s.c.weth, sellAmount: 2n * E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, 2n * E18);
    // w2 bids from own funds and never approves the settlement.
    await s.runBids(id, [
      { bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 },
      { bidder: s.account.w2, amount: E18, limitPrice: USDC_PER_ETH_1000 },
    ], TIMING);
    const r = await s.settle(id);
    expect(show(r)).toBe("ok");
    expect(failedFills(r)).toEqual([{ fillIndex: 1n, error: "PaymentFailed" }]);
    expect(await receipt(id)).toMatchObject({ outcome: 0, settledMask: 1n });
    expect(await s.balance(s.c.weth, mm)).toBe(E18);
    expect(await s.balance(s.c.usdc, au)).toBe(1_000n * E6);
    const rc = await defaultAndConsume(id, HOUR);
    expect(rc).toMatchObject({ outcome: 2, settledMask: 1n, released: [lock.lockId], slashed: [] });
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_RELEASED);
    expect(await s.balance(s.c.weth, au)).toBe(E18); // the failed fill's share of the escrow came back
    expect(await s.balance(s.c.weth, s.c.escrow)).toBe(0n);

    // Mode 2: w1 pays, w3 never does; the LP is repaid for w1's fill, the auctioneer is not blamed.
    const lp = s.account.lp;
    const alock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * DAY);
    const id2 = await createAuction({ auctioneer: au, sellAsset: s.c.usdc, sellAmount: 2_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: alock.lockId, lp });
    await s.mint(s.c.weth, s.account.w1, E18);
    await s.approve(s.account.w1, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, E18);
    await s.approve(au, s.c.weth, s.c.settlement);
    await s.runBids(id2, [
      { bidder: s.account.w1, amount: 1_000n * E6, limitPrice: ETH_PER_USDC_0_001 },
      { bidder: s.account.w3, amount: 1_000n * E6, limitPrice: ETH_PER_USDC_0_001 },
    ], TIMING);
    const usdc0 = await s.capital(lp, s.c.usdc);
    const r2 = await s.settle(id2);
    expect(failedFills(r2)).toEqual([{ fillIndex: 1n, error: "PaymentFailed" }]);
    // LP lent 1,000 USDC to w1 and holds 1.001 WETH for it (1,000 plus 0.10% at 0.001 ETH/USDC).
    expect(usdc0 - (await s.capital(lp, s.c.usdc))).toBe(1_000n * E6);
    expect(await s.capital(lp, s.c.weth)).toBe((1_001n * E18) / 1000n);
    const rc2 = await defaultAndConsume(id2, HOUR);
    expect(rc2).toMatchObject({ outcome: 2, settledMask: 1n, auctioneerBlamed: false, released: [alock.lockId], slashed: [] });
  });

  it("case 4: a mode-2 auction with no fills closes at once and consumes nothing; the next auction on the lock settles", async () => {
    const lp = s.account.lp;
    await fundLp(lp, s.c.usdc, 10_000n * E6, 10, [{ asset: s.c.weth, minPrice: LP_MIN_WETH_PRICE }]);
    const au = s.account.auctioneer;
    const lock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * DAY);
    const spec = { auctioneer: au, sellAsset: s.c.usdc, sellAmount: 1_000n * E6, buyAsset: s.c.weth, mode: 2, settleIn: HOUR, auctioneerLockId: lock.lockId, lp } as const;
    const empty = await createAuction(spec);
    await s.runBids(empty, [], TIMING);
    expect(show(await s.settle(empty))).toBe("ok");
    expect(await receipt(empty)).toMatchObject({ outcome: 1, settledMask: 0n });
    expect(await s.read(s.c.settlement, s.abi.settlement, "lockConsumed", [lock.lockId])).toBe(false);
    await s.consumeReceipt(empty);
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_LOCKED);

    const id = await createAuction(spec);
    await s.mint(s.c.weth, s.account.w1, E18);
    await s.approve(s.account.w1, s.c.weth, s.c.settlement);
    await s.mint(s.c.weth, au, E18);
    await s.approve(au, s.c.weth, s.c.settlement);
    await s.runBids(id, [{ bidder: s.account.w1, amount: 1_000n * E6, limitPrice: ETH_PER_USDC_0_001 }], TIMING);
    expect(show(await s.settle(id))).toBe("ok");
    expect(await s.consumeReceipt(id)).toMatchObject({ outcome: 1, released: [lock.lockId], slashed: [] });
  });

  it("case 5 (rule 3): Home refuses a lock whose credit covers the bid's payment but not the interest", async () => {
    const mm = await s.marketMaker(2_000n * E6);
    // 2,587 LIBRA at price 1 and 130%: credit exactly 1,990 USDC.
    const lock = await s.lock(mm, s.c.usdc, 2_587n * E6, s.homeNow() + 2 * DAY);
    expect(lock.creditLimit).toBe(1_990n * E6);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, E18);
    const bid = { bidder: mm, amount: E18, limitPrice: 1_990n * E6, lockId: lock.lockId, maxRateBps: 15 };
    const salt = SafetyStack.label("case 5");
    const { bidCommitment } = await import("../../home/devnet/auctions-module.ts");
    await s.act("commit-bid", { auctionId: id.toString(), commitment: bidCommitment({ ...bid, auctionId: id, salt }) });
    await s.advance(10);
    const r = await s.refused("reveal-bid", {
      auctionId: id.toString(), bidder: mm, amount: E18.toString(), limitPrice: bid.limitPrice.toString(), lockId: lock.lockId.toString(), maxRateBps: 15, salt,
    });
    expect(r).toEqual({ status: 422, code: "credit-too-low", message: expect.stringMatching(/the loan needs 1992985000 \(principal up to 1990000000 plus interest at up to 15 bps\)/) });
    expect(s.home.lockup(lock.lockId)!.heldBy).toBeNull();
    expect(s.lockStatus(lock.lockId)).toBe(LOCK_LOCKED);
  });

  it("case 6 (rule 6): a guardian pause across the deadline extends it; no default while paused or before the extended deadline", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    const lock = await s.lock(mm, s.c.usdc, LIBRA(2_000n), s.homeNow() + 2 * DAY);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    await escrowAndAck(id, E18);
    await s.runBids(id, [{ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId: lock.lockId, maxRateBps: 15 }], TIMING);
    await s.proveState();
    const args = await s.settlementArgs(id);
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "pause", []);
    await s.advance(HOUR);
    // While paused the ongoing pause keeps extending the deadline (and the client refuses reads).
    expect(show(await s.call(s.account.relayer, s.c.settlement, s.abi.settlement, "recordDefault", args))).toMatch(/^DeadlineNotReached\(/);
    expect(show(await s.call(s.account.relayer, s.c.settlement, s.abi.settlement, "settle", args))).toBe("ClientPaused()");
    await s.send(s.account.guardian, s.c.lightClient, s.abi.lightClient, "unpause", []);
    const d = await s.call(s.account.relayer, s.c.settlement, s.abi.settlement, "recordDefault", args);
    expect(show(d)).toMatch(/^DeadlineNotReached\(/);
    expect(show(await s.call(s.account.relayer, s.c.settlement, s.abi.settlement, "settle", args))).toBe("ok");
    expect(await s.consumeReceipt(id)).toMatchObject({ outcome: 1, released: [lock.lockId], slashed: [] });
  });

  it("case 7 (rule 4): a squatter's deposit under the auction's id occupies only its own key", async () => {
    const next = (s.home as any).state.nextAuctionId as bigint;
    const junk = await s.deploy(s.account.attacker, "test/TestToken.sol", "TestToken", ["Junk", "JNK", 18]);
    await s.mint(junk, s.account.attacker, 1n);
    await s.approve(s.account.attacker, junk, s.c.escrow);
    const squatRefund = BigInt((await s.awayNow()) + 10n);
    await s.send(s.account.attacker, s.c.escrow, s.abi.escrow, "deposit", [next, junk, 1n, squatRefund]);
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    expect(id).toBe(next);
    await escrowAndAck(id, E18); // the auctioneer's own key: accepted and acknowledged
    expect((await s.refused("ack-escrow", { auctionId: id.toString(), refundNotBefore: "9999999999" })).message).toMatch(/already acknowledged/);
    // The squatter can only take back its own deposit.
    await s.advance(20);
    expect(show(await s.call(s.account.attacker, s.c.escrow, s.abi.escrow, "refund", [id, s.account.auctioneer, s.c.weth, E18]))).toMatch(/^RefundNotAvailable\(/);
    expect(show(await s.call(s.account.attacker, s.c.escrow, s.abi.escrow, "refund", [id, s.account.attacker, junk, 1n]))).toBe("ok");
    expect(await s.balance(s.c.weth, s.c.escrow)).toBe(E18);
  });

  it("case 8 (rule 5): capital-less and dust listings cannot lock LPs out; the list stays bounded", async () => {
    const impersonate = async (i: number) => {
      const addr = getAddress(numberToHex(0x5000n + BigInt(i), { size: 20 })) as Address;
      await s.rpc.request("hardhat_impersonateAccount", [addr]);
      await s.rpc.request("hardhat_setBalance", [addr, "0xde0b6b3a7640000"]);
      return addr;
    };
    const lenders = () => s.read<Address[]>(s.c.registry, s.abi.registry, "lendersOf", [s.c.usdc]);
    for (let i = 0; i < 64; i++) await s.send(await impersonate(i), s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 1, []]);
    expect(await lenders()).toEqual([]); // no capital: not listed
    await fundLp(s.account.lp, s.c.usdc, 1_000_000n * E6, 10);
    expect(await lenders()).toEqual([s.account.lp]);
    // 63 dust listings at the minimum fill the list; a funded newcomer takes the smallest one's place.
    const min = await s.read<bigint>(s.c.registry, s.abi.registry, "minCapital");
    for (let i = 0; i < 63; i++) await fundLp(await impersonate(100 + i), s.c.usdc, min, 1);
    expect((await lenders()).length).toBe(64);
    const dust = await impersonate(200);
    await s.mint(s.c.usdc, dust, min);
    await s.approve(dust, s.c.usdc, s.c.registry);
    await s.send(dust, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, min]);
    expect(show(await s.call(dust, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 1, []]))).toBe(`ListFull(${s.c.usdc}, ${min})`);
    await fundLp(s.account.lp2, s.c.usdc, 50_000n * E6, 12);
    const listed = await lenders();
    expect(listed.length).toBe(64);
    expect(listed).toContain(s.account.lp2);
    expect(await s.read(s.c.registry, s.abi.registry, "bestOffer", [s.c.usdc, 1_000n * E6])).toEqual([s.account.lp, 10]);
  });

  it("case 9 (rule 3): Home refuses a lock expiring at the settle deadline; one expiring a second later settles in that last second", async () => {
    await fundLp(s.account.lp, s.c.usdc, 10_000n * E6, 10);
    const mm = await s.marketMaker(2_000n * E6);
    const spec = { auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR } as const;
    const id = await createAuction(spec);
    const deadline = s.home.auction(id)!.settleDeadline;
    const atDeadline = await s.lock(mm, s.c.usdc, LIBRA(2_000n), Number(deadline));
    const after = await s.lock(mm, s.c.usdc, LIBRA(2_000n), Number(deadline) + 1);
    await escrowAndAck(id, E18);
    const { bidCommitment } = await import("../../home/devnet/auctions-module.ts");
    const bids = [atDeadline.lockId, after.lockId].map((lockId, i) => ({ bidder: mm, amount: E18, limitPrice: USDC_PER_ETH_1000, lockId, maxRateBps: 15, salt: SafetyStack.label(`case 9 ${i}`) }));
    for (const b of bids) await s.act("commit-bid", { auctionId: id.toString(), commitment: bidCommitment({ ...b, auctionId: id }) });
    await s.advance(10);
    const reveal = (b: (typeof bids)[number]) => ({
      auctionId: id.toString(), bidder: b.bidder, amount: b.amount.toString(), limitPrice: b.limitPrice.toString(), lockId: b.lockId.toString(), maxRateBps: 15, salt: b.salt,
    });
    const r = await s.refused("reveal-bid", reveal(bids[0]!));
    expect(r).toEqual({ status: 422, code: "lock-expires-too-early", message: expect.stringMatching(/must expire after the settle deadline/) });
    await s.act("reveal-bid", reveal(bids[1]!));
    await s.advance(11);
    await s.act("clear-auction", { auctionId: id.toString() });
    expect(show(await s.settle(id, deadline))).toBe("ok");
    expect((await s.pub.getBlock()).timestamp).toBe(deadline);
    expect(await s.consumeReceipt(id)).toMatchObject({ outcome: 1, released: [after.lockId] });
  });

  it("case 10 (rule 7): an id whose state-tree position is taken is skipped, so Home never gets stuck", async () => {
    // Found offline with the model: depth-32 position collisions of real ids.
    expect(positionOf(leafKey(KIND_AUCTION_RESULT, 26334n), STATE_DEPTH)).toBe(positionOf(leafKey(KIND_LOCKUP, 42846n), STATE_DEPTH));
    expect(positionOf(leafKey(KIND_LOCKUP, 41895n), STATE_DEPTH)).toBe(positionOf(leafKey(KIND_RECEIPT, 49419n), STATE_DEPTH));
    // (the chain replaces its module state object on every action: set the counters on the current one)
    (s.home as any).state.nextAuctionId = 26334n;
    const id = await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR });
    expect(id).toBe(26334n);
    (s.home as any).state.nextLockId = 42846n;
    const owner = SafetyStack.label("o");
    const lock = await s.act("lock", { owner, borrower: s.account.w1, creditAsset: s.c.usdc, collateral: "1000", expiry: s.homeNow() + DAY });
    expect(lock.lockId).toBe(42847n); // 42846 skipped: its leaf would land on auction 26334's result
    // A lock taking a future receipt's position: that auction id is skipped when it comes up.
    (s.home as any).state.nextLockId = 41895n;
    expect((await s.act("lock", { owner, borrower: s.account.w1, creditAsset: s.c.usdc, collateral: "1000", expiry: s.homeNow() + DAY })).lockId).toBe(41895n);
    (s.home as any).state.nextAuctionId = 49419n;
    expect(await createAuction({ auctioneer: s.account.auctioneer, sellAsset: s.c.weth, sellAmount: E18, buyAsset: s.c.usdc, mode: 1, settleIn: HOUR })).toBe(49420n);
    // Every leaf of those ids is written without a conflict.
    await escrowAndAck(26334n, E18);
    await s.runBids(26334n, [], TIMING);
    s.home.produceBlock();
    for (const [kind, id] of [[KIND_AUCTION_RESULT, 26334n], [KIND_ESCROW_ACK, 26334n], [KIND_LOCKUP, 42847n], [KIND_LOCKUP, 41895n]] as const) {
      expect(s.home.stateProof(kind, id).proof.included, `${kind}:${id}`).toBe(true);
    }
  });
});

// Case 11 needs a lockup payload whose digest is 0, which cannot be found: the ZeroDigestSettlement
// test double gives lockId 777 digest 0. The Home state (one result leaf, no lockup leaf at all) and
// both proofs are real.
describe("issue 8 case 11", () => {
  it("case 11: a used lockup slot whose digest is 0 is refused (it would read as an unused slot: a loan against a lockup Home never had)", async () => {
    const chain = await connectChain();
    const st = await deployStack(chain);
    const zd = (await chain.viem.deployContract("ZeroDigestSettlement" as never, [st.addresses.lightClient, st.addresses.settlementVerifier, 2, 86_400n, E6] as never)) as any;
    const escrow = (await chain.viem.getContractAt("AuctionEscrow" as never, await zd.read.escrow())) as any;
    const registry = (await chain.viem.getContractAt("LPRegistry" as never, await zd.read.registry())) as any;
    const winner = (await chain.viem.deployContract("TestBorrower" as never, [zd.address] as never)) as any;
    const fake: LockupPayload = { lockId: 777n, owner: SafetyStack.label("nobody"), borrower: getAddress(winner.address), creditAsset: st.parties.usdc, creditLimit: 10n ** 30n, expiry: T0 + 7n * 86_400n, status: 1 };
    const result: AuctionResultPayload = {
      auctionId: 901n, auctioneer: st.account.auctioneer, sellAsset: st.parties.weth, sellAmount: E18, buyAsset: st.parties.usdc,
      clearingPrice: 1990n * E6, mode: 1, auctioneerLockId: 0n, auctioneerMaxRateBps: 0, lp: "0x0000000000000000000000000000000000000000",
      settleDeadline: T0 + 86_400n, clearedAt: T0 - 60n,
      fills: [{ winner: getAddress(winner.address), sellAmount: E18, payAmount: 1990n * E6, lockId: 777n, maxRateBps: 15 }],
    };
    const tree = new SparseMerkleTree();
    const binding = awayBinding(st.parties.awayChainId, getAddress(zd.address));
    tree.set(leafKey(KIND_AUCTION_RESULT, 901n), binding, auctionResultDigest(result));
    const hp = await proveHeader(header({ epoch: 0n, height: 1n, stateRoot: tree.root }));
    await send(st, "deployer", st.lightClient, "submitHeader", [hp.kind, hp.proof, hp.pub]);
    const proof = await proveSettlementCircuit(
      { stateRoot: tree.root, awayBinding: binding, result: { auctionId: 901n, digest: auctionResultDigest(result), proof: tree.prove(leafKey(KIND_AUCTION_RESULT, 901n)) }, lockups: [] },
      { profile: "dev", network: "hardhat" },
    );
    await send(st, "carol", st.usdc, "mint", [st.account.carol, 10_000n * E6]);
    await send(st, "carol", st.usdc, "approve", [registry.address, maxUint256]);
    await send(st, "carol", registry, "deposit", [st.usdc.address, 10_000n * E6]);
    await send(st, "carol", registry, "setOffer", [st.usdc.address, 10, []]);
    await send(st, "auctioneer", st.weth, "mint", [st.account.auctioneer, E18]);
    await send(st, "auctioneer", st.weth, "approve", [escrow.address, maxUint256]);
    await send(st, "auctioneer", escrow, "deposit", [901n, st.weth.address, E18, T0 + 2n * 86_400n]);
    await send(st, "deployer", st.usdc, "mint", [winner.address, 2_000n * E6]);
    await expectRevert(zd.write.settle([1n, proof.calldata.proof, result, [fake]], { account: st.wallet.w1.account }), "ZeroDigest(uint256)");
    expect(await registry.read.capitalOf([st.account.carol, st.usdc.address])).toBe(10_000n * E6);
    expect(await zd.read.receipts([901n])).toBe(0n);
    await chain.conn.close?.();
  });
});
