// The contracts compute exactly the ENCODING.md values the Home model computes: auction-result and
// lockup payload digests (keccak256(abi.encode(...)) mod r) including edge values, awayBinding,
// the escrow deposit commitment at slot 0 (keyed by auction and depositor), and the settlement
// rules of home/model/rules.ts (SettlementRules via RulesHarness) on shared vectors with boundaries.
import { beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, hexToBigInt, keccak256, maxUint256, type Address, type Hex } from "viem";
import {
  auctionResultDigest,
  awayBinding,
  creditNeeded,
  encodeEscrowAck,
  escrowCommitment,
  escrowCommitmentSlot,
  expiryCoversDeadline,
  interestFor,
  lockUsableAt,
  lockupDigest,
  mode2Owed,
  refundAfterDeadline,
  withinSettleWindow,
  type AuctionResultPayload,
  type LockupPayload,
} from "../../home/model/index.ts";
import { connectChain, deployStack, send, type Stack } from "./fixtures.ts";
import { settlementCases, T0 } from "./home-scenario.ts";

let s: Stack;
beforeAll(async () => {
  s = await deployStack(await connectChain());
});

const U64 = (1n << 64n) - 1n;
const A1 = "0xffffffffffffffffffffffffffffffffffffffff" as Address;
const A2 = "0x0000000000000000000000000000000000000001" as Address;

function edgeResults(): AuctionResultPayload[] {
  const base: AuctionResultPayload = {
    auctionId: U64,
    auctioneer: A1,
    sellAsset: A2,
    sellAmount: maxUint256,
    buyAsset: A1,
    clearingPrice: maxUint256,
    mode: 255,
    auctioneerLockId: U64,
    auctioneerMaxRateBps: 65535,
    lp: A2,
    settleDeadline: U64,
    clearedAt: U64 - 1n,
    fills: [],
  };
  const fill = (i: number) => ({ winner: i % 2 ? A1 : A2, sellAmount: BigInt(i) * 10n ** 30n, payAmount: maxUint256 - BigInt(i), lockId: U64 - BigInt(i), maxRateBps: 65535 - i });
  return [base, { ...base, fills: [fill(0)] }, { ...base, fills: [0, 1, 2, 3, 4].map(fill) }, { ...base, auctionId: 0n, sellAmount: 0n, mode: 0 }];
}

function edgeLockups(): LockupPayload[] {
  return [
    { lockId: U64, owner: `0x${"ff".repeat(32)}`, borrower: A1, creditAsset: A2, creditLimit: maxUint256, expiry: U64, status: 255 },
    { lockId: 0n, owner: `0x${"00".repeat(32)}`, borrower: A2, creditAsset: A1, creditLimit: 0n, expiry: 0n, status: 0 },
  ];
}

describe("ENCODING.md conformance of the contracts", () => {
  it("result digests equal the Home model's for the scenario and edge payloads", async () => {
    const results = [...Object.values(settlementCases(s.parties)).map((c) => c.result), ...edgeResults()];
    for (const r of results) expect(await s.settlement.read.resultDigest([r]), `auction ${r.auctionId}`).toBe(auctionResultDigest(r));
  });

  it("lockup digests equal the Home model's", async () => {
    const lockups = [...Object.values(settlementCases(s.parties)).flatMap((c) => c.lockups), ...edgeLockups()];
    for (const l of lockups) expect(await s.settlement.read.lockupDigest([l]), `lock ${l.lockId}`).toBe(lockupDigest(l));
  });

  // resultDigest/lockupDigest hash a canonical, clean payload where it lies in calldata and take the
  // abi.encode path otherwise: a non-canonical encoding of the same payload has the same digest, and a
  // field outside its type is refused as the ABI decoder refuses it.
  it("digests do not depend on how the payload is laid out in calldata, and dirty fields are refused", async () => {
    const abi = s.settlement.abi;
    const call = (data: Hex) => s.chain.publicClient.call({ to: s.settlement.address, data });
    const word = (i: number) => 10 + 64 * i; // hex offset of argument word i (after the selector)
    const setWord = (data: Hex, i: number, v: bigint) => (data.slice(0, word(i)) + v.toString(16).padStart(64, "0") + data.slice(word(i) + 64)) as Hex;
    const r = { ...edgeResults()[2]!, auctionId: 7n };
    const canonical = encodeFunctionData({ abi, functionName: "resultDigest", args: [r] });
    // Word 0 is the tuple's offset (0x20), words 1..13 its head; word 13 is the fills offset (0x1a0).
    expect(BigInt(`0x${canonical.slice(word(13), word(13) + 64)}`)).toBe(0x1a0n);
    const gap = (setWord(canonical, 13, 0x1c0n).slice(0, word(14)) + "00".repeat(32) + canonical.slice(word(14))) as Hex;
    expect(hexToBigInt((await call(gap)).data!)).toBe(auctionResultDigest(r));
    await expect(call(setWord(canonical, 1, (1n << 64n) | 7n))).rejects.toThrow(); // auctionId above uint64
    await expect(call(setWord(canonical, 14 + 1 + 3, 1n << 64n))).rejects.toThrow(); // fills[0].lockId above uint64
    const l = edgeLockups()[1]!;
    const lockCall = encodeFunctionData({ abi, functionName: "lockupDigest", args: [l] });
    expect(hexToBigInt((await call(lockCall)).data!)).toBe(lockupDigest(l));
    await expect(call(setWord(lockCall, 6, 256n))).rejects.toThrow(); // status above uint8
  });

  it("awayBinding is chainId * 2^160 + settlement address", async () => {
    expect(await s.settlement.read.awayBinding()).toBe(awayBinding(31337n, s.addresses.settlement));
  });

  it("escrow slot 0 holds keccak256 of the escrow-ack payload encoding, at [auctionId][depositor]", async () => {
    await send(s, "auctioneer", s.weth, "mint", [s.account.auctioneer, 5n]);
    await send(s, "auctioneer", s.weth, "approve", [s.escrow.address, 5n]);
    const refundNotBefore = T0 + 86_400n;
    await send(s, "auctioneer", s.escrow, "deposit", [42n, s.parties.weth, 5n, refundNotBefore]);
    const ack = { auctionId: 42n, depositor: s.account.auctioneer, asset: s.parties.weth, amount: 5n, refundNotBefore };
    const expected = keccak256(encodeEscrowAck(ack));
    expect(hexToBigInt(expected)).toBe(escrowCommitment(ack));
    expect(await s.escrow.read.commitments([42n, s.account.auctioneer])).toBe(expected);
    const raw = await s.chain.rpc("eth_getStorageAt", [s.escrow.address, escrowCommitmentSlot(42n, s.account.auctioneer), "latest"]);
    expect(hexToBigInt(raw)).toBe(hexToBigInt(expected));
  });
});

