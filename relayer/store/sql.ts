// The JobStore over SQL, shared by both backends: each backend supplies a driver (how to run a
// statement, its placeholder syntax, its claim statement); every other statement is the same
// text in SQLite and PostgreSQL (numbered placeholders: `?1` / `$1`).
import { encodeJson, PayloadError, PRIORITY, type Job, type JobPatch, type JobState, type JobSummary, type NewJob } from "../jobs.ts";
import { COLUMNS, emptyCounts, ORDER_BY, patchColumns, rowToJob, rowToSummary, runnableWhere, TABLE, TERMINAL_SQL, type Row } from "./schema.ts";
import type { ClaimFilter, Clock, JobStore, ListFilter, RequeueResult } from "./types.ts";

export interface SqlDriver {
  readonly backend: "sqlite" | "postgres";
  /** Placeholder of parameter i (1-based). */
  p(i: number): string;
  /** Run a statement; rows of a SELECT or RETURNING, and the number of rows changed. */
  run(sql: string, args: unknown[]): Promise<{ rows: Row[]; changes: number }>;
  /**
   * The claim statement: set `sets` on the first row (in `order`) matching `where`, atomically
   * among concurrent claimers, RETURNING *.
   */
  claimSql(where: string, order: string, sets: string): string;
  close(): Promise<void>;
}

const INSERT_CHUNK = 400;

export class SqlJobStore implements JobStore {
  readonly backend: string;

  constructor(protected readonly driver: SqlDriver, protected readonly clock: Clock = Date.now) {
    this.backend = driver.backend;
  }

  async insert(jobs: NewJob[]): Promise<number> {
    let n = 0;
    const now = this.clock();
    for (let i = 0; i < jobs.length; i += INSERT_CHUNK) {
      const chunk = jobs.slice(i, i + INSERT_CHUNK);
      const args: unknown[] = [];
      const tuples = chunk.map((j) => {
        const values = [
          j.key, j.kind, j.chainId, j.subject, "pending", encodeJson(j.payload), j.dependsOn ?? null,
          j.priority ?? PRIORITY[j.kind], null, null, null, null, 0, null, null, null, 0, now, now, null, null,
        ];
        const first = args.length;
        args.push(...values);
        return `(${values.map((_, c) => this.driver.p(first + c + 1)).join(",")})`;
      });
      const r = await this.driver.run(`INSERT INTO ${TABLE} (${COLUMNS.join(",")}) VALUES ${tuples.join(",")} ON CONFLICT (key) DO NOTHING`, args);
      n += r.changes;
    }
    return n;
  }

  async get(key: string): Promise<Job | undefined> {
    const rows = (await this.driver.run(`SELECT * FROM ${TABLE} WHERE key = ${this.driver.p(1)}`, [key])).rows;
    return rows[0] ? rowToJob(rows[0]) : undefined;
  }

  async list(filter: ListFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (v: unknown) => (args.push(v), this.driver.p(args.length));
    if (filter.states?.length) where.push(`j.state IN (${filter.states.map(add).join(",")})`);
    if (filter.kind) where.push(`j.kind = ${add(filter.kind)}`);
    if (filter.chainId !== undefined) where.push(`j.chain_id = ${add(filter.chainId)}`);
    const sql = `SELECT * FROM ${TABLE} j${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY ${ORDER_BY}`;
    return (await this.driver.run(sql, args)).rows.map(rowToJob);
  }

  async keys(): Promise<Set<string>> {
    return new Set((await this.driver.run(`SELECT key FROM ${TABLE}`, [])).rows.map((x) => String(x.key)));
  }

  async summaries(): Promise<Map<string, JobSummary>> {
    const { rows } = await this.driver.run(`SELECT key, kind, chain_id, subject, state, payload, depends_on, priority, attempts, not_before, created_at, updated_at FROM ${TABLE}`, []);
    const out = new Map<string, JobSummary>();
    for (const r of rows) {
      try {
        out.set(String(r.key), rowToSummary(r));
      } catch (e) {
        if (!(e instanceof PayloadError)) throw e; // a row with a bad payload is failed by the claim that meets it
      }
    }
    return out;
  }

  async claim(workerId: string, leaseMs: number, filter: ClaimFilter = {}): Promise<Job | undefined> {
    for (;;) {
      const now = this.clock();
      const args: unknown[] = [workerId, now + leaseMs, now];
      const extra: string[] = [];
      const add = (v: unknown) => (args.push(v), this.driver.p(args.length));
      if (filter.chainIds?.length) extra.push(`j.chain_id IN (${filter.chainIds.map(add).join(",")})`);
      if (filter.kinds?.length) extra.push(`j.kind IN (${filter.kinds.map(add).join(",")})`);
      const p = (i: number) => this.driver.p(i);
      const where = runnableWhere(p(3), filter.phase ?? "any") + extra.map((e) => ` AND ${e}`).join("");
      const sets = `owner = ${p(1)}, lease_until = ${p(2)}, attempts = attempts + 1, updated_at = ${p(3)},
        state = CASE WHEN state = 'pending' THEN 'claimed' ELSE state END`;
      const { rows } = await this.driver.run(this.driver.claimSql(where, ORDER_BY, sets), args);
      if (!rows[0]) return undefined;
      try {
        return rowToJob(rows[0]);
      } catch (e) {
        if (!(e instanceof PayloadError)) throw e;
        // a row no handler can read (written by hand or another version): fail it, with why, and go on
        await this.driver.run(
          `UPDATE ${TABLE} SET state = 'failed', last_error = ${p(1)}, owner = NULL, lease_until = NULL WHERE key = ${p(2)}`,
          [e.message, String(rows[0].key)],
        );
      }
    }
  }

