// The planner's pure logic: which jobs (with which dependencies) follow from a Home view, the
// Away views and the job table; rotations as epochs end; failed jobs planned again; dependencies
// moved to a fresher header; and that planning twice plans nothing new. On an anchored light client:
// the anchor's Open Libra epoch changes as epochs end, the voucher of each set the client rotates to,
// and the rotations waiting for those vouchers.
import { describe, expect, it } from "vitest";
import { jobKey, type JobState, type JobSummary, type NewJob } from "../../relayer/jobs.ts";
import { epochOfHeight, plan, type Plan } from "../../relayer/planner.ts";
import type { AwayView, HomeAuction, HomeView } from "../../relayer/ports.ts";

const SETTLE = "0x00000000000000000000000000000000000000aa";
const OTHER = "0x00000000000000000000000000000000000000bb";

function auction(id: bigint, height: bigint, extra: Partial<HomeAuction> = {}): HomeAuction {
  return { auctionId: id, awayChainId: 31337, awayContract: SETTLE, height, settleDeadline: 1_000n, receiptConsumed: false, ...extra };
}

function home(auctions: HomeAuction[], extra: Partial<HomeView> = {}): HomeView {
  // epochs of 10 headers: epoch 0 ends at 9, epoch 1 at 19, epoch 2 at 29; epoch 3 is current
  return {
    latestHeight: 35n, latestEpoch: 3n,
    epochEnds: [{ epoch: 0n, height: 9n }, { epoch: 1n, height: 19n }, { epoch: 2n, height: 29n }],
    auctions, ...extra,
  };
}

function away(lc: Partial<AwayView["lightClient"]>, extra: Partial<AwayView> = {}): AwayView {
  return {
    chainId: 31337, settlement: SETTLE, lightClient: { epoch: 0n, latestHeight: 0n, hasHeaders: false, ...lc },
    nowSec: 500n, receipts: new Map(), ...extra,
  };
}

const brief = (p: Plan) => p.insert.map((j) => `${j.key}${j.dependsOn ? ` <- ${j.dependsOn}` : ""}`);

type Table = Map<string, JobSummary>;

/** Apply a plan to a job table (as the store would) and return the new table. */
function applied(table: Table, p: Plan, state: JobState = "pending"): Table {
  const t = new Map(table);
  for (const j of p.insert) if (!t.has(j.key)) t.set(j.key, summary(j, state));
  for (const k of p.revive) t.set(k, { ...t.get(k)!, state: "pending" });
  for (const r of p.repoint) t.set(r.key, { ...t.get(r.key)!, dependsOn: r.dependsOn });
  return t;
}

function summary(j: NewJob, state: JobState): JobSummary {
  return { key: j.key, kind: j.kind, chainId: j.chainId, state, payload: j.payload, dependsOn: j.dependsOn ?? null, attempts: 0, createdAt: 0, notBefore: 0 } as JobSummary;
}

/** A table where the given jobs have these states (payloads as the planner makes them). */
function table(rows: [key: string, state: JobState, extra?: Partial<JobSummary>][]): Table {
  const t: Table = new Map();
  for (const [key, state, extra] of rows) {
    const [kind, chain, subject] = key.split(":") as [NewJob["kind"], string, string];
    const n = BigInt(subject);
    const payload =
      kind === "rotation" ? { epoch: n, height: (n + 1n) * 10n - 1n } : kind === "ol-epoch" || kind === "voucher" ? { epoch: n } : kind === "header" ? { height: n, epoch: n / 10n } : kind === "receipt" ? { auctionId: n, outcome: 1 } : { auctionId: n, minHeight: 30n };
    t.set(key, { ...summary({ key, kind, chainId: Number(chain), subject, payload } as NewJob, state), ...extra } as JobSummary);
  }
  return t;
}

