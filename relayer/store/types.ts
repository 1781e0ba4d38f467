// The JobStore interface: durable job state shared by the planner (inserts) and the
// workers (claim, progress, release). Two implementations: embedded SQLite (default, one
// machine) and PostgreSQL (several workers on several machines). Every write by a worker is
// fenced by ownership: it only applies while that worker still holds the job's lease.
import type { Job, JobKind, JobPatch, JobState, NewJob } from "../jobs.ts";

export interface ClaimFilter {
  chainIds?: number[];
  kinds?: JobKind[];
}

export interface ListFilter {
  states?: JobState[];
  kind?: JobKind;
  chainId?: number;
}

export interface JobStore {
  /** "sqlite" or "postgres". */
  readonly backend: string;
  /** Insert jobs whose key is new; existing keys are left untouched. Returns how many were inserted. */
  insert(jobs: NewJob[]): Promise<number>;
  get(key: string): Promise<Job | undefined>;
  list(filter?: ListFilter): Promise<Job[]>;
  /** All keys. */
  keys(): Promise<Set<string>>;
  /** key -> state of every job (the planner's view of the table; no proofs loaded). */
  states(): Promise<Map<string, JobState>>;
  /**
   * Atomically take the next runnable job: not terminal, not owned (or its lease expired),
   * `notBefore` passed, dependency confirmed. Sets owner + lease, bumps attempts, and moves
   * `pending` to `claimed` (other states are kept so the worker resumes where it stopped).
   */
  claim(workerId: string, leaseMs: number, filter?: ClaimFilter): Promise<Job | undefined>;
  /** Extend the lease; false when the worker no longer owns the job. */
  heartbeat(key: string, workerId: string, leaseMs: number): Promise<boolean>;
  /** Apply a patch (and extend the lease) if `workerId` still owns the job. */
  update(key: string, workerId: string, patch: JobPatch, leaseMs?: number): Promise<boolean>;
  /** Give the job up (optionally with a patch); `claimed` goes back to `pending`. */
  release(key: string, workerId: string, patch?: JobPatch): Promise<boolean>;
  /**
   * A job failed for good: fail every unowned, not yet terminal job that (transitively) waits
   * on it, so nothing stays blocked forever. Returns the keys failed.
   */
  failDependents(key: string, reason: string): Promise<string[]>;
  /** Number of jobs per state (every state present, 0 when none). */
  counts(): Promise<Record<JobState, number>>;
  close(): Promise<void>;
}

export type Clock = () => number;
