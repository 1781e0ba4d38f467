// Side-by-side timing of verifier-ts (`verifyGroth16`) and `snarkjs.groth16.verify` on the
// same proof. `benchGroth16Verify` is reusable (bench:e2e records its result as verifyMs);
// run directly (`npx tsx bench/groth16-verify.ts [vkey.json proof.json public.json]`) it
// times the fixture circuit and the dev HeaderQuorum and Settlement proofs (or the given
// files) and prints one JSON line per proof.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prepareVerificationKey, verifyGroth16, type SnarkjsProof, type SnarkjsVerificationKey } from "../verifier-ts/groth16.ts";
import { buildToyCircuit, proveToy } from "../test/vectors/groth16-vectors.ts";
import { headerQuorumFixture } from "../test/vectors/headerQuorum-vectors.ts";
import { settlementProof } from "../test/vectors/settlement-vectors.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../test/vectors/snarkjs-api.ts";

export interface VerifyTimings {
  /** Median ms per verification, key already prepared and warmed up (the steady state of an integrator). */
  verifierTs: number;
  /** Median ms per `snarkjs.groth16.verify` call, after a warm-up call (curve already built). */
  snarkjs: number;
  /** Median CPU ms (user + system, all threads of the process) per verifier-ts verification. */
  verifierTsCpu: number;
  /** Median CPU ms (user + system, all threads, so snarkjs's workers count) per snarkjs verification. */
  snarkjsCpu: number;
  /** One-off ms of `prepareVerificationKey` for this key. */
  verifierTsPrepare: number;
  /** ms of verifier-ts's first call including preparation (cold start). */
  verifierTsCold: number;
  iterations: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Time both verifiers on the same proof, alternating calls so both see the same machine load. */
export async function benchGroth16Verify(
  vkey: SnarkjsVerificationKey,
  publicSignals: string[],
  proof: SnarkjsProof,
  iterations = 31,
): Promise<VerifyTimings> {
  const snarkjs = await loadSnarkjs();
  const vkCopy = structuredClone(vkey);
  let t = performance.now();
  const cold = verifyGroth16(vkCopy, publicSignals, proof);
  const verifierTsCold = performance.now() - t;
  t = performance.now();
  prepareVerificationKey(structuredClone(vkey));
  const verifierTsPrepare = performance.now() - t;
  if (!cold || !(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error("benchmark proof does not verify");
  const key = prepareVerificationKey(vkey);
  // Warm-up (JIT for verifier-ts, curve workers for snarkjs), not timed.
  for (let i = 0; i < 10; i++) {
    verifyGroth16(key, publicSignals, proof);
    await snarkjs.groth16.verify(vkey, publicSignals, proof);
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  const oursCpu: number[] = [];
  const theirsCpu: number[] = [];
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  for (let i = 0; i < iterations; i++) {
    let c = process.cpuUsage();
    t = performance.now();
    if (!verifyGroth16(key, publicSignals, proof)) throw new Error("verifier-ts rejected");
    ours.push(performance.now() - t);
    oursCpu.push(cpuMs(process.cpuUsage(c)));
    c = process.cpuUsage();
    t = performance.now();
    if (!(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error("snarkjs rejected");
    theirs.push(performance.now() - t);
    theirsCpu.push(cpuMs(process.cpuUsage(c)));
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    verifierTs: round(median(ours)),
    snarkjs: round(median(theirs)),
    verifierTsCpu: round(median(oursCpu)),
    snarkjsCpu: round(median(theirsCpu)),
    verifierTsPrepare: round(verifierTsPrepare),
    verifierTsCold: round(verifierTsCold),
    iterations,
  };
}

async function main(argv: string[]): Promise<void> {
  const cases: { label: string; vkey: SnarkjsVerificationKey; proof: SnarkjsProof; signals: string[] }[] = [];
  if (argv.length === 3) {
    const read = (f: string) => JSON.parse(readFileSync(f, "utf8")) as unknown;
    cases.push({ label: argv[1]!, vkey: read(argv[0]!) as SnarkjsVerificationKey, proof: read(argv[1]!) as SnarkjsProof, signals: read(argv[2]!) as string[] });
  } else {
    const toy = await buildToyCircuit();
    const p = await proveToy(toy, { a: 3n, b: 11n, c: 5n, d: 7n });
    cases.push({ label: "fixture circuit", vkey: toy.vkey, proof: p.proof, signals: p.publicSignals });
    const hq = await headerQuorumFixture();
    cases.push({ label: "AggregatedHeaderQuorum (dev)", vkey: hq.vkeys.aggregated, proof: hq.items[1]!.proof, signals: hq.items[1]!.publicSignals.map(String) });
    cases.push({ label: "HeaderQuorum (dev)", vkey: hq.vkeys.perValidator, proof: hq.perValidatorItems[1]!.proof, signals: hq.perValidatorItems[1]!.publicSignals.map(String) });
    const st = await settlementProof();
    cases.push({ label: "Settlement (dev)", vkey: st.vkey, proof: st.proof, signals: st.publicSignals });
  }
  for (const c of cases) {
    const r = await benchGroth16Verify(c.vkey, c.signals, c.proof);
    console.log(JSON.stringify({ proof: c.label, nPublic: c.vkey.nPublic, ...r }));
  }
  await terminateSnarkjsCurves();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
