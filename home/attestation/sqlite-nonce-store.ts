// NonceStore in a SQLite file (Node 22's node:sqlite, as the devnet and the relayer use):
// WAL journal with synchronous = FULL, one committed INSERT per spent pair, so a pair is on
// disk (fsync'd) before markSpent returns, and a second INSERT of the same id fails on the
// primary key. Several signers (processes or in-process) may share one file. `batch` syncs the
// pairs of one in-process session once (see its comment for when that is allowed).
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { NonceStore } from "./nonce-store.ts";
import { loadSqlite } from "../../runtime/sqlite.ts";

export class SqliteNonceStore implements NonceStore {
  private readonly db: DatabaseSync;
  private readonly has: StatementSync;
  private readonly put: StatementSync;

  /** Opens (creating) the store at `file`. */
  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    const { DatabaseSync } = loadSqlite();
    this.db = new DatabaseSync(file);
    this.db.exec("PRAGMA journal_mode = WAL");
    this.db.exec("PRAGMA synchronous = FULL");
    this.db.exec("PRAGMA busy_timeout = 5000");
    this.db.exec("CREATE TABLE IF NOT EXISTS spent_nonces (id TEXT PRIMARY KEY, spent_at INTEGER NOT NULL)");
    this.has = this.db.prepare("SELECT 1 FROM spent_nonces WHERE id = ?");
    this.put = this.db.prepare("INSERT INTO spent_nonces (id, spent_at) VALUES (?, ?)");
  }

  isSpent(id: string): boolean {
    return this.has.get(id) !== undefined;
  }

  markSpent(id: string): void {
    this.put.run(id, Date.now());
  }

  /**
   * Runs `fn` in one transaction: the pairs it marks spent are synced once, when it ends
   * (returns or throws), instead of once each. Only for signers in ONE process whose partial
   * signatures cannot leave that process before `fn` returns (the devnet's coordinator and
   * its in-process signers: the aggregate is published after the session): a crash inside
   * `fn` then loses the unsynced records together with every s_i they guarded and the secret
   * nonces (never stored), so no pair can sign twice. A signer that answers a remote
   * coordinator must not use it.
   */
  batch<T>(fn: () => T): T {
    if (this.db.isTransaction) return fn();
    this.db.exec("BEGIN IMMEDIATE");
    try {
      return fn();
    } finally {
      this.db.exec("COMMIT");
    }
  }

  /** Number of pairs recorded as spent. */
  spentCount(): number {
    return Number((this.db.prepare("SELECT count(*) AS n FROM spent_nonces").get() as { n: number | bigint }).n);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
