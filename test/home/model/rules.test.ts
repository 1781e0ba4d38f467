// The shared settlement rules (home/model/rules.ts) and the Away storage words Home reads
// (home/model/away-storage.ts) on their own.
import { describe, expect, it } from "vitest";
import { encodeAbiParameters, keccak256, type Hex } from "viem";
import {
  MAX_FILLS,
  allFillsMask,
  creditNeeded,
  decodeReceiptWord,
  encodeReceiptWord,
  escrowCommitmentSlot,
  interestFor,
  mappingSlot,
  nextFreeId,
} from "../../../home/model/index.ts";

describe("settlement rules", () => {
  it("credit needed is principal plus interest rounded up", () => {
    expect(interestFor(0n, 15)).toBe(0n);
    expect(interestFor(1n, 1)).toBe(1n);
    expect(interestFor(10_000n, 1)).toBe(1n);
    expect(interestFor(10_001n, 1)).toBe(2n);
    expect(creditNeeded(1_990_000_000n, 15)).toBe(1_992_985_000n);
    expect(() => creditNeeded(1n, 10_001)).toThrow(/0\.\.10000/);
    expect(() => creditNeeded(1n, 1.5)).toThrow(/bps/);
  });

  it("nextFreeId skips ids whose positions are taken or collide with each other, and never repeats", () => {
    const taken = new Set([5n, 6n]);
    expect(nextFreeId(1n, (id) => [id], (p) => taken.has(p))).toBe(1n);
    expect(nextFreeId(5n, (id) => [id], (p) => taken.has(p))).toBe(7n);
    // an id two of whose own leaves share a position is skipped too
    expect(nextFreeId(3n, (id) => (id === 3n ? [9n, 9n] : [id * 10n]), () => false)).toBe(4n);
  });
});

describe("Away storage words", () => {
  it("receipt word: outcome | recordedAt << 8 | settledMask << 72 | blamed << 136, refusing other bits", () => {
    const r = { outcome: 2, recordedAt: 1_800_000_000n, settledMask: allFillsMask(64) - 1n, auctioneerBlamed: true };
    const w = encodeReceiptWord(r);
    expect(w).toBe(2n | (1_800_000_000n << 8n) | ((2n ** 64n - 2n) << 72n) | (1n << 136n));
    expect(decodeReceiptWord(w)).toEqual(r);
    expect(() => decodeReceiptWord(1n << 137n)).toThrow(/137-bit/);
    expect(() => encodeReceiptWord({ ...r, settledMask: 1n << 64n })).toThrow();
    expect(allFillsMask(0)).toBe(0n);
    expect(allFillsMask(3)).toBe(7n);
    expect(() => allFillsMask(MAX_FILLS + 1)).toThrow();
  });

  it("escrow commitment slot is the nested mapping slot [auctionId][depositor] of slot 0", () => {
    const depositor = "0x1111111111111111111111111111111111111111" as Hex;
    const inner = keccak256(encodeAbiParameters([{ type: "uint64" }, { type: "uint256" }], [42n, 0n]));
    expect(mappingSlot(42n)).toBe(inner);
    expect(escrowCommitmentSlot(42n, depositor)).toBe(keccak256(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [depositor, inner])));
  });
});
