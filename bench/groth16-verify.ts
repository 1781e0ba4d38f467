// `npm run bench:verify`: verifier-ts (`verifyGroth16`) against `snarkjs.groth16.verify` on the
// same proof, calls interleaved in one process so both see the same machine load:
//   warm: the key prepared once (verifier-ts) / the key object reused (snarkjs);
//   cold: the key parsed from its JSON text before every call, for both;
//   first call: one verification in a fresh process (child processes, alternated), after
//   the imports: verifier-ts's includes preparing the key, snarkjs's building its curve.
// `benchGroth16Verify` is shared with bench:e2e (which times a proof its relayer made). Run
// directly it times the dev HeaderQuorum proof of the test fixture (or the given
// `vkey.json proof.json public.json`), prints the numbers and writes them into
// bench/results/e2e.json as `verifyMs` / `verifyDetails` (other keys of the file are kept):
//   verifyMs: { verifierTs, verifierTsCold, snarkjs, firstCall: { verifierTs, snarkjs } } (ms)
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { prepareVerificationKey, verifyGroth16, type SnarkjsProof, type SnarkjsVerificationKey } from "../verifier-ts/groth16.ts";
import { REPO_ROOT } from "../test/vectors/groth16-vectors.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../test/vectors/snarkjs-api.ts";

/** Milliseconds, medians over `iterations` interleaved rounds unless said otherwise. */
export interface VerifyTimings {
  verifierTs: number;
  verifierTsCold: number;
  snarkjs: number;
  snarkjsCold: number;
  firstCall: { verifierTs: number; snarkjs: number };
  /** warm speed-up: snarkjs / verifierTs; cold: snarkjsCold / verifierTsCold. */
  ratio: { warm: number; cold: number };
  /** Median CPU ms (user + system, all threads: snarkjs's workers count) per call, warm. */
  cpu: { verifierTs: number; snarkjs: number };
  /** verifier-ts preparing this key in a fresh process (its share of firstCall.verifierTs). */
  verifierTsPrepareFirst: number;
  iterations: number;
  firstCallRuns: number;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
}

const round = (x: number) => Math.round(x * 100) / 100;
const load = () => loadavg().map(round);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

type Verifier = "verifier-ts" | "verifier-ts-prepare" | "snarkjs";

/** The first call of one verifier in a fresh process (this file run as a child with --first-call). */
function firstCallMs(who: Verifier, files: string): number {
  const out = execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--first-call", who, files], { cwd: REPO_ROOT, encoding: "utf8" });
  return Number(JSON.parse(out.trim().split("\n").pop()!).ms);
}

async function childFirstCall(who: Verifier, files: string): Promise<void> {
  const vkeyText = readFileSync(join(files, "vkey.json"), "utf8");
  const { proof, publicSignals } = JSON.parse(readFileSync(join(files, "proof.json"), "utf8")) as { proof: SnarkjsProof; publicSignals: string[] };
  const snarkjs = who === "snarkjs" ? await loadSnarkjs() : undefined;
  const t = performance.now();
  let ok = true;
  if (who === "verifier-ts") ok = verifyGroth16(JSON.parse(vkeyText) as SnarkjsVerificationKey, publicSignals, proof);
  else if (who === "verifier-ts-prepare") prepareVerificationKey(JSON.parse(vkeyText) as SnarkjsVerificationKey);
  else ok = await snarkjs!.groth16.verify(JSON.parse(vkeyText), publicSignals, proof);
  const ms = performance.now() - t;
  if (!ok) throw new Error(`${who} rejected the benchmark proof`);
  console.log(JSON.stringify({ who, ms }));
  await terminateSnarkjsCurves();
}

/** Time both verifiers on the same proof (see the header comment). */
export async function benchGroth16Verify(
  vkey: SnarkjsVerificationKey,
  publicSignals: string[],
  proof: SnarkjsProof,
  { iterations = 41, firstCallRuns = 5 } = {},
): Promise<VerifyTimings> {
  const loadAverageBefore = load();
  const files = mkdtempSync(join(tmpdir(), "olzk-bench-verify-"));
  const vkeyText = JSON.stringify(vkey);
  writeFileSync(join(files, "vkey.json"), vkeyText);
  writeFileSync(join(files, "proof.json"), JSON.stringify({ proof, publicSignals }));
  const first = { verifierTs: [] as number[], snarkjs: [] as number[], prepare: [] as number[] };
  for (let i = 0; i < firstCallRuns; i++) {
    first.verifierTs.push(firstCallMs("verifier-ts", files));
    first.snarkjs.push(firstCallMs("snarkjs", files));
    first.prepare.push(firstCallMs("verifier-ts-prepare", files));
  }
  rmSync(files, { recursive: true, force: true });

  const snarkjs = await loadSnarkjs();
  const key = prepareVerificationKey(vkey);
  const check = (ok: boolean, who: string) => {
    if (!ok) throw new Error(`${who} rejected the benchmark proof`);
  };
  // Warm-up, not timed: JIT and verifier-ts's IC tables (second use), snarkjs's curve and workers.
  for (let i = 0; i < 10; i++) {
    check(verifyGroth16(key, publicSignals, proof), "verifier-ts");
    check(await snarkjs.groth16.verify(vkey, publicSignals, proof), "snarkjs");
  }
  const ms = { ours: [] as number[], theirs: [] as number[], oursCold: [] as number[], theirsCold: [] as number[], oursCpu: [] as number[], theirsCpu: [] as number[] };
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  for (let i = 0; i < iterations; i++) {
    let c = process.cpuUsage();
    let t = performance.now();
    check(verifyGroth16(key, publicSignals, proof), "verifier-ts");
    ms.ours.push(performance.now() - t);
    ms.oursCpu.push(cpuMs(process.cpuUsage(c)));
    c = process.cpuUsage();
    t = performance.now();
    check(await snarkjs.groth16.verify(vkey, publicSignals, proof), "snarkjs");
    ms.theirs.push(performance.now() - t);
    ms.theirsCpu.push(cpuMs(process.cpuUsage(c)));
    t = performance.now();
    check(verifyGroth16(JSON.parse(vkeyText) as SnarkjsVerificationKey, publicSignals, proof), "verifier-ts");
    ms.oursCold.push(performance.now() - t);
    t = performance.now();
    check(await snarkjs.groth16.verify(JSON.parse(vkeyText), publicSignals, proof), "snarkjs");
    ms.theirsCold.push(performance.now() - t);
  }
  const m = (xs: number[]) => round(median(xs));
  return {
    verifierTs: m(ms.ours),
    verifierTsCold: m(ms.oursCold),
    snarkjs: m(ms.theirs),
    snarkjsCold: m(ms.theirsCold),
    firstCall: { verifierTs: m(first.verifierTs), snarkjs: m(first.snarkjs) },
    ratio: { warm: round(median(ms.theirs) / median(ms.ours)), cold: round(median(ms.theirsCold) / median(ms.oursCold)) },
    cpu: { verifierTs: m(ms.oursCpu), snarkjs: m(ms.theirsCpu) },
    verifierTsPrepareFirst: m(first.prepare),
    iterations,
    firstCallRuns,
    loadAverageBefore,
    loadAverageAfter: load(),
  };
}

