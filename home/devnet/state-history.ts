// The Atomic Auctions state tree and its history: leaf writes of accepted actions wait here
// (pending) until the next block is sealed, then enter the Poseidon sparse Merkle tree whose root
// that block's header carries. Every sealed write is kept in order, so a proof can be made at any
// older height: from the live tree, a recent snapshot, or a tree rebuilt from the change log.
import { SparseMerkleTree, STATE_DEPTH, positionOf, type LeafEntry } from "../model/index.ts";
import { HomeError } from "../api/index.ts";
import type { LeafWrite } from "./auctions-module.ts";

interface SealedWrite {
  height: bigint;
  write: LeafWrite;
}

/** Trees kept as of the most recent blocks that wrote leaves. */
const SNAPSHOTS = 16;

function treeEntry(w: LeafWrite): LeafEntry {
  return { leafKey: w.leafKey, awayBinding: w.awayBinding, payloadDigest: w.payloadDigest };
}

export class StateHistory {
  /** State tree as of the latest sealed block. */
  private readonly tree = new SparseMerkleTree(STATE_DEPTH);
  /** Leaf writes of accepted actions not yet sealed, by leafKey (last write wins). */
  private readonly pending = new Map<bigint, LeafWrite>();
  /** Every sealed leaf write in order, for proofs at older heights. */
  private readonly changeLog: SealedWrite[] = [];
  /** The sealed writes of each leafKey, in order. */
  private readonly byKey = new Map<bigint, SealedWrite[]>();
  /** Trees as of recent blocks that wrote leaves (height -> tree), for proofs at older heights. */
  private readonly snapshots = new Map<bigint, SparseMerkleTree>();
  private rebuilt: { height: bigint; tree: SparseMerkleTree } | null = null;
  /** Sealed writes not yet hashed into the tree (seal with deferHashing), by leafKey. */
  private readonly unhashed = new Map<bigint, LeafWrite>();

  /** Root of the state tree as of the latest sealed block. */
  get root(): bigint {
    return this.liveTree().root;
  }

  /** The live tree with every sealed write hashed in. */
  private liveTree(): SparseMerkleTree {
    if (this.unhashed.size > 0) {
      this.tree.setMany([...this.unhashed.values()].map(treeEntry));
      this.unhashed.clear();
    }
    return this.tree;
  }

  /** Accepted, unsealed leaf writes (one per leafKey). */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Queues an accepted action's writes for the next sealed block. */
  stage(writes: LeafWrite[]): void {
    for (const w of writes) this.pending.set(w.leafKey, w);
  }

  /**
   * Writes the pending leaves into the tree as of block `height`. `snapshot` keeps a copy of the
   * tree for proofs at that height (off while replaying stored blocks on start); `deferHashing`
   * records the writes but hashes them into the tree only when its root or a proof is next
   * needed (a replay's blocks whose roots it does not check: one hashing for many blocks).
   */
  seal(height: bigint, opts: { snapshot: boolean; deferHashing?: boolean }): void {
    if (this.pending.size === 0) return;
    const writes = [...this.pending.values()];
    if (opts.deferHashing) for (const w of writes) this.unhashed.set(w.leafKey, w);
    else this.liveTree().setMany(writes.map(treeEntry));
    if (opts.snapshot) {
      this.snapshots.set(height, this.liveTree().clone());
      if (this.snapshots.size > SNAPSHOTS) this.snapshots.delete(this.snapshots.keys().next().value!);
    }
    for (const w of writes) {
      const entry = { height, write: w };
      this.changeLog.push(entry);
      const list = this.byKey.get(w.leafKey);
      if (list) list.push(entry);
      else this.byKey.set(w.leafKey, [entry]);
    }
    this.pending.clear();
  }

  /** The last write of `leafKey` sealed at or below height h (null: none). */
  writeAt(leafKey: bigint, h: bigint): LeafWrite | null {
    let write: LeafWrite | null = null;
    for (const c of this.byKey.get(leafKey) ?? []) if (c.height <= h) write = c.write;
    return write;
  }

  /** The state tree as of block h: the live tree, a snapshot, or rebuilt from the change log. */
  treeAt(h: bigint): SparseMerkleTree {
    // The state at h is the state after the last block <= h that wrote leaves.
    let lastWrite = -1n;
    for (let i = this.changeLog.length - 1; i >= 0; i--) {
      if (this.changeLog[i]!.height <= h) {
        lastWrite = this.changeLog[i]!.height;
        break;
      }
    }
    const newest = this.changeLog.length ? this.changeLog[this.changeLog.length - 1]!.height : -1n;
    if (lastWrite === newest) return this.liveTree();
    const snap = this.snapshots.get(lastWrite);
    if (snap) return snap;
    if (this.rebuilt?.height === lastWrite) return this.rebuilt.tree;
    const tree = new SparseMerkleTree(STATE_DEPTH);
    // The last write of each key only (the risk-state leaf alone is rewritten every block).
    const entries = new Map<bigint, LeafEntry>();
    for (const c of this.changeLog) {
      if (c.height > lastWrite) break;
      entries.set(c.write.leafKey, treeEntry(c.write));
    }
    tree.setMany([...entries.values()]);
    this.rebuilt = { height: lastWrite, tree };
    return tree;
  }

  /** A state-tree position holds one key: refuse a write whose position another key holds. */
  checkPositions(writes: LeafWrite[]): void {
    const byPos = new Map<bigint, bigint>();
    for (const w of this.pending.values()) byPos.set(positionOf(w.leafKey, STATE_DEPTH), w.leafKey);
    for (const w of writes) {
      const pos = positionOf(w.leafKey, STATE_DEPTH);
      const treeLeaf = this.liveTree().prove(w.leafKey).leaf;
      const other = byPos.get(pos) ?? (treeLeaf && treeLeaf.leafKey !== w.leafKey ? treeLeaf.leafKey : undefined);
      if (other !== undefined && other !== w.leafKey) {
        throw new HomeError("position-taken", `state tree position ${pos} already holds leafKey ${other}; cannot write kind ${w.kind} id ${w.id}`);
      }
      byPos.set(pos, w.leafKey);
    }
  }
}
