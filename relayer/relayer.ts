// The relayer service: a startup check of every Away chain (its RPC serves the configured
// chain id, a remote signer holds its account; refuse to start otherwise), the planner loop
// (poller.ts), the proving and submission pools (workers.ts), the health monitor and the
// metrics/health server, and a clean shutdown (stop planning, let workers release their claims,
// close the store). `startRelayer(config)` is the programmatic entry point used by `olzk relay`
// and `npm start`.
import type { PublicClient } from "viem";
import { AwayRpc, AwayUnreachableError, faultLine } from "./away-rpc.ts";
import { GaveUpError, withRetry } from "./backoff.ts";
import { ConfigError, type AwayChainConfig, type RelayerConfig } from "./config.ts";
import type { AwayRuntime, JobEvent } from "./executor.ts";
import { HealthMonitor, TrackedHome } from "./health.ts";
import { createLogger, type Logger } from "./log.ts";
import { RelayerMetrics, startMetricsServer, type MetricsServer } from "./metrics.ts";
import { Poller } from "./poller.ts";
import type { AwayPort, AwayView, HomeSource, HomeView, ProverPort } from "./ports.ts";
import { openJobStore } from "./store/open.ts";
import type { JobStore } from "./store/types.ts";
import { SignerError, signerFor, type TxSigner } from "./signer.ts";
import { Submitter } from "./submit.ts";
import { workerIdentity } from "./worker-id.ts";
import { runPools, Wakeup } from "./workers.ts";

export interface RelayerDeps {
  /** Home API client (default: HTTP client of config.homeUrl). */
  home?: HomeSource;
  /** Prover (default: prover/ package). */
  prover?: ProverPort;
  /** Away port per chain (default: viem contracts client from the chain's addresses file). */
  awayPort?: (chain: AwayChainConfig, client: PublicClient) => AwayPort | Promise<AwayPort>;
  store?: JobStore;
  log?: Logger;
  metrics?: RelayerMetrics;
  /** Run the planner (default true). A worker-only process sets false. */
  plan?: boolean;
  /** Run workers (default true). */
  work?: boolean;
  /** Progress of jobs (proved, sent, confirmed, retried, expired, failed) and planning, e.g. for a terminal display. */
  onEvent?: (e: JobEvent | { type: "planned"; keys: string[] }) => void;
}

export interface Relayer {
  readonly store: JobStore;
  readonly metrics: RelayerMetrics;
  /** This process's worker id (its slots own jobs as `<workerId>/prove#i`, `<workerId>/submit#i`). */
  readonly workerId: string;
  /** URL of the metrics/health server, when enabled. */
  readonly metricsUrl: string | undefined;
  /** Run one planner pass now (returns how many jobs it inserted, revived or repointed). */
  pollOnce(): Promise<number>;
  /** Last views the planner saw. */
  lastViews(): { home?: HomeView; aways: AwayView[] };
  /** The /healthz verdict now. */
  health(): ReturnType<HealthMonitor["check"]>;
  /** Resolves true when every job is finished and nothing new was planned on the last poll. */
  idle(): Promise<boolean>;
  close(): Promise<void>;
}

/** A remote signer must answer (within the startup timeout) and hold its account. */
async function checkSigner(signer: TxSigner, chain: AwayChainConfig, timeoutMs: number, log: Logger): Promise<void> {
  if (!signer.check) return;
  try {
    await withRetry(() => signer.check!(), {
      maxAttempts: Infinity, deadline: Date.now() + timeoutMs, baseMs: 250, maxMs: 5_000,
      onRetry: (e, _a, delayMs) => log.warn("remote signer unreachable at start; retrying", { chain: chain.name, url: signer.where, error: faultLine(e), retryInMs: delayMs }),
    });
  } catch (e) {
    if (e instanceof SignerError) throw new ConfigError(`Away chain ${chain.name} (${chain.chainId}): ${e.message}`);
    throw new AwayUnreachableError(`Away chain ${chain.name} (${chain.chainId}): remote signer ${signer.where} unreachable: ${faultLine(e instanceof GaveUpError ? e.last : e)}`);
  }
}

type AwayChain = AwayRuntime & { minBalanceWei: bigint; timeoutMs: number };

/**
 * Check and connect every Away chain: refuse to start (ConfigError) when a URL serves another
 * chain id or a remote signer does not hold its account, and (AwayUnreachableError) when no
 * URL of a chain, or its remote signer, answers within `startupTimeoutMs`. Then the nonce is
 * synced from the chain and the signer's address and balance logged (the account to fund).
 */
