// The JobStore interface: durable job state shared by the planner (inserts, revivals), the
// workers (claim, progress, release) and the operator (`olzk relay jobs`, `olzk relay requeue`).
// Two implementations over one SQL core (sql.ts): embedded SQLite (default, one machine) and
// PostgreSQL (several workers on several machines). Every write by a worker is fenced by
// ownership: it only applies while that worker still holds the job's lease.
import type { Job, JobKind, JobPatch, JobState, JobSummary, NewJob } from "../jobs.ts";

/** Which of a job's two phases a pool runs: proving (CPU) or submitting (transactions, Home). */
export type Phase = "prove" | "submit";

export interface ClaimFilter {
  chainIds?: number[];
  kinds?: JobKind[];
  /** Only jobs in this phase (default: either). */
  phase?: Phase;
}

export interface ListFilter {
  states?: JobState[];
  kind?: JobKind;
  chainId?: number;
}

/** What an operator's requeue did. */
export type RequeueResult =
  | { status: "requeued"; job: Job } // a failed or expired job is pending again (its proof and transactions dropped)
  | { status: "retry-now"; job: Job } // a live job waiting for its retry time is claimable at once (progress kept)
  | { status: "not-found" }
  | { status: "confirmed"; job: Job } // nothing to do
  | { status: "claimed"; job: Job }; // a worker holds it: try again when its claim ends

export interface JobStore {
  /** "sqlite" or "postgres". */
  readonly backend: string;
  /** Insert jobs whose key is new; existing keys are left untouched. Returns how many were inserted. */
  insert(jobs: NewJob[]): Promise<number>;
  get(key: string): Promise<Job | undefined>;
  /** Jobs in claim order (oldest first). */
  list(filter?: ListFilter): Promise<Job[]>;
  /** All keys. */
  keys(): Promise<Set<string>>;
  /** What the planner needs of every job (no proofs, no transactions). */
  summaries(): Promise<Map<string, JobSummary>>;
  /**
   * Atomically take the next runnable job of a pool (oldest first): not finished, not owned (or
   * its lease expired), `notBefore` passed, and for the submission phase its dependency
   * confirmed. Sets owner + lease, bumps attempts, and moves `pending` to `claimed` (other
   * states are kept so the worker resumes where it stopped).
   */
  claim(workerId: string, leaseMs: number, filter?: ClaimFilter): Promise<Job | undefined>;
  /** Extend the lease; false when the worker no longer owns the job. */
  heartbeat(key: string, workerId: string, leaseMs: number): Promise<boolean>;
  /** Apply a patch (and extend the lease) if `workerId` still owns the job. */
  update(key: string, workerId: string, patch: JobPatch, leaseMs?: number): Promise<boolean>;
  /** Give the job up (optionally with a patch); `claimed` goes back to `pending`. */
  release(key: string, workerId: string, patch?: JobPatch): Promise<boolean>;
  /**
   * The planner plans a failed job again: pending, proof and transactions dropped (a failed job
   * has none that can still be mined), claimable from `notBefore`. Only unowned failed rows.
   */
  revive(key: string, notBefore: number): Promise<boolean>;
  /** Point an unowned, unfinished job at another dependency (a fresher header). */
  repoint(key: string, dependsOn: string | null): Promise<boolean>;
  /** The operator's requeue (safe while workers run: one conditional UPDATE, fenced by ownership). */
  requeue(key: string): Promise<RequeueResult>;
  /**
   * Release every claim held by `workerId` or one of its slots (`workerId/...`): a restarted
   * worker with a stable id resumes its own jobs at once instead of waiting for their leases.
   */
  releaseOwner(workerId: string): Promise<string[]>;
  /** Number of jobs per state (every state present, 0 when none). */
  counts(): Promise<Record<JobState, number>>;
  close(): Promise<void>;
}

export type Clock = () => number;
