// Fixed-depth Poseidon sparse Merkle tree of the Home state, with inclusion and
// non-inclusion proofs. Encoding: circuits/ENCODING.md, "State tree".

import { assertFieldElement } from "./field.ts";
import { leafValue } from "./leaves.ts";
import { poseidon } from "./poseidon.ts";

export const STATE_DEPTH = 32;

export interface LeafEntry {
  leafKey: bigint;
  awayBinding: bigint;
  payloadDigest: bigint;
}

export interface StateProof {
  leafKey: bigint;
  /** `depth` siblings, level 0 (leaves) first. */
  siblings: bigint[];
  /** The leaf stored at the position, null if the position is empty. */
  leaf: LeafEntry | null;
  /** True for an inclusion proof of leafKey, false for non-inclusion. */
  included: boolean;
}

const zeroCache: bigint[] = [0n];

/** Z[i]: root of an empty subtree of height i (Z[0] = 0, Z[i+1] = Poseidon(Z[i], Z[i])). */
export function emptyNode(height: number): bigint {
  while (zeroCache.length <= height) {
    const z = zeroCache[zeroCache.length - 1]!;
    zeroCache.push(poseidon([z, z]));
  }
  return zeroCache[height]!;
}

/** Root of an empty tree of the given depth. */
export function emptyRoot(depth: number): bigint {
  return emptyNode(depth);
}

/** leafKey mod 2^depth. */
export function positionOf(leafKey: bigint, depth: number): bigint {
  return leafKey & ((1n << BigInt(depth)) - 1n);
}

function assertDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 1 || depth > 253) throw new RangeError(`tree depth must be 1..253, got ${depth}`);
}

function copyEntry(e: LeafEntry): LeafEntry {
  return { leafKey: e.leafKey, awayBinding: e.awayBinding, payloadDigest: e.payloadDigest };
}

export class SparseMerkleTree {
  readonly depth: number;
  /** nodes[level] maps an index at that level to its value when it differs from Z[level]. */
  private readonly nodes: Map<bigint, bigint>[];
  private readonly leaves = new Map<bigint, LeafEntry>();

  constructor(depth: number = STATE_DEPTH) {
    assertDepth(depth);
    this.depth = depth;
    this.nodes = Array.from({ length: depth + 1 }, () => new Map<bigint, bigint>());
  }

  get root(): bigint {
    return this.node(this.depth, 0n);
  }

  /** Number of stored leaves. */
  get size(): number {
    return this.leaves.size;
  }

  private node(level: number, index: bigint): bigint {
    return this.nodes[level]!.get(index) ?? emptyNode(level);
  }

  /** The entry stored for leafKey, if any. */
  get(leafKey: bigint): LeafEntry | undefined {
    const e = this.leaves.get(positionOf(leafKey, this.depth));
    return e && e.leafKey === leafKey ? copyEntry(e) : undefined;
  }

  /** Inserts or updates leafKey; throws if its position holds a different key. */
  set(leafKey: bigint, awayBinding: bigint, payloadDigest: bigint): void {
    const entry = { leafKey, awayBinding, payloadDigest };
    const value = leafValue(entry); // validates the three field elements
    const pos = positionOf(leafKey, this.depth);
    const existing = this.leaves.get(pos);
    if (existing && existing.leafKey !== leafKey) {
      throw new Error(`state tree position ${pos} already holds leafKey ${existing.leafKey}; refusing leafKey ${leafKey}`);
    }
    this.leaves.set(pos, entry);
    this.writePath(pos, value);
  }

  /**
   * Applies many writes at once (later entries for the same key win), hashing each affected
   * node once instead of once per write: much cheaper for replays. All-or-nothing: throws
   * before changing anything if a position would hold two different keys.
   */
  setMany(entries: readonly LeafEntry[]): void {
    const staged = new Map<bigint, LeafEntry>();
    const values = new Map<bigint, bigint>();
    for (const e of entries) {
      const value = leafValue(e);
      const pos = positionOf(e.leafKey, this.depth);
      const holder = staged.get(pos) ?? this.leaves.get(pos);
      if (holder && holder.leafKey !== e.leafKey) {
        throw new Error(`state tree position ${pos} already holds leafKey ${holder.leafKey}; refusing leafKey ${e.leafKey}`);
      }
      staged.set(pos, copyEntry(e));
      values.set(pos, value);
    }
    for (const [pos, e] of staged) this.leaves.set(pos, e);
    let dirty = new Set<bigint>();
    for (const [pos, value] of values) {
      this.nodes[0]!.set(pos, value);
      dirty.add(pos);
    }
    for (let level = 0; level < this.depth; level++) {
      const up = new Set<bigint>();
      for (const index of dirty) up.add(index >> 1n);
      for (const parent of up) {
        const value = poseidon([this.node(level, parent << 1n), this.node(level, (parent << 1n) | 1n)]);
        if (value === emptyNode(level + 1)) this.nodes[level + 1]!.delete(parent);
        else this.nodes[level + 1]!.set(parent, value);
      }
      dirty = up;
    }
  }