async function connectAway(config: RelayerConfig, deps: RelayerDeps, log: Logger, metrics: RelayerMetrics): Promise<Map<number, AwayChain>> {
  const aways = new Map<number, AwayChain>();
  for (const c of config.away) {
    const chain = { chain: c.name };
    const rpc = new AwayRpc({ chainId: c.chainId, name: c.name, urls: c.rpcUrls, timeoutMs: c.rpcTimeoutMs, log, onFailover: () => metrics.rpcFailovers.inc(chain) });
    await rpc.preflight(config.startupTimeoutMs);
    const signer = signerFor(c.signer);
    await checkSigner(signer, c, config.startupTimeoutMs, log);
    const submitter = new Submitter({
      chainId: c.chainId, name: c.name, signer, confirmations: c.confirmations, fees: c.fees, transport: rpc.transport,
      pollMs: Math.min(1000, config.pollIntervalMs), log,
      onRpcRetry: () => metrics.rpcRetries.inc({ target: `away:${c.name}` }),
      onReplaced: () => metrics.replacements.inc(chain),
      onFeeCapped: () => metrics.feeCapHits.inc(chain),
    });
    const port = deps.awayPort ? await deps.awayPort(c, submitter.client) : await (await import("./away-viem.ts")).viemAwayPort(c, submitter.client);
    const { pending } = await submitter.syncNonce("start");
    const balance = await submitter.rpc("getBalance", () => submitter.client.getBalance({ address: signer.address }));
    log.info("Away chain ready", {
      chain: c.name, chainId: c.chainId, rpc: rpc.currentUrl, rpcUrls: c.rpcUrls, signer: signer.address, signerKind: signer.kind,
      ...(signer.kind === "remote" ? { signerUrl: signer.where } : {}), balanceWei: balance, nonce: pending,
    });
    if (balance < c.minBalanceWei) log.warn("the signer's balance is below the configured minimum: fund it", { chain: c.name, signer: signer.address, balanceWei: balance, minBalanceWei: c.minBalanceWei });
    aways.set(c.chainId, { port, submitter, name: c.name, minBalanceWei: c.minBalanceWei, timeoutMs: c.rpcTimeoutMs });
  }
  return aways;
}

/** Away chain ids of local dev nodes (Hardhat, EDR, anvil, geth --dev). */
const LOCAL_CHAIN_IDS = new Set([31337, 1337]);

/**
 * The network the prover is told it proves for: "local" when every configured Away chain is a
 * local dev chain, so insecure (dev-ptau) artifacts are accepted only there; otherwise the chain.
 */
export function proverNetwork(config: Pick<RelayerConfig, "away">): string {
  const nonLocal = config.away.find((c) => !LOCAL_CHAIN_IDS.has(c.chainId));
  return nonLocal ? `chain-${nonLocal.chainId}` : "local";
}

/** The prover, loaded on first use (a worker that never proves does not load snarkjs). */
function lazyProver(config: RelayerConfig, given: ProverPort | undefined): ProverPort {
  let prover = given;
  const get = async (): Promise<ProverPort> => (prover ??= (await import("./prover-port.ts")).defaultProver({ profile: config.prover.profile, cacheDir: config.prover.cacheDir, network: proverNetwork(config) }));
  return {
    proveHeader: async (sh) => (await get()).proveHeader(sh),
    proveSettlement: async (m) => (await get()).proveSettlement(m),
    proveHeaderSettlement: async (sh, m) => (await get()).proveHeaderSettlement(sh, m),
  };
}

export async function startRelayer(config: RelayerConfig, deps: RelayerDeps = {}): Promise<Relayer> {
  const identity = workerIdentity(config.dataDir, config.workerId);
  const workerId = identity.id;
  const log = deps.log ?? createLogger({ level: config.logLevel, base: { service: "relayer", worker: workerId } });
  const metrics = deps.metrics ?? new RelayerMetrics(true);
  let store: JobStore | undefined;
  try {
    const aways = await connectAway(config, deps, log, metrics);
    store = deps.store ?? (await openJobStore(config.database, config.dataDir));
    const home = new TrackedHome(
      deps.home ??
        (await import("./home-http.ts")).httpHomeSource(config.homeUrl, {
          // withRetry passes (error, attempt, delayMs): every Home retry is counted and logged with its cause
          onRetry: (...a: unknown[]) => {
            metrics.rpcRetries.inc({ target: "home" });
            log.warn("Home request failed; retrying", { error: faultLine(a[0]), attempt: a[1], retryInMs: a[2] });
          },
        }),
    );
    return await run({ config, deps, workerId, log, metrics, aways, store, home, shutdown: new AbortController(), wakeup: new Wakeup() }, identity.release);
  } catch (e) {
    if (store && !deps.store) await store.close();
    identity.release();
    throw e;
  }
}

/** What every loop of one relayer process shares. */
interface Running {
  config: RelayerConfig;
  deps: RelayerDeps;
  workerId: string;
  log: Logger;
  metrics: RelayerMetrics;
  aways: Map<number, AwayChain>;
  store: JobStore;
  home: TrackedHome;
  shutdown: AbortController;
  wakeup: Wakeup;
}

