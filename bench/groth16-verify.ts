// Side-by-side timing of verifier-ts (`verifyGroth16`) and `snarkjs.groth16.verify` on the
// same proof. `benchGroth16Verify` is reusable (bench:e2e records its result as verifyMs);
// run directly (`npx tsx bench/groth16-verify.ts [vkey.json proof.json public.json]`) it
// times the verifier-ts fixture circuit, or the given files, and prints one JSON line.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prepareVerificationKey, verifyGroth16, type SnarkjsProof, type SnarkjsVerificationKey } from "../verifier-ts/groth16.ts";
import { buildToyCircuit, proveToy } from "../test/vectors/groth16-vectors.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../test/vectors/snarkjs-api.ts";

export interface VerifyTimings {
  /** Median ms per verification, key already prepared (the steady state of an integrator). */
  verifierTs: number;
  /** Median ms per `snarkjs.groth16.verify` call, after a warm-up call (curve already built). */
  snarkjs: number;
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
  iterations = 15,
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
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < iterations; i++) {
    t = performance.now();
    if (!verifyGroth16(key, publicSignals, proof)) throw new Error("verifier-ts rejected");
    ours.push(performance.now() - t);
    t = performance.now();
    if (!(await snarkjs.groth16.verify(vkey, publicSignals, proof))) throw new Error("snarkjs rejected");
    theirs.push(performance.now() - t);
  }
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    verifierTs: round(median(ours)),
    snarkjs: round(median(theirs)),
    verifierTsPrepare: round(verifierTsPrepare),
    verifierTsCold: round(verifierTsCold),
    iterations,
  };
}

async function main(argv: string[]): Promise<void> {
  let vkey: SnarkjsVerificationKey, proof: SnarkjsProof, signals: string[], label: string;
  if (argv.length === 3) {
    const read = (f: string) => JSON.parse(readFileSync(f, "utf8")) as unknown;
    [vkey, proof, signals] = [read(argv[0]!) as SnarkjsVerificationKey, read(argv[1]!) as SnarkjsProof, read(argv[2]!) as string[]];
    label = argv[1]!;
  } else {
    const toy = await buildToyCircuit();
    const p = await proveToy(toy, { a: 3n, b: 11n, c: 5n, d: 7n });
    [vkey, proof, signals, label] = [toy.vkey, p.proof, p.publicSignals, "verifier-ts fixture (3 public signals)"];
  }
  const r = await benchGroth16Verify(vkey, signals, proof);
  console.log(JSON.stringify({ proof: label, nPublic: vkey.nPublic, ...r }));
  await terminateSnarkjsCurves();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