describe("planner", () => {
  it("settles directly when the light client already has a high enough header", () => {
    const p = plan({ home: home([auction(1n, 32n)]), aways: [away({ epoch: 3n, latestHeight: 33n, hasHeaders: true })], jobs: new Map() });
    expect(brief(p)).toEqual(["settle:31337:1"]);
    expect(p.insert[0]!.payload).toEqual({ auctionId: 1n, minHeight: 32n });
  });

  it("plans a header in the current epoch, and the settlement depends on it", () => {
    const p = plan({ home: home([auction(1n, 34n)]), aways: [away({ epoch: 3n, latestHeight: 31n, hasHeaders: true })], jobs: new Map() });
    expect(brief(p)).toEqual(["header:31337:34", "settle:31337:1 <- header:31337:34"]);
    expect(p.insert[0]!.payload).toEqual({ height: 34n, epoch: 3n });
  });

  it("a settlement carries its header (settleWithHeader) when the light client has the combined verifier and no rotation comes first", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const p = plan({ home: home([auction(1n, 34n)]), aways: [away(lc, { headerSettlement: true })], jobs: new Map() });
    expect(brief(p)).toEqual(["settle:31337:1"]);
    expect(p.insert[0]!.payload).toEqual({ auctionId: 1n, minHeight: 34n, carryHeader: true });
    // planned again: nothing new, and no header job for the carried header
    const t = applied(new Map(), p);
    expect(brief(plan({ home: home([auction(1n, 34n)]), aways: [away(lc, { headerSettlement: true })], jobs: t }))).toEqual([]);
    // the job dropped carryHeader (no aggregate signature, a later header stored): a header job, and it depends on it
    const dropped = new Map(t);
    dropped.set("settle:31337:1", { ...t.get("settle:31337:1")!, payload: { auctionId: 1n, minHeight: 34n, carryHeader: false } } as JobSummary);
    const after = plan({ home: home([auction(1n, 34n)]), aways: [away(lc, { headerSettlement: true })], jobs: dropped });
    expect(brief(after)).toEqual(["header:31337:34"]);
    expect(after.repoint).toEqual([{ key: "settle:31337:1", dependsOn: "header:31337:34" }]);
    // a header in a finished epoch is covered by that epoch's rotation: the settlement waits for it, nothing carried
    const finished = plan({ home: home([auction(1n, 24n)]), aways: [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true }, { headerSettlement: true })], jobs: new Map() });
    expect(brief(finished)).toEqual(["rotation:31337:2", "settle:31337:1 <- rotation:31337:2"]);
    expect(finished.insert[1]!.payload).toEqual({ auctionId: 1n, minHeight: 24n });
    // without the combined verifier: the usual path
    expect(brief(plan({ home: home([auction(1n, 34n)]), aways: [away(lc)], jobs: new Map() }))).toEqual(["header:31337:34", "settle:31337:1 <- header:31337:34"]);
  });

  it("a settlement in the epoch after the light client's carries its header too, and depends on the rotation into that epoch", () => {
    const h = home([auction(1n, 34n)]);
    const behind = [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true }, { headerSettlement: true })];
    const p = plan({ home: h, aways: behind, jobs: new Map() });
    // no header job: the rotation and the settlement are proved without waiting for each other; the settlement is sent once the rotation is mined
    expect(brief(p)).toEqual(["rotation:31337:2", "settle:31337:1 <- rotation:31337:2"]);
    expect(p.insert[1]!.payload).toEqual({ auctionId: 1n, minHeight: 34n, carryHeader: true });
    const t = applied(new Map(), p);
    expect(plan({ home: h, aways: behind, jobs: t })).toEqual({ insert: [], revive: [], repoint: [] });
    // several epochs behind: it waits for the last rotation (the chain of rotations before it is planned as usual)
    const far = plan({ home: h, aways: [away({ epoch: 0n }, { headerSettlement: true })], jobs: new Map() });
    expect(brief(far)).toEqual(["rotation:31337:0", "rotation:31337:1 <- rotation:31337:0", "rotation:31337:2 <- rotation:31337:1", "settle:31337:1 <- rotation:31337:2"]);
    expect(far.insert[3]!.payload).toMatchObject({ carryHeader: true });
    // the rotation is mined: the settlement's dependency is confirmed, nothing to change
    const rotated = [away({ epoch: 3n, latestHeight: 29n, hasHeaders: true }, { headerSettlement: true })];
    const mined = new Map(t).set("rotation:31337:2", { ...t.get("rotation:31337:2")!, state: "confirmed" });
    expect(plan({ home: h, aways: rotated, jobs: mined })).toEqual({ insert: [], revive: [], repoint: [] });
    // Home has not said where epoch 2 ended: no rotation can be planned, so nothing is planned for the settlement yet
    const unknownEnd = home([auction(1n, 34n)], { epochEnds: [{ epoch: 0n, height: 9n }, { epoch: 1n, height: 19n }] });
    expect(brief(plan({ home: unknownEnd, aways: behind, jobs: new Map() }))).toEqual([]);
  });

  it("a carried settlement whose rotation fails keeps waiting for the revived rotation; one whose rotation someone else made waits for nothing", () => {
    const h = home([auction(1n, 34n)]);
    const carrying = (state: JobState) =>
      table([
        ["rotation:31337:2", "failed"],
        ["settle:31337:1", state, { dependsOn: "rotation:31337:2", payload: { auctionId: 1n, minHeight: 34n, carryHeader: true } }],
      ]);
    const failed = plan({ home: h, aways: [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true }, { headerSettlement: true })], jobs: carrying("proved") });
    expect(failed).toEqual({ insert: [], revive: ["rotation:31337:2"], repoint: [] });
    // another relayer rotated the light client: our failed rotation is not needed, the settlement stops waiting for it
    const other = plan({ home: h, aways: [away({ epoch: 3n, latestHeight: 29n, hasHeaders: true }, { headerSettlement: true })], jobs: carrying("proved") });
    expect(other).toEqual({ insert: [], revive: [], repoint: [{ key: "settle:31337:1", dependsOn: null }] });
  });

  it("a settlement that dropped its carried header after its rotation was mined gets a header job, not the rotation below it", () => {
    // the header had no aggregate signature: the job was proved again without carryHeader and still points at the confirmed rotation
    const jobs = table([
      ["rotation:31337:2", "confirmed"],
      ["settle:31337:1", "pending", { dependsOn: "rotation:31337:2", payload: { auctionId: 1n, minHeight: 34n, carryHeader: false } }],
    ]);
    const p = plan({ home: home([auction(1n, 34n)]), aways: [away({ epoch: 3n, latestHeight: 29n, hasHeaders: true }, { headerSettlement: true })], jobs });
    expect(brief(p)).toEqual(["header:31337:34"]);
    expect(p.repoint).toEqual([{ key: "settle:31337:1", dependsOn: "header:31337:34" }]);
  });

  it("keeps the light client within Home's epoch: a rotation for every finished epoch, also with no settlement waiting", () => {
    const idle = plan({ home: home([]), aways: [away({ epoch: 1n, latestHeight: 12n, hasHeaders: true })], jobs: new Map() });
    expect(brief(idle)).toEqual(["rotation:31337:1", "rotation:31337:2 <- rotation:31337:1"]);
    expect(idle.insert.map((j) => j.payload)).toEqual([{ epoch: 1n, height: 19n }, { epoch: 2n, height: 29n }]);
    // caught up: nothing until the current epoch ends
    expect(brief(plan({ home: home([]), aways: [away({ epoch: 3n, latestHeight: 29n, hasHeaders: true })], jobs: new Map() }))).toEqual([]);
    // after idle time, a settlement needs only the header of the current epoch (the rotations are already done)
    const after = plan({ home: home([auction(1n, 33n)]), aways: [away({ epoch: 3n, latestHeight: 29n, hasHeaders: true })], jobs: table([["rotation:31337:2", "confirmed"]]) });
    expect(brief(after)).toEqual(["header:31337:33", "settle:31337:1 <- header:31337:33"]);
  });

  it("a settlement below the last epoch end waits for the rotation that covers it, not a header of its own", () => {
    const p = plan({ home: home([auction(1n, 33n), auction(2n, 24n)]), aways: [away({ epoch: 1n, latestHeight: 12n, hasHeaders: true })], jobs: new Map() });
    expect(brief(p)).toEqual([
      "rotation:31337:1",
      "rotation:31337:2 <- rotation:31337:1",
      "header:31337:33 <- rotation:31337:2",
      "settle:31337:1 <- header:31337:33",
      "settle:31337:2 <- rotation:31337:2",
    ]);
  });

  it("uses the epoch-ending header itself when that is the height needed", () => {
    const p = plan({ home: home([auction(5n, 19n)]), aways: [away({ epoch: 0n })], jobs: new Map() });
    expect(brief(p)).toEqual(["rotation:31337:0", "rotation:31337:1 <- rotation:31337:0", "rotation:31337:2 <- rotation:31337:1", "settle:31337:5 <- rotation:31337:1"]);
  });

  it("orders one pass numerically: auction 10 after auction 2", () => {
    const p = plan({ home: home([auction(10n, 32n), auction(2n, 32n), auction(100n, 32n)]), aways: [away({ epoch: 3n, latestHeight: 33n, hasHeaders: true })], jobs: new Map() });
    expect(p.insert.map((j) => j.key)).toEqual(["settle:31337:2", "settle:31337:10", "settle:31337:100"]);
  });

  it("plans nothing new when run again on the same inputs", () => {
    const h = home([auction(1n, 33n)]);
    const a = [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true })];
    const first = plan({ home: h, aways: a, jobs: new Map() });
    expect(first.insert.length).toBe(3);
    expect(plan({ home: h, aways: a, jobs: applied(new Map(), first) })).toEqual({ insert: [], revive: [], repoint: [] });
    // a later auction needing a newer header: new header job; the rotation already exists
    const later = plan({ home: home([auction(1n, 33n), auction(2n, 35n)]), aways: a, jobs: applied(new Map(), first) });
    expect(brief(later)).toEqual(["header:31337:35 <- rotation:31337:2", "settle:31337:2 <- header:31337:35"]);
    // one below an existing header job waits for it instead of asking for another
    const lower = plan({ home: home([auction(1n, 33n), auction(3n, 31n)]), aways: a, jobs: applied(new Map(), first) });
    expect(brief(lower)).toEqual(["settle:31337:3 <- header:31337:33"]);
  });

  it("plans a failed rotation or header again, so a settlement waiting on it is never stuck", () => {
    const a = [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true })];
    const jobs = table([
      ["rotation:31337:2", "failed"],
      ["header:31337:33", "failed", { dependsOn: "rotation:31337:2" }],
      ["settle:31337:1", "proved", { dependsOn: "header:31337:33", payload: { auctionId: 1n, minHeight: 33n } }],
    ]);
    const p = plan({ home: home([auction(1n, 33n)]), aways: a, jobs });
    expect(p.insert).toEqual([]);
    expect(p.revive.sort()).toEqual(["header:31337:33", "rotation:31337:2"]);
    expect(p.repoint).toEqual([]); // the settlement keeps waiting on the revived header
    // and an expired settlement is not revived: its default is planned after the deadline
    const expired = plan({ home: home([auction(1n, 33n)]), aways: [away({ epoch: 3n, latestHeight: 33n, hasHeaders: true }, { nowSec: 1_001n })], jobs: table([["settle:31337:1", "expired"]]) });
    expect(expired.revive).toEqual([]);
    expect(brief(expired)).toEqual(["default:31337:1"]);
  });

  it("points a settlement that asked for a fresher header at one, and one whose header is covered at none", () => {
    const a = [away({ epoch: 3n, latestHeight: 31n, hasHeaders: true })];
    // the handler raised minHeight to 35 after StaleHeader and dropped the dependency
    const stale = table([["settle:31337:1", "pending", { payload: { auctionId: 1n, minHeight: 35n }, dependsOn: null }]]);
    const p = plan({ home: home([auction(1n, 30n)]), aways: a, jobs: stale });
    expect(brief(p)).toEqual(["header:31337:35"]);
    expect(p.repoint).toEqual([{ key: "settle:31337:1", dependsOn: "header:31337:35" }]);
    // its header failed but another one covers it now: no dependency left to wait for
    const covered = table([
      ["header:31337:33", "failed"],
      ["settle:31337:1", "proved", { payload: { auctionId: 1n, minHeight: 30n }, dependsOn: "header:31337:33" }],
    ]);
    expect(plan({ home: home([auction(1n, 30n)]), aways: a, jobs: covered }).repoint).toEqual([{ key: "settle:31337:1", dependsOn: null }]);
  });

  it("only plans auctions bound to this chain's settlement contract", () => {
    const p = plan({
      home: home([auction(1n, 30n, { awayContract: OTHER }), auction(2n, 30n, { awayChainId: 1 }), auction(3n, 30n)]),
      aways: [away({ epoch: 3n, latestHeight: 31n, hasHeaders: true })],
      jobs: new Map(),
    });
    expect(brief(p)).toEqual(["settle:31337:3"]);
  });

  it("plans a settlement even past the raw deadline (the chain's extended one decides), and a default once it expired or failed", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const late = { nowSec: 1_001n };
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: new Map() }))).toEqual(["settle:31337:1"]);
    // a settlement in flight: wait for it
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: table([["settle:31337:1", "submitted"]]) }))).toEqual([]);
    for (const state of ["expired", "failed"] as const) {
      expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: table([["settle:31337:1", state]]) }))).toEqual(["default:31337:1"]);
    }
    // a settlement that failed for good before the deadline: its default waits for the deadline
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { nowSec: 1_000n })], jobs: table([["settle:31337:1", "failed"]]) }))).toEqual([]);
  });

  it("carries receipts back to Home until Home has consumed them, and plans a failed receipt again", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const r = (outcome: number, recordedAt: bigint) => ({ outcome, recordedAt, settledMask: outcome === 1 ? 1n : 0n, auctioneerBlamed: false });
    const receipts = new Map([[1n, r(1, 777n)], [2n, r(2, 778n)], [3n, r(0, 779n)]]);
    const p = plan({
      home: home([auction(1n, 30n), auction(2n, 30n, { receiptConsumed: true })]),
      aways: [away(lc, { receipts })],
      jobs: table([["settle:31337:1", "confirmed"]]),
    });
    expect(brief(p)).toEqual(["receipt:31337:1"]);
    expect(p.insert[0]!.payload).toEqual({ auctionId: 1n, outcome: 1 });
    expect(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { receipts })], jobs: table([["settle:31337:1", "confirmed"], ["receipt:31337:1", "failed"]]) }).revive).toEqual([
      "receipt:31337:1",
    ]);
  });

  it("an open receipt (some fills settled) is not carried home: its settlement goes on, past the deadline a default", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const receipts = new Map([[1n, { outcome: 0, recordedAt: 777n, settledMask: 1n, auctioneerBlamed: false }]]);
    const settled = table([["settle:31337:1", "confirmed"]]);
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { receipts })], jobs: settled }))).toEqual([]);
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { receipts, nowSec: 1_001n })], jobs: settled }))).toEqual(["default:31337:1"]);
  });

  it("plans per Away chain independently", () => {
    const a2: AwayView = { ...away({ epoch: 3n, latestHeight: 35n, hasHeaders: true }), chainId: 10, settlement: OTHER };
    const p = plan({
      home: home([auction(1n, 33n), auction(1n, 33n, { awayChainId: 10, awayContract: OTHER })]),
      aways: [away({ epoch: 3n, latestHeight: 30n, hasHeaders: true }), a2],
      jobs: new Map(),
    });
    expect(brief(p)).toEqual(["header:31337:33", "settle:31337:1 <- header:31337:33", "settle:10:1"]);
  });

  it("waits when Home has not reported where an epoch ended", () => {
    const h = home([auction(1n, 33n)], { epochEnds: [{ epoch: 0n, height: 9n }] });
    expect(plan({ home: h, aways: [away({ epoch: 0n })], jobs: new Map() }).insert.map((j) => j.key)).toEqual(["rotation:31337:0"]);
    expect(epochOfHeight(home([]), 20n)).toBe(2n);
    expect(epochOfHeight(home([]), 19n)).toBe(1n);
    expect(epochOfHeight(home([]), 34n)).toBe(3n);
    expect(jobKey("settle", 1, 2n)).toBe("settle:1:2");
  });
});

