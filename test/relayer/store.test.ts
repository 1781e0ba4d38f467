// JobStore behaviour, run against both implementations: embedded SQLite and a real
// PostgreSQL server started on loopback for this file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobKey, type JobKind, type NewJob, type PayloadOf } from "../../relayer/jobs.ts";
import { PostgresJobStore } from "../../relayer/store/postgres.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import type { Clock, JobStore } from "../../relayer/store/types.ts";
import { startPostgres, type PgServer } from "./pg-server.ts";

let server: PgServer;
let dbCounter = 0;
const tmp = mkdtempSync(join(tmpdir(), "olzk-store-"));

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => {
  server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh PostgreSQL database per test, so tests do not see each other's rows. */
async function freshPgUrl(): Promise<string> {
  const name = `t${process.pid}_${++dbCounter}`;
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.url.replace(/\/postgres$/, `/${name}`);
}

/** A fresh database of one backend: open a store on it, or run raw SQL (to build an old schema). */
type Factory = (clock?: Clock) => Promise<{ open: (clock?: Clock) => Promise<JobStore>; sql: (statements: string[]) => Promise<void> }>;

const backends: [string, Factory][] = [
  [
    "sqlite",
    async () => {
      const file = join(tmp, `s${++dbCounter}.sqlite`);
      return {
        open: async (clock?: Clock) => new SqliteJobStore(file, clock),
        async sql(statements) {
          const { DatabaseSync } = await import("node:sqlite");
          const db = new DatabaseSync(file);
          for (const st of statements) db.exec(st);
          db.close();
        },
      };
    },
  ],
  [
    "postgres",
    async () => {
      const url = await freshPgUrl();
      return {
        open: (clock?: Clock) => PostgresJobStore.open(url, clock),
        async sql(statements) {
          const c = new pg.Client({ connectionString: url });
          await c.connect();
          for (const st of statements) await c.query(st);
          await c.end();
        },
      };
    },
  ],
];

/** The table as the first version created it (before `txs`), to test the migration. */
const V0_TABLE = `CREATE TABLE relayer_jobs (
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, chain_id INTEGER NOT NULL, subject TEXT NOT NULL, state TEXT NOT NULL,
  payload TEXT NOT NULL, depends_on TEXT, priority INTEGER NOT NULL, proof TEXT, tx_hash TEXT, nonce INTEGER, raw_tx TEXT,
  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, owner TEXT, lease_until BIGINT, not_before BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`;

function payloadFor(kind: JobKind, n: bigint): PayloadOf[JobKind] {
  if (kind === "header" || kind === "rotation") return { height: n, epoch: 0n };
  if (kind === "receipt") return { auctionId: n, outcome: 1 };
  if (kind === "ol-epoch" || kind === "voucher") return { epoch: n };
  return { auctionId: n, minHeight: 1n };
}

function job(kind: JobKind, chainId: number, subject: number | bigint, extra: { dependsOn?: string } = {}): NewJob {
  return { key: jobKey(kind, chainId, subject), kind, chainId, subject: String(subject), payload: payloadFor(kind, BigInt(subject)), ...extra } as NewJob;
}

describe.each(backends)("JobStore on %s", (_name, factory) => {
  it("inserts each key once, however often the same work is planned", async () => {
    const s = await (await factory()).open();
    try {
      expect(await s.insert([job("header", 1, 5), job("settle", 1, 7)])).toBe(2);
      expect(await s.insert([job("header", 1, 5), job("settle", 1, 7)])).toBe(0);
      expect(await s.insert([job("header", 1, 5), job("header", 1, 6)])).toBe(1);
      expect([...(await s.keys())].sort()).toEqual(["header:1:5", "header:1:6", "settle:1:7"]);
      expect(new Map([...(await s.summaries())].map(([k, v]) => [k, v.state]))).toEqual(new Map([["header:1:5", "pending"], ["header:1:6", "pending"], ["settle:1:7", "pending"]]));
      const c = await s.counts();
      expect(c.pending).toBe(3);
      expect(c.confirmed).toBe(0);
      const j = await s.get("header:1:5");
      expect(j?.kind === "header" && j.payload.height).toBe(5n); // bigints survive the JSON column
      expect(j?.state).toBe("pending");
    } finally {
      await s.close();
    }
  });

  it("claims in planning order, honours dependencies and notBefore, and fences writes by owner", async () => {
    let now = 1_000_000;
    const s = await (await factory()).open(() => now);
    try {
      await s.insert([
        job("settle", 1, 9, { dependsOn: "header:1:20" }),
        job("header", 1, 20, { dependsOn: "rotation:1:3" }),
        job("rotation", 1, 3),
      ]);
      const a = await s.claim("A", 10_000);
      expect(a?.key).toBe("rotation:1:3");
      expect(a?.state).toBe("claimed");
      expect(a?.owner).toBe("A");
      expect(a?.attempts).toBe(1);
      // the header depends on the unconfirmed rotation, the settlement on the header: only their proofs may be made
      expect(await s.claim("B", 10_000, { phase: "submit" })).toBeUndefined();
      expect((await s.claim("B", 10_000, { phase: "prove" }))?.key).toBe("header:1:20");
      expect((await s.claim("B2", 10_000, { phase: "prove" }))?.key).toBe("settle:1:9");
      await s.release("header:1:20", "B");
      await s.release("settle:1:9", "B2");
      expect(await s.update("rotation:1:3", "B", { state: "failed" })).toBe(false); // not B's job
      expect(await s.update("rotation:1:3", "A", { state: "proved", proof: { proof: [1n, 2n], pub: [3n] } })).toBe(true);
      expect((await s.get("rotation:1:3"))?.proof).toEqual({ proof: [1n, 2n], pub: [3n] });
      expect(await s.update("rotation:1:3", "A", { state: "confirmed" })).toBe(true);
      expect(await s.release("rotation:1:3", "A")).toBe(true);
      const h = await s.claim("B", 10_000);
      expect(h?.key).toBe("header:1:20");
      // released with a delay: not claimable before notBefore, and `claimed` goes back to `pending`
      expect(await s.release("header:1:20", "B", { notBefore: now + 5_000, lastError: "not ready" })).toBe(true);
      const back = await s.get("header:1:20");
      expect(back?.state).toBe("pending");
      expect(back?.owner).toBeNull();
      expect(back?.lastError).toBe("not ready");
      expect(await s.claim("B", 10_000, { kinds: ["header"] })).toBeUndefined();
      now += 5_001;
      expect((await s.claim("B", 10_000, { kinds: ["header"] }))?.attempts).toBe(3); // one proving claim, one waited, this one
      const counts = await s.counts();
      expect(counts.confirmed).toBe(1);
      expect(counts.claimed).toBe(1);
      expect(counts.pending).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("makes a crashed worker's job claimable again when its lease expires, keeping its progress", async () => {
    let now = 5_000_000;
    const f = await factory();
    const a = await f.open(() => now);
    await a.insert([job("header", 7, 100)]);
    const got = await a.claim("A", 30_000);
    expect(got?.key).toBe("header:7:100");
    await a.update("header:7:100", "A", { state: "submitting", txHash: "0xabc", nonce: 4, rawTx: "0x02" });
    await a.close(); // worker A "crashes": no release
    const b = await f.open(() => now);
    try {
      now += 20_000;
      expect(await b.claim("B", 30_000)).toBeUndefined(); // lease still valid
      now += 10_001;
      const re = await b.claim("B", 30_000);
      expect(re?.owner).toBe("B");
      expect(re?.state).toBe("submitting"); // resumes where A stopped, never from scratch
      expect(re?.txHash).toBe("0xabc");
      expect(re?.nonce).toBe(4);
      expect(re?.attempts).toBe(2);
      // A, if it comes back, lost the job: its heartbeat and writes are refused
      expect(await b.heartbeat("header:7:100", "A", 30_000)).toBe(false);
      expect(await b.update("header:7:100", "A", { state: "failed" })).toBe(false);
      expect(await b.heartbeat("header:7:100", "B", 30_000)).toBe(true);
      expect((await b.get("header:7:100"))?.state).toBe("submitting");
    } finally {
      await b.close();
    }
  });

  it("never hands one job to two concurrent workers", async () => {
    const f = await factory();
    const w1 = await f.open();
    const w2 = await f.open();
    try {
      const n = 120;
      await w1.insert(Array.from({ length: n }, (_, i) => job("settle", 3, i + 1)));
      const runs = new Map<string, string[]>();
      const worker = async (s: JobStore, id: string) => {
        for (;;) {
          const j = await s.claim(id, 60_000);
          if (!j) return;
          runs.set(j.key, [...(runs.get(j.key) ?? []), id]);
          await new Promise((r) => setTimeout(r, Math.random() * 2));
          expect(await s.update(j.key, id, { state: "confirmed" })).toBe(true);
          await s.release(j.key, id);
        }
      };
      await Promise.all([worker(w1, "w1a"), worker(w1, "w1b"), worker(w2, "w2a"), worker(w2, "w2b")]);
      expect(runs.size).toBe(n);
      for (const [, who] of runs) expect(who).toHaveLength(1);
      expect((await w1.counts()).confirmed).toBe(n);
      const byWorker = new Set([...runs.values()].map((w) => w[0]));
      expect(byWorker.size).toBeGreaterThan(1); // the work was actually shared
    } finally {
      await w1.close();
      await w2.close();
    }
  });

  it("claims oldest first and numerically within one planning pass (auction 10 after 2)", async () => {
    let now = 2_000_000;
    const s = await (await factory()).open(() => now);
    try {
      await s.insert([job("settle", 1, 10), job("settle", 1, 2), job("settle", 1, 100), job("header", 1, 9)]);
      now += 1;
      await s.insert([job("settle", 1, 1)]); // planned later: claimed after every older job
      const order: string[] = [];
      for (let j = await s.claim("A", 10_000); j; j = await s.claim("A", 10_000)) order.push(j.key);
      expect(order).toEqual(["header:1:9", "settle:1:2", "settle:1:10", "settle:1:100", "settle:1:1"]);
    } finally {
      await s.close();
    }
  });

  it("never gives Open Libra epoch changes and vouchers to provers; submitters take them once their dependency is confirmed", async () => {
    const s = await (await factory()).open();
    try {
      await s.insert([job("ol-epoch", 1, 0), job("voucher", 1, 1, { dependsOn: "ol-epoch:1:0" })]);
      expect(await s.claim("P", 10_000, { phase: "prove" })).toBeUndefined();
      expect((await s.claim("S", 10_000, { phase: "submit" }))?.key).toBe("ol-epoch:1:0");
      expect(await s.claim("S2", 10_000, { phase: "submit" })).toBeUndefined(); // the voucher waits for its epoch change
      await s.release("ol-epoch:1:0", "S", { state: "confirmed" });
      const v = await s.claim("S2", 10_000, { phase: "submit" });
      expect(v?.key).toBe("voucher:1:1");
      expect(v?.payload).toEqual({ epoch: 1n });
    } finally {
      await s.close();
    }
  });

  it("splits claims by phase: provers take unproved jobs whatever they depend on, submitters proved ones whose dependency is confirmed", async () => {
    const s = await (await factory()).open();
    try {
      await s.insert([job("header", 1, 20), job("settle", 1, 1, { dependsOn: "header:1:20" }), job("receipt", 1, 7)]);
      expect((await s.claim("S", 10_000, { phase: "submit" }))?.key).toBe("receipt:1:7"); // nothing to prove
      expect((await s.claim("P", 10_000, { phase: "prove" }))?.key).toBe("header:1:20");
      const settle = await s.claim("P2", 10_000, { phase: "prove" });
      expect(settle?.key).toBe("settle:1:1"); // proved while its header is not confirmed yet
      await s.release("settle:1:1", "P2", { state: "proved", proof: { material: { height: 20n }, calldata: { proof: [], pub: [] } } as never });
      expect(await s.claim("S", 10_000, { phase: "submit" })).toBeUndefined(); // waits for its header
      await s.release("header:1:20", "P", { state: "proved", proof: { proof: [], pub: [] } });
      expect((await s.claim("S", 10_000, { phase: "submit" }))?.key).toBe("header:1:20");
      await s.release("header:1:20", "S", { state: "confirmed" });
      expect((await s.claim("S", 10_000, { phase: "submit" }))?.key).toBe("settle:1:1");
      expect(await s.claim("P", 10_000, { phase: "prove" })).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("revives a failed job without its transactions, repoints a live one, and never touches an owned one", async () => {
    const now = 3_000_000;
    const s = await (await factory()).open(() => now);
    try {
      await s.insert([job("header", 1, 30), job("settle", 1, 1, { dependsOn: "header:1:30" }), job("header", 1, 31)]);
      const h = (await s.claim("A", 10_000))!;
      expect(h.key).toBe("header:1:30");
      expect(await s.revive("header:1:30", now)).toBe(false); // not failed (and owned)
      await s.update(h.key, "A", { state: "failed", lastError: "reverted: ConflictingHeader", txHash: "0xaa", nonce: 3, rawTx: "0x02", txs: [{ hash: "0xaa", nonce: 3, raw: "0x02", at: 1 }] });
      expect(await s.revive("header:1:30", now + 5_000)).toBe(false); // still owned
      await s.release(h.key, "A");
      expect(await s.revive("header:1:30", now + 5_000)).toBe(true);
      const back = (await s.get("header:1:30"))!;
      expect(back).toMatchObject({ state: "pending", proof: null, txHash: null, nonce: null, rawTx: null, txs: [], notBefore: now + 5_000, lastError: "reverted: ConflictingHeader" });
      expect(await s.repoint("settle:1:1", "header:1:31")).toBe(true);
      expect((await s.get("settle:1:1"))?.dependsOn).toBe("header:1:31");
      expect((await s.claim("B", 10_000, { kinds: ["settle"] }))?.key).toBe("settle:1:1"); // its proof may be made now
      expect(await s.repoint("settle:1:1", null)).toBe(false); // owned by B
    } finally {
      await s.close();
    }
  });

  it("requeues for an operator: a failed job starts over, a waiting one runs now, a claimed or confirmed one is left alone", async () => {
    const now = 4_000_000;
    const s = await (await factory()).open(() => now);
    try {
      await s.insert([job("settle", 1, 1), job("settle", 1, 2), job("header", 1, 3)]);
      const c = (await s.claim("W", 10_000))!;
      expect(c.key).toBe("header:1:3");
      const a = (await s.claim("W", 10_000))!;
      await s.release(a.key, "W", { state: "failed", lastError: "reverted: InvalidResult", proof: { material: {}, calldata: {} } as never });
      const b = (await s.claim("W", 10_000))!;
      await s.release(b.key, "W", { notBefore: now + 60_000, lastError: "fill failed: PriceBelowLpLimit", state: "proved", proof: { material: {}, calldata: {} } as never });
      const r1 = await s.requeue(a.key);
      expect(r1.status).toBe("requeued");
      expect(r1.status === "requeued" && r1.job).toMatchObject({ state: "pending", proof: null, notBefore: 0 });
      const r2 = await s.requeue(b.key);
      expect(r2.status).toBe("retry-now");
      expect(r2.status === "retry-now" && r2.job).toMatchObject({ state: "proved", notBefore: 0 }); // its proof kept
      expect((await s.requeue(c.key)).status).toBe("claimed");
      await s.release(c.key, "W", { state: "confirmed" });
      expect((await s.requeue(c.key)).status).toBe("confirmed");
      expect((await s.requeue("header:1:404")).status).toBe("not-found");
    } finally {
      await s.close();
    }
  });

  it("hands a restarted worker its own claims back at once (releaseOwner), not another worker's", async () => {
    const s = await (await factory()).open();
    try {
      await s.insert([job("header", 1, 1), job("header", 1, 2), job("header", 1, 3)]);
      await s.claim("host-ab12/prove#0", 60_000);
      await s.claim("host-ab12/submit#1", 60_000);
      await s.claim("host-ab123/prove#0", 60_000); // another worker whose id starts the same
      expect((await s.releaseOwner("host-ab12")).sort()).toEqual(["header:1:1", "header:1:2"]);
      expect((await s.get("header:1:1"))).toMatchObject({ owner: null, state: "pending" });
      expect((await s.get("header:1:3"))?.owner).toBe("host-ab123/prove#0");
    } finally {
      await s.close();
    }
  });

  it("records every transaction of a job, and migrates a database made before that, keeping its in-flight transaction", async () => {
    const f = await factory();
    const payload = (h: number) => `{"height":{"$big":"${h}"},"epoch":{"$big":"0"}}`;
    await f.sql([
      V0_TABLE,
      `INSERT INTO relayer_jobs (key, kind, chain_id, subject, state, payload, priority, tx_hash, nonce, raw_tx, attempts, created_at, updated_at)
       VALUES ('header:9:5', 'header', 9, '5', 'submitting', '${payload(5)}', 20, '0xaa', 7, '0x02f8', 1, 100, 1234),
              ('header:9:6', 'header', 9, '6', 'pending', '${payload(6)}', 20, NULL, NULL, NULL, 0, 100, 100)`,
    ]);
    const s = await f.open();
    try {
      const old = await s.get("header:9:5");
      expect(old).toMatchObject({ state: "submitting", txHash: "0xaa", nonce: 7, rawTx: "0x02f8", txs: [{ hash: "0xaa", nonce: 7, raw: "0x02f8", at: 1234 }] });
      expect((await s.get("header:9:6"))?.txs).toEqual([]);
      expect((await s.get("header:9:6"))?.causes).toEqual([]); // migration 2: the causes column, empty for old rows
      // the claimed worker appends a replacement; both stay recorded
      expect((await s.claim("W", 10_000))?.key).toBe("header:9:5");
      const txs = [...old!.txs, { hash: "0xbb", nonce: 7, raw: "0x02f9", at: 5678 }];
      expect(await s.update("header:9:5", "W", { state: "submitting", txHash: "0xbb", nonce: 7, rawTx: "0x02f9", txs })).toBe(true);
      expect((await s.get("header:9:5"))?.txs).toEqual(txs);
      expect(await s.update("header:9:5", "other", { txs: [] })).toBe(false); // fenced like every write
    } finally {
      await s.close();
    }
    const again = await f.open(); // a second open migrates nothing twice
    try {
      expect((await again.get("header:9:5"))?.txs.map((t) => t.hash)).toEqual(["0xaa", "0xbb"]);
    } finally {
      await again.close();
    }
  });

  it("lists by state, kind and chain", async () => {
    const s = await (await factory()).open();
    try {
      await s.insert([job("header", 1, 1), job("header", 2, 1), job("settle", 1, 4)]);
      expect((await s.list({ kind: "header" })).map((j) => j.key)).toEqual(["header:1:1", "header:2:1"]);
      expect((await s.list({ chainId: 1 })).map((j) => j.key)).toEqual(["header:1:1", "settle:1:4"]);
      expect(await s.list({ states: ["confirmed"] })).toEqual([]);
    } finally {
      await s.close();
    }
  });
});
