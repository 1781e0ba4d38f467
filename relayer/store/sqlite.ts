// Embedded job store: one SQLite file in the data directory, through Node 22's built-in
// `node:sqlite` (DatabaseSync), WAL journal. Claims are single UPDATE ... RETURNING
// statements, atomic even with several processes on the same file (busy_timeout waits).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
import type { DatabaseSync as DatabaseSyncT, SQLInputValue } from "node:sqlite";
import { encodeJson, PRIORITY, type Job, type JobPatch, type JobState, type NewJob } from "../jobs.ts";
import { BACKFILL_TXS_SQL, COLUMNS, createTableSql, emptyCounts, INDEX_SQL, patchColumns, rowToJob, runnableWhere, TABLE } from "./schema.ts";
import type { ClaimFilter, Clock, JobStore, ListFilter } from "./types.ts";

/** Load node:sqlite without its one-time ExperimentalWarning on stderr (our logs are JSON lines). */
function loadSqlite(): typeof import("node:sqlite") {
  const emit = process.emitWarning;
  process.emitWarning = ((w: string | Error, ...rest: unknown[]) => {
    if (String((w as Error)?.message ?? w).includes("SQLite is an experimental feature")) return;
    return (emit as (...a: unknown[]) => void).call(process, w, ...rest);
  }) as typeof process.emitWarning;
  try {
    return createRequire(import.meta.url)("node:sqlite");
  } finally {
    process.emitWarning = emit;
  }
}

export class SqliteJobStore implements JobStore {
  readonly backend = "sqlite";
  private db: DatabaseSyncT;

