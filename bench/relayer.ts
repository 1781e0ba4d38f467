// `npm run bench:relayer`: relayer throughput and latency for 10 auctions cleared at once, on the
// real stack (the Home devnet's chain served over its HTTP API, EDR with the deployed contracts,
// real Groth16 proofs with a fresh proof cache, the relayer service in this process). Each run
// clears 10 funded mode-2 auctions in one Home block and measures, per auction, the seconds from
// sealing that block to the relayer's settle job confirmed on Away; settlementsPerMinute is 10
// over the time to the last one. Runs the default configuration (1 proving slot, 4 submission
// slots) and 2 proving slots, one after the other as BENCH_RELAYER_RUNS says (default "1,2":
// provers per run, one fresh stack each), and writes bench/results/relayer.json:
//   { settlementsPerMinute, latencySeconds: { p50, p90, max }, provers, machine, loadAverage, runs: [...] }
// (the top-level numbers are the first run's: the default configuration).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { serve } from "../home/devnet/server.ts";
import { REPO_ROOT } from "../prover/setup/ptau.ts";
import { resolveConfig } from "../relayer/config.ts";
import type { JobEvent } from "../relayer/executor.ts";
import { createLogger } from "../relayer/log.ts";
import { startRelayer } from "../relayer/relayer.ts";
import { E18, E6, LIBRA, PRICE_SCALE, SafetyStack } from "../test/safety/stack.ts";

const AUCTIONS = 10;
const RELAYER_KEY: Hex = "0xea6c44ac03bff858b476bba40716402b03e41b8e97e276d1baec7c37d42484a0"; // hardhat #10
const RUNS = (process.env.BENCH_RELAYER_RUNS ?? "1,2").split(",").map(Number);
const log = (l: string) => console.error(l);
const round2 = (x: number) => Math.round(x * 100) / 100;
const load = () => loadavg().map(round2);

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