  async heartbeat(key: string, workerId: string, leaseMs: number): Promise<boolean> {
    const p = (i: number) => this.driver.p(i);
    const r = await this.driver.run(`UPDATE ${TABLE} SET lease_until = ${p(1)} WHERE key = ${p(2)} AND owner = ${p(3)}`, [this.clock() + leaseMs, key, workerId]);
    return r.changes === 1;
  }

  private patchSets(patch: JobPatch, args: unknown[]): string[] {
    return patchColumns(patch).map(([c, v]) => (args.push(v), `${c} = ${this.driver.p(args.length)}`));
  }

  async update(key: string, workerId: string, patch: JobPatch, leaseMs?: number): Promise<boolean> {
    const now = this.clock();
    const args: unknown[] = [];
    const sets = this.patchSets(patch, args);
    const add = (v: unknown) => (args.push(v), this.driver.p(args.length));
    sets.push(`updated_at = ${add(now)}`);
    if (leaseMs !== undefined) sets.push(`lease_until = ${add(now + leaseMs)}`);
    const r = await this.driver.run(`UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = ${add(key)} AND owner = ${add(workerId)}`, args);
    return r.changes === 1;
  }

  async release(key: string, workerId: string, patch: JobPatch = {}): Promise<boolean> {
    const args: unknown[] = [];
    const sets = this.patchSets(patch, args);
    const add = (v: unknown) => (args.push(v), this.driver.p(args.length));
    sets.push(`updated_at = ${add(this.clock())}`, "owner = NULL", "lease_until = NULL");
    if (patch.state === undefined) sets.push("state = CASE WHEN state = 'claimed' THEN 'pending' ELSE state END");
    const r = await this.driver.run(`UPDATE ${TABLE} SET ${sets.join(", ")} WHERE key = ${add(key)} AND owner = ${add(workerId)}`, args);
    return r.changes === 1;
  }

  /** Back to `pending` with nothing of the last try (the caller's WHERE makes sure none of it can be mined). */
  private static readonly RESET = `state = 'pending', proof = NULL, tx_hash = NULL, nonce = NULL, raw_tx = NULL, txs = NULL, owner = NULL, lease_until = NULL`;

  async revive(key: string, notBefore: number): Promise<boolean> {
    const now = this.clock();
    const p = (i: number) => this.driver.p(i);
    const r = await this.driver.run(
      `UPDATE ${TABLE} SET ${SqlJobStore.RESET}, not_before = ${p(1)}, updated_at = ${p(2)}
       WHERE key = ${p(3)} AND state = 'failed' AND (owner IS NULL OR lease_until < ${p(2)})`,
      [notBefore, now, key],
    );
    return r.changes === 1;
  }

  async repoint(key: string, dependsOn: string | null): Promise<boolean> {
    const now = this.clock();
    const p = (i: number) => this.driver.p(i);
    const r = await this.driver.run(
      `UPDATE ${TABLE} SET depends_on = ${p(1)}, updated_at = ${p(2)}
       WHERE key = ${p(3)} AND state NOT IN ${TERMINAL_SQL} AND (owner IS NULL OR lease_until < ${p(2)})`,
      [dependsOn, now, key],
    );
    return r.changes === 1;
  }

  async requeue(key: string): Promise<RequeueResult> {
    const p = (i: number) => this.driver.p(i);
    for (;;) {
      const now = this.clock();
      const job = await this.get(key);
      if (!job) return { status: "not-found" };
      if (job.state === "confirmed") return { status: "confirmed", job };
      if (job.owner !== null && (job.leaseUntil ?? 0) >= now) return { status: "claimed", job };
      // A failed or expired job starts over (none of its transactions can still be mined); a live
      // one only loses its wait, keeping its proof and in-flight transactions. The row must be as
      // read (state, updated_at; claims change both): a worker's claim cannot interleave.
      const over = job.state === "failed" || job.state === "expired";
      const r = await this.driver.run(
        `UPDATE ${TABLE} SET ${over ? `${SqlJobStore.RESET}, ` : ""}not_before = 0, updated_at = ${p(1)}
         WHERE key = ${p(2)} AND state = ${p(3)} AND updated_at = ${p(4)} AND (owner IS NULL OR lease_until < ${p(1)})`,
        [Math.max(now, job.updatedAt + 1), key, job.state, job.updatedAt],
      );
      if (r.changes === 1) return { status: over ? "requeued" : "retry-now", job: (await this.get(key))! };
    }
  }

  async releaseOwner(workerId: string): Promise<string[]> {
    const p = (i: number) => this.driver.p(i);
    const { rows } = await this.driver.run(
      `UPDATE ${TABLE} SET owner = NULL, lease_until = NULL, state = CASE WHEN state = 'claimed' THEN 'pending' ELSE state END, updated_at = ${p(1)}
       WHERE owner = ${p(2)} OR substr(owner, 1, ${p(3)}) = ${p(4)} RETURNING key`,
      [this.clock(), workerId, workerId.length + 1, `${workerId}/`],
    );
    return rows.map((r) => String(r.key));
  }

  async counts(): Promise<Record<JobState, number>> {
    const out = emptyCounts();
    for (const x of (await this.driver.run(`SELECT state, COUNT(*) AS n FROM ${TABLE} GROUP BY state`, [])).rows) out[x.state as JobState] = Number(x.n);
    return out;
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
