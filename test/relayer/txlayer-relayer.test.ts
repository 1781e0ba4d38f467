// The transaction layer inside the relayer service (fake Home and prover, the FakeAway contract
// on a real EDR chain, the real store, submitter, signer and RPC failover):
//   - a relayer process signing through a remote JSON-RPC signer settles its jobs, and its
//     process never had the key (not in its environment, its config or anything it printed);
//   - kill -9 after a replacement was recorded and before it reached the node; the restarted
//     relayer broadcasts it and the job completes: one transaction of the job mined, the work
//     done once;
//   - the first RPC URL dies mid-run: planning and submission go on through the second.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, parseGwei, parseTransaction, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../../relayer/config.ts";
import { silentLogger } from "../../relayer/log.ts";
import { startRelayer } from "../../relayer/relayer.ts";
import { SqliteJobStore } from "../../relayer/store/sqlite.ts";
import { startEdrRpc, type EdrRpc } from "./edr-rpc.ts";
import { deployFakeAway, fakeAwayPort, FakeHome, FakeProver, type FakeAwayContract } from "./fake-stack.ts";
import { fakeHomeRelayer, relayCli, type Child } from "./relay-process.ts";
import { startSignerServer } from "./signer-server.ts";
import { until as pollUntil } from "../fixtures/until.ts";

const SIGNER_KEY: Hex = "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"; // hardhat #10
const CRASH_KEY: Hex = "0x689af8efa8c651a91ad287602527f3af2fe9f6501a7ac4b061667b5a93e037fd"; // hardhat #11
const FAILOVER_KEY: Hex = "0xde9be858da4a475276426320d5e9262ecfc3ba460bfac56360bfa6c4c28b4ee0"; // hardhat #12

let rpc: EdrRpc;
const dir = mkdtempSync(join(tmpdir(), "olzk-txlayer-"));
const children: Child[] = [];

beforeAll(async () => {
  rpc = await startEdrRpc();
});
afterAll(async () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill("SIGKILL");
  await rpc?.close();
  if (!process.env.OLZK_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true });
});

const until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, child?: Child) =>
  pollUntil(what, fn, { timeoutMs, everyMs: 50, diagnostics: () => (child ? `\nrelayer output:\n${child.output().slice(-4000)}` : "") });

let n = 0;
/** Spec of a fake-Home relayer process over `away`, its database in its own directory. */
function spec(away: FakeAwayContract, chain: Record<string, unknown>, auctions: [number, number][], extra: Record<string, unknown> = {}): { file: string; db: string; config: string } {
  const i = ++n;
  const db = join(dir, `relayer-${i}.sqlite`);
  const config = {
    homeUrl: "http://127.0.0.1:1", dataDir: dir, database: db, pollIntervalMs: 100, leaseMs: 2_000, logLevel: "debug",
    away: [{ name: "local", chainId: 31337, addressesFile: "unused.json", confirmations: 1, ...chain }], ...extra,
  };
  const file = join(dir, `spec-${i}.json`);
  writeFileSync(file, JSON.stringify({ config, baseDir: dir, away: { address: away.address, abi: away.abi }, auctions }));
  const configFile = join(dir, `relayer-${i}.json`);
  writeFileSync(configFile, JSON.stringify(config));
  return { file, db, config: configFile };
}

const start = (file: string, env: Record<string, string> = {}) => {
  const c = fakeHomeRelayer(file, env);
  children.push(c);
  return c;
};

