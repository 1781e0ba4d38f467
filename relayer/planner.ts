// The planner: a pure function of (Home view, Away views, job table) -> changes to the job table.
// Per Away chain:
// - liveness: the light client follows Home's epochs as they end: a `rotation` job (the
//   epoch-ending header) for every finished epoch from the client's current one, each depending
//   on the previous, whether or not a settlement needs it, so a settlement after idle time needs
//   at most the header of the current epoch;
// - an anchored light client (DESIGN section 10) also has its anchor follow Open Libra: an `ol-epoch`
//   job (the LedgerInfo ending that epoch) for every finished epoch from the anchor's current one,
//   each depending on the previous; and the voucher of each epoch the light client rotates into,
//   unless the anchor records it already: `voucher` E + 1 depends on `ol-epoch` E (the anchor
//   must hold epoch E + 1's set to check it) when the anchor is not past E, and `rotation` E depends
//   on that voucher instead of the previous rotation (the client takes only a vouched set; its
//   handler waits for the client to reach epoch E);
// - for each cleared auction bound to that chain's AtomicSettlement:
//   - a closed receipt on Away not yet consumed on Home -> `receipt` job (carry it back);
//   - no settle job yet -> `settle` job (when its header is not on Away and is in Home's current
//     epoch, and the light client has a headerSettlementVerifier, the job carries its header:
//     settleWithHeader stores it and settles in one transaction, and no header job is planned for
//     it; when the client is still behind that epoch, the job depends on the rotation into it and
//     is proved while the rotations are; the job drops `carryHeader` when that path cannot work and
//     then waits for a header job like any other; it reads the pause-extended deadline from the chain and
//     retries what can clear until then; an open receipt takes settle attempts for the rest);
//   - the settle job expired or failed, the deadline passed (Away clock; the contract extends it by
//     pauses and answers DeadlineNotReached until then) -> `default` job;
// - every live settle/default job needs a header at or above its `minHeight`: the lowest live
//   header or rotation job at or above it, else a `header` job at the highest height needed (in
//   the current epoch, after its rotation). A job whose dependency failed or is too low (it asked
//   for a fresher header) is pointed at the right one.
// - a failed rotation, header or receipt that is still needed is planned again (revived), so no
//   job row blocks re-planning forever.
// Job keys are deterministic, so running the planner twice on the same inputs changes nothing.
import { OUTCOME_OPEN } from "../home/model/leaves.ts";
import { isTerminal, jobKey, PRIORITY, type JobKind, type JobSummary, type NewJob } from "./jobs.ts";
import type { AnchorView, AwayView, HomeView } from "./ports.ts";

export interface PlanInput {
  home: HomeView;
  aways: AwayView[];
  /** Existing jobs by key. */
  jobs: Map<string, JobSummary>;
}

export interface Plan {
  insert: NewJob[];
  /** Failed jobs that are needed again. */
  revive: string[];
  /** Live jobs to point at another dependency (null: none needed). */
  repoint: { key: string; dependsOn: string | null }[];
}

/** Epoch of a Home height: the first epoch whose ending height is >= h, else the current one. */
export function epochOfHeight(home: HomeView, h: bigint): bigint {
  for (const e of home.epochEnds) if (e.height >= h) return e.epoch;
  return home.latestEpoch;
}

/** Kinds the planner plans again after a failure (settlements expire into defaults instead). */
const REVIVABLE: readonly JobKind[] = ["rotation", "header", "receipt", "default", "ol-epoch", "voucher"];

type HeaderJob = { key: string; height: bigint };

/** One planner run: its input, what it has decided so far, and the two questions every step asks. */
interface Run {
  input: PlanInput;
  out: Plan;
  planned: Map<string, NewJob>;
}

/** Make sure the job exists and is not failed; returns its key. */
function want(r: Run, j: NewJob): string {
  const have = r.input.jobs.get(j.key);
  if (!have && !r.planned.has(j.key)) {
    r.planned.set(j.key, j);
    r.out.insert.push(j);
  } else if (have?.state === "failed" && REVIVABLE.includes(have.kind) && !r.out.revive.includes(j.key)) {
    r.out.revive.push(j.key);
  }
  return j.key;
}

/** The job will exist and not be failed once this plan is applied. */
function usable(r: Run, key: string): boolean {
  return r.planned.has(key) || r.out.revive.includes(key) || (r.input.jobs.has(key) && r.input.jobs.get(key)!.state !== "failed");
}

/** What the steps of one Away chain share. */
interface ChainRun extends Run {
  away: AwayView;
  chainId: number;
  /** The light client already has a header at or above h. */
  covered: (h: bigint) => boolean;
  /** Key of the rotation job into `epoch` (null: the light client is in it or past it). */
  rotationBefore: (epoch: bigint) => string | null;
  /** Live header and rotation jobs of this chain, with their heights (planned ones included). */
  headers: HeaderJob[];
}