  /** An independent copy (no rehashing). */
  clone(): SparseMerkleTree {
    const c = new SparseMerkleTree(this.depth);
    this.nodes.forEach((m, level) => m.forEach((v, k) => c.nodes[level]!.set(k, v)));
    this.leaves.forEach((e, k) => c.leaves.set(k, copyEntry(e)));
    return c;
  }

  /** Removes leafKey (no-op if absent). */
  delete(leafKey: bigint): void {
    assertFieldElement(leafKey, "leafKey");
    const pos = positionOf(leafKey, this.depth);
    const existing = this.leaves.get(pos);
    if (!existing || existing.leafKey !== leafKey) return;
    this.leaves.delete(pos);
    this.writePath(pos, 0n);
  }

  private writePath(pos: bigint, leaf: bigint): void {
    let index = pos;
    let value = leaf;
    for (let level = 0; ; level++) {
      if (value === emptyNode(level)) this.nodes[level]!.delete(index);
      else this.nodes[level]!.set(index, value);
      if (level === this.depth) break;
      const sibling = this.node(level, index ^ 1n);
      value = (index & 1n) === 0n ? poseidon([value, sibling]) : poseidon([sibling, value]);
      index >>= 1n;
    }
  }

  /** Inclusion proof if leafKey is stored, otherwise a non-inclusion proof. */
  prove(leafKey: bigint): StateProof {
    assertFieldElement(leafKey, "leafKey");
    const pos = positionOf(leafKey, this.depth);
    const siblings: bigint[] = [];
    let index = pos;
    for (let level = 0; level < this.depth; level++) {
      siblings.push(this.node(level, index ^ 1n));
      index >>= 1n;
    }
    const stored = this.leaves.get(pos);
    return {
      leafKey,
      siblings,
      leaf: stored ? copyEntry(stored) : null,
      included: stored !== undefined && stored.leafKey === leafKey,
    };
  }

  /** All stored entries, ordered by position. */
  entries(): LeafEntry[] {
    return [...this.leaves.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, e]) => copyEntry(e));
  }
}

/** Root reached by hashing `leaf` at `position` up through `siblings`. */
export function rootFromPath(leaf: bigint, position: bigint, siblings: readonly bigint[]): bigint {
  let value = leaf;
  for (let level = 0; level < siblings.length; level++) {
    const s = siblings[level]!;
    value = ((position >> BigInt(level)) & 1n) === 0n ? poseidon([value, s]) : poseidon([s, value]);
  }
  return value;
}

/**
 * Verifies an inclusion proof (included = true: leaf.leafKey == proof.leafKey) or a
 * non-inclusion proof (the position opens to 0, or to a leaf with a different leafKey at
 * the same position) against root. The depth is the number of siblings. Never throws.
 */
export function verifyStateProof(root: bigint, proof: StateProof): boolean {
  try {
    const depth = proof.siblings.length;
    assertDepth(depth);
    assertFieldElement(proof.leafKey, "leafKey");
    for (const s of proof.siblings) assertFieldElement(s, "sibling");
    const pos = positionOf(proof.leafKey, depth);
    let leaf: bigint;
    if (proof.included) {
      if (!proof.leaf || proof.leaf.leafKey !== proof.leafKey) return false;
      leaf = leafValue(proof.leaf);
    } else if (proof.leaf === null) {
      leaf = 0n;
    } else {
      if (proof.leaf.leafKey === proof.leafKey) return false;
      if (positionOf(proof.leaf.leafKey, depth) !== pos) return false;
      leaf = leafValue(proof.leaf);
    }
    return rootFromPath(leaf, pos, proof.siblings) === root;
  } catch {
    return false;
  }
}
