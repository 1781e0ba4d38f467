// Open Libra (Diem) hashing: seed(T) = SHA3-256("DIEM::" || name(T)), hash(x) = SHA3-256(seed(T) || BCS(x))
// (crates/diem-crypto/src/hash.rs). Aptos uses "APTOS::"; the prefix is a parameter only so tests
// can show that an Aptos-seeded hash is refused.
import { sha3_256 } from "@noble/hashes/sha3.js";
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";
import { OpenLibraError } from "./errors.ts";

export const HASH_PREFIX = "DIEM::";
export const HASH_LENGTH = 32;

/** The type names whose seeds this package uses (their serde names in the Rust sources). */
export type HashedTypeName =
  | "LedgerInfo"
  | "TransactionInfo"
  | "TransactionAccumulator"
  | "Ledger2WaypointConverter"
  | "EpochState";

/** seed(name) = SHA3-256(prefix || name). */
export function seed(name: string, prefix: string = HASH_PREFIX): Uint8Array {
  return sha3_256(utf8ToBytes(prefix + name));
}

const seeds = new Map<string, Uint8Array>();
function cachedSeed(name: HashedTypeName): Uint8Array {
  let s = seeds.get(name);
  if (!s) seeds.set(name, (s = seed(name)));
  return s;
}

/** hash(x) = SHA3-256(seed(name) || bcsBytes). */
export function cryptoHash(name: HashedTypeName, bcsBytes: Uint8Array): Uint8Array {
  return sha3_256.create().update(cachedSeed(name)).update(bcsBytes).digest();
}

/** The signed message of a BCS-hashable value: seed(name) || BCS(x) (raw bytes, not hashed). */
export function signingMessage(name: HashedTypeName, bcsBytes: Uint8Array): Uint8Array {
  return concatBytes(cachedSeed(name), bcsBytes);
}

/** Internal node of the transaction accumulator: SHA3(seed("TransactionAccumulator") || left || right). */
export function accumulatorNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha3_256.create().update(cachedSeed("TransactionAccumulator")).update(left).update(right).digest();
}

/** A literal hash: the ASCII word, zero padded to 32 bytes (diem-crypto create_literal_hash). */
function literalHash(word: string): Uint8Array {
  const out = new Uint8Array(HASH_LENGTH);
  out.set(utf8ToBytes(word));
  return out;
}
/** Placeholder for an empty accumulator subtree. */
export const ACCUMULATOR_PLACEHOLDER_HASH = literalHash("ACCUMULATOR_PLACEHOLDER_HASH");

/** 64 lowercase hex digits, no 0x. */
export function toHex(bytes: Uint8Array): string {
  return bytesToHex(bytes);
}

/** Parses hex (optional 0x) of exactly `length` bytes. */
export function fromHex(hex: string, length: number, what: string): Uint8Array {
  const h = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (h.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw new OpenLibraError("MalformedFile", `${what} must be ${length} bytes of hex, got '${hex}'`);
  }
  return hexToBytes(h);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}
