// State sparse Merkle tree: empty roots, roots against a dense reference computation,
// inclusion and both kinds of non-inclusion proofs, forged proofs rejected, position
// collisions refused, deletion and order independence.

import { beforeAll, describe, expect, it } from "vitest";
import { FIELD_MODULUS } from "../../../home/model/field.ts";
import { KIND_LOCKUP, leafKey } from "../../../home/model/leaves.ts";
import { STATE_DEPTH, SparseMerkleTree, type StateProof, emptyRoot, positionOf, verifyStateProof } from "../../../home/model/smt.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

/** Dense root of a depth-d tree from position -> (leafKey, binding, digest), with reference Poseidon. */
function denseRoot(depth: number, leaves: Map<bigint, [bigint, bigint, bigint]>): bigint {
  let level: bigint[] = [];
  for (let i = 0n; i < 1n << BigInt(depth); i++) {
    const l = leaves.get(i);
    level.push(l ? H(l) : 0n);
  }
  while (level.length > 1) {
    const up: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(H([level[i]!, level[i + 1]!]));
    level = up;
  }
  return level[0]!;
}

describe("sparse Merkle tree", () => {
  it("has the empty root Z[32] with Z[i+1] = Poseidon(Z[i], Z[i])", () => {
    let z = 0n;
    for (let i = 0; i < STATE_DEPTH; i++) z = H([z, z]);
    expect(emptyRoot(STATE_DEPTH)).toBe(z);
    expect(new SparseMerkleTree().root).toBe(z);
  });

  it("matches a dense reference computation (bit i of position = right child at level i)", () => {
    const depth = 4;
    const t = new SparseMerkleTree(depth);
    const dense = new Map<bigint, [bigint, bigint, bigint]>();
    for (const [key, binding, digest] of [
      [0x35n, 7n, 8n], // position 5
      [0x40n, 9n, 10n], // position 0
      [0x2fn, 11n, 12n], // position 15
    ] as const) {
      t.set(key, binding, digest);
      dense.set(positionOf(key, depth), [key, binding, digest]);
      expect(t.root).toBe(denseRoot(depth, dense));
    }
    t.set(0x35n, 7n, 99n); // update in place
    dense.set(5n, [0x35n, 7n, 99n]);
    expect(t.root).toBe(denseRoot(depth, dense));
  });

  it("proves inclusion of stored keys", () => {
    const t = new SparseMerkleTree();
    const keys = [1n, 2n, 3n, 4n, 5n].map((id) => leafKey(KIND_LOCKUP, id));
    keys.forEach((k, i) => t.set(k, 1000n + BigInt(i), 2000n + BigInt(i)));
    for (const [i, k] of keys.entries()) {
      const p = t.prove(k);
      expect(p.included).toBe(true);
      expect(p.siblings).toHaveLength(STATE_DEPTH);
      expect(p.leaf).toEqual({ leafKey: k, awayBinding: 1000n + BigInt(i), payloadDigest: 2000n + BigInt(i) });
      expect(verifyStateProof(t.root, p)).toBe(true);
    }
    expect(t.get(keys[2]!)?.payloadDigest).toBe(2002n);
    expect(t.entries()).toHaveLength(5);
  });

  it("proves non-inclusion at an empty position", () => {
    const t = new SparseMerkleTree();
    t.set(leafKey(KIND_LOCKUP, 1n), 1n, 2n);
    const absent = leafKey(KIND_LOCKUP, 2n);
    const p = t.prove(absent);
    expect(p.included).toBe(false);
    expect(p.leaf).toBeNull();
    expect(verifyStateProof(t.root, p)).toBe(true);
    // claiming inclusion with that path fails
    expect(verifyStateProof(t.root, { ...p, included: true })).toBe(false);
    expect(t.get(absent)).toBeUndefined();
  });

  it("proves non-inclusion at a position occupied by another key, and refuses the colliding insert", () => {
    const t = new SparseMerkleTree();
    const k1 = leafKey(KIND_LOCKUP, 7n);
    const k2 = k1 + (1n << 32n) < FIELD_MODULUS ? k1 + (1n << 32n) : k1 - (1n << 32n); // same low 32 bits
    expect(positionOf(k2, STATE_DEPTH)).toBe(positionOf(k1, STATE_DEPTH));
    t.set(k1, 5n, 6n);
    const p = t.prove(k2);
    expect(p.included).toBe(false);
    expect(p.leaf?.leafKey).toBe(k1);
    expect(verifyStateProof(t.root, p)).toBe(true);
    // the occupying leaf cannot be dropped to pretend the position is empty
    expect(verifyStateProof(t.root, { ...p, leaf: null })).toBe(false);
    // nor replaced by a leaf at another position
    expect(verifyStateProof(t.root, { ...p, leaf: { leafKey: k1 + 1n, awayBinding: 5n, payloadDigest: 6n } })).toBe(false);
    // nor can k1's own leaf serve as non-inclusion of k1
    expect(verifyStateProof(t.root, { ...t.prove(k1), included: false })).toBe(false);
    const before = t.root;
    expect(() => t.set(k2, 1n, 1n)).toThrow(/position/);
    expect(t.root).toBe(before);
  });

  it("rejects proofs with a wrong sibling, wrong payload or wrong root", () => {
    const t = new SparseMerkleTree();
    for (let id = 1n; id <= 4n; id++) t.set(leafKey(KIND_LOCKUP, id), id, id * 10n);
    const p = t.prove(leafKey(KIND_LOCKUP, 3n));
    expect(verifyStateProof(t.root, p)).toBe(true);
    for (const level of [0, 5, STATE_DEPTH - 1]) {
      const siblings = [...p.siblings];
      siblings[level] = siblings[level]! + 1n;
      expect(verifyStateProof(t.root, { ...p, siblings })).toBe(false);
    }
    expect(verifyStateProof(t.root, { ...p, siblings: p.siblings.slice(1) })).toBe(false);
    expect(verifyStateProof(t.root, { ...p, leaf: { ...p.leaf!, payloadDigest: 31n } })).toBe(false);
    expect(verifyStateProof(t.root + 1n, p)).toBe(false);
    const forged: StateProof = { ...p, siblings: [...p.siblings.slice(0, 3), FIELD_MODULUS, ...p.siblings.slice(4)] };
    expect(verifyStateProof(t.root, forged)).toBe(false);
  });

  it("restores the empty root on delete and does not depend on insertion order", () => {
    const keys = [1n, 2n, 3n].map((id) => leafKey(KIND_LOCKUP, id));
    const a = new SparseMerkleTree();
    const b = new SparseMerkleTree();
    keys.forEach((k) => a.set(k, 1n, k % 1000n));
    [...keys].reverse().forEach((k) => b.set(k, 1n, k % 1000n));
    expect(a.root).toBe(b.root);
    a.delete(keys[1]!);
    const c = new SparseMerkleTree();
    c.set(keys[0]!, 1n, keys[0]! % 1000n);
    c.set(keys[2]!, 1n, keys[2]! % 1000n);
    expect(a.root).toBe(c.root);
    a.delete(keys[0]!);
    a.delete(keys[2]!);
    a.delete(keys[2]!); // absent: no-op
    expect(a.root).toBe(emptyRoot(STATE_DEPTH));
    expect(a.size).toBe(0);
  });

  it("setMany equals one-by-one writes (last write wins) and is all-or-nothing on collisions", () => {
    const keys = [1n, 2n, 3n, 4n].map((id) => leafKey(KIND_LOCKUP, id));
    const writes = [
      { leafKey: keys[0]!, awayBinding: 1n, payloadDigest: 10n },
      { leafKey: keys[1]!, awayBinding: 1n, payloadDigest: 20n },
      { leafKey: keys[0]!, awayBinding: 1n, payloadDigest: 11n },
      { leafKey: keys[2]!, awayBinding: 2n, payloadDigest: 30n },
    ];
    const a = new SparseMerkleTree();
    a.set(keys[3]!, 9n, 9n);
    const b = a.clone();
    for (const w of writes) a.set(w.leafKey, w.awayBinding, w.payloadDigest);
    b.setMany(writes);
    expect(b.root).toBe(a.root);
    expect(b.entries()).toEqual(a.entries());
    expect(b.get(keys[0]!)?.payloadDigest).toBe(11n);
    const collide = keys[1]! + (1n << 32n) < FIELD_MODULUS ? keys[1]! + (1n << 32n) : keys[1]! - (1n << 32n);
    const before = b.root;
    expect(() => b.setMany([{ leafKey: keys[3]!, awayBinding: 0n, payloadDigest: 0n }, { leafKey: collide, awayBinding: 1n, payloadDigest: 1n }])).toThrow(/position/);
    expect(b.root).toBe(before);
    expect(b.get(keys[3]!)?.payloadDigest).toBe(9n);
  });

  it("clone is independent of the original", () => {
    const a = new SparseMerkleTree();
    a.set(leafKey(KIND_LOCKUP, 1n), 1n, 1n);
    const b = a.clone();
    b.set(leafKey(KIND_LOCKUP, 2n), 1n, 1n);
    expect(b.root).not.toBe(a.root);
    expect(a.size).toBe(1);
    b.delete(leafKey(KIND_LOCKUP, 2n));
    expect(b.root).toBe(a.root);
  });
});
