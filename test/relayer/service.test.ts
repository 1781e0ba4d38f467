// The relayer service loop with fake Home/prover and a small contract on a real EDR chain:
// two relayers sharing one PostgreSQL queue settle every auction exactly once; Home and the
// Away RPC go down for a while and the relayer recovers; /healthz and /metrics report it;
// close() releases the current claim and leaves the job resumable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { resolveConfig, type RelayerConfig } from "../../relayer/config.ts";
import { silentLogger } from "../../relayer/log.ts";
import { startRelayer, type Relayer } from "../../relayer/relayer.ts";
import { PostgresJobStore } from "../../relayer/store/postgres.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { deployFakeAway, fakeAwayPort, FakeHome, FakeProver, type FakeAwayContract } from "./fake-stack.ts";
import { startPostgres, type PgServer } from "./pg-server.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { until as pollUntil } from "../fixtures/until.ts";

const KEYS = [
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d", // hardhat #1
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a", // hardhat #2
];

let rpc: EdrRpc;
let pgs: PgServer;
const dir = mkdtempSync(join(tmpdir(), "olzk-service-"));
const running: Relayer[] = [];

beforeAll(async () => {
  [rpc, pgs] = await Promise.all([startEdrRpc(), startPostgres()]);
});
afterAll(async () => {
  for (const r of running) await r.close();
  await rpc?.close();
  pgs?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = (what: string, fn: () => Promise<boolean>, timeoutMs = 60_000) => pollUntil(what, fn, { timeoutMs, everyMs: 50 });

function config(i: number, database: string, extra: Record<string, unknown> = {}): RelayerConfig {
  return resolveConfig(
    {
      homeUrl: "http://127.0.0.1:1", dataDir: join(dir, `r${i}`), database, pollIntervalMs: 100, leaseMs: 5_000,
      metrics: { port: 0 }, workerId: `relayer-${i}`, logLevel: "error",
      away: [{ name: "local", chainId: 31337, rpcUrl: rpc.url, addressesFile: "unused.json", signerKeyEnv: "K", confirmations: 1 }],
      ...extra,
    },
    { K: KEYS[i % KEYS.length] },
  );
}

async function start(cfg: RelayerConfig, home: FakeHome, prover: FakeProver, away: FakeAwayContract, extra = {}): Promise<Relayer> {
  const r = await startRelayer(cfg, { home, prover, awayPort: (_c, client) => fakeAwayPort(away, client), log: silentLogger, ...extra });
  running.push(r);
  return r;
}

async function freshPgUrl(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: pgs.url });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return pgs.url.replace(/\/postgres$/, `/${name}`);
}

