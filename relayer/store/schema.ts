// Table layout shared by the SQLite and PostgreSQL job stores, the row <-> Job mapping, and
// the migrations of databases created by earlier versions.
import {
  decodeJson,
  encodeJson,
  isJobKind,
  isJobState,
  PROOFLESS_KINDS,
  parsePayload,
  type CauseRecord,
  type Job,
  type JobPatch,
  type JobState,
  type JobSummary,
  type TxAttempt,
} from "../jobs.ts";

export const TABLE = "relayer_jobs";

/** Column list in insert order. */
export const COLUMNS = [
  "key", "kind", "chain_id", "subject", "state", "payload", "depends_on", "priority", "proof", "tx_hash",
  "nonce", "raw_tx", "attempts", "last_error", "owner", "lease_until", "not_before", "created_at", "updated_at", "txs", "causes",
] as const;

export function createTableSql(bigint: string): string {
  return `CREATE TABLE IF NOT EXISTS ${TABLE} (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    chain_id INTEGER NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    payload TEXT NOT NULL,
    depends_on TEXT,
    priority INTEGER NOT NULL,
    proof TEXT,
    tx_hash TEXT,
    nonce INTEGER,
    raw_tx TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    owner TEXT,
    lease_until ${bigint},
    not_before ${bigint} NOT NULL DEFAULT 0,
    created_at ${bigint} NOT NULL,
    updated_at ${bigint} NOT NULL,
    txs TEXT,
    causes TEXT
  )`;
}

/** A column added after the first version, with what fills it in existing rows. */
export interface ColumnMigration {
  column: string;
  type: string;
  backfill?: string;
}

/**
 * Migration 1 (transaction replacement): the `txs` column holds every transaction signed for
 * a job as a JSON array of TxAttempt. Databases made before it have only the latest
 * transaction in tx_hash/nonce/raw_tx; this copies it into `txs` (plain string concatenation,
 * valid in both SQLite and PostgreSQL; hashes and raw bytes are hex, nothing to escape).
 * Migration 2 (failure handling by cause): `causes` holds the job's recent failures as a JSON
 * array of CauseRecord (NULL reads as none: nothing to backfill).
 * Each store runs `ADD COLUMN` itself (SQLite has no IF NOT EXISTS for it).
 */
export const MIGRATIONS: ColumnMigration[] = [
  {
    column: "txs",
    type: "TEXT",
    backfill: `UPDATE ${TABLE}
  SET txs = '[{"hash":"' || tx_hash || '","nonce":' || nonce || ',"raw":"' || raw_tx || '","at":' || updated_at || '}]'
  WHERE txs IS NULL AND tx_hash IS NOT NULL AND nonce IS NOT NULL AND raw_tx IS NOT NULL`,
  },
  { column: "causes", type: "TEXT" },
];

export const INDEX_SQL = `CREATE INDEX IF NOT EXISTS ${TABLE}_runnable ON ${TABLE} (state, created_at)`;

/**
 * Claim order: oldest first (by creation), then Open Libra epoch changes, vouchers, rotations,
 * headers, settlements, defaults, receipts of one planning pass, then by subject as a number (height, epoch, auction id; decimal
 * strings without leading zeros sort numerically by length then text: auction 10 after 2).
 */
export const ORDER_BY = "j.created_at, j.priority, length(j.subject), j.subject, j.key";

export type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function rowToJob(r: Row): Job {
  const key = String(r.key);
  const kind = String(r.kind);
  const state = String(r.state);
  if (!isJobKind(kind)) throw new Error(`job ${key}: unknown kind '${kind}'`);
  if (!isJobState(state)) throw new Error(`job ${key}: unknown state '${state}'`);
  return {
    key,
    kind,
    chainId: Number(r.chain_id),
    subject: String(r.subject),
    state,
    payload: parsePayload(key, kind, decodeJson(r.payload as string)),
    dependsOn: (r.depends_on as string | null) ?? null,
    priority: Number(r.priority),
    proof: decodeJson(r.proof as string | null),
    txHash: (r.tx_hash as string | null) ?? null,
    nonce: num(r.nonce),
    rawTx: (r.raw_tx as string | null) ?? null,
    txs: decodeJson<TxAttempt[]>(r.txs as string | null) ?? [],
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    causes: decodeJson<CauseRecord[]>(r.causes as string | null) ?? [],
    owner: (r.owner as string | null) ?? null,
    leaseUntil: num(r.lease_until),
    notBefore: Number(r.not_before),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  } as Job;
}