describe("planner, anchored light client", () => {
  const anchored = (lc: Partial<AwayView["lightClient"]>, anchorEpoch: bigint, vouched: [bigint, bigint][] = [], extra: Partial<AwayView> = {}) =>
    away(lc, { anchor: { epoch: anchorEpoch, vouched: new Map(vouched) }, ...extra });

  it("ratchets the anchor through every ended epoch, vouches each next set, and each rotation waits for its voucher", () => {
    const p = plan({ home: home([]), aways: [anchored({ epoch: 0n }, 0n)], jobs: new Map() });
    expect(brief(p)).toEqual([
      "ol-epoch:31337:0",
      "ol-epoch:31337:1 <- ol-epoch:31337:0",
      "ol-epoch:31337:2 <- ol-epoch:31337:1",
      "voucher:31337:1 <- ol-epoch:31337:0",
      "voucher:31337:2 <- ol-epoch:31337:1",
      "voucher:31337:3 <- ol-epoch:31337:2",
      "rotation:31337:0 <- voucher:31337:1",
      "rotation:31337:1 <- voucher:31337:2",
      "rotation:31337:2 <- voucher:31337:3",
    ]);
    expect(p.insert.find((j) => j.key === "ol-epoch:31337:1")!.payload).toEqual({ epoch: 1n });
    expect(p.insert.find((j) => j.key === "voucher:31337:3")!.payload).toEqual({ epoch: 3n });
    // planned again: nothing new
    expect(plan({ home: home([]), aways: [anchored({ epoch: 0n }, 0n)], jobs: applied(new Map(), p) })).toEqual({ insert: [], revive: [], repoint: [] });
    // the unanchored client: rotations only, each on the previous
    expect(brief(plan({ home: home([]), aways: [away({ epoch: 0n })], jobs: new Map() }))).toEqual(["rotation:31337:0", "rotation:31337:1 <- rotation:31337:0", "rotation:31337:2 <- rotation:31337:1"]);
  });

  it("starts from where the anchor and the light client are, skips vouchers the anchor records, and the rotation then waits for the previous one", () => {
    // the anchor holds epoch 2's set and the voucher of epoch 2; the light client is in epoch 1
    const p = plan({ home: home([]), aways: [anchored({ epoch: 1n, latestHeight: 12n, hasHeaders: true }, 2n, [[2n, 77n]])], jobs: new Map() });
    expect(brief(p)).toEqual(["ol-epoch:31337:2", "voucher:31337:3 <- ol-epoch:31337:2", "rotation:31337:1", "rotation:31337:2 <- voucher:31337:3"]);
    // the anchor holds epoch 3's set but no voucher of epoch 3: the voucher depends on nothing
    const q = plan({ home: home([]), aways: [anchored({ epoch: 2n, latestHeight: 22n, hasHeaders: true }, 3n)], jobs: new Map() });
    expect(brief(q)).toEqual(["voucher:31337:3", "rotation:31337:2 <- voucher:31337:3"]);
    // the light client and the anchor have caught up: nothing
    expect(brief(plan({ home: home([]), aways: [anchored({ epoch: 3n, latestHeight: 30n, hasHeaders: true }, 3n)], jobs: new Map() }))).toEqual([]);
  });

  it("revives a failed voucher and a failed epoch change that are still needed, not ones the chain no longer needs", () => {
    const jobs = table([
      ["ol-epoch:31337:2", "failed"],
      ["voucher:31337:3", "failed", { dependsOn: "ol-epoch:31337:2" }],
      ["rotation:31337:2", "proved", { dependsOn: "voucher:31337:3" }],
    ]);
    const lc = { epoch: 2n, latestHeight: 22n, hasHeaders: true };
    expect(plan({ home: home([]), aways: [anchored(lc, 2n)], jobs })).toEqual({ insert: [], revive: ["ol-epoch:31337:2", "voucher:31337:3"], repoint: [] });
    // someone else ratcheted the anchor and recorded the voucher: nothing to revive
    expect(plan({ home: home([]), aways: [anchored(lc, 3n, [[3n, 5n]])], jobs })).toEqual({ insert: [], revive: [], repoint: [] });
  });

  it("a settlement carrying its header in the epoch after the light client's waits for the rotation, which waits for the voucher", () => {
    const p = plan({ home: home([auction(1n, 34n)]), aways: [anchored({ epoch: 2n, latestHeight: 21n, hasHeaders: true }, 3n, [], { headerSettlement: true })], jobs: new Map() });
    expect(brief(p)).toEqual(["voucher:31337:3", "rotation:31337:2 <- voucher:31337:3", "settle:31337:1 <- rotation:31337:2"]);
  });
});
