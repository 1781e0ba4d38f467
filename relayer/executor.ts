// Runs one claimed job through its phases, resuming from whatever state the row records:
//   header/rotation: check the light client (stored or superseded -> done), prove the signed
//     header (or re-use the stored proof), submit HomeLightClient.submitHeader;
//   settle/default: check the Away receipt (closed -> done), wait until the light client has a
//     header at or above the result's height, build the settlement material at that height
//     and prove it (or re-use the stored proof), submit AtomicSettlement.settle/recordDefault;
//   receipt: POST the Away receipt to Home so it releases or slashes the collateral.
// The lease is renewed while the job runs; every write is fenced by ownership.
import { OUTCOME_OPEN } from "../home/model/leaves.ts";
import { backoffDelay, isTransient } from "./backoff.ts";
import type { Job, JobPatch } from "./jobs.ts";
import type { Logger } from "./log.ts";
import type { RelayerMetrics } from "./metrics.ts";
import type { AwayPort, Groth16Calldata, HomeSource, ProverPort, SettlementMaterial } from "./ports.ts";
import type { JobStore } from "./store/types.ts";
import { LostJobError, minedRecord, type SubmitOutcome, type Submitter, type TxIntent } from "./submit.ts";

export interface AwayRuntime {
  port: AwayPort;
  submitter: Submitter;
  name: string;
}

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
  /** Permanent (non-revert) errors tolerated before a job is marked failed. */
  maxAttempts?: number;
  /** Progress callback (the main job prints progress and measures latency with it). */
  onEvent?: (e: JobEvent) => void;
}

/** What happened to a job, for progress displays and latency measurements. */
export type JobEvent =
  | { type: "proved"; key: string; kind: Job["kind"]; chainId: number; seconds: number }
  | { type: "sent"; key: string; kind: Job["kind"]; chainId: number; txHash: string }
  | { type: "confirmed"; key: string; kind: Job["kind"]; chainId: number; how: string; txHash?: string; gasUsed?: bigint; blockNumber?: bigint; detail?: string }
  | { type: "failed"; key: string; kind: Job["kind"]; chainId: number; reason: string };

function emit(d: ExecutorDeps, e: JobEvent): void {
  try {
    d.onEvent?.(e);
  } catch {
    /* a display callback must not break the job */
  }
}

/** Thrown inside a job to put it back for later (not an error). */
class Defer extends Error {
  constructor(readonly reason: string, readonly delayMs: number) {
    super(reason);
  }
}

interface StoredSettlementProof {
  material: SettlementMaterial;
  calldata: Groth16Calldata;
}

export const HEADER_DONE_ERRORS = ["HeightNotIncreasing"];
export const SETTLE_DONE_ERRORS = ["ReceiptExists"];

export async function executeJob(job: Job, d: ExecutorDeps, shutdown: AbortSignal): Promise<"confirmed" | "failed" | "released" | "lost"> {
  const log = d.log.child({ job: job.key, attempt: job.attempts });
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
  const finish = async (patch: JobPatch): Promise<void> => {
    await update(patch);
    await d.store.release(job.key, d.workerId);
  };

  try {
    const outcome = await runPhases(job, d, update, local.signal, log);
    if (outcome.status === "confirmed") {
      await finish({ state: "confirmed", lastError: null, ...minedRecord(job.txs, outcome.txHash) });
      log.info("job confirmed", { how: outcome.how, txHash: outcome.txHash, gasUsed: outcome.gasUsed, detail: outcome.detail });
      emit(d, { type: "confirmed", key: job.key, kind: job.kind, chainId: job.chainId, how: outcome.how, txHash: outcome.txHash, gasUsed: outcome.gasUsed, blockNumber: outcome.blockNumber, detail: outcome.detail });
      return "confirmed";
    }
    await finish({ state: "failed", lastError: outcome.reason });
    await failDependents(job, d, outcome.reason, log);
    d.metrics.failures.inc({ kind: job.kind, permanent: "true" });
    log.error("job failed", { reason: outcome.reason, txHash: outcome.txHash });
    emit(d, { type: "failed", key: job.key, kind: job.kind, chainId: job.chainId, reason: outcome.reason });
    return "failed";
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
    if (e instanceof Defer) {
      // waiting is not an attempt: give back the one the claim counted
      await d.store.release(job.key, d.workerId, { notBefore: Date.now() + e.delayMs, lastError: e.reason, attempts: Math.max(0, job.attempts - 1) });
      log.debug("job deferred", { reason: e.reason });
      return "released";
    }
    const msg = (e as Error)?.message?.split("\n")[0] ?? String(e);
    const transient = isTransient(e);
    const permanent = !transient && job.attempts >= (d.maxAttempts ?? 5);
    d.metrics.failures.inc({ kind: job.kind, permanent: String(permanent) });
    if (permanent) {
      await d.store.update(job.key, d.workerId, { state: "failed", lastError: msg });
      await d.store.release(job.key, d.workerId, { state: "failed" });
      await failDependents(job, d, msg, log);
      log.error("job failed", { error: msg, attempts: job.attempts });
      emit(d, { type: "failed", key: job.key, kind: job.kind, chainId: job.chainId, reason: msg });
      return "failed";
    }
    const delay = backoffDelay(job.attempts, 500, 30_000);
    await d.store.release(job.key, d.workerId, { notBefore: Date.now() + delay, lastError: msg }).catch(() => {});
    log.warn("job attempt failed; will retry", { error: msg, transient, retryInMs: delay });
    return "released";
  } finally {
    clearInterval(beat);
    shutdown.removeEventListener("abort", onShutdown);
  }
}