/** The planner: polls Home and the Away chains and records jobs; each plan wakes the workers. */
function planner(r: Running): Poller {
  return new Poller({
    home: r.home, aways: r.aways, store: r.store, metrics: r.metrics, log: r.log, pollIntervalMs: r.config.pollIntervalMs, retry: r.config.retry,
    onPlanned: (keys) => {
      r.wakeup.wake();
      r.deps.onEvent?.({ type: "planned", keys });
    },
  });
}

/** The health monitor (what /healthz answers; it reads the planner's state when this process plans) and the metrics server. */
async function startHealth(r: Running, poller: Poller): Promise<{ monitor: HealthMonitor; server: MetricsServer | undefined }> {
  const { config, deps, metrics, log } = r;
  const monitor = new HealthMonitor({
    store: r.store, aways: r.aways, home: r.home, metrics, log, config: config.health,
    planner: deps.plan === false ? undefined : () => ({
      lastOkAt: poller.state.lastOkAt, lastError: poller.state.lastError, homeHeight: poller.state.home?.latestHeight,
      awayHeights: Object.fromEntries(poller.state.aways.map((a) => [a.chainId, a.lightClient.latestHeight])),
    }),
  });
  let server: MetricsServer | undefined;
  if (config.metrics) {
    server = await startMetricsServer(metrics, () => monitor.check(), config.metrics.host, config.metrics.port);
    log.info("metrics listening", { url: server.url });
  }
  monitor.start();
  return { monitor, server };
}

/**
 * The worker loop: first takes back the jobs this worker id held before it stopped, then runs
 * the proving and submission pools until shutdown (`done`); `afterJob` is called when a job's step ends.
 */
async function startWorkers(r: Running, poller: Poller, afterJob: () => void): Promise<{ done: Promise<void> }> {
  const { config, deps, store, log, metrics, workerId, home } = r;
  const resumed = await store.releaseOwner(workerId);
  if (resumed.length) log.info("resuming the jobs this worker held before it stopped", { workerId, jobs: resumed });
  const done = runPools({
    store, log, workerId, leaseMs: config.leaseMs, chainIds: [...r.aways.keys()], wakeup: r.wakeup, signal: r.shutdown.signal,
    idleMs: Math.min(config.pollIntervalMs, 1000),
    slots: [{ phase: "prove", count: config.proverConcurrency }, { phase: "submit", count: config.concurrency }],
    executor: {
      store, home, prover: lazyProver(config, deps.prover), aways: r.aways, metrics, leaseMs: config.leaseMs, pollIntervalMs: config.pollIntervalMs,
      retry: config.retry, onEvent: deps.onEvent,
      homeHeight: async () => (poller.state.home && Date.now() - poller.state.lastOkAt < 2 * config.pollIntervalMs ? poller.state.home : await home.view()).latestHeight,
    },
    afterJob: () => {
      afterJob();
      store.counts().then((c) => metrics.setCounts(c), () => {});
    },
  });
  return { done };
}

/** Starts the planner, health and worker loops of a connected relayer; `release` gives up its worker id on close. */
async function run(r: Running, release: () => void): Promise<Relayer> {
  const { config, deps, workerId, log, metrics, store } = r;
  const poller = planner(r);
  const { monitor, server } = await startHealth(r, poller);
  let lastWorkAt = 0;
  const loops: Promise<void>[] = [];
  if (deps.plan !== false) loops.push(poller.run(r.shutdown.signal));
  if (deps.work !== false) loops.push((await startWorkers(r, poller, () => (lastWorkAt = Date.now()))).done);

  log.info("relayer started", {
    store: store.backend, homeUrl: config.homeUrl, workerId, provers: config.proverConcurrency, submitters: config.concurrency,
    chains: config.away.map((c) => ({ chainId: c.chainId, name: c.name, signer: c.signer.address })),
  });

  const stop = async () => {
    log.info("shutting down");
    r.shutdown.abort(new Error("shutting down"));
    r.wakeup.wake();
    await Promise.allSettled(loops);
    await monitor.stop();
    await server?.close();
    if (!deps.store) await store.close();
    release();
    log.info("stopped");
  };
  let closed: Promise<void> | undefined;
  return {
    store,
    metrics,
    workerId,
    metricsUrl: server?.url,
    pollOnce: () => poller.pollOnce(),
    lastViews: () => ({ home: poller.state.home, aways: poller.state.aways }),
    health: () => monitor.check(),
    async idle() {
      const c = await store.counts();
      const live = c.pending + c.claimed + c.proving + c.proved + c.submitting + c.submitted;
      // idle = nothing live, and a poll that started after the last job finished changed nothing
      return live === 0 && (deps.plan === false || (poller.state.lastChanged === 0 && poller.state.lastStartAt > lastWorkAt));
    },
    close: () => (closed ??= stop()),
  };
}
