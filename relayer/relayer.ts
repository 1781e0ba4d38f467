// The relayer service: a startup check of every Away chain (its RPC serves the configured
// chain id, a remote signer holds its account; refuse to start otherwise), a planner loop
// that follows Home and inserts jobs, `concurrency` worker loops that claim and execute jobs,
// the metrics/health server, and a clean shutdown (stop planning, let workers release their
// claims, close the store). `startRelayer(config)` is the programmatic entry point used by
// `olzk relay` and `npm start`.
import type { PublicClient } from "viem";
import { AwayRpc, AwayUnreachableError, faultLine } from "./away-rpc.ts";
import { backoffDelay, GaveUpError, sleep, withRetry } from "./backoff.ts";
import { ConfigError, type AwayChainConfig, type RelayerConfig } from "./config.ts";
import { executeJob, type AwayRuntime, type JobEvent } from "./executor.ts";
import { createLogger, type Logger } from "./log.ts";
import { RelayerMetrics, startMetricsServer, type MetricsServer } from "./metrics.ts";
import { plan } from "./planner.ts";
import type { AwayPort, AwayView, HomeSource, HomeView, ProverPort } from "./ports.ts";
import { openJobStore } from "./store/open.ts";
import type { JobStore } from "./store/types.ts";
import { SignerError, signerFor, type TxSigner } from "./signer.ts";
import { Submitter } from "./submit.ts";

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
  /** /healthz reports not ok when the last successful Home poll is older than this (default max(5 polls, 15 s)). */
  healthStaleMs?: number;
  /** Progress of jobs (proved, sent, confirmed, failed) and planning, e.g. for a terminal display. */
  onEvent?: (e: JobEvent | { type: "planned"; keys: string[] }) => void;
}

