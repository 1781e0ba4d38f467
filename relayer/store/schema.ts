// Table layout shared by the SQLite and PostgreSQL job stores, the row <-> Job mapping, and
// the migration of databases created by earlier versions.
import { decodeJson, encodeJson, JOB_STATES, type Job, type JobKind, type JobPatch, type JobState, type TxAttempt } from "../jobs.ts";

export const TABLE = "relayer_jobs";

/** Column list in insert order. */
export const COLUMNS = [
  "key", "kind", "chain_id", "subject", "state", "payload", "depends_on", "priority", "proof", "tx_hash",
  "nonce", "raw_tx", "attempts", "last_error", "owner", "lease_until", "not_before", "created_at", "updated_at", "txs",
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
    txs TEXT
  )`;
}

/**
 * Migration 1 (transaction replacement): the `txs` column holds every transaction signed for
 * a job as a JSON array of TxAttempt. Databases made before it have only the latest
 * transaction in tx_hash/nonce/raw_tx; this copies it into `txs` (plain string concatenation,
 * valid in both SQLite and PostgreSQL; hashes and raw bytes are hex, nothing to escape).
 * `ADD COLUMN` itself is run by each store (SQLite has no IF NOT EXISTS for it).
 */
export const BACKFILL_TXS_SQL = `UPDATE ${TABLE}
  SET txs = '[{"hash":"' || tx_hash || '","nonce":' || nonce || ',"raw":"' || raw_tx || '","at":' || updated_at || '}]'
  WHERE txs IS NULL AND tx_hash IS NOT NULL AND nonce IS NOT NULL AND raw_tx IS NOT NULL`;

export const INDEX_SQL = `CREATE INDEX IF NOT EXISTS ${TABLE}_runnable ON ${TABLE} (state, priority, created_at)`;

type Row = Record<string, unknown>;

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function rowToJob(r: Row): Job {
  return {
    key: String(r.key),
    kind: String(r.kind) as JobKind,
    chainId: Number(r.chain_id),
    subject: String(r.subject),
    state: String(r.state) as JobState,
    payload: decodeJson<Record<string, unknown>>(r.payload as string) ?? {},
    dependsOn: (r.depends_on as string | null) ?? null,
    priority: Number(r.priority),
    proof: decodeJson(r.proof as string | null),
    txHash: (r.tx_hash as string | null) ?? null,
    nonce: num(r.nonce),
    rawTx: (r.raw_tx as string | null) ?? null,
    txs: decodeJson<TxAttempt[]>(r.txs as string | null) ?? [],
    attempts: Number(r.attempts),
    lastError: (r.last_error as string | null) ?? null,
    owner: (r.owner as string | null) ?? null,
    leaseUntil: num(r.lease_until),
    notBefore: Number(r.not_before),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Patch -> [column, value] pairs (JSON columns encoded). */
export function patchColumns(p: JobPatch): [string, unknown][] {
  const out: [string, unknown][] = [];
  if (p.state !== undefined) {
    if (!JOB_STATES.includes(p.state)) throw new Error(`unknown job state '${p.state}'`);
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
  return out;
}

export function emptyCounts(): Record<JobState, number> {
  return Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
}

/** SQL predicate of a claimable row (alias j), with placeholders produced by `ph(i)` for now. */
export function runnableWhere(nowParam: string): string {
  return `j.state NOT IN ('confirmed','failed')
    AND (j.owner IS NULL OR j.lease_until < ${nowParam})
    AND j.not_before <= ${nowParam}
    AND (j.depends_on IS NULL OR EXISTS (SELECT 1 FROM ${TABLE} d WHERE d.key = j.depends_on AND d.state = 'confirmed'))`;
}
