// Runs one claimed job's phase (proving or submitting) with its kind's handler (handlers/) and
// applies the typed outcome to the store: confirmed, proved (the submission pool takes it),
// waiting (a precondition; not an attempt), retried with backoff and a warning naming the cause
// (a settlement never after its deadline; transactions that ended are moved to the job's cause
// record first, so the next try signs a fresh one), expired, or failed. The lease is renewed
// while the job runs; every write is fenced by ownership.
import { backoffDelay } from "./backoff.ts";
import { causeOfError } from "./handlers/common.ts";
import { HANDLERS } from "./handlers/index.ts";
import type { AwayRuntime, JobContext, JobHandler, Outcome } from "./handlers/types.ts";
import { causeLine, isProofless, withCause, type Cause, type Job, type JobKind, type JobPatch } from "./jobs.ts";
import type { Logger } from "./log.ts";
import type { RelayerMetrics } from "./metrics.ts";
import type { HomeSource, ProverPort } from "./ports.ts";
import type { JobStore, Phase } from "./store/types.ts";
import { LostJobError, minedRecord, type SubmitOutcome } from "./submit.ts";

export type { AwayRuntime } from "./handlers/types.ts";

export interface ExecutorDeps {
  store: JobStore;
  home: HomeSource;
  prover: ProverPort;
  aways: Map<number, AwayRuntime>;
  metrics: RelayerMetrics;
  log: Logger;
  workerId: string;
  leaseMs: number;
  pollIntervalMs: number;
  /** Backoff of retried jobs. */
  retry: { baseMs: number; maxMs: number };
  /** The latest Home height the relayer knows (a fresher header for a stale settlement). */
  homeHeight(): Promise<bigint>;
  /** Progress callback (the main job prints progress and measures latency with it). */
  onEvent?: (e: JobEvent) => void;
}

/**
 * What happened to a job, for progress displays and latency measurements. `withHeader`: a settle
 * job whose proof carries its header (one HeaderSettlement proof, one settleWithHeader transaction).
 */
export type JobEvent =
  | { type: "proved"; key: string; kind: Job["kind"]; chainId: number; seconds: number; withHeader?: true }
  | { type: "sent"; key: string; kind: Job["kind"]; chainId: number; txHash: string }
  | { type: "confirmed"; key: string; kind: Job["kind"]; chainId: number; how: string; txHash?: string; gasUsed?: bigint; blockNumber?: bigint; detail?: string; withHeader?: true }
  | { type: "retry"; key: string; kind: Job["kind"]; chainId: number; cause: Cause; retryInMs: number }
  | { type: "expired"; key: string; kind: Job["kind"]; chainId: number; reason: string }
  | { type: "failed"; key: string; kind: Job["kind"]; chainId: number; reason: string };

export type ExecutionResult = Outcome["type"] | "released" | "lost";

/** A settle job proved with its header (its mined transaction, settleWithHeader, stored the header and settled). */
function carriedHeader(job: Job): { withHeader?: true } {
  return job.kind === "settle" && (job as Job<"settle">).proof?.withHeader === true ? { withHeader: true } : {};
}

function emit(d: ExecutorDeps, e: JobEvent): void {
  try {
    d.onEvent?.(e);
  } catch {
    /* a display callback must not break the job */
  }
}

/** The phase a job is in: proving until its proof is stored (PROOFLESS_KINDS have none). */
export function phaseOf(job: Job): Phase {
  return !isProofless(job.kind) && job.proof === null && (job.state === "pending" || job.state === "claimed" || job.state === "proving") ? "prove" : "submit";
}

/** Wait for a precondition: short, and never longer than a poll or two. */
const waitDelay = (d: ExecutorDeps, o: Extract<Outcome, { type: "wait" }>) => Math.max(50, o.delayMs ?? d.pollIntervalMs);

/**
 * Delay before a retry: backoff over the job's recent failures, but leaving one attempt before the
 * deadline when there is one (half the time left, at least 250 ms).
 */
function retryDelay(d: ExecutorDeps, job: Job, retryBefore: number | undefined): number {
  const backoff = backoffDelay(job.causes.length + 1, d.retry.baseMs, d.retry.maxMs);
  if (retryBefore === undefined) return backoff;
  const left = retryBefore - Date.now();
  return left <= 0 ? backoff : Math.max(250, Math.min(backoff, Math.floor(left / 2)));
}