/** A settle or default job that needs a header at or above minHeight (`fresh`: not yet planned). */
type Need = { key: string; minHeight: bigint; dependsOn: string | null; fresh?: NewJob };

export function plan(input: PlanInput): Plan {
  const r: Run = { input, out: { insert: [], revive: [], repoint: [] }, planned: new Map() };
  for (const away of input.aways) {
    const lc = away.lightClient;
    const c: ChainRun = {
      ...r,
      away,
      chainId: away.chainId,
      covered: (h) => lc.hasHeaders && lc.latestHeight >= h,
      rotationBefore: (epoch) => (epoch > lc.epoch ? jobKey("rotation", away.chainId, epoch - 1n) : null),
      headers: [],
    };
    planRotations(c);
    const needs = [...planAuctions(c), ...liveNeeds(c)];
    planHeaders(c, needs);
  }
  r.out.insert.sort((a, b) => (PRIORITY[a.kind] - PRIORITY[b.kind]) || (a.subject.length - b.subject.length) || (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0));
  return r.out;
}

/** 1. Rotations as epochs end (each depending on the previous, or on the voucher of its set); then the chain's live header jobs. */
function planRotations(c: ChainRun): void {
  const { input, chainId } = c;
  const ends = new Map(input.home.epochEnds.map((e) => [e.epoch, e.height]));
  const anchor = c.away.anchor;
  if (anchor) planOpenLibraEpochs(c, anchor, ends);
  let prev: string | null = null;
  for (let e = c.away.lightClient.epoch; e < input.home.latestEpoch; e++) {
    const height = ends.get(e);
    if (height === undefined) break; // Home has not told us where epoch e ended: cannot plan past it yet
    const dependsOn = (anchor && planVoucher(c, anchor, e + 1n)) ?? prev;
    const key: string = want(c, { key: jobKey("rotation", chainId, e), kind: "rotation", chainId, subject: String(e), payload: { epoch: e, height }, dependsOn });
    c.headers.push({ key, height });
    prev = key;
  }
  for (const [key, j] of input.jobs) {
    if (j.chainId === chainId && j.kind === "header" && !isTerminal(j.state)) c.headers.push({ key, height: j.payload.height });
  }
}

/** The anchor's epoch changes: one per finished epoch from the anchor's own, each depending on the previous. */
function planOpenLibraEpochs(c: ChainRun, anchor: AnchorView, ends: Map<bigint, bigint>): void {
  let prev: string | null = null;
  for (let e = anchor.epoch; ends.has(e); e++) {
    prev = want(c, { key: jobKey("ol-epoch", c.chainId, e), kind: "ol-epoch", chainId: c.chainId, subject: String(e), payload: { epoch: e }, dependsOn: prev });
  }
}

/**
 * The voucher job of `epoch`'s attestation set, depending on the epoch change that gives the anchor
 * that epoch's validator set when the anchor does not hold it yet; null when the anchor records a
 * voucher for the epoch already (the rotation's handler checks it is the rotation's set).
 */
function planVoucher(c: ChainRun, anchor: AnchorView, epoch: bigint): string | null {
  if (anchor.vouched.has(epoch)) return null;
  const dependsOn = epoch > anchor.epoch ? jobKey("ol-epoch", c.chainId, epoch - 1n) : null;
  return want(c, { key: jobKey("voucher", c.chainId, epoch), kind: "voucher", chainId: c.chainId, subject: String(epoch), payload: { epoch }, dependsOn });
}

/**
 * A settlement whose header is not on Away carries it in its own transaction (settleWithHeader)
 * when the light client can take both and the header is in Home's current epoch (in a finished
 * epoch, that epoch's rotation covers it and the settlement waits for it instead). When the
 * light client is behind that epoch, the job depends on the rotation into it: the client checks
 * the header against the epoch's validator set, so the transaction is sent once the rotation is
 * mined, while its proof is made meanwhile. Returns its dependency; undefined: it cannot carry.
 */
function carryDependency(c: ChainRun, h: bigint): string | null | undefined {
  if (c.away.headerSettlement !== true || c.covered(h) || c.input.home.epochEnds.some((e) => e.height >= h)) return undefined;
  const dep = c.rotationBefore(c.input.home.latestEpoch);
  return dep === null || usable(c, dep) ? dep : undefined;
}

