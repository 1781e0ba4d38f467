// Durable storage of the devnet chain in SQLite (node:sqlite, Node 22): the chain's
// identity (meta), every sealed block (header + signatures) and every accepted action
// with the context it was applied with. State is rebuilt on start by replaying actions,
// then checked against the stored headers' stateRoots. WAL mode with synchronous=FULL:
// each append is one committed transaction, so a crash (even SIGKILL) loses nothing that
// was acknowledged and never leaves a half-written row.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import { isProcessAlive } from "../../runtime/process.ts";
import { loadSqlite } from "../../runtime/sqlite.ts";

export interface StoredBlock {
  height: bigint;
  /** headerToJSON of the header. */
  header: unknown;
  signed: boolean[];
  /** signatureToJSON per slot. */
  signatures: unknown[];
  /** aggregateSignatureToJSON of the block's aggregate signature, or null. */
  aggregate: unknown;
}

export interface StoredAction {
  seq: number;
  /** Height of the block that includes the action. */
  height: bigint;
  type: string;
  body: unknown;
  /** The context it was applied with (time, price, ratio, Away evidence), JSON. */
  ctx: unknown;
}

/** One devnet per data directory: a LOCK file holding the owner's pid (stale after a crash). */
function takeDirLock(dataDir: string): string {
  const file = join(dataDir, "LOCK");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return file;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isProcessAlive(pid)) {
        throw new RangeError(`data directory ${dataDir} is in use by another devnet (pid ${pid})`);
      }
      rmSync(file, { force: true }); // left by a process that is gone
    }
  }
  throw new RangeError(`could not lock data directory ${dataDir}`);
}

export class DevnetStore {
  private readonly db: DatabaseSync;
  private readonly stmts: Record<string, StatementSync>;

  private constructor(
    db: DatabaseSync,
    private readonly lockFile: string | null,
  ) {
    this.db = db;
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = FULL");
    db.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS blocks (height INTEGER PRIMARY KEY, header TEXT NOT NULL, signed TEXT NOT NULL, signatures TEXT NOT NULL, aggregate TEXT);
      CREATE TABLE IF NOT EXISTS actions (seq INTEGER PRIMARY KEY, height INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, ctx TEXT NOT NULL);`);
    // A data directory from before aggregate signatures: add the column so the chain identity check can refuse it clearly.
    const cols = db.prepare("PRAGMA table_info(blocks)").all() as { name: string }[];
    if (!cols.some((c) => c.name === "aggregate")) db.exec("ALTER TABLE blocks ADD COLUMN aggregate TEXT");
    this.stmts = {
      getMeta: db.prepare("SELECT value FROM meta WHERE key = ?"),
      setMeta: db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
      putBlock: db.prepare("INSERT INTO blocks (height, header, signed, signatures, aggregate) VALUES (?, ?, ?, ?, ?)"),
      getBlock: db.prepare("SELECT height, header, signed, signatures, aggregate FROM blocks WHERE height = ?"),
      range: db.prepare("SELECT height, header, signed, signatures, aggregate FROM blocks WHERE height BETWEEN ? AND ? ORDER BY height"),
      allBlocks: db.prepare("SELECT height, header, signed, signatures, aggregate FROM blocks ORDER BY height"),
      lastBlock: db.prepare("SELECT height, header, signed, signatures, aggregate FROM blocks ORDER BY height DESC LIMIT 1"),
      putAction: db.prepare("INSERT INTO actions (seq, height, type, body, ctx) VALUES (?, ?, ?, ?, ?)"),
      allActions: db.prepare("SELECT seq, height, type, body, ctx FROM actions ORDER BY seq"),
    };
  }

  /** Opens (creating if needed) `<dataDir>/chain.sqlite`; `null` keeps everything in memory. */
  static open(dataDir: string | null): DevnetStore {
    const { DatabaseSync } = loadSqlite();
    if (dataDir === null) return new DevnetStore(new DatabaseSync(":memory:"), null);
    mkdirSync(dataDir, { recursive: true });
    const lockFile = takeDirLock(dataDir);
    try {
      return new DevnetStore(new DatabaseSync(join(dataDir, "chain.sqlite")), lockFile);
    } catch (e) {
      rmSync(lockFile, { force: true });
      throw e;
    }
  }

  getMeta(key: string): string | undefined {
    const row = this.stmts.getMeta!.get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta!.run(key, value);
  }

  appendBlock(b: StoredBlock): void {
    this.stmts.putBlock!.run(b.height, JSON.stringify(b.header), JSON.stringify(b.signed), JSON.stringify(b.signatures), b.aggregate === null ? null : JSON.stringify(b.aggregate));
  }

  appendAction(a: StoredAction): void {
    this.stmts.putAction!.run(a.seq, a.height, a.type, JSON.stringify(a.body), JSON.stringify(a.ctx));
  }

  private static blockRow(row: any): StoredBlock {
    return {
      height: BigInt(row.height),
      header: JSON.parse(row.header),
      signed: JSON.parse(row.signed),
      signatures: JSON.parse(row.signatures),
      aggregate: row.aggregate === null ? null : JSON.parse(row.aggregate),
    };
  }

  block(height: bigint): StoredBlock | undefined {
    const row = this.stmts.getBlock!.get(height);
    return row ? DevnetStore.blockRow(row) : undefined;
  }

  blockRange(from: bigint, to: bigint): StoredBlock[] {
    return this.stmts.range!.all(from, to).map(DevnetStore.blockRow);
  }

  lastBlock(): StoredBlock | undefined {
    const row = this.stmts.lastBlock!.get();
    return row ? DevnetStore.blockRow(row) : undefined;
  }

  *blocks(): Generator<StoredBlock> {
    for (const row of this.stmts.allBlocks!.iterate()) yield DevnetStore.blockRow(row);
  }

  actions(): StoredAction[] {
    return this.stmts.allActions!.all().map((row: any) => ({
      seq: Number(row.seq),
      height: BigInt(row.height),
      type: String(row.type),
      body: JSON.parse(row.body),
      ctx: JSON.parse(row.ctx),
    }));
  }

  /** Runs fn in one transaction (all or nothing). */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
    if (this.lockFile) rmSync(this.lockFile, { force: true });
  }
}
