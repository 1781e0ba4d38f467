// /healthz per component, each with the reason when it is not healthy (the reply is 503 then):
//   store      the job store answers;
//   home       the planner's last Home poll is recent (a worker-only process: its last Home call
//              did not fail);
//   away:<n>   the chain answers (probed every `health.checkIntervalMs`, with a timeout, so a black
//              hole turns it red too), its signer holds at least `minBalanceEth`, and no transaction
//              of ours has been pending longer than `health.maxPendingTxMs`;
//   jobs       no unfinished job is older than `health.maxJobAgeMs`.
// The probes also feed the signer balance and nonce gauges, and each probe round refreshes the
// verdict gauges; /healthz answers from the last probe at once, it never waits on an RPC.
import { formatEther } from "viem";
import type { AwayRuntime } from "./handlers/types.ts";
import { isTerminal, JOB_KINDS, type JobState } from "./jobs.ts";
import type { Logger } from "./log.ts";
import type { Health, RelayerMetrics } from "./metrics.ts";
import type { HomeSource } from "./ports.ts";
import type { JobStore } from "./store/types.ts";

export interface HealthConfig {
  checkIntervalMs: number;
  homeStaleMs: number;
  maxPendingTxMs: number;
  maxJobAgeMs: number;
}

interface Probe {
  at: number;
  ok: boolean;
  error?: string;
  balanceWei?: bigint;
  latestNonce?: number;
  pendingNonce?: number;
  block?: bigint;
}

/** Wraps a Home source and remembers how its last call went (for a worker without a planner). */
export class TrackedHome implements HomeSource {
  lastOkAt = 0;
  lastErrorAt = 0;
  lastError: string | undefined;
  constructor(private readonly inner: HomeSource) {}
  private async track<T>(p: Promise<T>): Promise<T> {
    try {
      const v = await p;
      this.lastOkAt = Date.now();
      return v;
    } catch (e) {
      this.lastErrorAt = Date.now();
      this.lastError = (e as Error).message?.split("\n")[0] ?? String(e);
      throw e;
    }
  }
  view: HomeSource["view"] = () => this.track(this.inner.view());
  signedHeader: HomeSource["signedHeader"] = (h) => this.track(this.inner.signedHeader(h));
  settlementMaterial: HomeSource["settlementMaterial"] = (a, h, c) => this.track(this.inner.settlementMaterial(a, h, c));
  postReceipt: HomeSource["postReceipt"] = (c, a) => this.track(this.inner.postReceipt(c, a));
  openLibraEpochEnding: HomeSource["openLibraEpochEnding"] = (e) => this.track(this.inner.openLibraEpochEnding(e));
  openLibraEpochState: HomeSource["openLibraEpochState"] = (e) => this.track(this.inner.openLibraEpochState(e));
  openLibraVoucher: HomeSource["openLibraVoucher"] = (e) => this.track(this.inner.openLibraVoucher(e));
  waitForBlock: NonNullable<HomeSource["waitForBlock"]> = (a, w, s) => (this.inner.waitForBlock ? this.track(this.inner.waitForBlock(a, w, s)) : Promise.resolve("unsupported"));
}

type AwayHealth = AwayRuntime & { minBalanceWei: bigint; timeoutMs: number };
type PlannerState = { lastOkAt: number; lastError?: string; homeHeight?: bigint; awayHeights: Record<number, bigint> };
type Component = Record<string, unknown> & { ok: boolean };
/** Records a component's verdict (and its reason when it is not ok). */
type SetComponent = (name: string, c: Component, reason?: string) => void;

export interface HealthDeps {
  store: JobStore;
  aways: Map<number, AwayHealth>;
  home: TrackedHome;
  /** The planner's state, when this process plans. */
  planner?: () => PlannerState;
  metrics: RelayerMetrics;
  log: Logger;
  config: HealthConfig;
}

const COMPONENT_OK = 1;