/** The note bench/results/e2e.json carries about verifyMs (written by bench:e2e and bench:verify). */
export const VERIFY_NOTE =
  "verifyMs: medians (ms) of verifier-ts and snarkjs verifying the same HeaderQuorum N = 4 proof, calls interleaved in one process: warm (prepared key / reused key object), cold (verifierTsCold: the key parsed from JSON text each call) and firstCall (one call in a fresh process, median of several); verifyDetails has snarkjs cold, CPU medians, ratios and the load (Groth16 verification cost does not depend on N: 4 public signals either way).";

/** `verifyMs` as bench/results/e2e.json records it. */
export function verifyMsOf(t: VerifyTimings) {
  return { verifierTs: t.verifierTs, verifierTsCold: t.verifierTsCold, snarkjs: t.snarkjs, firstCall: t.firstCall };
}

export function printVerifyTimings(label: string, t: VerifyTimings): void {
  console.log(`\nGroth16 verify, ${label}: medians of ${t.iterations} interleaved rounds, load ${t.loadAverageBefore.join(" ")} -> ${t.loadAverageAfter.join(" ")}`);
  console.log(`  warm   verifier-ts ${t.verifierTs} ms   snarkjs ${t.snarkjs} ms   (${t.ratio.warm}x; CPU ${t.cpu.verifierTs} vs ${t.cpu.snarkjs} ms)`);
  console.log(`  cold   verifier-ts ${t.verifierTsCold} ms   snarkjs ${t.snarkjsCold} ms   (${t.ratio.cold}x; key parsed from JSON each call)`);
  console.log(`  first  verifier-ts ${t.firstCall.verifierTs} ms (prepare ${t.verifierTsPrepareFirst} ms)   snarkjs ${t.firstCall.snarkjs} ms   (median of ${t.firstCallRuns} fresh processes)`);
}

async function main(argv: string[]): Promise<void> {
  let vkey: SnarkjsVerificationKey, proof: SnarkjsProof, signals: string[], label: string;
  if (argv.length === 3) {
    const read = (f: string) => JSON.parse(readFileSync(f, "utf8")) as unknown;
    [vkey, proof, signals, label] = [read(argv[0]!) as SnarkjsVerificationKey, read(argv[1]!) as SnarkjsProof, read(argv[2]!) as string[], argv[1]!];
  } else {
    const { headerQuorumFixture } = await import("../test/vectors/headerQuorum-vectors.ts");
    const hq = await headerQuorumFixture();
    // The per-validator HeaderQuorum proof, the one issue 12 measured on; an AggregatedHeaderQuorum proof costs the same (4 public inputs, the same pairing).
    [vkey, proof, signals] = [hq.vkeys.perValidator, hq.perValidatorItems[1]!.proof, hq.perValidatorItems[1]!.publicSignals.map(String)];
    label = "HeaderQuorum N=4 (dev), a real proof of the test fixture";
  }
  const t = await benchGroth16Verify(vkey, signals, proof);
  await terminateSnarkjsCurves();
  printVerifyTimings(label, t);
  if (argv.length === 3) return;
  const out = join(REPO_ROOT, "bench", "results", "e2e.json");
  const file = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
  file.verifyMs = verifyMsOf(t);
  const notes = Array.isArray(file.notes) ? (file.notes as string[]).filter((n) => !n.startsWith("verifyMs:")) : [];
  file.notes = [...notes, VERIFY_NOTE];
  // Keyed by N like bench:e2e's verifyDetails (the fixture's proof is a dev N = 4 one).
  file.verifyDetails = { "4": { proof: label, measuredAt: new Date().toISOString(), node: process.version, by: "npm run bench:verify", ...t } };
  writeFileSync(out, JSON.stringify(file, null, 2) + "\n");
  console.log(`\nwrote verifyMs and verifyDetails into ${out}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [, , flag, who, files] = process.argv;
  if (flag === "--first-call") await childFirstCall(who as Verifier, files!);
  else await main(process.argv.slice(2));
}
