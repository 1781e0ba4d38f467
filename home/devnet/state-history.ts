// The Atomic Auctions state tree and its history: leaf writes of accepted actions wait here
// (pending) until the next block is sealed, then enter the Poseidon sparse Merkle tree whose root
// that block's header carries. Every sealed write is kept in order, so a proof can be made at any
// older height: from the live tree, a recent snapshot, or a tree rebuilt from the nearest older
// snapshot (or from nothing) and the change log.
import { SparseMerkleTree, STATE_DEPTH, positionOf, type LeafEntry } from "../model/index.ts";
import { HomeError } from "../api/index.ts";
import type { LeafWrite } from "./auctions-module.ts";

interface KeptTree {
  height: bigint;
  tree: SparseMerkleTree;
}

interface SealedWrite {
  height: bigint;
  write: LeafWrite;
}

/** Trees kept as of the most recent blocks that wrote leaves. */
const SNAPSHOTS = 16;
/**
 * Trees also kept as of every CHECKPOINT_BLOCKS-th height (the last CHECKPOINTS of them): every
 * block writes the risk-state leaf, so the recent snapshots span only SNAPSHOTS blocks; a proof
 * older than that is rebuilt from whichever kept tree (checkpoint, snapshot, the last rebuilt or
 * the live one) is fewest writes away, forward from one below or back from one above.
 */
const CHECKPOINT_BLOCKS = 64n;
const CHECKPOINTS = 8;

/** The first index of `log` (ordered by height) whose height is above `h`. */
function firstAbove(log: readonly SealedWrite[], h: bigint): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (log[mid]!.height <= h) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Keeps `tree` as of `height` in `m`, dropping the oldest beyond `max`. */
function keep(m: Map<bigint, SparseMerkleTree>, height: bigint, tree: SparseMerkleTree, max: number): void {
  m.set(height, tree);
  if (m.size > max) m.delete(m.keys().next().value!);
}

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
  /** Trees as of every CHECKPOINT_BLOCKS-th height that wrote leaves (the last CHECKPOINTS). */
  private readonly checkpoints = new Map<bigint, SparseMerkleTree>();
  private rebuilt: KeptTree | null = null;
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
      const copy = this.liveTree().clone();
      keep(this.snapshots, height, copy, SNAPSHOTS);
      if (height % CHECKPOINT_BLOCKS === 0n) keep(this.checkpoints, height, copy, CHECKPOINTS);
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
    const snap = this.snapshots.get(lastWrite) ?? this.checkpoints.get(lastWrite);
    if (snap) return snap;
    if (this.rebuilt?.height === lastWrite) return this.rebuilt.tree;
    const below = this.nearest(lastWrite, "below");
    const above = this.nearest(lastWrite, "above") ?? { height: newest, tree: this.liveTree() };
    const at = firstAbove(this.changeLog, lastWrite);
    const forward = at - firstAbove(this.changeLog, below ? below.height : -1n);
    const back = firstAbove(this.changeLog, above.height) - at;
    const tree = back < forward ? this.revertedTo(above, lastWrite) : this.advancedTo(below, lastWrite);
    this.rebuilt = { height: lastWrite, tree };
    return tree;
  }

  /** A copy of `base` (or an empty tree) with the writes after it up to height h, the last of each key only. */
  private advancedTo(base: KeptTree | null, h: bigint): SparseMerkleTree {
    const tree = base ? base.tree.clone() : new SparseMerkleTree(STATE_DEPTH);
    const entries = new Map<bigint, LeafEntry>();
    for (let i = firstAbove(this.changeLog, base ? base.height : -1n); i < this.changeLog.length; i++) {
      const c = this.changeLog[i]!;
      if (c.height > h) break;
      entries.set(c.write.leafKey, treeEntry(c.write));
    }
    tree.setMany([...entries.values()]);
    return tree;
  }

  /** A copy of `base` with every key written after height h set back to its write at h (or removed). */
  private revertedTo(base: KeptTree, h: bigint): SparseMerkleTree {
    const tree = base.tree.clone();
    const keys = new Set<bigint>();
    for (let i = firstAbove(this.changeLog, h); i < this.changeLog.length && this.changeLog[i]!.height <= base.height; i++) keys.add(this.changeLog[i]!.write.leafKey);
    const entries: LeafEntry[] = [];
    for (const key of keys) {
      const w = this.writeAt(key, h);
      if (w) entries.push(treeEntry(w));
      else tree.delete(key);
    }
    tree.setMany(entries);
    return tree;
  }

  /** The kept tree (snapshot, checkpoint or last rebuilt) nearest to height h strictly below or above it. */
  private nearest(h: bigint, side: "below" | "above"): KeptTree | null {
    let best: KeptTree | null = null;
    const closer = (height: bigint) => (side === "below" ? height < h && (!best || height > best.height) : height > h && (!best || height < best.height));
    if (this.rebuilt && closer(this.rebuilt.height)) best = this.rebuilt;
    for (const m of [this.snapshots, this.checkpoints]) for (const [height, tree] of m) if (closer(height)) best = { height, tree };
    return best;
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