describe("settlement rules: SettlementRules.sol and home/model/rules.ts agree", () => {
  let rules: any;
  beforeAll(async () => {
    rules = await s.chain.viem.deployContract("RulesHarness" as never);
  });
  const principals = [0n, 1n, 9_999n, 10_000n, 10_001n, 199_000n * 10n ** 6n, 10n ** 30n];
  const rates = [0, 1, 10, 15, 9_999, 10_000];
  const prices = [0n, 1n, 10n ** 7n, 5n * 10n ** 26n, 10n ** 18n, 1990n * 10n ** 6n];

  it("credit needed, interest and what a mode-2 LP is owed", async () => {
    for (const p of principals) {
      for (const r of rates) {
        expect(await rules.read.creditNeeded([p, BigInt(r)]), `${p} at ${r}`).toBe(creditNeeded(p, r));
        expect(await rules.read.interest([p, BigInt(r)])).toBe(interestFor(p, r));
        for (const price of prices) expect(await rules.read.mode2Owed([p, BigInt(r), price]), `${p} ${r} ${price}`).toBe(mode2Owed(p, r, price));
      }
    }
    // The reference numbers: 199,000 USDC at 0.10% -> 199,199; 100,000 USDC at 0.15% at 0.0005 ETH/USDC -> 50.075 WETH.
    expect(creditNeeded(199_000n * 10n ** 6n, 10)).toBe(199_199n * 10n ** 6n);
    expect(mode2Owed(100_000n * 10n ** 6n, 15, 5n * 10n ** 26n)).toBe(50_075n * 10n ** 15n);
  });

  it("lock usability and the settlement window at their boundaries, with and without a pause extension", async () => {
    const T = 1_900_000_000n;
    for (const ext of [0n, 1n, 3_600n]) {
      for (const t of [T - 1n, T, T + 1n, T + ext - 1n, T + ext, T + ext + 1n]) {
        expect(await rules.read.lockUsable([T, t, ext]), `expiry ${T} t ${t} ext ${ext}`).toBe(lockUsableAt(T, t, ext));
        expect(await rules.read.withinWindow([T, t, ext]), `deadline ${T} t ${t} ext ${ext}`).toBe(withinSettleWindow(T, t, ext));
      }
    }
    // Home's margins make the last second of the window usable: expiry > deadline, refund > deadline.
    const deadline = T;
    expect(expiryCoversDeadline(deadline, deadline)).toBe(false);
    expect(expiryCoversDeadline(deadline + 1n, deadline)).toBe(true);
    expect(withinSettleWindow(deadline, deadline) && lockUsableAt(deadline + 1n, deadline)).toBe(true);
    expect(await rules.read.lockUsable([deadline + 1n, deadline, 0n])).toBe(true);
    expect(refundAfterDeadline(deadline, deadline)).toBe(false);
  });
});
