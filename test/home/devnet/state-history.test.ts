// The state tree at older heights (state-history.ts): a proof at height h must be made against
// the tree whose root block h's header carries, whether that tree is the live one, a snapshot of a
// recent block, or one rebuilt from the change log (older than the snapshots kept, or after a
// replay on open, which keeps none). Checked against a reference tree built alongside.
import { describe, expect, it } from "vitest";
import { DEFAULT_RISK_CONFIG } from "../../../home/risk/index.ts";
import { SparseMerkleTree, STATE_DEPTH, emptyRoot, KIND_LOCKUP, type LockupPayload } from "../../../home/model/index.ts";
import { leafWrite, type LeafWrite, type ModuleParams } from "../../../home/devnet/auctions-state.ts";
import { StateHistory } from "../../../home/devnet/state-history.ts";

const params: ModuleParams = {
  aways: [{ chainId: 31337n, settlementAddress: "0x00000000000000000000000000000000000000a1", escrowAddress: "0x00000000000000000000000000000000000000e5" }],
  maxFills: 8,
  maxLockFills: 2,
  risk: DEFAULT_RISK_CONFIG,
};

function lockup(lockId: bigint, creditLimit: bigint): LeafWrite {
  const payload: LockupPayload = {
    lockId,
    owner: `0x${"11".repeat(32)}`,
    borrower: "0x0000000000000000000000000000000000000b0b",
    creditAsset: "0x0000000000000000000000000000000000000c0c",
    creditLimit,
    expiry: 2_000_000_000n,
    status: 1,
  };
  return leafWrite(params, 31337n, lockId, { kind: KIND_LOCKUP, payload });
}

/** Writes at the even heights 2..LAST (18 writing blocks, more than the 16 snapshots kept): one lockup updated, one added. */
function writesAt(h: bigint): LeafWrite[] {
  if (h % 2n !== 0n) return [];
  return [lockup((h % 5n) + 1n, h * 1000n), lockup(h + 100n, 1n)];
}

const LAST = 36n;

function build(snapshot: boolean): { history: StateHistory; roots: bigint[] } {
  const history = new StateHistory();
  const reference = new SparseMerkleTree(STATE_DEPTH);
  const roots: bigint[] = [emptyRoot(STATE_DEPTH)];
  for (let h = 1n; h <= LAST; h++) {
    const writes = writesAt(h);
    history.stage(writes);
    history.seal(h, { snapshot });
    reference.setMany(writes);
    roots.push(reference.root);
    expect(history.root).toBe(reference.root);
  }
  return { history, roots };
}

const heights = Array.from({ length: Number(LAST) + 1 }, (_, i) => BigInt(i));

describe("state history", () => {
  for (const snapshot of [true, false]) {
    it(`gives the tree of every height (${snapshot ? "sealed live, with snapshots" : "replayed, no snapshots"})`, () => {
      const { history, roots } = build(snapshot);
      // Newest first walks the snapshots before the rebuilt trees; oldest first reuses each rebuilt tree for the block after it.
      const order = snapshot ? [...[...heights].reverse(), ...heights] : heights;
      for (const h of order) expect(history.treeAt(h).root, `height ${h}`).toBe(roots[Number(h)]);
      // A proof at an old height proves the leaf as it was then.
      const old = history.treeAt(4n).prove(lockup(5n, 0n).leafKey);
      expect(old.included).toBe(true);
      expect(old.leaf?.payloadDigest).toBe(lockup(5n, 4000n).payloadDigest);
    });
  }

  it("returns each leaf's last write sealed at or below a height", () => {
    const { history } = build(true);
    const key = lockup(1n, 0n).leafKey; // lock 1 is written at heights 10, 20, 30
    expect(history.writeAt(key, 9n)).toBeNull();
    for (const [h, at] of [[10n, 10n], [19n, 10n], [20n, 20n], [29n, 20n], [LAST, 30n]] as const) {
      const w = history.writeAt(key, h);
      expect(w?.kind === KIND_LOCKUP && w.payload.creditLimit, `height ${h}`).toBe(at * 1000n);
    }
  });

  it("keeps staged writes out of the tree until the block is sealed, the last write of a key winning", () => {
    const history = new StateHistory();
    history.stage([lockup(1n, 5n)]);
    history.stage([lockup(1n, 6n), lockup(2n, 1n)]);
    expect(history.pendingCount).toBe(2);
    expect(history.root).toBe(emptyRoot(STATE_DEPTH));
    history.seal(1n, { snapshot: true });
    expect(history.pendingCount).toBe(0);
    const reference = new SparseMerkleTree(STATE_DEPTH);
    reference.setMany([lockup(1n, 6n), lockup(2n, 1n)]);
    expect(history.root).toBe(reference.root);
  });

  it("gives the tree of every height when one leaf is rewritten every block (the risk state), across checkpoints", () => {
    // Every block rewrites lock 900 (as the risk-state leaf is); every 7th also adds a lockup; 200
    // blocks pass the 16 snapshots and several 64-block checkpoints. Blocks 1..40 are sealed with
    // deferred hashing, as a replay does for blocks it does not check.
    const history = new StateHistory();
    const reference = new SparseMerkleTree(STATE_DEPTH);
    const roots: bigint[] = [emptyRoot(STATE_DEPTH)];
    for (let h = 1n; h <= 200n; h++) {
      const writes = [lockup(900n, h), ...(h % 7n === 0n ? [lockup(1000n + h, h)] : [])];
      history.stage(writes);
      history.seal(h, { snapshot: h > 40n, deferHashing: h <= 40n });
      reference.setMany(writes);
      roots.push(reference.root);
    }
    expect(history.root).toBe(reference.root);
    // An order that mixes far and near heights, so trees are rebuilt forward and back from each other.
    const order = [150n, 3n, 199n, 64n, 65n, 63n, 128n, 0n, 100n, 180n, 181n, 1n, 40n, 41n, 129n, 2n, 200n];
    for (const h of order) expect(history.treeAt(h).root, `height ${h}`).toBe(roots[Number(h)]);
    for (let h = 0n; h <= 200n; h += 9n) expect(history.treeAt(h).root, `height ${h}`).toBe(roots[Number(h)]);
  });
});
