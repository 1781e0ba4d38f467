// What a job handler gets (JobContext) and returns (Outcome): the executor owns the lease, the
// store writes of the outcome, logs, metrics and events; a handler only decides, by cause.
import type { Hex } from "viem";
import type { Cause, Job, JobKind, JobPatch, JobPayload } from "../jobs.ts";
import type { Logger } from "../log.ts";
import type { AwayPort, HomeSource, ProverPort } from "../ports.ts";
import type { JobStore } from "../store/types.ts";
import type { Submitter, SubmitOutcome, TxIntent } from "../submit.ts";

/** One Away chain as the workers use it. */
export interface AwayRuntime {
  port: AwayPort;
  submitter: Submitter;
  name: string;
}

/**
 * How one attempt at a job ended. The executor applies it:
 *   done     confirmed (mined with its confirmations, or found done on chain);
 *   proved   the proof is stored; the submission pool takes the job;
 *   wait     a precondition is not met yet (a header not yet on Away): back later, not an attempt;
 *   retry    a failure that can clear on its own: logged as a warning with its cause, retried
 *            with backoff (not after `retryBefore`, when given: the result's deadline); `reprove`
 *            drops the proof (and `payload` may ask for a fresher header);
 *   expired  settle only: the pause-extended deadline passed; a default follows;
 *   failed   a cause no retry can clear; an operator looks at it (`olzk relay requeue`).
 */
export type Outcome =
  | { type: "done"; how: "mined" | "already-done" | "done-error"; txHash?: Hex; gasUsed?: bigint; blockNumber?: bigint; detail?: string }
  | { type: "proved" }
  | { type: "wait"; reason: string; delayMs?: number }
  | { type: "retry"; cause: Cause; txHash?: string; reprove?: boolean; payload?: JobPayload; retryBefore?: number }
  | { type: "expired"; cause: Cause }
  | { type: "failed"; cause: Cause };

export interface JobContext<K extends JobKind> {
  readonly job: Job<K>;
  readonly home: HomeSource;
  readonly prover: ProverPort;
  readonly away: AwayRuntime;
  readonly store: JobStore;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Persist a patch on the job (fenced by ownership; throws LostJobError when the lease is gone). */
  update(patch: JobPatch): Promise<void>;
  /** Submit the job's transaction, or resume tracking the ones its row records. */
  submit(intent: () => TxIntent, alreadyDone: () => Promise<boolean>): Promise<SubmitOutcome>;
  /** A proof was made: metrics, log line and progress event. */
  proved(seconds: number, fields: Record<string, unknown>): void;
  /** The latest Home height the relayer knows (a header fresher than a stale one). */
  homeHeight(): Promise<bigint>;
  /** A settlement closed its receipt in the Away block `blockNumber`; `clearedAt` is the result's Home time. */
  settled(blockNumber: bigint, clearedAt: bigint): Promise<void>;
}

/** A job kind's two phases: proving (the proving pool) and submitting (the submission pool). */
export interface JobHandler<K extends JobKind> {
  prove?(ctx: JobContext<K>): Promise<Outcome>;
  submit(ctx: JobContext<K>): Promise<Outcome>;
}
