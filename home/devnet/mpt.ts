// Ethereum Merkle-Patricia trie proof verification (the proofs returned by
// `eth_getProof`): the account proof against a block's stateRoot, and a storage
// proof against the account's storageRoot. Used by the devnet to check Away-chain
// escrow deposits and settlement receipts without trusting the RPC's answer.
import { keccak_256 } from "@noble/hashes/sha3.js";
import { rlpDecode, rlpEncode, rlpToBigInt, type RlpItem } from "./rlp.ts";

export class MptProofError extends Error {
  constructor(message: string) {
    super(`Merkle-Patricia proof: ${message}`);
    this.name = "MptProofError";
  }
}

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT = keccak_256(Uint8Array.of(0x80));

function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

function toNibbles(key: Uint8Array): number[] {
  const out: number[] = [];
  for (const b of key) out.push(b >> 4, b & 15);
  return out;
}

/** Hex-prefix decoding of a leaf/extension path: returns the nibbles and whether it is a leaf. */
function decodeHexPrefix(encoded: Uint8Array): { nibbles: number[]; leaf: boolean } {
  if (encoded.length === 0) throw new MptProofError("empty path in a leaf/extension node");
  const all = toNibbles(encoded);
  const flag = all[0]!;
  if (flag > 3) throw new MptProofError(`bad hex-prefix flag ${flag}`);
  const odd = (flag & 1) === 1;
  if (!odd && all[1] !== 0) throw new MptProofError("non-zero padding nibble in an even path");
  return { nibbles: all.slice(odd ? 1 : 2), leaf: flag >= 2 };
}

function asBytes(item: RlpItem, what: string): Uint8Array {
  if (!(item instanceof Uint8Array)) throw new MptProofError(`${what} must be a string`);
  return item;
}

/**
 * Walks the trie under `root` along `key` (already the trie path, e.g. keccak(address)).
 * Returns the value stored there, or null when the proof shows the key is absent.
 * Throws MptProofError when the proof is malformed or does not hash up to `root`.
 */
export function verifyMptProof(root: Uint8Array, key: Uint8Array, proof: Uint8Array[]): Uint8Array | null {
  if (root.length !== 32) throw new MptProofError("root must be 32 bytes");
  const byHash = new Map<string, Uint8Array>();
  for (const node of proof) byHash.set(hex(keccak_256(node)), node);

  const path = toNibbles(key);
  let pos = 0;
  // A child reference is either a 32-byte hash or, for nodes shorter than 32 bytes, the node inline.
  let ref: RlpItem = root;
  for (let depth = 0; depth < 2 * path.length + 2; depth++) {
    let node: RlpItem;
    if (ref instanceof Uint8Array) {
      if (ref.length !== 32) throw new MptProofError(`child reference of ${ref.length} bytes`);
      if (depth === 0 && hex(ref) === hex(EMPTY_TRIE_ROOT) && !byHash.has(hex(ref))) return null;
      const raw = byHash.get(hex(ref));
      if (!raw) throw new MptProofError(`proof lacks the node with hash 0x${hex(ref)} (depth ${depth})`);
      try {
        node = rlpDecode(raw);
      } catch (e) {
        throw new MptProofError(`undecodable node: ${(e as Error).message}`);
      }
    } else {
      if (rlpEncode(ref).length >= 32) throw new MptProofError("inline node of 32 bytes or more");
      node = ref;
    }
    if (!Array.isArray(node)) throw new MptProofError("trie node is not a list");

    if (node.length === 17) {
      if (pos === path.length) {
        const v = asBytes(node[16]!, "branch value");
        return v.length === 0 ? null : v;
      }
      const child: RlpItem = node[path[pos]!]!;
      pos += 1;
      if (child instanceof Uint8Array && child.length === 0) return null;
      ref = child;
      continue;
    }
    if (node.length === 2) {
      const { nibbles, leaf } = decodeHexPrefix(asBytes(node[0]!, "node path"));
      const rest = path.slice(pos);
      if (leaf) {
        if (nibbles.length === rest.length && nibbles.every((n, i) => n === rest[i])) {
          return asBytes(node[1]!, "leaf value");
        }
        return null; // the path ends in a different leaf: the key is absent
      }
      if (nibbles.length === 0) throw new MptProofError("extension node with an empty path");
      if (nibbles.length > rest.length || !nibbles.every((n, i) => n === rest[i])) return null;
      pos += nibbles.length;
      ref = node[1]!;
      continue;
    }
    throw new MptProofError(`trie node with ${node.length} items`);
  }
  throw new MptProofError("path longer than the key");
}

export interface AccountState {
  nonce: bigint;
  balance: bigint;
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}

/** Verifies an account proof; returns the account, or null if the proof shows it does not exist. */
export function verifyAccountProof(stateRoot: Uint8Array, address: Uint8Array, accountProof: Uint8Array[]): AccountState | null {
  if (address.length !== 20) throw new MptProofError("address must be 20 bytes");
  const value = verifyMptProof(stateRoot, keccak_256(address), accountProof);
  if (value === null) return null;
  const acct = rlpDecode(value);
  if (!Array.isArray(acct) || acct.length !== 4) throw new MptProofError("account record is not a 4-item list");
  const storageRoot = asBytes(acct[2]!, "storageRoot");
  const codeHash = asBytes(acct[3]!, "codeHash");
  if (storageRoot.length !== 32 || codeHash.length !== 32) throw new MptProofError("bad storageRoot/codeHash length");
  return { nonce: rlpToBigInt(acct[0]!), balance: rlpToBigInt(acct[1]!), storageRoot, codeHash };
}

/** Verifies a storage proof for a 32-byte slot; returns the stored word (0 when absent). */
export function verifyStorageProof(storageRoot: Uint8Array, slot: Uint8Array, storageProof: Uint8Array[]): bigint {
  if (slot.length !== 32) throw new MptProofError("slot must be 32 bytes");
  const value = verifyMptProof(storageRoot, keccak_256(slot), storageProof);
  if (value === null) return 0n;
  const item = rlpDecode(value);
  const word = rlpToBigInt(item);
  if (word === 0n) throw new MptProofError("storage trie holds an explicit zero");
  if (word >> 256n !== 0n) throw new MptProofError("storage value wider than 32 bytes");
  return word;
}
