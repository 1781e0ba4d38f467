// The relayer's unit of work: a job row, uniquely keyed by what it proves/submits
// (`header:<chainId>:<height>`, `rotation:<chainId>:<epoch>`, `settle:<chainId>:<auctionId>`,
// `default:<chainId>:<auctionId>`, `receipt:<chainId>:<auctionId>`), so planning the same
// work twice inserts nothing. Also the JSON codec for bigints stored in job rows.

export const JOB_KINDS = ["header", "rotation", "settle", "default", "receipt"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Progress of a job. Ownership (which worker holds it, until when) is separate: columns
 * `owner` and `leaseUntil`. A job whose lease expired is claimable again in whatever state
 * it reached, and the worker resumes from there (re-using a stored proof, re-checking a
 * recorded transaction hash before ever signing a new transaction).
 */
export const JOB_STATES = [
  "pending", // planned, nobody started
  "claimed", // a worker took it
  "proving", // proof generation under way
  "proved", // proof stored in the row
  "submitting", // tx signed (a first one or a replacement); recorded in `txs` (and hash/nonce/raw) BEFORE broadcast
  "submitted", // broadcast accepted by the node; waiting for confirmations
  "confirmed", // done (mined with enough confirmations, or found already done on chain)
  "failed", // permanent failure (revert with an unknown reason, bad input); lastError says why
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_STATES: readonly JobState[] = ["confirmed", "failed"];

export interface NewJob {
  key: string;
  kind: JobKind;
  chainId: number;
  /** Height, epoch or auctionId as a decimal string. */
  subject: string;
  /** Input the worker needs (JSON-safe; bigints as decimal strings). */
  payload: Record<string, unknown>;
  /** Key of a job that must be `confirmed` before this one is claimable. */
  dependsOn?: string | null;
  /** Lower number runs first among claimable jobs (rotations before headers before settlements). */
  priority?: number;
}

/**
 * One signed transaction of a job, recorded before it is broadcast. A job has several when a
 * stuck transaction was replaced (same nonce, higher fee) or when its nonce was taken by
 * another transaction (new nonce); at most one of them can ever be mined.
 */
export interface TxAttempt {
  hash: string;
  nonce: number;
  /** The signed transaction (EIP-2718 bytes, hex): enough to re-broadcast or replace it. */
  raw: string;
  /** When it was signed (ms since epoch); a replacement is due `bumpAfterMs` later. */
  at: number;
}

export interface Job extends Required<NewJob> {
  state: JobState;
  proof: unknown | null;
  /** The latest signed transaction (the last entry of `txs`), or the mined one once confirmed. */
  txHash: string | null;
  nonce: number | null;
  rawTx: string | null;
  /** Every transaction signed for this job, oldest first. */
  txs: TxAttempt[];
  attempts: number;
  lastError: string | null;
  owner: string | null;
  leaseUntil: number | null;
  notBefore: number;
  createdAt: number;
  updatedAt: number;
}

/** Fields a worker may change on a job it owns. */
export type JobPatch = Partial<
  Pick<Job, "state" | "proof" | "txHash" | "nonce" | "rawTx" | "txs" | "attempts" | "lastError" | "notBefore" | "payload">
>;

export const PRIORITY: Record<JobKind, number> = { rotation: 10, header: 20, settle: 30, default: 40, receipt: 50 };

export function jobKey(kind: JobKind, chainId: number | bigint, subject: bigint | number | string): string {
  return `${kind}:${chainId}:${subject}`;
}

/** JSON.stringify that writes bigints as `{"$big":"123"}` so they come back as bigints. */
export function encodeJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? { $big: x.toString() } : x));
}

export function decodeJson<T = unknown>(s: string | null | undefined): T | null {
  if (s === null || s === undefined) return null;
  return JSON.parse(s, (_k, x) =>
    x && typeof x === "object" && !Array.isArray(x) && Object.keys(x).length === 1 && typeof x.$big === "string"
      ? BigInt(x.$big)
      : x,
  ) as T;
}
