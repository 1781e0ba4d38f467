// `npm run bench:e2e`: end-to-end latency of the main job and verifier-ts versus snarkjs.
// For each validator-set size N it runs the real main job (`olzk start --once`, the Hardhat
// Away node, deployed contracts, Home devnet and relayer, profile dev for N = 4, dev16 for
// N = 16 and prod for N = 64) as a child process and reads its JSON summary (the last stdout
// line): latency from the Home block holding the auction result to the Away settlement mined,
// for mode 1 and mode 2, where it went (latencyBreakdown: detect, wait, prove, send, mine),
// settle gas and the relayer's proof times (own proof cache per run, so nothing is
// reused from earlier runs). Then it times verifier-ts and snarkjs side by side on a
// header proof each run made (verifyMs: the N = 4 one; `npm run bench:verify` measures
// the same alone, on the test fixture's proof). Prints a table and writes bench/results/e2e.json:
//   { machine, measuredAt, loadAverage, latencySeconds: { N }, latencyBreakdown: { N }, details: { N: {...} },
//     verifyMs: { verifierTs, verifierTsCold, snarkjs, firstCall: { verifierTs, snarkjs } } }
// BENCH_E2E_N=4,64 (comma list) limits the sizes (default 4,16,64).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { benchGroth16Verify, printVerifyTimings, VERIFY_NOTE, verifyMsOf, type VerifyTimings } from "./groth16-verify.ts";
import { REPO_ROOT } from "../prover/setup/ptau.ts";
import { terminateSnarkjsCurves } from "../test/vectors/snarkjs-api.ts";
import type { SnarkjsProof, SnarkjsVerificationKey } from "../verifier-ts/groth16.ts";
import type { LatencyBreakdown } from "../cli/scenario.ts";

const PROFILE_OF_N: Record<number, string> = { 4: "dev", 16: "dev16", 64: "prod" };
const SIZES = (process.env.BENCH_E2E_N ?? "4,16,64").split(",").map(Number);
const RUN_TIMEOUT_MS = 30 * 60_000;
const log = (l: string) => console.error(l);

interface ModeSummary {
  settleGas: string;
  latencySeconds: number;
  headerCarried: boolean;
  latencyBreakdown: LatencyBreakdown;
}
interface StartSummary {
  mode1: ModeSummary;
  mode2: ModeSummary;
  proofSeconds: Record<string, number>;
  relayerGas: Record<string, string>;
  seconds: number;
}

interface RunDetails {
  profile: string;
  mode1: ModeSummary;
  mode2: ModeSummary;
  meanLatencySeconds: number;
  settleGas: { mode1: string; mode2: string };
  /** Relayer proof times by job key (fresh proofs: the run has its own proof cache). */
  proofSeconds: Record<string, number>;
  /** Gas of every relayer transaction by job key (header = light client update, rotation, settle, receipt). */
  relayerGas: Record<string, string>;
  /** Wall time of the whole `olzk start --once` run (includes starting the stack and the walkthrough). */
  runSeconds: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const load = () => loadavg().map(round2);

/**
 * dev16's artifacts are byte-for-byte those of a beacon setup with the same r1cs and ptau, so
 * equivalent sets already on disk (bench:circuits' HeaderQuorum N = 16, dev's Settlement) are
 * copied in instead of repeating a ~10 min setup. The pipeline still checks each copy's cache
 * key (r1cs hash, ptau hash, contribution) and redoes the setup when it does not match.
 */
async function seedDev16(): Promise<void> {
  const seeds: [string, string][] = [
    [join(REPO_ROOT, "build", "bench", "HeaderQuorum-N16", "dev", "HeaderQuorum"), "HeaderQuorum"],
    [join(REPO_ROOT, "build", "setup", "dev", "Settlement"), "Settlement"],
  ];
  for (const [from, circuit] of seeds) {
    const to = join(REPO_ROOT, "build", "setup", "dev16", circuit);
    if (existsSync(join(to, "manifest.json")) || !existsSync(join(from, "manifest.json"))) continue;
    const m = JSON.parse(await readFile(join(from, "manifest.json"), "utf8"));
    const want = circuit === "HeaderQuorum" ? { N: 16 } : { depth: 32, lockups: 2 };
    if (JSON.stringify(m.params) !== JSON.stringify(want) || m.contribution?.type !== "beacon") continue;
    await mkdir(join(to, ".."), { recursive: true });
    await cp(from, to, { recursive: true });
    await writeFile(join(to, "manifest.json"), JSON.stringify({ ...m, profile: "dev16" }, null, 2) + "\n");
    log(`seeded build/setup/dev16/${circuit} from ${from.slice(REPO_ROOT.length + 1)}`);
  }
}

/** Runs `olzk start --once` and returns its parsed last stdout line. */
async function runMainJob(profile: string, dataDir: string, proofDir: string): Promise<{ summary: StartSummary; seconds: number }> {
  const args = ["bin/olzk.mjs", "start", "--once", "--home-port", "0", "--away-port", "0", "--data-dir", dataDir, "--profile", profile];
  const t0 = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, OLZK_RELAYER_PROVER_CACHE_DIR: proofDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => {
    stdout += d;
    for (const line of String(d).split("\n")) if (line.trim() && !line.startsWith("{")) log(`  [N run] ${line}`);
  });
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d).slice(-8000)));
  const timer = setTimeout(() => child.kill("SIGTERM"), RUN_TIMEOUT_MS);
  const code: number | null = await new Promise((r) => child.once("exit", (c) => r(c)));
  clearTimeout(timer);
  const last = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    throw new Error(`olzk start --once --profile ${profile} exited ${code}: ${(stderr.trim() || stdout.trim()).split("\n").slice(-6).join(" | ")}`);
  }
  return { summary: JSON.parse(last) as StartSummary, seconds: (Date.now() - t0) / 1000 };
}

