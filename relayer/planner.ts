// The planner: a pure function of (Home view, Away views, job table) -> new jobs.
// Per Away chain, for each cleared auction bound to that chain's AtomicSettlement:
// - a closed receipt on Away not yet consumed on Home -> `receipt` job (carry it back);
// - before the deadline, no settle job yet -> `settle` job (an open receipt, with some fills
//   settled, still takes settle attempts for the rest);
// - after the deadline (Away clock), not closed, no live settle job -> `default` job (the Away
//   contract extends the deadline by pauses and answers DeadlineNotReached until then);
// - a settle/default job needs a proven header at or above the result's height: if the light
//   client is behind, plan the header (one, at the highest height needed) and, when that
//   height is in a later epoch, the epoch-ending headers (`rotation` jobs) of every epoch from
//   the client's current one, each depending on the previous so they land in order.
// Job keys are deterministic, so running the planner twice on the same inputs plans nothing new.
import { OUTCOME_OPEN } from "../home/model/leaves.ts";
import { jobKey, TERMINAL_STATES, type JobState, type NewJob } from "./jobs.ts";
import type { AwayView, HomeView } from "./ports.ts";

export interface PlanInput {
  home: HomeView;
  aways: AwayView[];
  /** Existing jobs: key -> state. */
  jobs: Map<string, JobState>;
}

/** Epoch of a Home height: the first epoch whose ending height is >= h, else the current one. */
export function epochOfHeight(home: HomeView, h: bigint): bigint {
  for (const e of home.epochEnds) if (e.height >= h) return e.epoch;
  return home.latestEpoch;
}

export function plan(input: PlanInput): NewJob[] {
  const out: NewJob[] = [];
  const planned = new Map<string, NewJob>();
  const add = (j: NewJob) => {
    if (input.jobs.has(j.key) || planned.has(j.key)) return;
    planned.set(j.key, j);
    out.push(j);
  };
  /** A dependency is usable when it exists (or is planned now) and has not failed. */
  const dep = (key: string | null): string | null => {
    if (!key) return null;
    if (planned.has(key)) return key;
    const s = input.jobs.get(key);
    return s !== undefined && s !== "failed" ? key : null;
  };

  for (const away of input.aways) {
    const chainId = away.chainId;
    const lc = away.lightClient;
    const covered = (h: bigint) => lc.hasHeaders && lc.latestHeight >= h;
    const wanted: { kind: "settle" | "default"; auctionId: bigint; minHeight: bigint }[] = [];

    for (const a of input.home.auctions) {
      if (a.awayChainId !== chainId || a.awayContract.toLowerCase() !== away.settlement.toLowerCase()) continue;
      const receipt = away.receipts.get(a.auctionId);
      if (receipt && receipt.outcome !== OUTCOME_OPEN) {
        if (!a.receiptConsumed) {
          add({
            key: jobKey("receipt", chainId, a.auctionId), kind: "receipt", chainId, subject: String(a.auctionId),
            payload: { auctionId: a.auctionId, outcome: receipt.outcome },
          });
        }
        continue;
      }
      if (a.receiptConsumed) continue;
      const settleState = input.jobs.get(jobKey("settle", chainId, a.auctionId));
      const pastDeadline = away.nowSec > a.settleDeadline;
      if (!pastDeadline) {
        if (settleState === undefined) wanted.push({ kind: "settle", auctionId: a.auctionId, minHeight: a.height });
      } else if (!input.jobs.has(jobKey("default", chainId, a.auctionId)) && (settleState === undefined || TERMINAL_STATES.includes(settleState))) {
        wanted.push({ kind: "default", auctionId: a.auctionId, minHeight: a.height });
      }
    }

    // Headers the wanted jobs need.
    let headerKey: string | null = null;
    const needed = wanted.filter((w) => !covered(w.minHeight)).map((w) => w.minHeight);
    if (needed.length > 0) {
      const target = needed.reduce((m, h) => (h > m ? h : m));
      const targetEpoch = epochOfHeight(input.home, target);
      const ends = new Map(input.home.epochEnds.map((e) => [e.epoch, e.height]));
      let prev: string | null = null;
      let ok = true;
      for (let e = lc.epoch; e < targetEpoch; e++) {
        const h = ends.get(e);
        if (h === undefined) {
          ok = false; // Home has not told us where epoch e ended: cannot plan past it yet
          break;
        }
        const key = jobKey("rotation", chainId, e);
        add({ key, kind: "rotation", chainId, subject: String(e), payload: { epoch: e, height: h }, dependsOn: dep(prev) });
        prev = key;
      }
      if (ok) {
        if (ends.get(targetEpoch) === target) {
          headerKey = jobKey("rotation", chainId, targetEpoch);
          add({ key: headerKey, kind: "rotation", chainId, subject: String(targetEpoch), payload: { epoch: targetEpoch, height: target }, dependsOn: dep(prev) });
        } else {
          headerKey = jobKey("header", chainId, target);
          add({ key: headerKey, kind: "header", chainId, subject: String(target), payload: { height: target, epoch: targetEpoch }, dependsOn: dep(prev) });
        }
      }
    }

    for (const w of wanted) {
      if (!covered(w.minHeight) && !headerKey) continue; // wait until the header can be planned
      add({
        key: jobKey(w.kind, chainId, w.auctionId), kind: w.kind, chainId, subject: String(w.auctionId),
        payload: { auctionId: w.auctionId, minHeight: w.minHeight },
        dependsOn: covered(w.minHeight) ? null : dep(headerKey),
      });
    }
  }
  return out;
}
