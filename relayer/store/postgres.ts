// Shared job store on PostgreSQL, for several relayer workers on several machines.
// Claiming is `SELECT ... FOR UPDATE SKIP LOCKED` inside one UPDATE, so two workers never
// take the same row; a worker holds a job by a lease it renews (heartbeat), and a crashed
// worker's job becomes claimable again when its lease runs out. Times come from the
// worker's clock (keep machines NTP-synced; leases of tens of seconds absorb small skew).
import pg from "pg";
import { createTableSql, INDEX_SQL, MIGRATIONS, TABLE, type Row } from "./schema.ts";
import { SqlJobStore, type SqlDriver } from "./sql.ts";
import type { Clock } from "./types.ts";

class PostgresDriver implements SqlDriver {
  readonly backend = "postgres";
  constructor(private pool: pg.Pool) {}
  p(i: number): string {
    return `$${i}`;
  }
  async run(sql: string, args: unknown[]): Promise<{ rows: Row[]; changes: number }> {
    const r = await this.pool.query(sql, args);
    return { rows: r.rows as Row[], changes: r.rowCount ?? 0 };
  }
  claimSql(where: string, order: string, sets: string): string {
    return `WITH c AS (SELECT j.key FROM ${TABLE} j WHERE ${where} ORDER BY ${order} LIMIT 1 FOR UPDATE OF j SKIP LOCKED)
      UPDATE ${TABLE} SET ${sets} FROM c WHERE ${TABLE}.key = c.key RETURNING ${TABLE}.*`;
  }
  close(): Promise<void> {
    return this.pool.end();
  }
}

export class PostgresJobStore extends SqlJobStore {
  /** Connect, and create the table or migrate one made by an earlier version. */
  static async open(url: string, clock: Clock = Date.now, poolSize = 4): Promise<PostgresJobStore> {
    const pool = new pg.Pool({ connectionString: url, max: poolSize });
    pool.on("error", () => {}); // idle client errors surface on the next query instead
    // CREATE TABLE IF NOT EXISTS races between workers starting together: serialize with an advisory lock.
    const c = await pool.connect();
    try {
      await c.query("SELECT pg_advisory_lock(7465221)");
      await c.query(createTableSql("BIGINT"));
      for (const m of MIGRATIONS) {
        const added = await c.query(`SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2`, [TABLE, m.column]);
        if (added.rowCount) continue;
        await c.query(`ALTER TABLE ${TABLE} ADD COLUMN ${m.column} ${m.type}`);
        if (m.backfill) await c.query(m.backfill);
      }
      await c.query(INDEX_SQL);
    } finally {
      await c.query("SELECT pg_advisory_unlock(7465221)").catch(() => {});
      c.release();
    }
    return new PostgresJobStore(new PostgresDriver(pool), clock);
  }
}
