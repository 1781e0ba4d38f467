// Shared job store on PostgreSQL, for several relayer workers on several machines.
// Claiming is `SELECT ... FOR UPDATE SKIP LOCKED` inside one UPDATE, so two workers never
// take the same row; a worker holds a job by a lease it renews (heartbeat), and a crashed
// worker's job becomes claimable again when its lease runs out. Times come from the
// worker's clock (keep machines NTP-synced; leases of tens of seconds absorb small skew).
import pg from "pg";
import { encodeJson, PRIORITY, type Job, type JobPatch, type JobState, type NewJob } from "../jobs.ts";
import { BACKFILL_TXS_SQL, COLUMNS, createTableSql, emptyCounts, INDEX_SQL, patchColumns, rowToJob, runnableWhere, TABLE } from "./schema.ts";
import type { ClaimFilter, Clock, JobStore, ListFilter } from "./types.ts";

export class PostgresJobStore implements JobStore {
  readonly backend = "postgres";
  private constructor(private pool: pg.Pool, private clock: Clock) {}

  /** Connect, and create the table or migrate one made by an earlier version. */
  static async open(url: string, clock: Clock = Date.now, poolSize = 4): Promise<PostgresJobStore> {
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    pool.on("error", () => {}); // idle client errors surface on the next query instead
    const store = new PostgresJobStore(pool, clock);
    // CREATE TABLE IF NOT EXISTS races between workers starting together: serialize with an advisory lock.
    const c = await pool.connect();
    try {
      await c.query("SELECT pg_advisory_lock(7465221)");
      await c.query(createTableSql("BIGINT"));
      await c.query(`ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS txs TEXT`);
      await c.query(BACKFILL_TXS_SQL);
      await c.query(INDEX_SQL);
    } finally {
      await c.query("SELECT pg_advisory_unlock(7465221)").catch(() => {});
      c.release();
    }
    return store;
  }

  async insert(jobs: NewJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const now = this.clock();
    const rows: unknown[] = [];
    const tuples = jobs.map((j, i) => {
      rows.push(
        j.key, j.kind, j.chainId, j.subject, "pending", encodeJson(j.payload), j.dependsOn ?? null,
        j.priority ?? PRIORITY[j.kind], null, null, null, null, 0, null, null, null, 0, now, now, null,
      );
      return `(${COLUMNS.map((_, c) => `$${i * COLUMNS.length + c + 1}`).join(",")})`;
    });
    const r = await this.pool.query(
      `INSERT INTO ${TABLE} (${COLUMNS.join(",")}) VALUES ${tuples.join(",")} ON CONFLICT (key) DO NOTHING`,
      rows,
    );
    return r.rowCount ?? 0;
  }

  async get(key: string): Promise<Job | undefined> {
    const r = await this.pool.query(`SELECT * FROM ${TABLE} WHERE key = $1`, [key]);
    return r.rows[0] ? rowToJob(r.rows[0]) : undefined;
  }

