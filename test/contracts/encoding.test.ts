// The contracts compute exactly the ENCODING.md values the Home model computes: auction-result and
// lockup payload digests (keccak256(abi.encode(...)) mod r) including edge values, awayBinding,
// and the escrow deposit commitment at slot 0.
import { beforeAll, describe, expect, it } from "vitest";
import { hexToBigInt, keccak256, maxUint256, type Address } from "viem";
import {
  auctionResultDigest,
  awayBinding,
  encodeEscrowAck,
  lockupDigest,
  type AuctionResultPayload,
  type LockupPayload,
} from "../../home/model/index.ts";
import { connectChain, deployStack, mappingSlot, send, type Stack } from "./fixtures.ts";
import { settlementCases } from "./home-scenario.ts";

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
    settleDeadline: U64,
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

  it("awayBinding is chainId * 2^160 + settlement address", async () => {
    expect(await s.settlement.read.awayBinding()).toBe(awayBinding(31337n, s.addresses.settlement));
  });

  it("escrow slot 0 holds keccak256 of the escrow-ack payload encoding", async () => {
    await send(s, "auctioneer", s.weth, "mint", [s.account.auctioneer, 5n]);
    await send(s, "auctioneer", s.weth, "approve", [s.escrow.address, 5n]);
    await send(s, "auctioneer", s.escrow, "deposit", [42n, s.parties.weth, 5n]);
    const expected = keccak256(encodeEscrowAck({ auctionId: 42n, depositor: s.account.auctioneer, asset: s.parties.weth, amount: 5n }));
    expect(await s.escrow.read.commitments([42n])).toBe(expected);
    const raw = await s.chain.rpc("eth_getStorageAt", [s.escrow.address, mappingSlot(42n), "latest"]);
    expect(hexToBigInt(raw)).toBe(hexToBigInt(expected));
  });
});
