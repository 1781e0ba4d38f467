// The planner's pure logic: which jobs (with which dependencies) follow from a Home view,
// the Away views and the job table, and that planning twice plans nothing new.
import { describe, expect, it } from "vitest";
import type { JobState, NewJob } from "../../relayer/jobs.ts";
import { epochOfHeight, plan } from "../../relayer/planner.ts";
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

const brief = (jobs: NewJob[]) => jobs.map((j) => `${j.key}${j.dependsOn ? ` <- ${j.dependsOn}` : ""}`);

/** Apply a plan to a job table (as the store would) and return the new table. */
function applied(table: Map<string, JobState>, jobs: NewJob[], state: JobState = "pending"): Map<string, JobState> {
  const t = new Map(table);
  for (const j of jobs) if (!t.has(j.key)) t.set(j.key, state);
  return t;
}

describe("planner", () => {
  it("settles directly when the light client already has a high enough header", () => {
    const jobs = plan({ home: home([auction(1n, 32n)]), aways: [away({ epoch: 3n, latestHeight: 33n, hasHeaders: true })], jobs: new Map() });
    expect(brief(jobs)).toEqual(["settle:31337:1"]);
    expect(jobs[0].payload).toEqual({ auctionId: 1n, minHeight: 32n });
  });

  it("plans a header in the current epoch, and the settlement depends on it", () => {
    const jobs = plan({ home: home([auction(1n, 34n)]), aways: [away({ epoch: 3n, latestHeight: 31n, hasHeaders: true })], jobs: new Map() });
    expect(brief(jobs)).toEqual(["header:31337:34", "settle:31337:1 <- header:31337:34"]);
    expect(jobs[0].payload).toEqual({ height: 34n, epoch: 3n });
  });

  it("catches up epoch by epoch with rotations in order before the header", () => {
    const jobs = plan({
      home: home([auction(1n, 33n), auction(2n, 24n)]),
      aways: [away({ epoch: 1n, latestHeight: 12n, hasHeaders: true })],
      jobs: new Map(),
    });
    expect(brief(jobs)).toEqual([
      "rotation:31337:1",
      "rotation:31337:2 <- rotation:31337:1",
      "header:31337:33 <- rotation:31337:2",
      "settle:31337:1 <- header:31337:33",
      "settle:31337:2 <- header:31337:33",
    ]);
    expect(jobs[0].payload).toEqual({ epoch: 1n, height: 19n });
    expect(jobs[1].payload).toEqual({ epoch: 2n, height: 29n });
  });

  it("uses the epoch-ending header itself when that is the height needed", () => {
    const jobs = plan({ home: home([auction(5n, 19n)]), aways: [away({ epoch: 0n })], jobs: new Map() });
    expect(brief(jobs)).toEqual(["rotation:31337:0", "rotation:31337:1 <- rotation:31337:0", "settle:31337:5 <- rotation:31337:1"]);
  });

  it("plans nothing new when run again on the same inputs, and keeps dependencies on live jobs only", () => {
    const h = home([auction(1n, 33n)]);
    const a = [away({ epoch: 2n, latestHeight: 21n, hasHeaders: true })];
    const first = plan({ home: h, aways: a, jobs: new Map() });
    expect(first.length).toBe(3);
    expect(plan({ home: h, aways: a, jobs: applied(new Map(), first) })).toEqual([]);
    // a later auction needing a newer header: new header job; the rotation already exists
    const later = plan({ home: home([auction(1n, 33n), auction(2n, 35n)]), aways: a, jobs: applied(new Map(), first) });
    expect(brief(later)).toEqual(["header:31337:35 <- rotation:31337:2", "settle:31337:2 <- header:31337:35"]);
    // a failed rotation is not depended on (it would block forever)
    const failed = new Map<string, JobState>([["rotation:31337:2", "failed"]]);
    const again = plan({ home: home([auction(3n, 34n)]), aways: a, jobs: failed });
    expect(brief(again)).toEqual(["header:31337:34", "settle:31337:3 <- header:31337:34"]);
  });

  it("only plans auctions bound to this chain's settlement contract", () => {
    const jobs = plan({
      home: home([auction(1n, 30n, { awayContract: OTHER }), auction(2n, 30n, { awayChainId: 1 }), auction(3n, 30n)]),
      aways: [away({ epoch: 3n, latestHeight: 31n, hasHeaders: true })],
      jobs: new Map(),
    });
    expect(brief(jobs)).toEqual(["settle:31337:3"]);
  });

  it("plans a default after the deadline when the auction is unsettled and no settlement is live", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const late = { nowSec: 1_001n };
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: new Map() }))).toEqual(["default:31337:1"]);
    // a settlement in flight: wait for it (it succeeds, or fails with DeadlinePassed)
    expect(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: new Map([["settle:31337:1", "submitted"]]) })).toEqual([]);
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, late)], jobs: new Map([["settle:31337:1", "failed"]]) }))).toEqual([
      "default:31337:1",
    ]);
    // exactly at the deadline is not past it
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { nowSec: 1_000n })], jobs: new Map() }))).toEqual(["settle:31337:1"]);
  });

  it("carries receipts back to Home until Home has consumed them", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const r = (outcome: number, recordedAt: bigint) => ({ outcome, recordedAt, settledMask: outcome === 1 ? 1n : 0n, auctioneerBlamed: false });
    const receipts = new Map([[1n, r(1, 777n)], [2n, r(2, 778n)], [3n, r(0, 779n)]]);
    const jobs = plan({
      home: home([auction(1n, 30n), auction(2n, 30n, { receiptConsumed: true })]),
      aways: [away(lc, { receipts })],
      jobs: new Map([["settle:31337:1", "confirmed"]]),
    });
    expect(brief(jobs)).toEqual(["receipt:31337:1"]);
    expect(jobs[0].payload).toEqual({ auctionId: 1n, outcome: 1 });
  });

  it("an open receipt (some fills settled) is not carried home: past the deadline it gets a default", () => {
    const lc = { epoch: 3n, latestHeight: 31n, hasHeaders: true };
    const receipts = new Map([[1n, { outcome: 0, recordedAt: 777n, settledMask: 1n, auctioneerBlamed: false }]]);
    const settled = new Map([["settle:31337:1", "confirmed" as const]]);
    expect(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { receipts })], jobs: settled })).toEqual([]);
    expect(brief(plan({ home: home([auction(1n, 30n)]), aways: [away(lc, { receipts, nowSec: 1_001n })], jobs: settled }))).toEqual(["default:31337:1"]);
  });

  it("plans per Away chain independently", () => {
    const a2: AwayView = { ...away({ epoch: 3n, latestHeight: 35n, hasHeaders: true }), chainId: 10, settlement: OTHER };
    const jobs = plan({
      home: home([auction(1n, 33n), auction(1n, 33n, { awayChainId: 10, awayContract: OTHER })]),
      aways: [away({ epoch: 3n, latestHeight: 30n, hasHeaders: true }), a2],
      jobs: new Map(),
    });
    expect(brief(jobs)).toEqual(["header:31337:33", "settle:31337:1 <- header:31337:33", "settle:10:1"]);
  });

  it("waits when Home has not reported where an epoch ended", () => {
    const h = home([auction(1n, 33n)], { epochEnds: [{ epoch: 0n, height: 9n }] });
    expect(plan({ home: h, aways: [away({ epoch: 0n })], jobs: new Map() }).map((j) => j.key)).toEqual(["rotation:31337:0"]);
    expect(epochOfHeight(home([]), 20n)).toBe(2n);
    expect(epochOfHeight(home([]), 19n)).toBe(1n);
    expect(epochOfHeight(home([]), 34n)).toBe(3n);
  });
});