async function failDependents(job: Job, d: ExecutorDeps, reason: string, log: Logger): Promise<void> {
  try {
    const keys = await d.store.failDependents(job.key, reason);
    if (keys.length) log.warn("failed the jobs waiting on this one", { dependents: keys });
  } catch (e) {
    log.warn("could not fail dependents", { error: (e as Error).message });
  }
}

async function runPhases(
  job: Job,
  d: ExecutorDeps,
  update: (p: JobPatch) => Promise<void>,
  signal: AbortSignal,
  log: Logger,
): Promise<SubmitOutcome> {
  if (job.kind === "receipt") {
    const auctionId = BigInt(job.payload.auctionId as bigint);
    const r = await d.home.postReceipt(job.chainId, auctionId);
    return { status: "confirmed", how: r === "already" ? "already-done" : "mined", detail: `Home receipt ${r}` };
  }
  const away = d.aways.get(job.chainId);
  if (!away) throw new Defer(`no Away chain ${job.chainId} configured in this worker`, 60_000);
  const port = away.port;
  const submitVia = async (intent: () => TxIntent, alreadyDone: () => Promise<boolean>): Promise<SubmitOutcome> => {
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
    return out;
  };

  if (job.kind === "header" || job.kind === "rotation") {
    const height = BigInt(job.payload.height as bigint);
    const epoch = BigInt(job.payload.epoch as bigint);
    const done = async () => {
      const lc = await port.lightClientState();
      if (job.kind === "rotation" && lc.epoch > epoch) return true;
      if (await port.headerStored(height)) return true;
      return job.kind === "header" && lc.hasHeaders && lc.latestHeight >= height; // superseded by a newer header
    };
    if (!job.txHash) {
      if (await done()) return { status: "confirmed", how: "already-done", detail: "light client already has it" };
      const lc = await port.lightClientState();
      if (lc.epoch < epoch) throw new Defer(`light client is at epoch ${lc.epoch}, header is in epoch ${epoch}`, d.pollIntervalMs);
    }
    let calldata = job.proof as Groth16Calldata | null;
    if (!calldata) {
      await update({ state: "proving" });
      const sh = await d.home.signedHeader(height);
      const t0 = performance.now();
      calldata = await d.prover.proveHeader(sh);
      const secs = (performance.now() - t0) / 1000;
      d.metrics.proofs.inc({ kind: job.kind });
      d.metrics.proofSeconds.observe({ kind: job.kind }, secs);
      await update({ state: "proved", proof: calldata });
      log.info("header proved", { height, seconds: Number(secs.toFixed(3)) });
      emit(d, { type: "proved", key: job.key, kind: job.kind, chainId: job.chainId, seconds: secs });
    }
    const cd = calldata;
    const out = await submitVia(() => ({ ...port.headerTx(cd), doneErrors: HEADER_DONE_ERRORS }), done);
    return out;
  }

  // settle / default
  const auctionId = BigInt(job.payload.auctionId as bigint);
  const minHeight = BigInt(job.payload.minHeight as bigint);
  const done = async () => ((await port.receipt(auctionId))?.outcome ?? OUTCOME_OPEN) !== OUTCOME_OPEN;
  if (!job.txHash && (await done())) return { status: "confirmed", how: "already-done", detail: "Away already has a closed receipt" };
  let stored = job.proof as StoredSettlementProof | null;
  if (!stored) {
    const lc = await port.lightClientState();
    if (!lc.hasHeaders || lc.latestHeight < minHeight) {
      throw new Defer(`light client at height ${lc.latestHeight}, result needs ${minHeight}`, d.pollIntervalMs);
    }
    await update({ state: "proving" });
    const material = await d.home.settlementMaterial(auctionId, lc.latestHeight, job.chainId);
    const t0 = performance.now();
    const calldata = await d.prover.proveSettlement(material);
    const secs = (performance.now() - t0) / 1000;
    d.metrics.proofs.inc({ kind: job.kind });
    d.metrics.proofSeconds.observe({ kind: job.kind }, secs);
    stored = { material, calldata };
    await update({ state: "proved", proof: stored });
    log.info("settlement proved", { auctionId, height: material.height, seconds: Number(secs.toFixed(3)) });
    emit(d, { type: "proved", key: job.key, kind: job.kind, chainId: job.chainId, seconds: secs });
  }
  const s = stored;
  const out = await submitVia(
    () => ({ ...(job.kind === "settle" ? port.settleTx(s.material, s.calldata) : port.defaultTx(s.material, s.calldata)), doneErrors: SETTLE_DONE_ERRORS }),
    done,
  );
  if (out.status === "failed" && job.kind === "default" && /DeadlineNotReached/.test(out.reason)) {
    await update({ txHash: null, nonce: null, rawTx: null, txs: [], state: "proved" });
    throw new Defer("deadline not reached on the Away chain yet", d.pollIntervalMs * 2);
  }
  return out;
}
