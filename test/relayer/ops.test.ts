// What an operator runs against the relayer: the alert rules pass `promtool check rules` and their
// unit tests, every metric the rules and the dashboard use is one the relayer exports, and
// `olzk relay jobs` / `olzk relay requeue` read and change the queue of a running relayer's store.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { jobKey } from "../../relayer/jobs.ts";
import { RelayerMetrics } from "../../relayer/metrics.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import { relayCli } from "./relay-process.ts";

const OPS = resolve(import.meta.dirname, "../../relayer/ops");
const dir = mkdtempSync(join(tmpdir(), "olzk-ops-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** promtool from Debian's prometheus package (installed by .ci/run when missing). */
function promtool(args: string[]): { code: number | null; out: string } {
  const r = spawnSync("promtool", args, { cwd: OPS, encoding: "utf8" });
  if (r.error) throw new Error(`promtool not found (apt-get install prometheus): ${r.error.message}`);
  return { code: r.status, out: r.stdout + r.stderr };
}

/** Metric names a PromQL expression reads (histograms by their base name). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bolzk_relayer_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ""));
}

describe("relayer/ops", () => {
  it("alert rules pass promtool check rules and their unit tests", () => {
    const check = promtool(["check", "rules", "alerts.yml"]);
    expect(check.code, check.out).toBe(0);
    expect(check.out).toMatch(/SUCCESS: \d+ rules found/);
    const test = promtool(["test", "rules", "alerts.test.yml"]);
    expect(test.code, test.out).toBe(0);
  });

  it("every metric the rules and the dashboard use is exported by the relayer", async () => {
    const exported = new Set((await new RelayerMetrics(true).registry.getMetricsAsJSON()).map((m) => m.name));
    const rules = readFileSync(join(OPS, "alerts.yml"), "utf8");
    const exprs = [...rules.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1]!);
    const dashboard = JSON.parse(readFileSync(join(OPS, "dashboard.json"), "utf8")) as { panels: { title: string; targets: { expr: string }[] }[] };
    const targets = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    expect(targets.length).toBeGreaterThanOrEqual(15);
    const used = new Set([...exprs, ...targets].flatMap(metricsIn));
    const missing = [...used].filter((m) => !exported.has(m));
    expect(missing).toEqual([]);
    // and the ones the issue asks to watch are all in use
    for (const m of ["olzk_relayer_signer_balance_wei", "olzk_relayer_signer_nonce", "olzk_relayer_oldest_live_job_seconds", "olzk_relayer_submitted_seconds", "olzk_relayer_settlement_latency_seconds", "olzk_relayer_lag_seconds", "olzk_relayer_retries_total", "olzk_relayer_up"]) {
      expect(used, m).toContain(m);
    }
    expect(exported).not.toContain("olzk_relayer_lag_blocks"); // it climbed on an idle healthy relayer
  });

  it("olzk relay jobs lists and filters; olzk relay requeue runs a failed job again, and refuses a held or confirmed one", async () => {
    const db = join(dir, "queue.sqlite");
    const config = join(dir, "relayer.json");
    // only the store's location is read: no Home URL, no signer key needed
    writeFileSync(config, JSON.stringify({ dataDir: dir, database: db }));
    const store = new SqliteJobStore(db);
    try {
      await store.insert([
        { key: jobKey("settle", 31337, 2), kind: "settle", chainId: 31337, subject: "2", payload: { auctionId: 2n, minHeight: 5n } },
        { key: jobKey("settle", 31337, 10), kind: "settle", chainId: 31337, subject: "10", payload: { auctionId: 10n, minHeight: 5n } },
        { key: jobKey("header", 31337, 5), kind: "header", chainId: 31337, subject: "5", payload: { height: 5n, epoch: 0n } },
      ]);
      const h = (await store.claim("w/submit#0", 60_000))!;
      expect(h.key).toBe("header:31337:5");
      await store.update(h.key, "w/submit#0", { state: "confirmed" });
      await store.release(h.key, "w/submit#0");
      const s2 = (await store.claim("w/prove#0", 60_000))!;
      const cause = { kind: "revert" as const, name: "InvalidResult", message: "InvalidResult()", at: Date.now() };
      await store.release(s2.key, "w/prove#0", { state: "failed", lastError: "reverted: InvalidResult", causes: [cause] });
      await store.claim("w/prove#1", 60_000); // settle:31337:10, held by a running worker

      const all = relayCli(["jobs", "--config", config]);
      expect(await all.exited, all.output()).toBe(0);
      const lines = all.output().trim().split("\n");
      expect(lines[0]).toMatch(/^KEY\s+STATE\s+TRIES\s+AGE\s+NOW\s+TX\s+LAST CAUSE$/);
      expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["header:31337:5", "settle:31337:2", "settle:31337:10"]); // oldest first, 10 after 2
      expect(lines[2]).toContain("reverted: InvalidResult");
      expect(lines[3]).toContain("held by w/prove#1");

      const failed = relayCli(["jobs", "--config", config, "--state", "failed", "--json"]);
      expect(await failed.exited).toBe(0);
      const rows = failed.output().trim().split("\n").map((l) => JSON.parse(l));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ key: "settle:31337:2", state: "failed", payload: { auctionId: "2", minHeight: "5" }, causes: [{ name: "InvalidResult" }] });
      expect(rows[0]).not.toHaveProperty("proof");

      const rq = relayCli(["requeue", "settle:31337:2", "--config", config]);
      expect(await rq.exited, rq.output()).toBe(0);
      expect(rq.output()).toMatch(/back to pending/);
      expect((await store.get("settle:31337:2"))?.state).toBe("pending");
      const held = relayCli(["requeue", "settle:31337:10", "--config", config]);
      expect(await held.exited).toBe(1);
      expect(held.output().trim()).toMatch(/^olzk relay requeue: settle:31337:10 is held by w\/prove#1 until .*: try again when its claim ends$/);
      const done = relayCli(["requeue", "header:31337:5", "--config", config]);
      expect(await done.exited).toBe(1);
      expect(done.output()).toMatch(/is confirmed: nothing to do/);
      const bad = relayCli(["jobs", "--config", config, "--state", "stuck"]);
      expect(await bad.exited).toBe(2);
      expect(bad.output().trim()).toBe("olzk relay: --state: unknown state 'stuck' (one of pending, claimed, proving, proved, submitting, submitted, confirmed, failed, expired, live)");
      expect(execFileSync(join(resolve(import.meta.dirname, "../.."), "node_modules/.bin/node"), [join(resolve(import.meta.dirname, "../.."), "bin/olzk.mjs"), "relay", "requeue", "--help"], { encoding: "utf8" })).toMatch(/olzk relay requeue: run a job again now/);
    } finally {
      await store.close();
    }
  }, 60_000);
});
