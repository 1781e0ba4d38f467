// Prometheus metrics (prom-client, own registry) and the loopback HTTP server that serves
// `/metrics` and `/healthz` (health.ts decides what healthy is: 503 with the reasons otherwise).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { JOB_STATES, type JobState } from "./jobs.ts";

export class RelayerMetrics {
  readonly registry = new Registry();
  readonly jobs = new Gauge({ name: "olzk_relayer_jobs", help: "Jobs in the store by state (queue depth)", labelNames: ["state"], registers: [this.registry] });
  readonly proofs = new Counter({ name: "olzk_relayer_proofs_total", help: "Proofs generated", labelNames: ["kind"], registers: [this.registry] });
  readonly proofSeconds = new Histogram({
    name: "olzk_relayer_proof_seconds", help: "Proof generation time", labelNames: ["kind"],
    buckets: [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 40, 80], registers: [this.registry],
  });
  readonly submissions = new Counter({
    name: "olzk_relayer_submissions_total", help: "Jobs finished on an Away chain by outcome (mined, already-done, done-error, failed)",
    labelNames: ["chain", "kind", "outcome"], registers: [this.registry],
  });
  readonly failures = new Counter({ name: "olzk_relayer_failures_total", help: "Job attempts that ended in an error (retried or permanent)", labelNames: ["kind", "permanent"], registers: [this.registry] });
  readonly replacements = new Counter({ name: "olzk_relayer_tx_replacements_total", help: "Transactions replaced on their nonce with a higher fee", labelNames: ["chain"], registers: [this.registry] });
  readonly feeCapHits = new Counter({ name: "olzk_relayer_fee_cap_hits_total", help: "Fees the per-chain cap limited, or fee bumps it stopped", labelNames: ["chain"], registers: [this.registry] });
  readonly rpcFailovers = new Counter({ name: "olzk_relayer_rpc_failovers_total", help: "Away RPC requests moved from one configured URL to another", labelNames: ["chain"], registers: [this.registry] });
  readonly rpcRetries = new Counter({ name: "olzk_relayer_rpc_retries_total", help: "RPC/HTTP calls retried after a transient fault", labelNames: ["target"], registers: [this.registry] });
  readonly homeHeight = new Gauge({ name: "olzk_relayer_home_height", help: "Latest Home height seen", registers: [this.registry] });
  readonly awayHeight = new Gauge({ name: "olzk_relayer_away_proven_height", help: "Latest Home height proven to the Away light client", labelNames: ["chain"], registers: [this.registry] });
  readonly lag = new Gauge({
    name: "olzk_relayer_lag_seconds",
    help: "Seconds since the relayer planned the oldest Home header this chain needs and does not have yet (0 when it needs none)",
    labelNames: ["chain"], registers: [this.registry],
  });
  readonly retries = new Counter({ name: "olzk_relayer_retries_total", help: "Job attempts that failed with a cause that can clear and were scheduled again", labelNames: ["kind", "cause"], registers: [this.registry] });
  readonly outcomes = new Counter({ name: "olzk_relayer_job_outcomes_total", help: "Jobs finished by outcome (confirmed, failed, expired)", labelNames: ["kind", "outcome"], registers: [this.registry] });
  readonly balance = new Gauge({ name: "olzk_relayer_signer_balance_wei", help: "Balance of the chain's submitting account", labelNames: ["chain"], registers: [this.registry] });
  readonly minBalance = new Gauge({ name: "olzk_relayer_signer_min_balance_wei", help: "Configured minimum balance of the submitting account (away[].minBalanceEth)", labelNames: ["chain"], registers: [this.registry] });
  readonly nonce = new Gauge({ name: "olzk_relayer_signer_nonce", help: "Transaction count of the submitting account at the latest block and including the pool", labelNames: ["chain", "block"], registers: [this.registry] });
  readonly oldestPendingTx = new Gauge({ name: "olzk_relayer_oldest_pending_tx_seconds", help: "Age of the oldest transaction signed and not yet mined (0 when none)", labelNames: ["chain"], registers: [this.registry] });
  readonly oldestLiveJob = new Gauge({ name: "olzk_relayer_oldest_live_job_seconds", help: "Age of the oldest unfinished job by kind (0 when none)", labelNames: ["kind"], registers: [this.registry] });
  readonly submittedSeconds = new Histogram({
    name: "olzk_relayer_submitted_seconds", help: "Time from a job's first signed transaction to its confirmation", labelNames: ["chain", "kind"],
    buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600], registers: [this.registry],
  });
  readonly settlementLatency = new Histogram({
    name: "olzk_relayer_settlement_latency_seconds", help: "Home clearing time (the result's clearedAt) to the Away block of the settle transaction that closed its receipt",
    labelNames: ["chain"], buckets: [5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600], registers: [this.registry],
  });
  readonly up = new Gauge({ name: "olzk_relayer_up", help: "1 when the component is healthy (the /healthz verdict per component), else 0", labelNames: ["component"], registers: [this.registry] });
  readonly planned = new Counter({ name: "olzk_relayer_jobs_planned_total", help: "Jobs inserted by the planner", labelNames: ["kind"], registers: [this.registry] });
  readonly polls = new Counter({ name: "olzk_relayer_polls_total", help: "Planner polls by result", labelNames: ["result"], registers: [this.registry] });

  constructor(defaultMetrics = false) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: "olzk_relayer_" });
  }

  setCounts(counts: Record<JobState, number>): void {
    for (const s of JOB_STATES) this.jobs.set({ state: s }, counts[s] ?? 0);
  }
}

export interface Health {
  ok: boolean;
  [k: string]: unknown;
}

export interface MetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(
  metrics: RelayerMetrics,
  health: () => Promise<Health>,
  host: string,
  port: number,
): Promise<MetricsServer> {
  const server: Server = createServer(async (req, res) => {
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/metrics") {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { "content-type": metrics.registry.contentType }).end(body);
      } else if (path === "/healthz") {
        const h = await health();
        res.writeHead(h.ok ? 200 : 503, { "content-type": "application/json" }).end(
          JSON.stringify(h, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
        );
      } else {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /healthz or /metrics\n");
      }
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
