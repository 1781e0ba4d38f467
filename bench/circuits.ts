// `npm run bench:circuits`: constraint counts, Groth16 setup and proving times of both header
// curves on this machine, next to circomlib's EdDSA-Poseidon baseline (one signature, compiled in
// the same run). Prints a table and writes bench/results/circuits.json.
//   aggregated:   [{ N, constraints, constraintsPerSlot, setupSeconds, proveSeconds, ptauPower }]
//                 AggregatedHeaderQuorum(N), every slot in the signer set (a real session)
//   headerQuorum: [{ N, constraints, constraintsPerSlot, setupSeconds, proveSeconds, ptauPower, note? }]
//                 the per-validator HeaderQuorum(N), every slot signing
//   settlement:   { constraints, proveSeconds } (dev profile)
//   baselineEdDSAPerSignature: constraints of EdDSAPoseidonVerifier alone
// The sizes are N = 4, 16, 64, 128 (BENCH_N to change). Every size is set up in this run under
// build/bench (so setupSeconds are this run's, at the load recorded in `load`), and proved three
// times after one warm-up proof (proveSeconds is the median). Setup uses the dev ptau files
// (2^16, 2^17); a circuit needing a larger power is reported with constraints only.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compileCircuit, r1csInfo, type HeaderCircuitName } from "../circuits/build.ts";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, SparseMerkleTree, leafKey } from "../home/model/index.ts";
import { proveAggregatedHeaderQuorum, proveHeaderQuorum, proveSettlement } from "../prover/prover.ts";
import { ensureArtifacts, releaseSnarkjs, runSetup, type ArtifactSet } from "../prover/setup/pipeline.ts";
import { REPO_ROOT, requiredPower } from "../prover/setup/ptau.ts";
import { aggregatedHeader, signedHeader, validatorSet } from "../test/circuits/fixtures.ts";

const SIZES = (process.env.BENCH_N ?? "4,16,64,128").split(",").map(Number);
const MAX_SETUP_POWER = 17; // largest dev ptau in ../shared/ptau
const log = (l: string) => console.error(l);

interface HeaderRow {
  N: number;
  constraints: number;
  constraintsPerSlot: number;
  setupSeconds: number | null;
  proveSeconds: number | null;
  ptauPower: number;
  note?: string;
}

async function baselineEdDSA(): Promise<number> {
  const dir = join("build", "bench", "eddsa-baseline");
  await mkdir(join(REPO_ROOT, dir), { recursive: true });
  const src = join(dir, "EdDSAPoseidonBaseline.circom");
  await writeFile(
    join(REPO_ROOT, src),
    [
      "pragma circom 2.1.0;",
      "// One circomlib EdDSA-Poseidon signature check, the per-signature baseline.",
      'include "circomlib/circuits/eddsaposeidon.circom";',
      "component main {public [M]} = EdDSAPoseidonVerifier();",
      "",
    ].join("\n"),
  );
  execFileSync(process.execPath, ["node_modules/circom2/cli.js", src, "--r1cs", "--O2", "-l", "node_modules", "-o", dir], { cwd: REPO_ROOT, stdio: "ignore" });
  return r1csInfo(join(REPO_ROOT, dir, "EdDSAPoseidonBaseline.r1cs")).constraints;
}

/** Every slot of an N-slot set in the signer set: the worst case for the per-validator prover (the aggregated one costs the same for any set). */
function fullSet(N: number) {
  return validatorSet(N, Array.from({ length: N }, (_, i) => BigInt(10 + i)));
}