  async list(filter: ListFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.states?.length) {
      args.push(filter.states);
      where.push(`state = ANY($${args.length})`);
    }
    if (filter.kind) {
      args.push(filter.kind);
      where.push(`kind = $${args.length}`);
    }
    if (filter.chainId !== undefined) {
      args.push(filter.chainId);
      where.push(`chain_id = $${args.length}`);
    }
    const r = await this.pool.query(
      `SELECT * FROM ${TABLE}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY priority, created_at, key`,
      args,
    );
    return r.rows.map(rowToJob);
  }

  async keys(): Promise<Set<string>> {
    const r = await this.pool.query(`SELECT key FROM ${TABLE}`);
    return new Set(r.rows.map((x) => String(x.key)));
  }

  async states(): Promise<Map<string, JobState>> {
    const r = await this.pool.query(`SELECT key, state FROM ${TABLE}`);
    return new Map(r.rows.map((x) => [String(x.key), x.state as JobState]));
  }

  async claim(workerId: string, leaseMs: number, filter: ClaimFilter = {}): Promise<Job | undefined> {
    const now = this.clock();
    const args: unknown[] = [workerId, now + leaseMs, now];
    const extra: string[] = [];
    if (filter.chainIds?.length) {
      args.push(filter.chainIds);
      extra.push(`j.chain_id = ANY($${args.length})`);
    }
    if (filter.kinds?.length) {
      args.push(filter.kinds);
      extra.push(`j.kind = ANY($${args.length})`);
    }
    const r = await this.pool.query(
      `WITH c AS (
         SELECT j.key FROM ${TABLE} j WHERE ${runnableWhere("$3")}${extra.map((e) => ` AND ${e}`).join("")}
         ORDER BY j.priority, j.created_at, j.key LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
       UPDATE ${TABLE} t SET owner = $1, lease_until = $2, attempts = t.attempts + 1, updated_at = $3,
         state = CASE WHEN t.state = 'pending' THEN 'claimed' ELSE t.state END
       FROM c WHERE t.key = c.key RETURNING t.*`,
      args,
    );
    return r.rows[0] ? rowToJob(r.rows[0]) : undefined;
  }

  async heartbeat(key: string, workerId: string, leaseMs: number): Promise<boolean> {
    const r = await this.pool.query(`UPDATE ${TABLE} SET lease_until = $1 WHERE key = $2 AND owner = $3`, [
      this.clock() + leaseMs, key, workerId,
    ]);
    return r.rowCount === 1;
  }

  async update(key: string, workerId: string, patch: JobPatch, leaseMs?: number): Promise<boolean> {
    const now = this.clock();
    const cols = patchColumns(patch);
    const args: unknown[] = cols.map(([, v]) => v);
    const sets = cols.map(([c], i) => `${c} = $${i + 1}`);
    args.push(now);
    sets.push(`updated_at = $${args.length}`);
    if (leaseMs !== undefined) {
      args.push(now + leaseMs);
      sets.push(`lease_until = $${args.length}`);
    }
    args.push(key, workerId);
    const r = await this.pool.query(
      `UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = $${args.length - 1} AND owner = $${args.length}`,
      args,
    );
    return r.rowCount === 1;
  }

  async release(key: string, workerId: string, patch: JobPatch = {}): Promise<boolean> {
    const cols = patchColumns(patch);
    const args: unknown[] = cols.map(([, v]) => v);
    const sets = cols.map(([c], i) => `${c} = $${i + 1}`);
    args.push(this.clock());
    sets.push(`updated_at = $${args.length}`, "owner = NULL", "lease_until = NULL");
    if (patch.state === undefined) sets.push("state = CASE WHEN state = 'claimed' THEN 'pending' ELSE state END");
    args.push(key, workerId);
    const r = await this.pool.query(
      `UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = $${args.length - 1} AND owner = $${args.length}`,
      args,
    );
    return r.rowCount === 1;
  }

  async failDependents(key: string, reason: string): Promise<string[]> {
    const failed: string[] = [];
    for (let frontier = [key]; frontier.length > 0; ) {
      const r = await this.pool.query(
        `UPDATE ${TABLE} SET state = 'failed', last_error = $1 || ' (dependency ' || depends_on || ' failed)', updated_at = $2
         WHERE depends_on = ANY($3) AND owner IS NULL AND state NOT IN ('confirmed','failed') RETURNING key`,
        [reason, this.clock(), frontier],
      );
      frontier = r.rows.map((x) => String(x.key));
      failed.push(...frontier);
    }
    return failed;
  }

  async counts(): Promise<Record<JobState, number>> {
    const out = emptyCounts();
    const r = await this.pool.query(`SELECT state, COUNT(*)::int AS n FROM ${TABLE} GROUP BY state`);
    for (const x of r.rows) out[x.state as JobState] = Number(x.n);
    return out;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
