// State-tree leaves: leaf kinds, leafKey / leafValue / awayBinding, and the abi.encode'd
// payloads (with their keccak-mod-r digests) of lockups, auction results, escrow
// acknowledgements and receipts. Encoding: circuits/ENCODING.md, "State tree" and "Leaf payloads".

import { keccak_256 } from "@noble/hashes/sha3.js";
import { encodeAbiParameters } from "viem";
import { FIELD_MODULUS, assertFieldElement, assertUint, bytesToBigIntBE, hexToBytes } from "./field.ts";
import { poseidon } from "./poseidon.ts";
import type { LeafEntry } from "./smt.ts";

export const KIND_LOCKUP = 1;
export const KIND_AUCTION_RESULT = 2;
export const KIND_ESCROW_ACK = 3;
export const KIND_RECEIPT = 4;
/** Fixed-point scale of clearing prices. */
export const PRICE_SCALE = 10n ** 18n;
/** Basis points denominator. */
export const BPS = 10000n;

export const LOCK_STATUS_LOCKED = 1;
export const LOCK_STATUS_RELEASED = 2;
export const LOCK_STATUS_SLASHED = 3;
export const MODE_BORROW_TO_BID = 1;
export const MODE_BORROW_TO_AUCTION = 2;
/** Receipt outcomes (ENCODING.md "Away storage read by Home"): 0 open, 1 every fill settled, 2 closed with defaults. */
export const OUTCOME_OPEN = 0;
export const OUTCOME_SETTLED = 1;
export const OUTCOME_DEFAULTED = 2;

export type Address = `0x${string}`;
export type Bytes32 = `0x${string}`;

/** Poseidon(kind, id), id: u64. */
export function leafKey(kind: number, id: bigint): bigint {
  if (!Number.isInteger(kind) || kind < 0) throw new RangeError(`leaf kind must be a non-negative integer, got ${kind}`);
  assertUint(id, 64, "leaf id");
  return poseidon([BigInt(kind), id]);
}

/** Poseidon(leafKey, awayBinding, payloadDigest). */
export function leafValue(e: LeafEntry): bigint {
  assertFieldElement(e.leafKey, "leafKey");
  assertFieldElement(e.awayBinding, "awayBinding");
  assertFieldElement(e.payloadDigest, "payloadDigest");
  return poseidon([e.leafKey, e.awayBinding, e.payloadDigest]);
}

const ADDRESS_BITS = 160n;

/** awayChainId * 2^160 + awayContract (chainId: u64, contract: 20-byte address). */
export function awayBinding(chainId: bigint, contract: Address): bigint {
  assertUint(chainId, 64, "awayChainId");
  const addr = bytesToBigIntBE(hexToBytes(contract, 20));
  return (chainId << ADDRESS_BITS) + addr;
}

/** The Away chain id and contract (lowercase hex) an awayBinding names; the inverse of `awayBinding`. */
export function splitAwayBinding(binding: bigint): { chainId: bigint; contract: Address } {
  assertUint(binding, 224, "awayBinding");
  const contract = binding & ((1n << ADDRESS_BITS) - 1n);
  return { chainId: binding >> ADDRESS_BITS, contract: `0x${contract.toString(16).padStart(40, "0")}` };
}

/** The Away contract a leaf of `kind` is bound to: AuctionEscrow for escrow acks, AtomicSettlement otherwise. */
/** uint256(keccak256(bytes)) mod r. */
export function fieldDigest(bytes: Uint8Array): bigint {
  return bytesToBigIntBE(keccak_256(bytes)) % FIELD_MODULUS;
}

export interface LockupPayload {
  lockId: bigint;
  /** Home account address, bytes32 hex. */
  owner: Bytes32;
  borrower: Address;
  creditAsset: Address;
  creditLimit: bigint;
  expiry: bigint;
  /** 1 locked, 2 released, 3 slashed. */
  status: number;
}

export interface Fill {
  winner: Address;
  sellAmount: bigint;
  payAmount: bigint;
  lockId: bigint;
  maxRateBps: number;
}

export interface AuctionResultPayload {
  auctionId: bigint;
  auctioneer: Address;
  sellAsset: Address;
  sellAmount: bigint;
  buyAsset: Address;
  clearingPrice: bigint;
  /** 1 market makers borrow to bid, 2 auctioneer borrowed to auction. */
  mode: number;
  auctioneerLockId: bigint;
  auctioneerMaxRateBps: number;
  /** Mode 2: the LP whose terms the auction was created under (it lends the sell asset); mode 1: zero address. */
  lp: Address;
  settleDeadline: bigint;
  /** Home time (unix seconds) the auction cleared; Away extends deadlines by the light client's paused time since. */
  clearedAt: bigint;
  fills: Fill[];
}

export interface EscrowAckPayload {
  auctionId: bigint;
  depositor: Address;
  asset: Address;
  amount: bigint;
  refundNotBefore: bigint;
}

export interface ReceiptPayload {
  auctionId: bigint;
  /** 1 every fill settled, 2 closed with defaults. */
  outcome: number;
  recordedAt: bigint;
  /** Bit i set: fill i settled (its lockup released); clear with outcome 2: defaulted. */
  settledMask: bigint;
  /** Mode 2: the auctioneer's own step failed last (its lockup is slashed). */
  auctioneerBlamed: boolean;
}