async function main() {
  const t0 = Date.now();
  const loadNote = { before: await loadavg() };
  const dev = await ensureArtifacts("dev", { log });

  log("compiling circomlib EdDSAPoseidonVerifier (baseline)...");
  const baseline = await baselineEdDSA();

  /** A fresh setup (force: timed in this run) of one header circuit at N under build/bench. */
  const setupFor = async (circuit: HeaderCircuitName, N: number): Promise<{ set: ArtifactSet; buildDir: string }> => {
    const kind = circuit === "HeaderQuorum" ? "headerQuorum" : "aggregated";
    const buildDir = join(REPO_ROOT, "build", "bench", `${circuit}-N${N}`);
    const sets = await runSetup({
      profile: "dev",
      circuits: [{ kind, name: circuit, params: { N }, contractName: `${circuit}Verifier`, snarkjsContractName: `Snarkjs${circuit}Verifier` }],
      buildDir,
      generatedDir: join(buildDir, "generated"),
      force: true,
      log,
    });
    return { set: sets[kind]!, buildDir };
  };

  const curve = async (circuit: HeaderCircuitName): Promise<HeaderRow[]> => {
    const rows: HeaderRow[] = [];
    for (const N of SIZES) {
      log(`${circuit}(N=${N}): compile...`);
      const c = await compileCircuit(circuit, { N }, { log });
      const power = requiredPower(c.constraints, 4);
      const row: HeaderRow = { N, constraints: c.constraints, constraintsPerSlot: Math.round(c.constraints / N), setupSeconds: null, proveSeconds: null, ptauPower: power };
      rows.push(row);
      if (power > MAX_SETUP_POWER) {
        row.note = `needs a 2^${power} ptau; the dev files stop at 2^${MAX_SETUP_POWER} and a local 2^${power} ceremony takes hours on 2 cores`;
        log(`${circuit}(N=${N}): ${c.constraints} constraints; setup skipped (${row.note})`);
        continue;
      }
      const { set, buildDir } = await setupFor(circuit, N);
      row.setupSeconds = round(set.manifest.setupSeconds);
      const opts = { profile: "dev", buildDir, cacheDir: false as const };
      const all = Array.from({ length: N }, (_, i) => i);
      const sh = circuit === "HeaderQuorum" ? signedHeader(fullSet(N), all, { height: 1000n + BigInt(N) }) : aggregatedHeader(fullSet(N), all, { height: 2000n + BigInt(N) });
      const prove = () => (circuit === "HeaderQuorum" ? proveHeaderQuorum(sh, opts) : proveAggregatedHeaderQuorum(sh, opts));
      row.proveSeconds = await medianSeconds(prove);
      log(`${circuit}(N=${N}): ${c.constraints} constraints, setup ${row.setupSeconds} s, prove ${row.proveSeconds} s`);
    }
    return rows;
  };
  const aggregated = await curve("AggregatedHeaderQuorum");
  const header = await curve("HeaderQuorum");

  // Settlement (dev profile): one auction result and K used lockups, the full-size witness.
  const s = dev.settlement!.manifest;
  const K = s.params.lockups!;
  const tree = new SparseMerkleTree(s.params.depth!);
  const binding = (31337n << 160n) + 0xc0ffeen;
  const rkey = leafKey(KIND_AUCTION_RESULT, 1n);
  tree.set(rkey, binding, 1111n);
  const lockups: { lockId: bigint; digest: bigint }[] = [];
  for (let k = 0; k < K; k++) {
    const id = BigInt(100 + k);
    tree.set(leafKey(KIND_LOCKUP, id), binding, 2000n + BigInt(k));
    lockups.push({ lockId: id, digest: 2000n + BigInt(k) });
  }
  const settlementSeconds = await medianSeconds(() =>
    proveSettlement(
      {
        stateRoot: tree.root,
        awayBinding: binding,
        result: { auctionId: 1n, digest: 1111n, proof: tree.prove(rkey) },
        lockups: lockups.map((l) => ({ ...l, proof: tree.prove(leafKey(KIND_LOCKUP, l.lockId)) })),
      },
      { cacheDir: false },
    ),
  );
  await releaseSnarkjs();
  Object.assign(loadNote, { after: await loadavg() });

  const result = {
    machine: {
      cpus: (await import("node:os")).cpus().length,
      node: process.version,
      snarkjs: s.snarkjsVersion,
      note: "2 shared cores; other jobs may run at the same time (see load: 1/5/15-minute averages before and after), so times are upper bounds; proveSeconds: median of 3 after a warm-up; setupSeconds: groth16 setup + phase-2 beacon in this run",
    },
    load: loadNote,
    aggregated,
    headerQuorum: header,
    settlement: { constraints: s.constraints, proveSeconds: settlementSeconds, params: s.params, setupSeconds: round(s.setupSeconds) },
    baselineEdDSAPerSignature: baseline,
  };
  const out = join(REPO_ROOT, "bench", "results", "circuits.json");
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");

  for (const [name, rows] of [["AggregatedHeaderQuorum(N)", aggregated], ["HeaderQuorum(N)", header]] as const) {
    console.log(`\n${name.padEnd(28)}constraints  per slot  setup s  prove s`);
    for (const r of rows) {
      console.log(
        `  N=${String(r.N).padEnd(24)}${String(r.constraints).padStart(11)}${String(r.constraintsPerSlot).padStart(10)}${String(r.setupSeconds ?? "-").padStart(9)}${String(r.proveSeconds ?? "-").padStart(9)}${r.note ? `   (${r.note})` : ""}`,
      );
    }
  }
  console.log(`Settlement(depth=${s.params.depth}, K=${K})  ${s.constraints} constraints, prove ${settlementSeconds} s`);
  console.log(`circomlib EdDSAPoseidonVerifier baseline: ${baseline} constraints per signature`);
  console.log(`written ${out} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

/** Median wall time of three proofs after one warm-up proof (snarkjs starts its workers on the first). */
async function medianSeconds(prove: () => Promise<{ seconds: number }>): Promise<number> {
  await prove();
  const t: number[] = [];
  for (let i = 0; i < 3; i++) t.push((await prove()).seconds);
  t.sort((a, b) => a - b);
  return round(t[1]!);
}

/** /proc/loadavg's 1, 5 and 15 minute averages (others share these 2 cores). */
async function loadavg(): Promise<number[]> {
  return (await import("node:os")).loadavg().map((x) => round(x));
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

await main();