export function rowToSummary(r: Row): JobSummary {
  const j = rowToJob({ ...r, proof: null, txs: null, causes: null });
  return { key: j.key, kind: j.kind, chainId: j.chainId, state: j.state, payload: j.payload, dependsOn: j.dependsOn, attempts: j.attempts, createdAt: j.createdAt, notBefore: j.notBefore } as JobSummary;
}

/** Patch -> [column, value] pairs (JSON columns encoded). */
export function patchColumns(p: JobPatch): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (p.state !== undefined) {
    if (!isJobState(p.state)) throw new Error(`unknown job state '${p.state}'`);
    out.push(["state", p.state]);
  }
  if (p.proof !== undefined) out.push(["proof", p.proof === null ? null : encodeJson(p.proof)]);
  if (p.payload !== undefined) out.push(["payload", encodeJson(p.payload)]);
  if (p.txHash !== undefined) out.push(["tx_hash", p.txHash]);
  if (p.nonce !== undefined) out.push(["nonce", p.nonce]);
  if (p.rawTx !== undefined) out.push(["raw_tx", p.rawTx]);
  if (p.txs !== undefined) out.push(["txs", encodeJson(p.txs)]);
  if (p.attempts !== undefined) out.push(["attempts", p.attempts]);
  if (p.lastError !== undefined) out.push(["last_error", p.lastError]);
  if (p.notBefore !== undefined) out.push(["not_before", p.notBefore]);
  if (p.causes !== undefined) out.push(["causes", encodeJson(p.causes)]);
  if (p.dependsOn !== undefined) out.push(["depends_on", p.dependsOn]);
  return out;
}

export function emptyCounts(): Record<JobState, number> {
  return { pending: 0, claimed: 0, proving: 0, proved: 0, submitting: 0, submitted: 0, confirmed: 0, failed: 0, expired: 0 };
}

/** States in which a job is finished (SQL list). */
export const TERMINAL_SQL = "('confirmed','failed','expired')";

/**
 * SQL predicate of a claimable row (alias j) for a pool: not finished, not held (or its lease
 * expired), its notBefore passed. The proving pool takes jobs that still need their proof
 * (whatever they depend on: a settlement can be proved while its header is mined); the
 * submission pool takes proved jobs whose dependency is confirmed, and jobs of PROOFLESS_KINDS
 * (receipts, Open Libra epoch changes and vouchers) whose dependency is confirmed.
 */
/** PROOFLESS_KINDS as an SQL list (the kinds the proving pool never takes). */
const PROOFLESS_SQL = `(${PROOFLESS_KINDS.map((k) => `'${k}'`).join(",")})`;

export function runnableWhere(now: string, phase: "prove" | "submit" | "any"): string {
  const base = `j.state NOT IN ${TERMINAL_SQL}
    AND (j.owner IS NULL OR j.lease_until < ${now})
    AND j.not_before <= ${now}`;
  const dep = `(j.depends_on IS NULL OR EXISTS (SELECT 1 FROM ${TABLE} d WHERE d.key = j.depends_on AND d.state = 'confirmed'))`;
  const prove = `(j.kind NOT IN ${PROOFLESS_SQL} AND j.state IN ('pending','claimed','proving'))`;
  const submit = `((j.kind IN ${PROOFLESS_SQL} OR j.state IN ('proved','submitting','submitted')) AND ${dep})`;
  return `${base} AND ${phase === "prove" ? prove : phase === "submit" ? submit : `(${prove} OR ${submit})`}`;
}