/** ABI parameter lists of the payloads (viem format), in ENCODING.md order. */
export const LOCKUP_ABI = [
  { name: "lockId", type: "uint64" },
  { name: "owner", type: "bytes32" },
  { name: "borrower", type: "address" },
  { name: "creditAsset", type: "address" },
  { name: "creditLimit", type: "uint256" },
  { name: "expiry", type: "uint64" },
  { name: "status", type: "uint8" },
] as const;

export const AUCTION_RESULT_ABI = [
  { name: "auctionId", type: "uint64" },
  { name: "auctioneer", type: "address" },
  { name: "sellAsset", type: "address" },
  { name: "sellAmount", type: "uint256" },
  { name: "buyAsset", type: "address" },
  { name: "clearingPrice", type: "uint256" },
  { name: "mode", type: "uint8" },
  { name: "auctioneerLockId", type: "uint64" },
  { name: "auctioneerMaxRateBps", type: "uint16" },
  { name: "lp", type: "address" },
  { name: "settleDeadline", type: "uint64" },
  { name: "clearedAt", type: "uint64" },
  {
    name: "fills",
    type: "tuple[]",
    components: [
      { name: "winner", type: "address" },
      { name: "sellAmount", type: "uint256" },
      { name: "payAmount", type: "uint256" },
      { name: "lockId", type: "uint64" },
      { name: "maxRateBps", type: "uint16" },
    ],
  },
] as const;

export const ESCROW_ACK_ABI = [
  { name: "auctionId", type: "uint64" },
  { name: "depositor", type: "address" },
  { name: "asset", type: "address" },
  { name: "amount", type: "uint256" },
  { name: "refundNotBefore", type: "uint64" },
] as const;

export const RECEIPT_ABI = [
  { name: "auctionId", type: "uint64" },
  { name: "outcome", type: "uint8" },
  { name: "recordedAt", type: "uint64" },
  { name: "settledMask", type: "uint64" },
  { name: "auctioneerBlamed", type: "bool" },
] as const;

function hexBytes(hex: `0x${string}`): Uint8Array {
  return hexToBytes(hex);
}

export function encodeLockup(p: LockupPayload): Uint8Array {
  return hexBytes(
    encodeAbiParameters(LOCKUP_ABI, [p.lockId, p.owner, p.borrower, p.creditAsset, p.creditLimit, p.expiry, p.status]),
  );
}

export function encodeAuctionResult(p: AuctionResultPayload): Uint8Array {
  return hexBytes(
    encodeAbiParameters(AUCTION_RESULT_ABI, [
      p.auctionId,
      p.auctioneer,
      p.sellAsset,
      p.sellAmount,
      p.buyAsset,
      p.clearingPrice,
      p.mode,
      p.auctioneerLockId,
      p.auctioneerMaxRateBps,
      p.lp,
      p.settleDeadline,
      p.clearedAt,
      p.fills.map((f) => ({
        winner: f.winner,
        sellAmount: f.sellAmount,
        payAmount: f.payAmount,
        lockId: f.lockId,
        maxRateBps: f.maxRateBps,
      })),
    ]),
  );
}

export function encodeEscrowAck(p: EscrowAckPayload): Uint8Array {
  return hexBytes(encodeAbiParameters(ESCROW_ACK_ABI, [p.auctionId, p.depositor, p.asset, p.amount, p.refundNotBefore]));
}

export function encodeReceipt(p: ReceiptPayload): Uint8Array {
  return hexBytes(encodeAbiParameters(RECEIPT_ABI, [p.auctionId, p.outcome, p.recordedAt, p.settledMask, p.auctioneerBlamed]));
}

export function lockupDigest(p: LockupPayload): bigint {
  return fieldDigest(encodeLockup(p));
}

export function auctionResultDigest(p: AuctionResultPayload): bigint {
  return fieldDigest(encodeAuctionResult(p));
}

export function escrowAckDigest(p: EscrowAckPayload): bigint {
  return fieldDigest(encodeEscrowAck(p));
}

export function receiptDigest(p: ReceiptPayload): bigint {
  return fieldDigest(encodeReceipt(p));
}

/**
 * The lockups a result uses, in the Settlement circuit's slot order (ENCODING.md "Settlement
 * public inputs"): mode 1, the fills with lockId != 0 in fill order; mode 2, the auctioneer's
 * lock alone. Throws RangeError for a mode 2 result without auctioneerLockId or an unknown mode.
 */
export function lockupSlotIds(result: AuctionResultPayload): bigint[] {
  if (result.mode === MODE_BORROW_TO_BID) return result.fills.filter((f) => f.lockId !== 0n).map((f) => f.lockId);
  if (result.mode === MODE_BORROW_TO_AUCTION) {
    if (result.auctioneerLockId === 0n) throw new RangeError("mode 2 result needs auctioneerLockId != 0");
    return [result.auctioneerLockId];
  }
  throw new RangeError(`unknown auction mode ${result.mode}`);
}

/**
 * The K lockup digests of the Settlement public inputs, in slot order (`lockupSlotIds`).
 * Unused slots are 0. Throws if a needed lockup is missing from `lockups` or more than K are needed.
 */
export function lockDigestsFor(result: AuctionResultPayload, lockups: Map<bigint, LockupPayload>, K: number): bigint[] {
  const ids = lockupSlotIds(result);
  if (ids.length > K) throw new RangeError(`result uses ${ids.length} lockups, more than K = ${K}`);
  const out = ids.map((id) => {
    const l = lockups.get(id);
    if (!l) throw new RangeError(`lockup ${id} is not known`);
    return lockupDigest(l);
  });
  while (out.length < K) out.push(0n);
  return out;
}
