// `npx tsx bench/e2e-prover-layout.ts`: the two proving layouts of the main job side by side,
// interleaved in one process. A Home devnet of the production profile (N = 64 slots, a block
// every second: every block is sealed and attested by 64 in-process signers) runs in this
// process, as in `npm start`, while header proofs of its latest block are made alternately on
// this thread (the old layout: snarkjs fullProve beside the devnet) and in a prover process
// (prover/pool.ts, what the relayer does now). Also measures how long this thread's event
// loop is blocked meanwhile (block sealing, and the in-thread proofs). Writes
// bench/results/e2e-prover-layout.json:
//   { measuredAt, loadAverageBefore, loadAverageAfter, circuit, pairs, inThreadSeconds[], proverProcessSeconds[],
//     medianSeconds: { inThread, proverProcess }, eventLoopDelayMs: { p50, p99, max }, blocksSealed }
// BENCH_LAYOUT_PAIRS (default 4) sets the pairs.
import { mkdir, writeFile } from "node:fs/promises";
import { loadavg } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startDevnet } from "../home/devnet/index.ts";
import { proveHeader } from "../prover/prover.ts";
import { REPO_ROOT } from "../prover/setup/ptau.ts";
import { ProverPool } from "../prover/pool.ts";
import { terminateSnarkjsCurves } from "../test/vectors/snarkjs-api.ts";

const PAIRS = Number(process.env.BENCH_LAYOUT_PAIRS ?? 4);
const round2 = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : round2((s[m - 1]! + s[m]!) / 2);
};
const load = () => loadavg().map(round2);

async function main() {
  const loadAverageBefore = load();
  const devnet = await startDevnet({ dataDir: null, port: 0, blockMs: 1000, epochBlocks: 30, capacity: 64, active: 64, maxLockFills: 4 });
  const pool = new ProverPool(1);
  const opts = { profile: "prod", network: "local", cacheDir: false as const };
  const prove = async (inThread: boolean) => {
    const sh = devnet.chain.signedHeader(devnet.chain.block(devnet.chain.latest.header.height)!);
    const t0 = performance.now();
    await proveHeader(sh, inThread ? opts : { ...opts, pool });
    return round2((performance.now() - t0) / 1000);
  };
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const blocks0 = devnet.chain.latest.header.height;
  try {
    await prove(false); // warm both layouts (curve, artifacts) before measuring
    await prove(true);
    delay.enable();
    const inThread: number[] = [];
    const proverProcess: number[] = [];
    for (let i = 0; i < PAIRS; i++) {
      const first = i % 2 === 0;
      for (const onThread of first ? [true, false] : [false, true]) {
        const s = await prove(onThread);
        (onThread ? inThread : proverProcess).push(s);
        console.error(`pair ${i + 1}/${PAIRS}: ${onThread ? "in this thread " : "prover process"} ${s} s`);
      }
    }
    delay.disable();
    const blocks = Number(devnet.chain.latest.header.height - blocks0);
    const result = {
      measuredAt: new Date().toISOString(),
      loadAverageBefore,
      loadAverageAfter: load(),
      circuit: "AggregatedHeaderQuorum(N=64), profile prod, proof cache off",
      note: "the devnet (64 slots, 1 s blocks, in-process attestation) runs in this process throughout; pairs alternate which layout goes first",
      pairs: PAIRS,
      inThreadSeconds: inThread,
      proverProcessSeconds: proverProcess,
      medianSeconds: { inThread: median(inThread), proverProcess: median(proverProcess) },
      eventLoopDelayMs: { p50: round2(delay.percentile(50) / 1e6), p99: round2(delay.percentile(99) / 1e6), max: round2(delay.max / 1e6) },
      blocksSealed: blocks,
    };
    const out = join(REPO_ROOT, "bench", "results", "e2e-prover-layout.json");
    await mkdir(join(out, ".."), { recursive: true });
    await writeFile(out, JSON.stringify(result, null, 2) + "\n");
    console.log(`median proof: in this thread ${result.medianSeconds.inThread} s, prover process ${result.medianSeconds.proverProcess} s (load ${loadAverageBefore.join(" ")} -> ${result.loadAverageAfter.join(" ")})`);
    console.log(`event-loop delay p50 ${result.eventLoopDelayMs.p50} ms, p99 ${result.eventLoopDelayMs.p99} ms, max ${result.eventLoopDelayMs.max} ms; wrote ${out}`);
  } finally {
    await pool.close();
    await devnet.close();
    await terminateSnarkjsCurves();
  }
}

await main();