interface Run {
  provers: number;
  submitters: number;
  settlementsPerMinute: number;
  latencySeconds: { p50: number; p90: number; max: number; all: number[] };
  proofSeconds: { header: number[]; settle: number[] };
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

async function run(provers: number): Promise<Run> {
  const s = await SafetyStack.start();
  const api = await serve(s.home, "127.0.0.1", 0);
  const dir = mkdtempSync(join(tmpdir(), "olzk-bench-relayer-"));
  const submitters = 4;
  try {
    const au = s.account.auctioneer;
    const lp = s.account.lp;
    await s.mint(s.c.usdc, lp, 100_000n * E6);
    await s.approve(lp, s.c.usdc, s.c.registry);
    await s.send(lp, s.c.registry, s.abi.registry, "deposit", [s.c.usdc, 100_000n * E6]);
    await s.send(lp, s.c.registry, s.abi.registry, "setOffer", [s.c.usdc, 10, [{ asset: s.c.weth, minPrice: 1n }]]);
    for (const w of [s.account.w1, au]) {
      await s.mint(s.c.weth, w, 100n * E18);
      await s.approve(w, s.c.weth, s.c.settlement);
    }
    writeFileSync(join(dir, "addresses.json"), JSON.stringify({ chainId: 31337, lightClient: s.c.lightClient, settlement: s.c.settlement }));
    const config = resolveConfig(
      {
        homeUrl: api.url, dataDir: join(dir, "relayer"), pollIntervalMs: 200, logLevel: "warn", proverConcurrency: provers, concurrency: submitters,
        prover: { cacheDir: join(dir, "proofs") },
        away: [{ name: "local", chainId: 31337, rpcUrl: s.rpc.url, addressesFile: join(dir, "addresses.json"), signerKeyEnv: "BENCH_KEY" }],
      },
      { BENCH_KEY: RELAYER_KEY },
    );
    const confirmedAt = new Map<string, number>();
    const proofs: Run["proofSeconds"] = { header: [], settle: [] };
    const relayer = await startRelayer(config, {
      log: createLogger({ level: "warn", write: (l) => process.stderr.write(`${l}\n`) }),
      onEvent: (e: JobEvent | { type: "planned" }) => {
        if (e.type === "confirmed" && e.kind === "settle") confirmedAt.set(e.key, Date.now());
        if (e.type === "proved" && (e.kind === "header" || e.kind === "settle")) proofs[e.kind].push(round2(e.seconds));
      },
    });
    try {
      // 10 auctions, each with its own auctioneer lockup, one bid each, cleared into one block
      const ids: bigint[] = [];
      const { bidCommitment } = await import("../home/devnet/auctions-module.ts");
      const bids = [];
      for (let i = 0; i < AUCTIONS; i++) {
        const lock = await s.lock(au, s.c.usdc, LIBRA(3_000n), s.homeNow() + 2 * 86_400);
        const t = s.homeNow();
        const id = (await s.act("create-auction", {
          auctioneer: au, sellAsset: s.c.usdc, sellAmount: (1_000n * E6).toString(), buyAsset: s.c.weth, mode: 2, reservePrice: "0",
          auctioneerLockId: lock.lockId.toString(), auctioneerMaxRateBps: 20, lp, commitDeadline: t + 10, revealDeadline: t + 20, settleDeadline: t + 3600,
        })).auctionId as bigint;
        ids.push(id);
        bids.push({ auctionId: id, bidder: s.account.w1, amount: 1_000n * E6, limitPrice: (E18 * PRICE_SCALE) / (1000n * E6), lockId: 0n, maxRateBps: 0, salt: SafetyStack.label(`bench ${id}`) });
      }
      for (const b of bids) await s.act("commit-bid", { auctionId: b.auctionId.toString(), commitment: bidCommitment(b) });
      await s.advance(10);
      for (const b of bids) {
        await s.act("reveal-bid", { auctionId: b.auctionId.toString(), bidder: b.bidder, amount: b.amount.toString(), limitPrice: b.limitPrice.toString(), lockId: "0", maxRateBps: 0, salt: b.salt });
      }
      await s.advance(11);
      for (const id of ids) await s.act("clear-auction", { auctionId: id.toString() });
      const before = load();
      const sealedAt = Date.now();
      s.home.produceBlock();
      log(`provers ${provers}: ${AUCTIONS} auctions cleared in one Home block; waiting for the settlements...`);
      const keys = ids.map((id) => `settle:31337:${id}`);
      const deadline = Date.now() + 20 * 60_000;
      while (!keys.every((k) => confirmedAt.has(k))) {
        if (Date.now() > deadline) throw new Error(`timed out: ${confirmedAt.size} of ${AUCTIONS} settled`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const after = load();
      const latencies = keys.map((k) => round2((confirmedAt.get(k)! - sealedAt) / 1000)).sort((a, b) => a - b);
      const max = latencies.at(-1)!;
      const r: Run = {
        provers,
        submitters,
        settlementsPerMinute: round2((AUCTIONS * 60) / max),
        latencySeconds: { p50: quantile(latencies, 0.5), p90: quantile(latencies, 0.9), max, all: latencies },
        proofSeconds: proofs,
        loadAverageBefore: before,
        loadAverageAfter: after,
      };
      log(`provers ${provers}: ${r.settlementsPerMinute} settlements/min, latency p50 ${r.latencySeconds.p50} s, p90 ${r.latencySeconds.p90} s, max ${max} s (load ${before.join(" ")} -> ${after.join(" ")})`);
      return r;
    } finally {
      await relayer.close();
    }
  } finally {
    await api.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs: Run[] = [];
for (const p of RUNS) runs.push(await run(p));
const head = runs[0]!;
const out = {
  settlementsPerMinute: head.settlementsPerMinute,
  latencySeconds: { p50: head.latencySeconds.p50, p90: head.latencySeconds.p90, max: head.latencySeconds.max },
  provers: head.provers,
  definition: `${AUCTIONS} funded mode-2 auctions cleared in one Home block; latency = seconds from sealing that block to each settle job confirmed on Away (1 confirmation, EDR automine); settlementsPerMinute = ${AUCTIONS} x 60 / the last latency; fresh proof cache; proving and submission slots as in each run`,
  machine: { cores: cpus().length, node: process.version, note: "2 shared cores; other jobs may run at the same time (see the load averages), so times are upper bounds" },
  measuredAt: new Date().toISOString(),
  loadAverage: head.loadAverageBefore,
  runs,
};
await mkdir(join(REPO_ROOT, "bench", "results"), { recursive: true });
writeFileSync(join(REPO_ROOT, "bench", "results", "relayer.json"), JSON.stringify(out, null, 2) + "\n");
console.log(JSON.stringify({ settlementsPerMinute: out.settlementsPerMinute, latencySeconds: out.latencySeconds, provers: out.provers }));
process.exit(0);