/** 2. Per cleared auction bound to this chain's settlement contract: its receipt, settle or default job; returns the new ones that need a header. */
function planAuctions(c: ChainRun): Need[] {
  const { input, chainId, away } = c;
  const needs: Need[] = [];
  for (const a of input.home.auctions) {
    if (a.awayChainId !== chainId || a.awayContract.toLowerCase() !== away.settlement.toLowerCase()) continue;
    const receipt = away.receipts.get(a.auctionId);
    const subject = String(a.auctionId);
    if (receipt && receipt.outcome !== OUTCOME_OPEN) {
      if (!a.receiptConsumed) {
        want(c, { key: jobKey("receipt", chainId, a.auctionId), kind: "receipt", chainId, subject, payload: { auctionId: a.auctionId, outcome: receipt.outcome } });
      }
      continue;
    }
    if (a.receiptConsumed) continue;
    const settleKey = jobKey("settle", chainId, a.auctionId);
    const settle = input.jobs.get(settleKey);
    const payload = { auctionId: a.auctionId, minHeight: a.height };
    if (!settle) {
      const carryDep = carryDependency(c, a.height);
      if (carryDep !== undefined) want(c, { key: settleKey, kind: "settle", chainId, subject, payload: { ...payload, carryHeader: true }, dependsOn: carryDep });
      else needs.push({ key: settleKey, minHeight: a.height, dependsOn: null, fresh: { key: settleKey, kind: "settle", chainId, subject, payload } });
    } else if (isTerminal(settle.state) && away.nowSec > a.settleDeadline) {
      const defaultKey = jobKey("default", chainId, a.auctionId);
      const existing = input.jobs.get(defaultKey);
      if (!existing) needs.push({ key: defaultKey, minHeight: a.height, dependsOn: null, fresh: { key: defaultKey, kind: "default", chainId, subject, payload } });
      else if (existing.state === "failed") want(c, { key: defaultKey, kind: "default", chainId, subject, payload });
    }
  }
  return needs;
}

/** The chain's live settle and default jobs that wait for a header; one that carries its header is repointed at the rotation into its epoch here. */
function liveNeeds(c: ChainRun): Need[] {
  const { input, chainId } = c;
  const needs: Need[] = [];
  for (const [key, j] of input.jobs) {
    if (j.chainId !== chainId || isTerminal(j.state) || (j.kind !== "settle" && j.kind !== "default")) continue;
    if (j.kind === "settle" && j.payload.carryHeader) {
      // its own transaction stores its header; it waits only for the rotation into the header's epoch
      const dep = c.rotationBefore(epochOfHeight(input.home, j.payload.minHeight));
      const serves = j.dependsOn === dep || input.jobs.get(j.dependsOn ?? "")?.state === "confirmed";
      if (!serves && (dep === null || usable(c, dep))) c.out.repoint.push({ key, dependsOn: dep });
      continue;
    }
    needs.push({ key, minHeight: j.payload.minHeight, dependsOn: j.dependsOn });
  }
  return needs;
}

/** 3. The header each need waits for: the lowest usable one at or above it, else one header job at the highest height needed. */
function planHeaders(c: ChainRun, needs: Need[]): void {
  const { input, chainId, covered } = c;
  const lowestAtOrAbove = (h: bigint): HeaderJob | undefined =>
    c.headers.filter((x) => x.height >= h && usable(c, x.key)).reduce<HeaderJob | undefined>((best, x) => (!best || x.height < best.height ? x : best), undefined);
  const uncovered = needs.filter((n) => !covered(n.minHeight) && !lowestAtOrAbove(n.minHeight));
  if (uncovered.length > 0) {
    const target = uncovered.map((n) => n.minHeight).reduce((m, h) => (h > m ? h : m));
    const epoch = epochOfHeight(input.home, target);
    const dep = c.rotationBefore(epoch);
    if (dep === null || usable(c, dep)) {
      const key = want(c, { key: jobKey("header", chainId, target), kind: "header", chainId, subject: String(target), payload: { height: target, epoch }, dependsOn: dep });
      c.headers.push({ key, height: target });
    }
  }
  for (const n of needs) {
    const dep = covered(n.minHeight) ? null : (lowestAtOrAbove(n.minHeight)?.key ?? null);
    if (!covered(n.minHeight) && dep === null) continue; // wait until its header can be planned
    if (n.fresh) want(c, { ...n.fresh, dependsOn: dep });
    else if (!dependencyServes(c, n)) c.out.repoint.push({ key: n.key, dependsOn: dep });
  }
}

/** The job's dependency still serves it: confirmed, or a usable header job at or above its height. */
function dependencyServes(c: ChainRun, n: Need): boolean {
  if (n.dependsOn === null) return c.covered(n.minHeight);
  const done = c.input.jobs.get(n.dependsOn);
  // a confirmed header serves what it covers (not a settlement that dropped its carried header and still points at the rotation before it)
  if (done?.state === "confirmed") return c.covered(n.minHeight) || ((done.kind === "header" || done.kind === "rotation") && done.payload.height >= n.minHeight);
  const h = c.headers.find((x) => x.key === n.dependsOn);
  return h !== undefined && usable(c, h.key) && h.height >= n.minHeight;
}