export interface Relayer {
  readonly store: JobStore;
  readonly metrics: RelayerMetrics;
  readonly workerId: string;
  /** URL of the metrics/health server, when enabled. */
  readonly metricsUrl: string | undefined;
  /** Run one planner pass now (returns how many jobs were inserted). */
  pollOnce(): Promise<number>;
  /** Last views the planner saw. */
  lastViews(): { home?: HomeView; aways: AwayView[] };
  /** Resolves when every job is terminal and nothing new was planned on the last poll. */
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

/**
 * Check and connect every Away chain: refuse to start (ConfigError) when a URL serves another
 * chain id or a remote signer does not hold its account, and (AwayUnreachableError) when no
 * URL of a chain, or its remote signer, answers within `startupTimeoutMs`. Then the nonce is
 * synced from the chain and the signer's address and balance logged (the account to fund).
 */
async function connectAway(config: RelayerConfig, deps: RelayerDeps, log: Logger, metrics: RelayerMetrics): Promise<Map<number, AwayRuntime>> {
  const aways = new Map<number, AwayRuntime>();
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
    aways.set(c.chainId, { port, submitter, name: c.name });
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

export async function startRelayer(config: RelayerConfig, deps: RelayerDeps = {}): Promise<Relayer> {
  const log = deps.log ?? createLogger({ level: config.logLevel, base: { service: "relayer", worker: config.workerId } });
  const metrics = deps.metrics ?? new RelayerMetrics(true);
  const aways = await connectAway(config, deps, log, metrics);
  const store = deps.store ?? (await openJobStore(config.database, config.dataDir));
  const home = deps.home ?? (await import("./home-http.ts")).httpHomeSource(config.homeUrl, { onRetry: () => metrics.rpcRetries.inc({ target: "home" }) });
  const proverOpts = { profile: config.prover.profile, cacheDir: config.prover.cacheDir, network: proverNetwork(config) };
  let prover = deps.prover;
  const proverPort = async (): Promise<ProverPort> => (prover ??= (await import("./prover-port.ts")).defaultProver(proverOpts));
  const lazyProver: ProverPort = {
    proveHeader: async (sh) => (await proverPort()).proveHeader(sh),
    proveSettlement: async (m) => (await proverPort()).proveSettlement(m),
  };

  const shutdown = new AbortController();
  let lastPollOk = 0;
  let lastPlanned = -1;
  let lastPollStart = 0;
  let lastWorkAt = 0;
  let views: { home?: HomeView; aways: AwayView[] } = { aways: [] };
  let pollFailures = 0;

  const pollOnce = async (): Promise<number> => {
    const started = Date.now();
    const hv = await home.view();
    const avs: AwayView[] = [];
    for (const [chainId, a] of aways) {
      const ids = hv.auctions.filter((x) => x.awayChainId === chainId).map((x) => x.auctionId);
      let v: AwayView;
      try {
        v = await a.port.view(ids);
      } catch (e) {
        // one Away chain being down must not stop planning for the others
        metrics.polls.inc({ result: "away_error" });
        log.warn("Away chain unreachable; not planning for it this poll", { chainId, error: (e as Error).message?.split("\n")[0] });
        continue;
      }
      avs.push(v);
      metrics.awayHeight.set({ chain: a.name }, Number(v.lightClient.latestHeight));
      metrics.lag.set({ chain: a.name }, Number(hv.latestHeight - (v.lightClient.hasHeaders ? v.lightClient.latestHeight : 0n)));
    }
    metrics.homeHeight.set(Number(hv.latestHeight));
    const jobs = await store.states();
    const fresh = plan({ home: hv, aways: avs, jobs });
    const n = fresh.length ? await store.insert(fresh) : 0;
    for (const j of fresh) metrics.planned.inc({ kind: j.kind });
    if (n > 0) {
      log.info("planned jobs", { jobs: fresh.map((j) => j.key) });
      try {
        deps.onEvent?.({ type: "planned", keys: fresh.map((j) => j.key) });
      } catch {
        /* display only */
      }
    }
    metrics.setCounts(await store.counts());
    views = { home: hv, aways: avs };
    lastPollOk = Date.now();
    lastPlanned = n;
    lastPollStart = started;
    return n;
  };

  const loops: Promise<void>[] = [];
  if (deps.plan !== false) {
    loops.push(
      (async () => {
        while (!shutdown.signal.aborted) {
          let wait = config.pollIntervalMs;
          try {
            await pollOnce();
            pollFailures = 0;
            metrics.polls.inc({ result: "ok" });
          } catch (e) {
            pollFailures++;
            metrics.polls.inc({ result: "error" });
            wait = Math.max(wait, backoffDelay(pollFailures, config.pollIntervalMs, 30_000));
            log.warn("poll failed; backing off", { error: (e as Error).message?.split("\n")[0], retryInMs: wait, failures: pollFailures });
          }
          await sleep(wait, shutdown.signal).catch(() => {});
        }
      })(),
    );
  }
  if (deps.work !== false) {
    const chainIds = [...aways.keys()];
    for (let i = 0; i < config.concurrency; i++) {
      const workerId = config.concurrency === 1 ? config.workerId : `${config.workerId}#${i}`;
      const edeps = { store, home, prover: lazyProver, aways, metrics, log: log.child({ slot: i }), workerId, leaseMs: config.leaseMs, pollIntervalMs: config.pollIntervalMs, onEvent: deps.onEvent };
      loops.push(
        (async () => {
          let storeFailures = 0;
          while (!shutdown.signal.aborted) {
            try {
              const job = await store.claim(workerId, config.leaseMs, { chainIds });
              storeFailures = 0;
              if (!job) {
                await sleep(Math.min(config.pollIntervalMs, 1000), shutdown.signal).catch(() => {});
                continue;
              }
              await executeJob(job, edeps, shutdown.signal);
              lastWorkAt = Date.now();
              metrics.setCounts(await store.counts());
            } catch (e) {
              storeFailures++;
              log.error("worker loop error", { error: (e as Error).message?.split("\n")[0] });
              await sleep(backoffDelay(storeFailures, 500, 15_000), shutdown.signal).catch(() => {});
            }
          }
        })(),
      );
    }
  }

  let server: MetricsServer | undefined;
  if (config.metrics) {
    server = await startMetricsServer(
      metrics,
      async () => {
        const fresh = Date.now() - lastPollOk < (deps.healthStaleMs ?? Math.max(5 * config.pollIntervalMs, 15_000));
        let storeOk = true;
        let counts: Record<string, number> | undefined;
        try {
          counts = await store.counts();
        } catch {
          storeOk = false;
        }
        return {
          ok: storeOk && (deps.plan === false || fresh),
          store: storeOk ? store.backend : "unreachable",
          lastPollAgeMs: lastPollOk ? Date.now() - lastPollOk : null,
          homeHeight: views.home?.latestHeight,
          awayHeights: Object.fromEntries(views.aways.map((a) => [a.chainId, a.lightClient.latestHeight])),
          jobs: counts,
        };
      },
      config.metrics.host,
      config.metrics.port,
    );
    log.info("metrics listening", { url: server.url });
  }
  log.info("relayer started", {
    store: store.backend, homeUrl: config.homeUrl,
    chains: config.away.map((c) => ({ chainId: c.chainId, name: c.name, signer: c.signer.address })),
  });

  let closed: Promise<void> | undefined;
  return {
    store,
    metrics,
    workerId: config.workerId,
    metricsUrl: server?.url,
    pollOnce,
    lastViews: () => views,
    async idle() {
      const c = await store.counts();
      const live = Object.entries(c).filter(([s]) => s !== "confirmed" && s !== "failed").reduce((n, [, v]) => n + v, 0);
      // idle = nothing live, and a poll that started after the last job finished planned nothing
      return live === 0 && (deps.plan === false || (lastPlanned === 0 && lastPollStart > lastWorkAt));
    },
    close() {
      closed ??= (async () => {
        log.info("shutting down");
        shutdown.abort(new Error("shutting down"));
        await Promise.allSettled(loops);
        await server?.close();
        if (!deps.store) await store.close();
        log.info("stopped");
      })();
      return closed;
    },
  };
}
