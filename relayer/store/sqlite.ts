// Embedded job store: one SQLite file in the data directory, through Node 22's built-in
// `node:sqlite` (DatabaseSync), WAL journal. Claims are single UPDATE ... RETURNING
// statements, atomic even with several processes on the same file (busy_timeout waits).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync as DatabaseSyncT, SQLInputValue } from "node:sqlite";
import { createTableSql, INDEX_SQL, MIGRATIONS, TABLE, type Row } from "./schema.ts";
import { SqlJobStore, type SqlDriver } from "./sql.ts";
import type { Clock } from "./types.ts";
import { loadSqlite } from "../../runtime/sqlite.ts";

class SqliteDriver implements SqlDriver {
  readonly backend = "sqlite";
  constructor(private db: DatabaseSyncT) {}
  p(i: number): string {
    return `?${i}`;
  }
  async run(sql: string, args: unknown[]): Promise<{ rows: Row[]; changes: number }> {
    const stmt = this.db.prepare(sql);
    const params = args as SQLInputValue[];
    if (/^\s*SELECT|RETURNING/i.test(sql)) {
      const rows = stmt.all(...params) as Row[];
      return { rows, changes: rows.length };
    }
    return { rows: [], changes: Number(stmt.run(...params).changes) };
  }
  claimSql(where: string, order: string, sets: string): string {
    return `UPDATE ${TABLE} SET ${sets}
      WHERE key = (SELECT j.key FROM ${TABLE} j WHERE ${where} ORDER BY ${order} LIMIT 1)
      RETURNING *`;
  }
  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

export class SqliteJobStore extends SqlJobStore {
  constructor(readonly file: string, clock: Clock = Date.now) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    const db = new DatabaseSync(file);
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec(createTableSql("INTEGER"));
    migrate(db);
    db.exec(INDEX_SQL);
    super(new SqliteDriver(db), clock);
  }
}

/** Bring a file made by an earlier version up to date (one writer at a time: BEGIN IMMEDIATE). */
function migrate(db: DatabaseSyncT): void {
  const missing = () => {
    const have = new Set(db.prepare(`PRAGMA table_info(${TABLE})`).all().map((c) => String(c.name)));
    return MIGRATIONS.filter((m) => !have.has(m.column));
  };
  if (missing().length === 0) return;
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const m of missing()) {
      db.exec(`ALTER TABLE ${TABLE} ADD COLUMN ${m.column} ${m.type}`);
      if (m.backfill) db.exec(m.backfill);
    }
    db.exec("COMMIT");
  } catch (e) {
    db.exec("ROLLBACK");
    throw e;
  }
}