describe("transaction layer in the relayer", () => {
  it("signs through a remote signer; the relayer process never sees the key", async () => {
    const signer = await startSignerServer(SIGNER_KEY);
    const away = await deployFakeAway(rpc);
    try {
      const s = spec(away, { rpcUrls: [rpc.url], remoteSigner: { url: signer.url, address: signer.address } }, [[1, 20]]);
      const child = start(s.file); // its environment: PATH and HOME, nothing else
      await until("auction 1 settled", async () => (await away.read<bigint>("settleCount", [1n])) === 1n, 60_000, child);
      expect(await away.read<bigint>("headerCalls")).toBe(1n);
      const store = new SqliteJobStore(s.db);
      const jobs = await store.list();
      await store.close();
      for (const k of ["header:31337:20", "settle:31337:1"]) {
        const j = jobs.find((x) => x.key === k)!;
        const tx = await rpc.request("eth_getTransactionByHash", [j.txHash]);
        expect(tx.from.toLowerCase()).toBe(signer.address.toLowerCase()); // sent from the remote signer's account
      }
      expect(signer.signed).toBe(2);
      const keyHex = SIGNER_KEY.slice(2).toLowerCase();
      const env = readFileSync(`/proc/${child.proc.pid}/environ`, "utf8").toLowerCase();
      expect(env).not.toContain(keyHex);
      expect(readFileSync(s.file, "utf8").toLowerCase()).not.toContain(keyHex);
      const logged = JSON.parse(child.output().split("\n").find((l) => l.includes('"msg":"Away chain ready"'))!);
      expect(logged).toMatchObject({ signer: signer.address, signerKind: "remote", signerUrl: signer.url });
      child.proc.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      expect(child.output().toLowerCase()).not.toContain(keyHex);
      // and the operator sees the account to fund
      const shown = relayCli(["--config", s.config, "--print-config"]);
      expect(await shown.exited).toBe(0);
      expect(JSON.parse(shown.output()).away[0].signer).toEqual({ kind: "remote", address: signer.address, url: signer.url });
    } finally {
      await signer.close();
    }
  }, 120_000);

  it("kill -9 between recording a replacement and broadcasting it: the restart sends it, the job completes, nothing is sent twice", async () => {
    const away = await deployFakeAway(rpc);
    const account = privateKeyToAccount(CRASH_KEY).address;
    const nonce0 = Number(await rpc.request("eth_getTransactionCount", [account, "latest"]));
    await rpc.request("hardhat_setNextBlockBaseFeePerGas", [`0x${parseGwei("1").toString(16)}`]);
    await rpc.request("evm_mine", []);
    await rpc.request("evm_setAutomine", [false]);
    // the node never gets a replacement from the first process: the request is held on the way
    const firstByNonce = new Map<string, string>();
    let held: string | undefined;
    rpc.intercept((method, params) => {
      if (method !== "eth_sendRawTransaction") return "pass";
      const tx = parseTransaction(params[0] as Hex);
      const nonce = String(tx.nonce);
      const hash = keccak256(params[0] as Hex);
      if (!firstByNonce.has(nonce)) firstByNonce.set(nonce, hash);
      else if (firstByNonce.get(nonce) !== hash && held === undefined) held = hash; // the first replacement
      return held === hash ? "hold" : "pass";
    });
    const s = spec(away, { rpcUrls: [rpc.url], signerKeyEnv: "K", fees: { bumpAfterMs: 5_000 } }, [[1, 30]]);
    const key = "header:31337:30";
    const store = new SqliteJobStore(s.db);
    try {
      const first = start(s.file, { K: CRASH_KEY });
      const sent = await until("the header transaction", async () => (await store.get(key))?.state === "submitted" && (await store.get(key))!.txs[0], 60_000, first);
      // stuck: the base fee jumps above its max fee
      await rpc.request("hardhat_setNextBlockBaseFeePerGas", [`0x${parseGwei("40").toString(16)}`]);
      await rpc.request("evm_mine", []);
      await until("the replacement to be on its way", () => held, 30_000, first);
      const recorded = await until("the replacement recorded", async () => {
        const j = await store.get(key);
        return j && j.txs.length === 2 && j.txs[1]!.hash === held && j;
      });
      first.proc.kill("SIGKILL");
      await first.exited;
      rpc.intercept(undefined);
      expect(recorded.state).toBe("submitting"); // recorded BEFORE broadcast
      expect(recorded.txs[1]!.nonce).toBe(recorded.txs[0]!.nonce);
      expect(parseTransaction(recorded.txs[1]!.raw as Hex).maxFeePerGas).toBeGreaterThan(parseGwei("40")); // priced for the new base fee
      expect(await rpc.request("eth_getTransactionByHash", [held])).toBeNull(); // the node never saw it
      expect(await rpc.request("eth_getTransactionByHash", [sent.hash])).not.toBeNull(); // the first one waits in the pool

      const second = start(s.file, { K: CRASH_KEY });
      await until("the restarted relayer to broadcast the recorded replacement", async () => (await rpc.request("eth_getTransactionByHash", [held])) !== null, 30_000, second);
      await rpc.request("evm_setAutomine", [true]);
      await rpc.request("evm_mine", []);
      await until("auction 1 settled", async () => (await away.read<bigint>("settleCount", [1n])) === 1n, 60_000, second);
      const done = await until("the header job confirmed", async () => {
        const j = await store.get(key);
        return j?.state === "confirmed" && j;
      }, 30_000, second);
      const mined = (await Promise.all(done.txs.map((t) => rpc.request("eth_getTransactionReceipt", [t.hash])))).filter(Boolean);
      expect(mined).toHaveLength(1); // one of its recorded transactions, never two
      expect(mined[0].transactionHash).toBe(held);
      expect(done.txHash).toBe(held); // the row points at the mined one
      expect(done.txs).toHaveLength(2); // nothing signed after the restart: the recorded one was sent (and given its bumpAfterMs)
      expect(await away.read<bigint>("headerCalls")).toBe(1n);
      expect(await away.read<bigint>("settleCalls")).toBe(1n);
      // the account sent exactly two transactions: the header (one of two) and the settlement
      expect(Number(await rpc.request("eth_getTransactionCount", [account, "latest"]))).toBe(nonce0 + 2);
      second.proc.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      rpc.intercept(undefined);
      await rpc.request("evm_setAutomine", [true]);
      await store.close();
    }
  }, 180_000);

  it("goes on through the second RPC URL when the first dies mid-run (planning and submission)", async () => {
    const second = await rpc.endpoint();
    const away = await deployFakeAway(rpc);
    const home = new FakeHome();
    home.addAuction(1n, 40n);
    const cfg = resolveConfig(
      {
        homeUrl: "http://127.0.0.1:1", dataDir: join(dir, "failover"), pollIntervalMs: 100, metrics: { port: 0 }, logLevel: "error",
        away: [{ name: "local", chainId: 31337, rpcUrls: [rpc.url, second.url], rpcTimeoutMs: 1_000, addressesFile: "unused.json", signerKeyEnv: "K" }],
      },
      { K: FAILOVER_KEY },
    );
    const r = await startRelayer(cfg, { home, prover: new FakeProver(), awayPort: (_c, client) => fakeAwayPort(away, client), log: silentLogger });
    try {
      await until("auction 1 carried home", () => home.auctions[0]!.receiptConsumed);
      expect(second.seen.get("eth_sendRawTransaction") ?? 0).toBe(0); // all through the first URL so far
      await rpc.setFault("refuse");
      home.addAuction(2n, 45n);
      await until("auction 2 carried home", () => home.auctions[1]!.receiptConsumed);
      expect(await away.read<bigint>("settleCount", [2n])).toBe(1n);
      expect(second.seen.get("eth_sendRawTransaction")).toBe(2); // header 45 and settle 2
      const m = await (await fetch(`${r.metricsUrl}/metrics`)).text();
      expect(m).toMatch(/olzk_relayer_rpc_failovers_total\{chain="local"\} 1\n/);
    } finally {
      await r.close();
      await rpc.setFault("none");
      await second.close();
    }
  });
});
