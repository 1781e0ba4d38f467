// Ethereum Merkle-Patricia trie proof verification (the proofs returned by `eth_getProof`)
// with a maintained trie library (@ethereumjs/mpt) and viem's RLP: the account proof against a
// block's stateRoot, and a storage proof against the account's storageRoot. Used by the devnet
// to check Away-chain escrow deposits and settlement receipts without trusting the RPC's answer.
import { createMPTFromProof } from "@ethereumjs/mpt";
import { bytesToHex, fromRlp, hexToBigInt, hexToBytes, keccak256, type Hex } from "viem";

export class MptProofError extends Error {
  constructor(message: string) {
    super(`Merkle-Patricia proof: ${message}`);
    this.name = "MptProofError";
  }
}

/** keccak256(rlp("")): the root of an empty trie. */
export const EMPTY_TRIE_ROOT = keccak256(Uint8Array.of(0x80), "bytes");

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Walks the trie under `root` along `key` (already the trie path, e.g. keccak(address)).
 * Returns the value stored there, or null when the proof shows the key is absent.
 * Throws MptProofError when the proof does not start at `root`, lacks a node on the key's path
 * or holds a node that does not decode.
 */
export async function verifyMptProof(root: Uint8Array, key: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array | null> {
  if (root.length !== 32) throw new MptProofError("root must be 32 bytes");
  // The empty trie holds no key, whatever the proof: nodes sent with it (EDR sends the empty node
  // 0x80 for an account without storage) prove nothing more.
  if (same(root, EMPTY_TRIE_ROOT)) return null;
  if (proof.length === 0) throw new MptProofError("an empty proof for a trie that is not empty");
  if (!same(keccak256(proof[0]!, "bytes"), root)) throw new MptProofError(`the proof's first node does not hash to the root ${bytesToHex(root)}`);
  try {
    const trie = await createMPTFromProof(proof, { root });
    return await trie.get(key, true);
  } catch (e) {
    throw new MptProofError(`the proof lacks the node on the key's path, or holds one that does not decode (${(e as Error).message})`);
  }
}

export interface AccountState {
  nonce: bigint;
  balance: bigint;
  storageRoot: Uint8Array;
  codeHash: Uint8Array;
}

const rlpInt = (h: Hex) => (h === "0x" ? 0n : hexToBigInt(h));

function decodeRlp(bytes: Uint8Array, what: string) {
  try {
    return fromRlp(bytes, "hex");
  } catch (e) {
    throw new MptProofError(`${what} is not RLP: ${(e as Error).message.split("\n")[0]}`);
  }
}

/** Verifies an account proof; returns the account, or null if the proof shows it does not exist. */
export async function verifyAccountProof(stateRoot: Uint8Array, address: Uint8Array, accountProof: Uint8Array[]): Promise<AccountState | null> {
  if (address.length !== 20) throw new MptProofError("address must be 20 bytes");
  const value = await verifyMptProof(stateRoot, keccak256(address, "bytes"), accountProof);
  if (value === null) return null;
  const acct = decodeRlp(value, "the account record");
  const fields = Array.isArray(acct) ? acct.filter((x): x is Hex => typeof x === "string") : [];
  if (!Array.isArray(acct) || acct.length !== 4 || fields.length !== 4) throw new MptProofError("account record is not a 4-item list of strings");
  const [nonce, balance, storageRoot, codeHash] = fields.map((h) => h);
  const roots = [hexToBytes(storageRoot!), hexToBytes(codeHash!)];
  if (roots.some((r) => r.length !== 32)) throw new MptProofError("bad storageRoot/codeHash length");
  return { nonce: rlpInt(nonce!), balance: rlpInt(balance!), storageRoot: roots[0]!, codeHash: roots[1]! };
}

/** Verifies a storage proof for a 32-byte slot; returns the stored word (0 when absent). */
export async function verifyStorageProof(storageRoot: Uint8Array, slot: Uint8Array, storageProof: Uint8Array[]): Promise<bigint> {
  if (slot.length !== 32) throw new MptProofError("slot must be 32 bytes");
  const value = await verifyMptProof(storageRoot, keccak256(slot, "bytes"), storageProof);
  if (value === null) return 0n;
  const item = decodeRlp(value, "the storage value");
  if (typeof item !== "string") throw new MptProofError("storage value is a list");
  if (item.length > 2 + 64) throw new MptProofError("storage value wider than 32 bytes");
  const word = rlpInt(item);
  if (word === 0n) throw new MptProofError("storage trie holds an explicit zero");
  return word;
}
