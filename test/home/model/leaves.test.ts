// Leaves: leafKey / leafValue / awayBinding, payload encodings against hand-built
// Solidity abi.encode layouts, digests as keccak mod r, and lockup slot order.

import { keccak256 } from "viem";
import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_MODULUS, bytesToHex } from "../../../home/model/field.ts";
import {
  type AuctionResultPayload,
  type LockupPayload,
  KIND_AUCTION_RESULT,
  KIND_ESCROW_ACK,
  KIND_LOCKUP,
  KIND_RECEIPT,
  auctionResultDigest,
  awayBinding,
  encodeAuctionResult,
  encodeEscrowAck,
  encodeLockup,
  encodeReceipt,
  escrowAckDigest,
  fieldDigest,
  leafKey,
  leafValue,
  lockDigestsFor,
  lockupDigest,
  receiptDigest,
} from "../../../home/model/leaves.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

/** One 32-byte ABI word (unsigned integer or left-padded address), without 0x. */
function word(x: bigint | `0x${string}`): string {
  const v = typeof x === "bigint" ? x : BigInt(x);
  return v.toString(16).padStart(64, "0");
}

const A1 = "0x1111111111111111111111111111111111111111" as const;
const A2 = "0x2222222222222222222222222222222222222222" as const;
const A3 = "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd" as const;
const OWNER = "0x00000000000000000000000000000000000000000000000000000000c0ffee01" as const;

const lockup = (lockId: bigint): LockupPayload => ({
  lockId,
  owner: OWNER,
  borrower: A1,
  creditAsset: A2,
  creditLimit: 10n ** 24n + lockId,
  expiry: 1_800_000_000n,
  status: 1,
});

const result: AuctionResultPayload = {
  auctionId: 42n,
  auctioneer: A3,
  sellAsset: A1,
  sellAmount: 1000n * 10n ** 18n,
  buyAsset: A2,
  clearingPrice: 2n * 10n ** 18n,
  mode: 1,
  auctioneerLockId: 0n,
  auctioneerMaxRateBps: 0,
  lp: "0x0000000000000000000000000000000000000000",
  settleDeadline: 1_800_000_500n,
  clearedAt: 1_800_000_100n,
  fills: [
    { winner: A1, sellAmount: 600n * 10n ** 18n, payAmount: 1200n * 10n ** 18n, lockId: 7n, maxRateBps: 250 },
    { winner: A2, sellAmount: 300n * 10n ** 18n, payAmount: 600n * 10n ** 18n, lockId: 0n, maxRateBps: 0 },
    { winner: A3, sellAmount: 100n * 10n ** 18n, payAmount: 200n * 10n ** 18n, lockId: 9n, maxRateBps: 65535 },
  ],
};

describe("leaf keys and values", () => {
  it("leafKey = Poseidon(kind, id), leafValue = Poseidon(leafKey, awayBinding, payloadDigest)", () => {
    expect(leafKey(KIND_LOCKUP, 5n)).toBe(H([1n, 5n]));
    expect(leafKey(KIND_RECEIPT, (1n << 64n) - 1n)).toBe(H([4n, (1n << 64n) - 1n]));
    expect(new Set([KIND_LOCKUP, KIND_AUCTION_RESULT, KIND_ESCROW_ACK, KIND_RECEIPT].map((k) => leafKey(k, 1n))).size).toBe(4);
    expect(() => leafKey(KIND_LOCKUP, 1n << 64n)).toThrow(/64-bit/);
    const e = { leafKey: 3n, awayBinding: 4n, payloadDigest: 5n };
    expect(leafValue(e)).toBe(H([3n, 4n, 5n]));
  });

  it("awayBinding = chainId * 2^160 + address", () => {
    expect(awayBinding(31337n, A3)).toBe(31337n * 2n ** 160n + BigInt(A3));
    expect(awayBinding((1n << 64n) - 1n, "0xffffffffffffffffffffffffffffffffffffffff")).toBe((1n << 224n) - 1n);
    expect(() => awayBinding(1n << 64n, A1)).toThrow(/64-bit/);
    expect(() => awayBinding(1n, "0x1234")).toThrow(/20 bytes/);
  });

  it("fieldDigest is keccak256 mod r", () => {
    const bytes = new TextEncoder().encode("olzk");
    expect(fieldDigest(bytes)).toBe(BigInt(keccak256(bytes)) % FIELD_MODULUS);
    // a keccak above r is reduced: search a few inputs for one
    let found = false;
    for (let i = 0; i < 64 && !found; i++) {
      const b = new Uint8Array([i]);
      const k = BigInt(keccak256(b));
      if (k >= FIELD_MODULUS) {
        expect(fieldDigest(b)).toBe(k - FIELD_MODULUS * (k / FIELD_MODULUS));
        found = true;
      }
    }
    expect(found).toBe(true);
  });
});