export async function executeJob(job: Job, d: ExecutorDeps, shutdown: AbortSignal): Promise<ExecutionResult> {
  const phase = phaseOf(job);
  const log = d.log.child({ job: job.key, phase, attempt: job.attempts });
  const local = new AbortController();
  const onShutdown = () => local.abort(new Error("shutting down"));
  shutdown.addEventListener("abort", onShutdown, { once: true });
  let lost = false;
  const beat = setInterval(async () => {
    try {
      if (!(await d.store.heartbeat(job.key, d.workerId, d.leaseMs))) {
        lost = true;
        local.abort(new LostJobError());
      }
    } catch {
      /* store hiccup: the next beat retries; the lease has slack */
    }
  }, Math.max(200, Math.floor(d.leaseMs / 3)));
  const update = async (patch: JobPatch) => {
    if (!(await d.store.update(job.key, d.workerId, patch, d.leaseMs))) {
      lost = true;
      throw new LostJobError();
    }
    Object.assign(job, patch);
  };

  // set when the submitter returned a final outcome: the job's transactions of this round are
  // mined or were never sent, so a retry may drop them; after an exception they are kept and resumed
  const round = { ended: false };
  try {
    const away = d.aways.get(job.chainId);
    let outcome: Outcome;
    if (!away) outcome = { type: "wait", reason: `no Away chain ${job.chainId} configured in this worker`, delayMs: 60_000 };
    else {
      try {
        outcome = await runHandler(job, d, away, update, local.signal, log, phase, round);
      } catch (e) {
        if (lost || e instanceof LostJobError || shutdown.aborted) throw e;
        outcome = { type: "retry", cause: causeOfError(e) };
      }
    }
    return await apply(job, outcome, d, update, log, round.ended);
  } catch (e) {
    if (lost || e instanceof LostJobError) {
      log.warn("lost the job's lease; another worker may take it");
      return "lost";
    }
    if (shutdown.aborted) {
      await d.store.release(job.key, d.workerId).catch(() => {});
      log.info("released job on shutdown", { state: job.state });
      return "released";
    }
    throw e;
  } finally {
    clearInterval(beat);
    shutdown.removeEventListener("abort", onShutdown);
  }
}

function runHandler(
  job: Job,
  d: ExecutorDeps,
  away: AwayRuntime,
  update: (p: JobPatch) => Promise<void>,
  signal: AbortSignal,
  log: Logger,
  phase: Phase,
  round: { ended: boolean },
): Promise<Outcome> {
  const ctx: JobContext<JobKind> = {
    job,
    home: d.home,
    prover: d.prover,
    away,
    store: d.store,
    log,
    signal,
    update,
    homeHeight: d.homeHeight,
    submit: async (intent, alreadyDone) => {
      const out = await submitVia(job, d, away, update, intent, alreadyDone, signal);
      round.ended = true;
      return out;
    },
    proved: (seconds, fields) => {
      d.metrics.proofs.inc({ kind: job.kind });
      d.metrics.proofSeconds.observe({ kind: job.kind }, seconds);
      log.info(`${job.kind} proved`, { ...fields, seconds: Number(seconds.toFixed(3)) });
      emit(d, { type: "proved", key: job.key, kind: job.kind, chainId: job.chainId, seconds, ...carriedHeader(job) });
    },
    settled: async (blockNumber, clearedAt) => {
      try {
        const block = await away.submitter.client.getBlock({ blockNumber });
        d.metrics.settlementLatency.observe({ chain: away.name }, Math.max(0, Number(block.timestamp - clearedAt)));
      } catch {
        /* a metric only */
      }
    },
  };
  const handler = HANDLERS[job.kind] as JobHandler<JobKind>;
  if (phase === "prove") return handler.prove ? handler.prove(ctx) : Promise.resolve({ type: "proved" });
  return handler.submit(ctx);
}

async function submitVia(
  job: Job,
  d: ExecutorDeps,
  away: AwayRuntime,
  update: (p: JobPatch) => Promise<void>,
  intent: Parameters<JobContext<JobKind>["submit"]>[0],
  alreadyDone: () => Promise<boolean>,
  signal: AbortSignal,
): Promise<SubmitOutcome> {
  const out = await away.submitter.run(
    job,
    {
      record: async (r) => {
        try {
          await update({ state: r.state, txHash: r.txHash, nonce: r.nonce, rawTx: r.rawTx, txs: r.txs });
          if (r.state === "submitted") emit(d, { type: "sent", key: job.key, kind: job.kind, chainId: job.chainId, txHash: r.txHash });
          return true;
        } catch (e) {
          if (e instanceof LostJobError) return false;
          throw e;
        }
      },
      alreadyDone,
      build: async () => intent(),
    },
    signal,
  );
  d.metrics.submissions.inc({ chain: away.name, kind: job.kind, outcome: out.status === "confirmed" ? out.how : "failed" });
  if (out.status === "confirmed" && out.how === "mined" && job.txs[0]) {
    d.metrics.submittedSeconds.observe({ chain: away.name, kind: job.kind }, (Date.now() - job.txs[0].at) / 1000);
  }
  return out;
}

