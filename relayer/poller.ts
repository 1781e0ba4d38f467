// The planner loop: poll Home and every Away chain, run the pure planner (planner.ts) on what they
// show and the job table, and write its plan: new jobs, failed jobs planned again (after a backoff
// over their attempts), dependencies moved to a fresher header. Also the lag per chain: seconds
// since the relayer planned the oldest header the chain needs and does not have yet (0 when
// none), which stays 0 on an idle relayer that keeps up, unlike a height difference.
import { backoffDelay, sleep } from "./backoff.ts";
import { isTerminal, type JobSummary } from "./jobs.ts";
import type { Logger } from "./log.ts";
import type { RelayerMetrics } from "./metrics.ts";
import { plan } from "./planner.ts";
import type { AwayPort, AwayView, HomeSource, HomeView } from "./ports.ts";
import type { JobStore } from "./store/types.ts";

export interface PollerDeps {
  home: HomeSource;
  aways: Map<number, { port: AwayPort; name: string }>;
  store: JobStore;
  metrics: RelayerMetrics;
  log: Logger;
  pollIntervalMs: number;
  /** Backoff before a failed job planned again is claimable. */
  retry: { baseMs: number; maxMs: number };
  onPlanned?: (keys: string[]) => void;
}

export interface PollState {
  home?: HomeView;
  aways: AwayView[];
  /** ms since epoch of the last poll that reached Home, and of its start. */
  lastOkAt: number;
  lastStartAt: number;
  /** Jobs changed by the last poll (inserted, revived, repointed). */
  lastChanged: number;
  /** The last poll's error, while polls fail. */
  lastError?: string;
  /** Chains whose view failed on the last poll, with why. */
  awayErrors: Map<number, string>;
}

/** Seconds since the oldest live job that needs a header this chain does not have was planned. */
export function lagSeconds(view: AwayView, jobs: Iterable<JobSummary>, now: number): number {
  const lc = view.lightClient;
  const missing = (h: bigint) => !lc.hasHeaders || lc.latestHeight < h;
  let oldest = now;
  for (const j of jobs) {
    if (j.chainId !== view.chainId || isTerminal(j.state)) continue;
    const needs =
      j.kind === "rotation" ? lc.epoch <= j.payload.epoch : j.kind === "header" ? missing(j.payload.height) : j.kind === "settle" || j.kind === "default" ? missing(j.payload.minHeight) : false;
    if (needs && j.createdAt < oldest) oldest = j.createdAt;
  }
  return (now - oldest) / 1000;
}

export class Poller {
  readonly state: PollState = { aways: [], lastOkAt: 0, lastStartAt: 0, lastChanged: -1, awayErrors: new Map() };
  private failures = 0;
  /** False once Home showed it cannot hold a request until its next block. */
  private longPoll = true;

  constructor(private readonly d: PollerDeps) {}