describe("payload encodings (Solidity abi.encode)", () => {
  it("encodes a lockup as 7 static words", () => {
    const p = lockup(7n);
    const expected = "0x" + [word(7n), OWNER.slice(2), word(A1), word(A2), word(p.creditLimit), word(p.expiry), word(1n)].join("");
    expect(bytesToHex(encodeLockup(p))).toBe(expected);
    expect(lockupDigest(p)).toBe(BigInt(keccak256(expected as `0x${string}`)) % FIELD_MODULUS);
  });

  it("encodes an auction result with its dynamic fills array", () => {
    const head = [
      word(42n),
      word(A3),
      word(A1),
      word(result.sellAmount),
      word(A2),
      word(result.clearingPrice),
      word(1n),
      word(0n),
      word(0n),
      word(0n),
      word(result.settleDeadline),
      word(result.clearedAt),
      word(13n * 32n), // offset of fills: after the 13 head words
    ];
    const tail = [word(3n), ...result.fills.flatMap((f) => [word(f.winner), word(f.sellAmount), word(f.payAmount), word(f.lockId), word(BigInt(f.maxRateBps))])];
    const expected = ("0x" + [...head, ...tail].join("")) as `0x${string}`;
    expect(bytesToHex(encodeAuctionResult(result))).toBe(expected);
    expect(auctionResultDigest(result)).toBe(BigInt(keccak256(expected)) % FIELD_MODULUS);
    // an empty fills list still has the offset and a zero length
    const empty = bytesToHex(encodeAuctionResult({ ...result, fills: [] }));
    expect(empty).toBe("0x" + [...head, word(0n)].join(""));
  });

  it("encodes escrow acknowledgements and receipts", () => {
    const ack = { auctionId: 42n, depositor: A1, asset: A2, amount: 5n * 10n ** 20n, refundNotBefore: 1_800_086_400n };
    const ackHex = ("0x" + [word(42n), word(A1), word(A2), word(ack.amount), word(ack.refundNotBefore)].join("")) as `0x${string}`;
    expect(bytesToHex(encodeEscrowAck(ack))).toBe(ackHex);
    expect(escrowAckDigest(ack)).toBe(BigInt(keccak256(ackHex)) % FIELD_MODULUS);
    const receipt = { auctionId: 42n, outcome: 2, recordedAt: 1_800_000_600n, settledMask: 5n, auctioneerBlamed: true };
    const rHex = ("0x" + [word(42n), word(2n), word(receipt.recordedAt), word(5n), word(1n)].join("")) as `0x${string}`;
    expect(bytesToHex(encodeReceipt(receipt))).toBe(rHex);
    expect(receiptDigest(receipt)).toBe(BigInt(keccak256(rHex)) % FIELD_MODULUS);
  });

  it("refuses values out of their ABI type's range", () => {
    expect(() => encodeLockup({ ...lockup(1n), lockId: 1n << 64n })).toThrow();
    expect(() => encodeLockup({ ...lockup(1n), status: 256 })).toThrow();
    expect(() => encodeReceipt({ auctionId: 1n, outcome: 1, recordedAt: -1n, settledMask: 0n, auctioneerBlamed: false })).toThrow();
    expect(() => encodeReceipt({ auctionId: 1n, outcome: 1, recordedAt: 1n, settledMask: 1n << 64n, auctioneerBlamed: false })).toThrow();
  });
});

describe("lockDigestsFor", () => {
  const lockups = new Map([7n, 9n, 11n].map((id) => [id, lockup(id)] as const));

  it("mode 1: fills with lockId != 0 in fill order, zero padded to K", () => {
    expect(lockDigestsFor(result, lockups, 4)).toEqual([lockupDigest(lockup(7n)), lockupDigest(lockup(9n)), 0n, 0n]);
    expect(() => lockDigestsFor(result, lockups, 1)).toThrow(/K = 1/);
    expect(() => lockDigestsFor(result, new Map([[7n, lockup(7n)]]), 4)).toThrow(/lockup 9/);
  });

  it("mode 2: slot 0 is the auctioneer's lockup", () => {
    const r2 = { ...result, mode: 2, auctioneerLockId: 11n, auctioneerMaxRateBps: 300, fills: result.fills.map((f) => ({ ...f, lockId: 0n })) };
    expect(lockDigestsFor(r2, lockups, 2)).toEqual([lockupDigest(lockup(11n)), 0n]);
    expect(() => lockDigestsFor({ ...r2, auctioneerLockId: 0n }, lockups, 2)).toThrow(/auctioneerLockId/);
    expect(() => lockDigestsFor({ ...r2, mode: 3 }, lockups, 2)).toThrow(/mode/);
  });
});