/** The row's transaction fields for the next try: the ended round's transactions are dropped (none can be mined any more). */
const NO_TX: JobPatch = { txHash: null, nonce: null, rawTx: null, txs: [] };

async function apply(job: Job, o: Outcome, d: ExecutorDeps, update: (p: JobPatch) => Promise<void>, log: Logger, roundEnded: boolean): Promise<ExecutionResult> {
  const base = { key: job.key, kind: job.kind, chainId: job.chainId };
  const finish = async (patch: JobPatch) => {
    await update(patch);
    await d.store.release(job.key, d.workerId);
  };
  switch (o.type) {
    case "done":
      await finish({ state: "confirmed", lastError: null, ...minedRecord(job.txs, o.txHash) });
      d.metrics.outcomes.inc({ kind: job.kind, outcome: "confirmed" });
      log.info("job confirmed", { how: o.how, txHash: o.txHash, gasUsed: o.gasUsed, detail: o.detail });
      emit(d, { type: "confirmed", ...base, how: o.how, txHash: o.txHash, gasUsed: o.gasUsed, blockNumber: o.blockNumber, detail: o.detail, ...(o.txHash ? carriedHeader(job) : {}) });
      return "done";
    case "proved":
      await d.store.release(job.key, d.workerId, job.state === "proved" ? {} : { state: "proved" });
      return "proved";
    case "wait": {
      const delay = waitDelay(d, o);
      // waiting is not an attempt: give back the one the claim counted
      await d.store.release(job.key, d.workerId, { notBefore: Date.now() + delay, lastError: o.reason, attempts: Math.max(0, job.attempts - 1) });
      log.debug("job waits", { reason: o.reason, retryInMs: delay });
      return "wait";
    }
    case "retry": {
      const delay = retryDelay(d, job, o.retryBefore);
      const causes = withCause(job.causes, { ...o.cause, at: Date.now(), ...(o.txHash ? { txHash: o.txHash } : {}) });
      const next: JobPatch = { notBefore: Date.now() + delay, lastError: causeLine(o.cause), causes };
      const inFlight = job.state === "submitting" || job.state === "submitted";
      if (inFlight && !roundEnded) {
        // not decided by the chain (an exception while tracking): keep the transactions, resume them
      } else {
        if (job.txs.length || job.txHash) Object.assign(next, NO_TX);
        if (o.reprove) Object.assign(next, { state: "pending", proof: null });
        else if (inFlight) next.state = job.proof === null ? "pending" : "proved";
      }
      if (o.payload) next.payload = o.payload;
      await update(next);
      await d.store.release(job.key, d.workerId);
      d.metrics.retries.inc({ kind: job.kind, cause: o.cause.name });
      d.metrics.failures.inc({ kind: job.kind, permanent: "false" });
      log.warn("job attempt failed; will retry", { cause: o.cause.name, causeKind: o.cause.kind, error: o.cause.message, retryInMs: delay, reprove: o.reprove ?? false, txHash: o.txHash });
      emit(d, { type: "retry", ...base, cause: o.cause, retryInMs: delay });
      return "retry";
    }
    case "expired":
    case "failed": {
      const reason = causeLine(o.cause);
      await finish({ state: o.type, lastError: reason, causes: withCause(job.causes, { ...o.cause, at: Date.now() }) });
      d.metrics.outcomes.inc({ kind: job.kind, outcome: o.type });
      if (o.type === "failed") {
        d.metrics.failures.inc({ kind: job.kind, permanent: "true" });
        log.error("job failed: no retry can clear this cause", { cause: o.cause.name, error: o.cause.message });
      } else {
        log.warn("settlement window closed: the job expired; a default follows", { cause: o.cause.name, error: o.cause.message });
      }
      emit(d, { type: o.type, ...base, reason });
      return o.type;
    }
  }
}