describe("relayer service", () => {
  it("two relayers sharing one PostgreSQL queue settle every auction exactly once", async () => {
    const away = await deployFakeAway(rpc);
    const home = new FakeHome();
    for (let i = 1n; i <= 12n; i++) home.addAuction(i, 10n + (i % 4n));
    const prover = new FakeProver(5);
    const url = await freshPgUrl("svc_two");
    const a = await start(config(0, url), home, prover, away);
    const b = await start(config(1, url), home, prover, away);
    await until("all receipts carried home", async () => home.auctions.every((x) => x.receiptConsumed));
    for (let i = 1n; i <= 12n; i++) expect(await away.read<bigint>("settleCount", [i])).toBe(1n);
    expect(await away.read<bigint>("settleCalls")).toBe(12n);
    for (const n of home.receiptsPosted.values()) expect(n).toBe(1);
    expect(prover.settleCalls).toBe(12); // no job proven twice
    const s = await PostgresJobStore.open(url);
    const jobs = await s.list();
    await s.close();
    expect(jobs.filter((j) => j.kind === "settle").every((j) => j.state === "confirmed")).toBe(true);
    const owners = new Set(jobs.filter((j) => j.kind === "settle" && j.txHash).map((j) => j.txHash));
    expect(owners.size).toBe(12);
    const metricsA = await (await fetch(`${a.metricsUrl}/metrics`)).text();
    const metricsB = await (await fetch(`${b.metricsUrl}/metrics`)).text();
    const settled = (m: string) => Number(/olzk_relayer_submissions_total\{chain="local",kind="settle",outcome="mined"\} (\d+)/.exec(m)?.[1] ?? 0);
    expect(settled(metricsA) + settled(metricsB)).toBe(12);
    await a.close();
    await b.close();
  });

  it("rides out a Home outage and an Away RPC outage, reporting them in /healthz and /metrics", async () => {
    await rpc.setFault("none");
    const away = await deployFakeAway(rpc);
    const home = new FakeHome();
    home.addAuction(1n, 20n);
    const prover = new FakeProver();
    const r = await start(config(0, "sqlite", { health: { homeStaleMs: 1_000, checkIntervalMs: 200 } }), home, prover, away);
    await until("auction 1 settled", async () => home.auctions[0]!.receiptConsumed);
    expect((await fetch(`${r.metricsUrl}/healthz`)).status).toBe(200);

    home.down = true;
    await until("healthz to report the outage", async () => (await fetch(`${r.metricsUrl}/healthz`)).status === 503, 10_000);
    home.addAuction(2n, 25n); // cleared while the relayer cannot see Home
    await rpc.setFault("refuse");
    home.down = false;
    // Home is back, but the Away RPC refuses connections: nothing can be planned or sent for it
    await until("an Away poll error", async () => /olzk_relayer_polls_total\{result="away_error"\} [1-9]/.test(await (await fetch(`${r.metricsUrl}/metrics`)).text()), 10_000);
    expect(home.auctions[1]!.receiptConsumed).toBe(false);
    await rpc.setFault("503");
    await new Promise((res) => setTimeout(res, 300));
    await rpc.setFault("none");
    await until("auction 2 settled and carried home", async () => home.auctions[1]!.receiptConsumed, 30_000);
    expect(await away.read<bigint>("settleCount", [2n])).toBe(1n);
    expect(await away.read<bigint>("headerCalls")).toBe(2n);
    const m = await (await fetch(`${r.metricsUrl}/metrics`)).text();
    expect(Number(/olzk_relayer_polls_total\{result="error"\} (\d+)/.exec(m)?.[1])).toBeGreaterThan(0);
    expect(m).toMatch(/olzk_relayer_lag_seconds\{chain="local"\} 0\n/);
    expect((await fetch(`${r.metricsUrl}/healthz`)).status).toBe(200);
    await until("the relayer to be idle (what `olzk relay --once` waits for)", () => r.idle(), 5_000);
    home.addAuction(3n, 26n);
    await r.pollOnce();
    expect(await r.idle()).toBe(false); // new work planned
    await until("idle again", () => r.idle(), 20_000);
    expect(home.auctions[2]!.receiptConsumed).toBe(true);
    await r.close();
  });

  it("close() during a proof finishes or releases the claim, and another relayer resumes the job", async () => {
    await rpc.setFault("none");
    const away = await deployFakeAway(rpc);
    const home = new FakeHome();
    home.addAuction(1n, 30n);
    const slow = new FakeProver(1_500);
    const cfg = config(0, join(dir, "shared.sqlite"));
    const r1 = await start(cfg, home, slow, away);
    await until("proving", async () => (await r1.store.get("header:31337:30"))?.state === "proving", 10_000);
    await r1.close();
    const { SqliteJobStore } = await import("../../relayer/store/sqlite.ts");
    const s = new SqliteJobStore(join(dir, "shared.sqlite"));
    const j = await s.get("header:31337:30");
    await s.close();
    expect(j?.owner).toBeNull(); // released, not left to lease expiry
    expect(["proved", "submitting", "submitted", "confirmed"]).toContain(j?.state); // the proof that was running was kept
    const fast = new FakeProver();
    await start(config(0, join(dir, "shared.sqlite")), home, fast, away);
    await until("auction settled after restart", async () => home.auctions[0]!.receiptConsumed, 20_000);
    expect(fast.headerCalls).toBe(0); // the stored proof was reused
    expect(await away.read<bigint>("headerCalls")).toBe(1n);
  });
});