/** The phase-by-phase mean of two breakdowns. */
function meanBreakdown(a: LatencyBreakdown, b: LatencyBreakdown): LatencyBreakdown {
  const m = (x: number, y: number) => round2((x + y) / 2);
  return { detect: m(a.detect, b.detect), wait: m(a.wait, b.wait), prove: m(a.prove, b.prove), send: m(a.send, b.send), mine: m(a.mine, b.mine) };
}

/**
 * The header circuits a relayer proves with (AggregatedHeaderQuorum by default, HeaderQuorum as the
 * fallback, HeaderSettlement when it carries the header in the settlement: a run may make only these).
 */
const HEADER_CIRCUITS = ["AggregatedHeaderQuorum", "HeaderQuorum", "HeaderSettlement"] as const;

/** The newest header proof in a relayer proof cache, of the first circuit in HEADER_CIRCUITS that made one. */
function newestHeaderProof(proofDir: string): { circuit: (typeof HEADER_CIRCUITS)[number]; proof: SnarkjsProof; publicSignals: string[] } {
  const files = HEADER_CIRCUITS.flatMap((circuit) => {
    const dir = join(proofDir, circuit);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => ({ circuit, path: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs }));
  });
  if (!files.length) throw new Error(`no header proof in ${HEADER_CIRCUITS.map((c) => join(proofDir, c)).join(" or ")}`);
  files.sort((a, b) => HEADER_CIRCUITS.indexOf(a.circuit) - HEADER_CIRCUITS.indexOf(b.circuit) || b.mtime - a.mtime);
  const { circuit, path } = files[0]!;
  return { circuit, ...(JSON.parse(readFileSync(path, "utf8")) as { proof: SnarkjsProof; publicSignals: string[] }) };
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "olzk-bench-e2e-"));
  const latencySeconds: Record<string, number | null> = {};
  const latencyBreakdown: Record<string, LatencyBreakdown> = {};
  const details: Record<string, RunDetails | { profile: string; error: string }> = {};
  const verify: Record<string, VerifyTimings & { proof: string }> = {};

  for (const N of SIZES) {
    const profile = PROFILE_OF_N[N];
    if (!profile) throw new Error(`no profile for N = ${N} (known: ${Object.keys(PROFILE_OF_N).join(", ")})`);
    if (profile === "dev16") await seedDev16();
    const proofDir = join(work, `proofs-${N}`);
    const before = load();
    log(`N = ${N}: olzk start --once --profile ${profile} (load average ${before.join(" ")})`);
    try {
      const { summary, seconds } = await runMainJob(profile, join(work, `data-${N}`), proofDir);
      const m1 = summary.mode1;
      const m2 = summary.mode2;
      const mean = round2((m1.latencySeconds + m2.latencySeconds) / 2);
      latencySeconds[N] = mean;
      latencyBreakdown[N] = meanBreakdown(m1.latencyBreakdown, m2.latencyBreakdown);
      details[N] = {
        profile,
        mode1: { latencySeconds: m1.latencySeconds, settleGas: m1.settleGas, headerCarried: m1.headerCarried, latencyBreakdown: m1.latencyBreakdown },
        mode2: { latencySeconds: m2.latencySeconds, settleGas: m2.settleGas, headerCarried: m2.headerCarried, latencyBreakdown: m2.latencyBreakdown },
        meanLatencySeconds: mean,
        settleGas: { mode1: m1.settleGas, mode2: m2.settleGas },
        proofSeconds: summary.proofSeconds,
        relayerGas: summary.relayerGas,
        runSeconds: Math.round(seconds),
        loadAverageBefore: before,
        loadAverageAfter: load(),
      };
      // verifier-ts vs snarkjs on a header proof the relayer just made, with the profile's key of its circuit.
      const { circuit, proof, publicSignals } = newestHeaderProof(proofDir);
      const vkey = JSON.parse(readFileSync(join(REPO_ROOT, "build", "setup", profile, circuit, "verification_key.json"), "utf8")) as SnarkjsVerificationKey;
      log(`verifier-ts vs snarkjs on a ${circuit}(N=${N}) proof of this run...`);
      verify[N] = { proof: `${circuit} N=${N} (a relayer proof of the N = ${N} run)`, ...(await benchGroth16Verify(vkey, publicSignals, proof)) };
      await terminateSnarkjsCurves();
    } catch (e) {
      latencySeconds[N] = null;
      details[N] = { profile, error: (e as Error).message };
      log(`N = ${N}: FAILED: ${(e as Error).message}`);
    }
  }
  await rm(work, { recursive: true, force: true });

  const result = {
    machine: {
      cores: cpus().length,
      node: process.version,
      note: "2 shared cores; other jobs may run at the same time (see loadAverage), so times are upper bounds",
    },
    measuredAt: new Date().toISOString(),
    loadAverage: load(),
    latencyDefinition: "seconds from the Home block holding the auction result to the Away settlement mined (mean of mode 1 and mode 2)",
    latencySeconds,
    latencyBreakdownDefinition:
      "mean of mode 1 and mode 2, seconds, consecutive phases that add up to the latency: detect (Home block to the relayer planning the settle job), wait (to the start of its last proof), prove, send (proof to transaction sent), mine (to the Away block's whole-second timestamp; absorbs the lag of the relayer's event times, so it can be negative under load)",
    latencyBreakdown,
    details,
    notes: [
      "One run per N with npm start's defaults (30-block Home epochs). A settlement whose Home block is in an epoch the light client has not rotated to waits for the rotation (its proof and transaction: details.N.relayerGas lists rotation jobs); one whose header is carried (details.N.modeX.headerCarried) is one settleWithHeader transaction.",
      VERIFY_NOTE,
    ],
    verifyMs: verify[4] ? verifyMsOf(verify[4]) : null,
    verifyDetails: verify,
  };
  const out = join(REPO_ROOT, "bench", "results", "e2e.json");
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\nend-to-end (Home result block -> Away settlement mined), ${cpus().length} cores, load ${result.loadAverage.join(" ")}`);
  console.log(`${pad("N", 4)}${pad("mode 1 s", 10)}${pad("mode 2 s", 10)}${pad("mean s", 9)}${pad("settle gas (m1 / m2)", 24)}proofs (s)`);
  for (const N of SIZES) {
    const d = details[N];
    if (!d || "error" in d) {
      console.log(`${pad(String(N), 4)}failed: ${d?.error ?? "not run"}`);
      continue;
    }
    const proofs = Object.entries(d.proofSeconds).map(([k, s]) => `${k.replace(/:\d+:/, " ")} ${s}`).join(", ");
    console.log(`${pad(String(N), 4)}${pad(d.mode1.latencySeconds.toFixed(1), 10)}${pad(d.mode2.latencySeconds.toFixed(1), 10)}${pad(d.meanLatencySeconds.toFixed(1), 9)}${pad(`${d.settleGas.mode1} / ${d.settleGas.mode2}`, 24)}${proofs}`);
  }
  for (const v of Object.values(verify)) printVerifyTimings(v.proof, v);
  console.log(`\nwrote ${out}`);
  if (Object.values(latencySeconds).every((x) => x === null)) process.exitCode = 1;
}

await main();
