// The relayer's unit of work: a job row, uniquely keyed by what it proves/submits
// (`header:<chainId>:<height>`, `rotation:<chainId>:<epoch>`, `settle:<chainId>:<auctionId>`,
// `default:<chainId>:<auctionId>`, `receipt:<chainId>:<auctionId>`, and on an anchored light client
// `ol-epoch:<chainId>:<epoch>`, `voucher:<chainId>:<epoch>`), so planning the same work twice inserts
// nothing. Each kind has its own payload type (a discriminated union on
// `kind`), checked when a row is read. Also the JSON codec for bigints stored in job rows.
import type { Groth16Calldata, HeaderCalldata, SettlementMaterial } from "./ports.ts";

export const JOB_KINDS = ["header", "rotation", "settle", "default", "receipt", "ol-epoch", "voucher"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * Kinds without a proving phase: their work needs no proof (a Home receipt; Open Libra epoch changes
 * and vouchers, which carry Open Libra's own BLS quorum certificates). The one definition used by the
 * executor's phase and the stores' claim SQL.
 */
export const PROOFLESS_KINDS = ["receipt", "ol-epoch", "voucher"] as const satisfies readonly JobKind[];
export type ProoflessKind = (typeof PROOFLESS_KINDS)[number];
export const isProofless = (k: JobKind): k is ProoflessKind => (PROOFLESS_KINDS as readonly JobKind[]).includes(k);
/** Kinds whose work is an Away transaction (a refused one is judged by its revert, causes.ts). */
export type AwayTxKind = Exclude<JobKind, "receipt">;

/**
 * Progress of a job. Ownership (which worker holds it, until when) is separate: columns
 * `owner` and `leaseUntil`. A job whose lease expired is claimable again in whatever state
 * it reached, and the worker resumes from there (re-using a stored proof, re-checking a
 * recorded transaction hash before ever signing a new transaction).
 */
export const JOB_STATES = [
  "pending", // planned, nobody started (or put back to be proved again)
  "claimed", // a worker took it
  "proving", // proof generation under way
  "proved", // proof stored in the row; the submission pool takes it
  "submitting", // tx signed (a first one or a replacement); recorded in `txs` (and hash/nonce/raw) BEFORE broadcast
  "submitted", // broadcast accepted by the node; waiting for confirmations
  "confirmed", // done (mined with enough confirmations, or found already done on chain)
  "failed", // a cause no retry can clear (a malformed result, a conflicting header): an operator looks at it
  "expired", // settle only: the (pause-extended) settlement window closed before it could settle; a default follows
] as const;
export type JobState = (typeof JOB_STATES)[number];
export const TERMINAL_STATES: readonly JobState[] = ["confirmed", "failed", "expired"];
export const isTerminal = (s: JobState): boolean => TERMINAL_STATES.includes(s);

/** What each kind of job needs (bigints are stored as `{"$big": "..."}`). */
export interface PayloadOf {
  /** Submit the header at `height` (in `epoch`) to the light client. */
  header: { height: bigint; epoch: bigint };
  /** Submit epoch `epoch`'s ending header (at `height`): the light client moves to epoch + 1. */
  rotation: { height: bigint; epoch: bigint };
  /**
   * Settle the result of `auctionId`, first in Home's state at `minHeight`; a fresher header may be
   * asked for. `carryHeader`: the header at `minHeight` is not on Away and goes in the settle
   * transaction itself (settleWithHeader, one HeaderSettlement proof) instead of a header job,
   * sent after the rotation into its epoch when the light client is behind it (the job depends on
   * that rotation); false again once that path cannot work (no aggregate signature, a later header stored, ...).
   */
  settle: { auctionId: bigint; minHeight: bigint; carryHeader?: boolean };
  /** Record the default of `auctionId` (its settle job expired or failed). */
  default: { auctionId: bigint; minHeight: bigint };
  /** Carry the closed Away receipt (`outcome` 1 or 2) of `auctionId` back to Home. */
  receipt: { auctionId: bigint; outcome: number };
  /**
   * Anchored light client: submit the Open Libra LedgerInfo that ends Open Libra epoch `epoch`
   * (OpenLibraLightClient.submitEpochChange); the anchor moves to epoch + 1's real validator set.
   */
  "ol-epoch": { epoch: bigint };
  /** Anchored light client: record the voucher of epoch `epoch`'s attestation set (OpenLibraLightClient.submitVoucher). */
  voucher: { epoch: bigint };
}
export type JobPayload<K extends JobKind = JobKind> = PayloadOf[K];

/** A settlement (or default) proof and the material it was made from, as stored in the row. */
export interface StoredSettlementProof {
  material: SettlementMaterial;
  calldata: Groth16Calldata;
  /** The calldata is a HeaderSettlement proof: its first four public inputs are the header's (settleWithHeader). */
  withHeader?: boolean;
}

/** What each kind stores in `proof` once proved (PROOFLESS_KINDS have none). */
export interface ProofOf {
  header: HeaderCalldata;
  rotation: HeaderCalldata;
  settle: StoredSettlementProof;
  default: StoredSettlementProof;
  receipt: never;
  "ol-epoch": never;
  voucher: never;
}

/** A job to insert; `kind` decides the payload's type. */
export type NewJob<K extends JobKind = JobKind> = K extends JobKind
  ? {
      key: string;
      kind: K;
      chainId: number;
      /** Height, epoch or auctionId as a decimal string. */
      subject: string;
      payload: PayloadOf[K];
      /** Key of a job that must be `confirmed` before this one is submitted (its proof may be made before). */
      dependsOn?: string | null;
      /** Tie-break among jobs created in the same instant: Open Libra epoch changes, vouchers, rotations, headers, settlements, defaults, receipts. */
      priority?: number;
    }
  : never;

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

/** Where a failure came from. */
export type CauseKind =
  | "revert" // the Away contract refused (name = its custom error)
  | "fill" // a settle call went through but this fill failed and stays open (name = its error)
  | "precondition" // not sent: the chain is not ready for it (name says what is missing)
  | "broadcast" // the node refused the transaction (name = viem's node error class)
  | "rpc" // an Away RPC or Home request failed
  | "home" // Home answered with an error (name = its code)
  | "prover" // proving failed
  | "internal"; // anything else (name = the error's name)

/** Why an attempt did not finish a job: typed, so decisions never match wording. */
export interface Cause {
  kind: CauseKind;
  /** Custom error name (`PriceBelowLpLimit`), node error class, Home error code, ... */
  name: string;
  /** One line for people. */
  message: string;
}

/** One recorded failure of a job (the last few are kept in the row, newest last). */
export interface CauseRecord extends Cause {
  /** ms since epoch. */
  at: number;
  /** The transaction the cause came from, when one was mined. */
  txHash?: string;
}
export const MAX_CAUSES = 20;

interface JobRow<K extends JobKind> {
  key: string;
  kind: K;
  chainId: number;
  subject: string;
  payload: PayloadOf[K];
  dependsOn: string | null;
  priority: number;
  state: JobState;
  /** Written by this kind's handler (read back as stored: the row is trusted like the proof cache). */
  proof: ProofOf[K] | null;
  /** The latest signed transaction (the last entry of `txs`), or the mined one once confirmed. */
  txHash: string | null;
  nonce: number | null;
  rawTx: string | null;
  /** Every transaction signed for this job's current submission, oldest first. */
  txs: TxAttempt[];
  attempts: number;
  lastError: string | null;
  /** Recent failures, oldest first (at most MAX_CAUSES). */
  causes: CauseRecord[];
  owner: string | null;
  leaseUntil: number | null;
  notBefore: number;
  createdAt: number;
  updatedAt: number;
}

/** A stored job; narrowing on `kind` types its payload. */
export type Job<K extends JobKind = JobKind> = K extends JobKind ? JobRow<K> : never;

/** Fields a worker may change on a job it owns. */
export type JobPatch = Partial<
  Pick<JobRow<JobKind>, "state" | "txHash" | "nonce" | "rawTx" | "txs" | "attempts" | "lastError" | "notBefore" | "causes" | "dependsOn">
> & { payload?: JobPayload; proof?: ProofOf[JobKind] | null };

/** What the planner sees of a job (no proof, no transactions). */
type SummaryOf<J> = J extends Job ? Pick<J, "key" | "kind" | "chainId" | "state" | "payload" | "dependsOn" | "attempts" | "createdAt" | "notBefore"> : never;
export type JobSummary = SummaryOf<Job>;

export const PRIORITY: Record<JobKind, number> = { "ol-epoch": 4, voucher: 6, rotation: 10, header: 20, settle: 30, default: 40, receipt: 50 };

export function jobKey(kind: JobKind, chainId: number | bigint, subject: bigint | number | string): string {
  return `${kind}:${chainId}:${subject}`;
}

/** A stored payload that does not have its kind's fields (a row written by hand or by another version). */
export class PayloadError extends Error {
  readonly code = "BAD_PAYLOAD";
  constructor(key: string, what: string) {
    super(`job ${key}: payload ${what}`);
    this.name = "PayloadError";
  }
}

type FieldType = "bigint" | "number" | "optional boolean";

const FIELDS: { [K in JobKind]: { [F in keyof PayloadOf[K]]-?: FieldType } } = {
  header: { height: "bigint", epoch: "bigint" },
  rotation: { height: "bigint", epoch: "bigint" },
  settle: { auctionId: "bigint", minHeight: "bigint", carryHeader: "optional boolean" },
  default: { auctionId: "bigint", minHeight: "bigint" },
  receipt: { auctionId: "bigint", outcome: "number" },
  "ol-epoch": { epoch: "bigint" },
  voucher: { epoch: "bigint" },
};

/** Check a decoded payload against its kind (bigints may come as decimal strings from older rows). */
export function parsePayload<K extends JobKind>(key: string, kind: K, raw: unknown): PayloadOf[K] {
  if (raw === null || typeof raw !== "object") throw new PayloadError(key, "is not an object");
  const src = raw as Record<string, unknown>;
  const out: Record<string, bigint | number | boolean> = {};
  for (const [field, type] of Object.entries(FIELDS[kind]) as [string, FieldType][]) {
    const v = src[field];
    if (type === "optional boolean") {
      if (typeof v === "boolean") out[field] = v;
      else if (v !== undefined) throw new PayloadError(key, `field '${field}' must be true or false, got ${JSON.stringify(v)}`);
    } else if (type === "bigint" && (typeof v === "bigint" || (typeof v === "string" && /^\d+$/.test(v)))) out[field] = BigInt(v);
    else if (type === "number" && typeof v === "number" && Number.isInteger(v)) out[field] = v;
    else throw new PayloadError(key, `field '${field}' must be a ${type === "bigint" ? "whole number" : "small integer"}, got ${JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? String(x) : x))}`);
  }
  return out as PayloadOf[K];
}

export function isJobKind(s: string): s is JobKind {
  return (JOB_KINDS as readonly string[]).includes(s);
}

export function isJobState(s: string): s is JobState {
  return (JOB_STATES as readonly string[]).includes(s);
}

/** Append a cause to a job's record, keeping the last MAX_CAUSES. */
export function withCause(causes: CauseRecord[], c: CauseRecord): CauseRecord[] {
  return [...causes, c].slice(-MAX_CAUSES);
}

/** One line for a cause (lastError, logs, `olzk relay jobs`). */
export function causeLine(c: Cause): string {
  return c.kind === "revert" || c.kind === "fill" ? `${c.kind === "fill" ? "fill failed" : "reverted"}: ${c.name}${c.message && c.message !== c.name ? ` (${c.message})` : ""}` : `${c.kind} ${c.name}: ${c.message}`;
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