  constructor(readonly file: string, private clock: Clock = Date.now) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file);
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec("PRAGMA synchronous = NORMAL");
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.db.exec(createTableSql("INTEGER"));
    this.migrate();
    this.db.exec(INDEX_SQL);
  }

  /** Bring a file made by an earlier version up to date (one writer at a time: BEGIN IMMEDIATE). */
  private migrate(): void {
    const hasTxs = () => this.db.prepare(`PRAGMA table_info(${TABLE})`).all().some((c) => c.name === "txs");
    if (hasTxs()) return;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      if (!hasTxs()) {
        this.db.exec(`ALTER TABLE ${TABLE} ADD COLUMN txs TEXT`);
        this.db.exec(BACKFILL_TXS_SQL);
      }
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  async insert(jobs: NewJob[]): Promise<number> {
    const now = this.clock();
    const stmt = this.db.prepare(
      `INSERT INTO ${TABLE} (${COLUMNS.join(",")}) VALUES (${COLUMNS.map(() => "?").join(",")}) ON CONFLICT(key) DO NOTHING`,
    );
    let n = 0;
    this.db.exec("BEGIN IMMEDIATE");
    try {
      for (const j of jobs) {
        const r = stmt.run(
          j.key, j.kind, j.chainId, j.subject, "pending", encodeJson(j.payload), j.dependsOn ?? null,
          j.priority ?? PRIORITY[j.kind], null, null, null, null, 0, null, null, null, 0, now, now, null,
        );
        n += Number(r.changes);
      }
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
    return n;
  }

  async get(key: string): Promise<Job | undefined> {
    const r = this.db.prepare(`SELECT * FROM ${TABLE} WHERE key = ?`).get(key);
    return r ? rowToJob(r) : undefined;
  }

  async list(filter: ListFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.states?.length) {
      where.push(`state IN (${filter.states.map(() => "?").join(",")})`);
      args.push(...filter.states);
    }
    if (filter.kind) {
      where.push("kind = ?");
      args.push(filter.kind);
    }
    if (filter.chainId !== undefined) {
      where.push("chain_id = ?");
      args.push(filter.chainId);
    }
    const sql = `SELECT * FROM ${TABLE}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY priority, created_at, key`;
    return this.db.prepare(sql).all(...args).map(rowToJob);
  }

  async keys(): Promise<Set<string>> {
    return new Set(this.db.prepare(`SELECT key FROM ${TABLE}`).all().map((r) => String(r.key)));
  }

  async states(): Promise<Map<string, JobState>> {
    return new Map(this.db.prepare(`SELECT key, state FROM ${TABLE}`).all().map((r) => [String(r.key), String(r.state) as JobState]));
  }

  async claim(workerId: string, leaseMs: number, filter: ClaimFilter = {}): Promise<Job | undefined> {
    const now = this.clock();
    const extra: string[] = [];
    const args: SQLInputValue[] = [];
    if (filter.chainIds?.length) {
      extra.push(`j.chain_id IN (${filter.chainIds.map(() => "?").join(",")})`);
      args.push(...filter.chainIds);
    }
    if (filter.kinds?.length) {
      extra.push(`j.kind IN (${filter.kinds.map(() => "?").join(",")})`);
      args.push(...filter.kinds);
    }
    const sql = `UPDATE ${TABLE} SET owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?,
        state = CASE WHEN state = 'pending' THEN 'claimed' ELSE state END
      WHERE key = (SELECT j.key FROM ${TABLE} j WHERE ${runnableWhere("?")}${extra.map((e) => ` AND ${e}`).join("")}
                   ORDER BY j.priority, j.created_at, j.key LIMIT 1)
      RETURNING *`;
    const r = this.db.prepare(sql).get(workerId, now + leaseMs, now, now, now, ...args);
    return r ? rowToJob(r) : undefined;
  }

  async heartbeat(key: string, workerId: string, leaseMs: number): Promise<boolean> {
    const now = this.clock();
    const r = this.db
      .prepare(`UPDATE ${TABLE} SET lease_until = ? WHERE key = ? AND owner = ?`)
      .run(now + leaseMs, key, workerId);
    return Number(r.changes) === 1;
  }

  async update(key: string, workerId: string, patch: JobPatch, leaseMs?: number): Promise<boolean> {
    const now = this.clock();
    const cols = patchColumns(patch);
    const sets = [...cols.map(([c]) => `${c} = ?`), "updated_at = ?"];
    const args = [...cols.map(([, v]) => v as SQLInputValue), now];
    if (leaseMs !== undefined) {
      sets.push("lease_until = ?");
      args.push(now + leaseMs);
    }
    const r = this.db.prepare(`UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = ? AND owner = ?`).run(...args, key, workerId);
    return Number(r.changes) === 1;
  }

  async release(key: string, workerId: string, patch: JobPatch = {}): Promise<boolean> {
    const now = this.clock();
    const cols = patchColumns(patch);
    const sets = [...cols.map(([c]) => `${c} = ?`), "updated_at = ?", "owner = NULL", "lease_until = NULL"];
    if (patch.state === undefined) sets.push("state = CASE WHEN state = 'claimed' THEN 'pending' ELSE state END");
    const r = this.db
      .prepare(`UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = ? AND owner = ?`)
      .run(...cols.map(([, v]) => v as SQLInputValue), now, key, workerId);
    return Number(r.changes) === 1;
  }

  async failDependents(key: string, reason: string): Promise<string[]> {
    const failed: string[] = [];
    const stmt = this.db.prepare(
      `UPDATE ${TABLE} SET state = 'failed', last_error = ?, updated_at = ?
       WHERE depends_on = ? AND owner IS NULL AND state NOT IN ('confirmed','failed') RETURNING key`,
    );
    for (let frontier = [key]; frontier.length > 0; ) {
      const next: string[] = [];
      for (const k of frontier) {
        for (const r of stmt.all(`${reason} (dependency ${k} failed)`, this.clock(), k)) next.push(String(r.key));
      }
      failed.push(...next);
      frontier = next;
    }
    return failed;
  }

  async counts(): Promise<Record<JobState, number>> {
    const out = emptyCounts();
    for (const r of this.db.prepare(`SELECT state, COUNT(*) AS n FROM ${TABLE} GROUP BY state`).all()) {
      out[String(r.state) as JobState] = Number(r.n);
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}