export class HealthMonitor {
  private probes = new Map<number, Probe>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly d: HealthDeps) {
    for (const a of d.aways.values()) d.metrics.minBalance.set({ chain: a.name }, Number(a.minBalanceWei));
  }

  /** Probe, then refresh the verdict gauges (olzk_relayer_up, oldest job and transaction), whether or not /healthz is asked. */
  start(): void {
    const tick = () => {
      this.running = this.probeAll().then(() => this.check()).then(() => {}, (e) => this.d.log.warn("health check failed", { error: (e as Error).message })).finally(() => {
        this.timer = setTimeout(tick, this.d.config.checkIntervalMs);
        this.timer.unref?.();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running;
    clearTimeout(this.timer);
  }

  /** Probe every Away chain now (each bounded by its RPC timeout). */
  async probeAll(): Promise<void> {
    await Promise.all([...this.d.aways].map(([chainId, a]) => this.probe(chainId, a)));
  }

  private async probe(chainId: number, a: AwayRuntime & { timeoutMs: number }): Promise<void> {
    const c = a.submitter.client;
    const address = a.submitter.address;
    const at = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${a.timeoutMs} ms`)), a.timeoutMs);
    });
    try {
      const [block, balanceWei, latestNonce, pendingNonce] = await Promise.race([
        Promise.all([
          c.getBlockNumber({ cacheTime: 0 }),
          c.getBalance({ address }),
          c.getTransactionCount({ address, blockTag: "latest" }),
          c.getTransactionCount({ address, blockTag: "pending" }),
        ]),
        timeout,
      ]);
      const was = this.probes.get(chainId);
      if (was && !was.ok) this.d.log.info("Away chain reachable again", { chain: a.name });
      this.probes.set(chainId, { at, ok: true, block, balanceWei, latestNonce, pendingNonce });
      this.d.metrics.balance.set({ chain: a.name }, Number(balanceWei));
      this.d.metrics.nonce.set({ chain: a.name, block: "latest" }, latestNonce);
      this.d.metrics.nonce.set({ chain: a.name, block: "pending" }, pendingNonce);
    } catch (e) {
      const error = (e as { shortMessage?: string })?.shortMessage ?? (e as Error)?.message?.split("\n")[0] ?? String(e);
      const was = this.probes.get(chainId);
      if (!was || was.ok) this.d.log.warn("Away chain unreachable (health probe)", { chain: a.name, error });
      this.probes.set(chainId, { ...(was ?? {}), at, ok: false, error });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The /healthz verdict, from the last probes and the store. */
  async check(): Promise<Health> {
    const now = Date.now();
    const reasons: string[] = [];
    const components: Record<string, Component> = {};
    const set: SetComponent = (name, c, reason) => {
      components[name] = reason ? { ...c, reason } : c;
      if (!c.ok && reason) reasons.push(`${name}: ${reason}`);
      this.d.metrics.up.set({ component: name }, c.ok ? COMPONENT_OK : 0);
    };
    const { counts, oldestPending } = await this.checkStore(now, set);
    const planner = this.d.planner?.();
    this.checkHome(now, planner, set);
    for (const [chainId, a] of this.d.aways) this.checkAway(now, chainId, a, oldestPending.get(chainId) ?? 0, planner, set);
    return { ok: reasons.length === 0, reasons, components, homeHeight: planner?.homeHeight, jobs: counts };
  }

  /** The store answers, and no live job is older than maxJobAgeMs (components "store" and "jobs"). */
  private async checkStore(now: number, set: SetComponent): Promise<{ counts?: Record<JobState, number>; oldestPending: Map<number, number> }> {
    const cfg = this.d.config;
    let counts: Record<JobState, number> | undefined;
    let oldestPending: Map<number, number> = new Map();
    let oldestLive: { key: string; ageMs: number } | undefined;
    try {
      counts = await this.d.store.counts();
      const summaries = await this.d.store.summaries();
      const byKind = new Map(JOB_KINDS.map((k) => [k, 0]));
      for (const j of summaries.values()) {
        if (isTerminal(j.state)) continue;
        const age = now - j.createdAt;
        if (!oldestLive || age > oldestLive.ageMs) oldestLive = { key: j.key, ageMs: age };
        byKind.set(j.kind, Math.max(byKind.get(j.kind)!, age));
      }
      for (const [kind, age] of byKind) this.d.metrics.oldestLiveJob.set({ kind }, age / 1000);
      oldestPending = await this.oldestPendingTx(now);
      set("store", { ok: true, backend: this.d.store.backend });
    } catch (e) {
      set("store", { ok: false, backend: this.d.store.backend }, `the job store does not answer: ${(e as Error).message?.split("\n")[0]}`);
    }
    if (counts) {
      const tooOld = oldestLive !== undefined && oldestLive.ageMs > cfg.maxJobAgeMs;
      set(
        "jobs",
        { ok: !tooOld, counts, oldestLiveJob: oldestLive?.key ?? null, oldestLiveJobAgeMs: oldestLive?.ageMs ?? 0, maxJobAgeMs: cfg.maxJobAgeMs },
        tooOld ? `job ${oldestLive!.key} unfinished for ${Math.round(oldestLive!.ageMs / 1000)} s (more than ${cfg.maxJobAgeMs / 1000} s)` : undefined,
      );
    }
    return { counts, oldestPending };
  }

  /** Home: polled successfully within homeStaleMs (a planner), or the last request did not fail (a worker). */
  private checkHome(now: number, planner: PlannerState | undefined, set: SetComponent): void {
    if (planner) {
      const age = planner.lastOkAt ? now - planner.lastOkAt : null;
      const ok = age !== null && age < this.d.config.homeStaleMs;
      set("home", { ok, lastPollAgeMs: age, height: planner.homeHeight }, ok ? undefined : `no successful Home poll for ${age === null ? "ever" : `${Math.round(age / 1000)} s`}${planner.lastError ? ` (${planner.lastError})` : ""}`);
    } else {
      const h = this.d.home;
      const ok = h.lastErrorAt === 0 || h.lastOkAt > h.lastErrorAt;
      set("home", { ok, lastOkAgeMs: h.lastOkAt ? now - h.lastOkAt : null }, ok ? undefined : `the last Home request failed: ${h.lastError}`);
    }
  }

  /** An Away chain: a fresh probe answered, its signer holds the minimum balance, no transaction pending too long. */
  private checkAway(now: number, chainId: number, a: AwayHealth, pendingMs: number, planner: PlannerState | undefined, set: SetComponent): void {
    const cfg = this.d.config;
    const p = this.probes.get(chainId);
    this.d.metrics.oldestPendingTx.set({ chain: a.name }, pendingMs / 1000);
    const why: string[] = [];
    const fresh = p !== undefined && now - p.at <= cfg.checkIntervalMs + a.timeoutMs + 1_000;
    if (!p) why.push("not probed yet");
    else if (!p.ok) why.push(`unreachable: ${p.error}`);
    else if (!fresh) why.push(`no probe answer for ${Math.round((now - p.at) / 1000)} s`);
    if (p?.balanceWei !== undefined && p.balanceWei < a.minBalanceWei) {
      why.push(`signer ${a.submitter.address} holds ${formatEther(p.balanceWei)} ETH, below the minimum ${formatEther(a.minBalanceWei)}: fund it`);
    }
    if (pendingMs > cfg.maxPendingTxMs) why.push(`a transaction has been pending for ${Math.round(pendingMs / 1000)} s (more than ${cfg.maxPendingTxMs / 1000} s)`);
    set(
      `away:${a.name}`,
      {
        ok: why.length === 0, chainId, reachable: p?.ok ?? false, lastProbeAgeMs: p ? now - p.at : null, block: p?.block,
        signer: a.submitter.address, balanceWei: p?.balanceWei, minBalanceWei: a.minBalanceWei,
        nonce: { latest: p?.latestNonce, pending: p?.pendingNonce }, oldestPendingTxMs: pendingMs,
        provenHeight: planner?.awayHeights[chainId],
      },
      why.length ? why.join("; ") : undefined,
    );
  }

  /** Per chain: how long the oldest transaction signed by a live job has waited (ms). */
  private async oldestPendingTx(now: number): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const j of await this.d.store.list({ states: ["submitting", "submitted"] })) {
      const first = j.txs[0];
      if (!first) continue;
      out.set(j.chainId, Math.max(out.get(j.chainId) ?? 0, now - first.at));
    }
    return out;
  }
}
