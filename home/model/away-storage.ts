// The Away contract storage Home reads with eth_getProof (circuits/ENCODING.md, "Away storage read
// by Home"): the AuctionEscrow deposit commitment, keyed by auction and depositor, and the
// AtomicSettlement receipt word with its per-fill settled bits. One definition of each slot and
// word, used by the devnet, the relayer and the tests.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { encodeAbiParameters } from "viem";
import { assertUint, bigIntToBytesBE, bytesToBigIntBE, bytesToHex, hexToBytes } from "./field.ts";
import { OUTCOME_DEFAULTED, OUTCOME_OPEN, OUTCOME_SETTLED, type Address, type AuctionResultPayload, type ReceiptPayload } from "./leaves.ts";
import { MAX_FILLS } from "./rules.ts";

export type Hex32 = `0x${string}`;

const hex = (b: Uint8Array): Hex32 => bytesToHex(b);
const keccakHex = (h: `0x${string}`): Uint8Array => keccak_256(hexToBytes(h));

/** Slot of key `k` in a `mapping(uint64 => ...)` declared at storage slot `base`. */
export function mappingSlot(k: bigint, base = 0n): Hex32 {
  return hex(keccakHex(encodeAbiParameters([{ type: "uint64" }, { type: "uint256" }], [k, base])));
}

/** Slot of `[k][who]` in a `mapping(uint64 => mapping(address => ...))` at slot `base`. */
export function nestedMappingSlot(k: bigint, who: Address, base = 0n): Hex32 {
  const inner = mappingSlot(k, base);
  return hex(keccakHex(encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [who, inner])));
}

export interface EscrowDeposit {
  auctionId: bigint;
  depositor: Address;
  asset: Address;
  amount: bigint;
  /** Unix seconds before which (plus the light client's paused time) the deposit cannot be refunded. */
  refundNotBefore: bigint;
}

/** AuctionEscrow slot 0 `commitments[auctionId][depositor]`. */
export function escrowCommitmentSlot(auctionId: bigint, depositor: Address): Hex32 {
  return nestedMappingSlot(auctionId, depositor, 0n);
}

/** The stored commitment: keccak256(abi.encode(uint64 auctionId, address depositor, address asset, uint256 amount, uint64 refundNotBefore)). */
export function escrowCommitment(d: EscrowDeposit): bigint {
  return bytesToBigIntBE(
    keccakHex(
      encodeAbiParameters(
        [{ type: "uint64" }, { type: "address" }, { type: "address" }, { type: "uint256" }, { type: "uint64" }],
        [d.auctionId, d.depositor, d.asset, d.amount, d.refundNotBefore],
      ),
    ),
  );
}

/**
 * AtomicSettlement slot 0 `receipts[auctionId]`: outcome (bits 0-7) | recordedAt (8-71) |
 * settledMask (72-135, bit i = fill i settled) | auctioneerBlamed (bit 136). Outcome 0 open
 * (some fills may be settled), 1 closed with every fill settled, 2 closed with defaults.
 */
export interface ReceiptWord {
  outcome: number;
  recordedAt: bigint;
  settledMask: bigint;
  auctioneerBlamed: boolean;
}

const MASK64 = (1n << 64n) - 1n;

export function receiptSlot(auctionId: bigint): Hex32 {
  return mappingSlot(auctionId, 0n);
}

export function encodeReceiptWord(r: ReceiptWord): bigint {
  assertUint(BigInt(r.outcome), 8, "outcome");
  assertUint(r.recordedAt, 64, "recordedAt");
  assertUint(r.settledMask, MAX_FILLS, "settledMask");
  return BigInt(r.outcome) | (r.recordedAt << 8n) | (r.settledMask << 72n) | (r.auctioneerBlamed ? 1n << 136n : 0n);
}

/** Decodes a receipt word; throws RangeError on bits outside the layout (not a receipt this contract writes). */
export function decodeReceiptWord(word: bigint): ReceiptWord {
  assertUint(word, 137, "receipt word");
  return {
    outcome: Number(word & 0xffn),
    recordedAt: (word >> 8n) & MASK64,
    settledMask: (word >> 72n) & MASK64,
    auctioneerBlamed: (word >> 136n) === 1n,
  };
}

/** Whether fill `i` of a result settled, by the receipt's settledMask. */
export function fillSettled(settledMask: bigint, i: number): boolean {
  return ((settledMask >> BigInt(i)) & 1n) === 1n;
}

/**
 * What Home makes of the receipt word Away holds for `result` (ENCODING.md "Away storage read by
 * Home"): a closed receipt it can consume, a receipt still open, or a word that does not fit the
 * result (bits outside the layout, an unknown outcome, a mask bit beyond its fills, outcome 1
 * without every fill settled or with the auctioneer blamed).
 */
export type ReceiptReading =
  | { status: "closed"; receipt: ReceiptPayload }
  | { status: "open"; settledMask: bigint }
  | { status: "invalid"; reason: string };

export function readReceiptWord(result: AuctionResultPayload, word: bigint): ReceiptReading {
  let w: ReceiptWord;
  try {
    w = decodeReceiptWord(word);
  } catch (e) {
    return { status: "invalid", reason: (e as Error).message };
  }
  if (w.outcome === OUTCOME_OPEN) return { status: "open", settledMask: w.settledMask };
  if (w.outcome !== OUTCOME_SETTLED && w.outcome !== OUTCOME_DEFAULTED) return { status: "invalid", reason: `unknown outcome ${w.outcome}` };
  const n = result.fills.length;
  const all = allFillsMask(n);
  if ((w.settledMask & ~all) !== 0n || (w.outcome === OUTCOME_SETTLED && (w.settledMask !== all || w.auctioneerBlamed))) {
    return { status: "invalid", reason: `it does not fit its ${n} fills (outcome ${w.outcome}, mask ${w.settledMask})` };
  }
  return { status: "closed", receipt: { auctionId: result.auctionId, ...w } };
}

/** bit i set for i < n: the settledMask of a result whose n fills all settled. */
export function allFillsMask(n: number): bigint {
  if (!Number.isInteger(n) || n < 0 || n > MAX_FILLS) throw new RangeError(`fill count must be 0..${MAX_FILLS}, got ${n}`);
  return (1n << BigInt(n)) - 1n;
}

/** A 32-byte hex word (for comparisons with eth_getStorageAt answers). */
export function word32(x: bigint): Hex32 {
  return hex(bigIntToBytesBE(x, 32));
}