  /** One pass; returns how many jobs it changed. */
  async pollOnce(): Promise<number> {
    const { d } = this;
    const started = Date.now();
    const hv = await d.home.view();
    const avs: AwayView[] = [];
    const awayErrors = new Map<number, string>();
    for (const [chainId, a] of d.aways) {
      const ids = hv.auctions.filter((x) => x.awayChainId === chainId).map((x) => x.auctionId);
      try {
        avs.push(await a.port.view(ids));
      } catch (e) {
        // one Away chain being down must not stop planning for the others
        const error = (e as Error).message?.split("\n")[0] ?? String(e);
        awayErrors.set(chainId, error);
        d.metrics.polls.inc({ result: "away_error" });
        d.log.warn("Away chain unreachable; not planning for it this poll", { chainId, error });
      }
    }
    d.metrics.homeHeight.set(Number(hv.latestHeight));
    const jobs = await d.store.summaries();
    const p = plan({ home: hv, aways: avs, jobs });
    const inserted = p.insert.length ? await d.store.insert(p.insert) : 0;
    let revived = 0;
    for (const key of p.revive) {
      const attempts = jobs.get(key)?.attempts ?? 0;
      if (await d.store.revive(key, Date.now() + backoffDelay(attempts, d.retry.baseMs, d.retry.maxMs))) revived++;
    }
    let repointed = 0;
    for (const r of p.repoint) if (await d.store.repoint(r.key, r.dependsOn)) repointed++;
    for (const j of p.insert) d.metrics.planned.inc({ kind: j.kind });
    const changed = [...p.insert.map((j) => j.key), ...p.revive, ...p.repoint.map((r) => r.key)];
    if (inserted + revived + repointed > 0) {
      d.log.info("planned jobs", { jobs: p.insert.map((j) => j.key), revived: p.revive, repointed: p.repoint });
      try {
        d.onPlanned?.(changed);
      } catch {
        /* display only */
      }
    }
    const after = inserted + revived + repointed > 0 ? await d.store.summaries() : jobs;
    for (const v of avs) {
      const name = d.aways.get(v.chainId)!.name;
      d.metrics.awayHeight.set({ chain: name }, Number(v.lightClient.latestHeight));
      d.metrics.lag.set({ chain: name }, lagSeconds(v, after.values(), Date.now()));
    }
    d.metrics.setCounts(await d.store.counts());
    Object.assign(this.state, { home: hv, aways: avs, lastOkAt: Date.now(), lastStartAt: started, lastChanged: inserted + revived + repointed, lastError: undefined, awayErrors });
    return inserted + revived + repointed;
  }

  /**
   * Poll until the signal aborts: again as soon as Home seals a block above the one just seen,
   * and at least every pollIntervalMs (the Away chains and failed jobs planned again do not wake
   * it); backing off while Home fails.
   */
  async run(signal: AbortSignal, afterPoll?: (changed: number) => void): Promise<void> {
    const { d } = this;
    while (!signal.aborted) {
      try {
        const n = await this.pollOnce();
        this.failures = 0;
        d.metrics.polls.inc({ result: "ok" });
        afterPoll?.(n);
      } catch (e) {
        this.failures++;
        d.metrics.polls.inc({ result: "error" });
        const wait = Math.max(d.pollIntervalMs, backoffDelay(this.failures, d.pollIntervalMs, 30_000));
        this.state.lastError = (e as Error).message?.split("\n")[0] ?? String(e);
        d.log.warn("poll failed; backing off", { error: this.state.lastError, retryInMs: wait, failures: this.failures });
        await sleep(wait, signal).catch(() => {});
        continue;
      }
      await this.untilNextBlock(d.pollIntervalMs, signal);
    }
  }

  /**
   * Returns when Home seals a block above the last one polled or after `ms`, whichever is first
   * (or when the signal aborts). Home is asked to hold the request until then (long-poll); a
   * Home that cannot (one from before GET /status/next) is remembered and only slept on, and a
   * failed wait sleeps the rest of `ms`, so a Home that is down is not asked more often.
   */
  private async untilNextBlock(ms: number, signal: AbortSignal): Promise<void> {
    const { home, log } = this.d;
    const after = this.state.home?.latestHeight;
    const deadline = Date.now() + ms;
    if (this.longPoll && home.waitForBlock && after !== undefined) {
      try {
        for (let left = ms; left > 0 && !signal.aborted; left = deadline - Date.now()) {
          const r = await home.waitForBlock(after, left, signal);
          if (r === "block") return;
          if (r === "unsupported") {
            this.longPoll = false;
            log.info("Home does not hold a request until its next block (no GET /status/next); polling it every pollIntervalMs", { pollIntervalMs: ms });
            break;
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        log.debug("waiting for the next Home block failed; polling at the interval", { error: (e as Error).message?.split("\n")[0] ?? String(e) });
      }
    }
    await sleep(Math.max(0, deadline - Date.now()), signal).catch(() => {});
  }
}
