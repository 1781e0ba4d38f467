// `npm run bench:circuits`: constraint counts, Groth16 setup and proving times of the circuits
// on this machine, next to circomlib's EdDSA-Poseidon baseline (one signature, compiled in the
// same run). Prints a table and writes bench/results/circuits.json.
//   headerQuorum: [{ N, constraints, constraintsPerSlot, setupSeconds, proveSeconds, ptauPower, note? }]
//   settlement:   { constraints, proveSeconds } (dev profile)
//   baselineEdDSAPerSignature: constraints of EdDSAPoseidonVerifier alone
// Setup uses the dev ptau files in ../shared/ptau (2^16, 2^17); a circuit needing a larger
// power is reported with constraints only.
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compileCircuit, r1csInfo } from "../circuits/build.ts";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, SparseMerkleTree, leafKey } from "../home/model/index.ts";
import { proveHeaderQuorum, proveSettlement } from "../prover/prover.ts";
import { ensureArtifacts, releaseSnarkjs, runSetup } from "../prover/setup/pipeline.ts";
import { REPO_ROOT, requiredPower } from "../prover/setup/ptau.ts";
import { signedHeader, validatorSet } from "../test/circuits/fixtures.ts";

const SIZES = (process.env.BENCH_N ?? "4,8,16,32").split(",").map(Number);
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

function quorumHeader(N: number) {
  const powers = Array.from({ length: N }, (_, i) => BigInt(10 + i));
  const signers = Array.from({ length: N }, (_, i) => i); // every slot signs: worst case for the prover
  return signedHeader(validatorSet(N, powers), signers, { height: 1000n + BigInt(N) });
}

async function main() {
  const t0 = Date.now();
  const dev = await ensureArtifacts("dev", { log });
  const devN = dev.headerQuorum!.manifest.params.N!;

  log("compiling circomlib EdDSAPoseidonVerifier (baseline)...");
  const baseline = await baselineEdDSA();

  const header: HeaderRow[] = [];
  for (const N of SIZES) {
    log(`HeaderQuorum(N=${N}): compile...`);
    const c = await compileCircuit("HeaderQuorum", { N }, { log });
    const power = requiredPower(c.constraints, 4);
    const row: HeaderRow = { N, constraints: c.constraints, constraintsPerSlot: Math.round(c.constraints / N), setupSeconds: null, proveSeconds: null, ptauPower: power };
    if (power > MAX_SETUP_POWER) {
      row.note = `needs a 2^${power} ptau; the dev files stop at 2^${MAX_SETUP_POWER} and a local 2^${power} ceremony takes hours on 2 cores`;
      header.push(row);
      log(`HeaderQuorum(N=${N}): ${c.constraints} constraints; setup skipped (${row.note})`);
      continue;
    }
    const buildDir = N === devN ? undefined : join(REPO_ROOT, "build", "bench", `HeaderQuorum-N${N}`);
    const sets =
      N === devN
        ? dev
        : await runSetup({
            profile: "dev",
            circuits: [{ kind: "headerQuorum", name: "HeaderQuorum", params: { N }, contractName: "HeaderQuorumVerifier", snarkjsContractName: "SnarkjsHeaderQuorumVerifier" }],
            buildDir,
            generatedDir: join(REPO_ROOT, "build", "bench", `HeaderQuorum-N${N}`, "generated"),
            log,
          });
    row.setupSeconds = round(sets.headerQuorum!.manifest.setupSeconds);
    const p = await proveHeaderQuorum(quorumHeader(N), { buildDir, cacheDir: false, printProgress: true });
    row.proveSeconds = round(p.seconds);
    header.push(row);
    log(`HeaderQuorum(N=${N}): ${c.constraints} constraints, setup ${row.setupSeconds} s, prove ${row.proveSeconds} s`);
  }

  // Settlement (dev profile): one auction result and K used lockups, the full-size witness.
  const s = dev.settlement!.manifest;
  const K = s.params.lockups!;
  const tree = new SparseMerkleTree(s.params.depth!);
  const binding = (31337n << 160n) + 0xc0ffeen;
  const rkey = leafKey(KIND_AUCTION_RESULT, 1n);
  tree.set(rkey, binding, 1111n);
  const lockups = [];
  for (let k = 0; k < K; k++) {
    const id = BigInt(100 + k);
    tree.set(leafKey(KIND_LOCKUP, id), binding, 2000n + BigInt(k));
    lockups.push({ lockId: id, digest: 2000n + BigInt(k) });
  }
  const sp = await proveSettlement(
    {
      stateRoot: tree.root,
      awayBinding: binding,
      result: { auctionId: 1n, digest: 1111n, proof: tree.prove(rkey) },
      lockups: lockups.map((l) => ({ ...l, proof: tree.prove(leafKey(KIND_LOCKUP, l.lockId)) })),
    },
    { cacheDir: false, printProgress: true },
  );
  await releaseSnarkjs();

  const result = {
    machine: { cpus: (await import("node:os")).cpus().length, node: process.version, snarkjs: s.snarkjsVersion, note: "2 shared cores; other jobs may run at the same time, so times are upper bounds" },
    headerQuorum: header,
    settlement: { constraints: s.constraints, proveSeconds: round(sp.seconds), params: s.params, setupSeconds: round(s.setupSeconds) },
    baselineEdDSAPerSignature: baseline,
  };
  const out = join(REPO_ROOT, "bench", "results", "circuits.json");
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, JSON.stringify(result, null, 2) + "\n");

  console.log("\nHeaderQuorum(N)             constraints  per slot  setup s  prove s");
  for (const r of header) {
    console.log(
      `  N=${String(r.N).padEnd(24)}${String(r.constraints).padStart(11)}${String(r.constraintsPerSlot).padStart(10)}${String(r.setupSeconds ?? "-").padStart(9)}${String(r.proveSeconds ?? "-").padStart(9)}${r.note ? `   (${r.note})` : ""}`,
    );
  }
  console.log(`Settlement(depth=${s.params.depth}, K=${K})  ${s.constraints} constraints, prove ${round(sp.seconds)} s`);
  console.log(`circomlib EdDSAPoseidonVerifier baseline: ${baseline} constraints per signature`);
  console.log(`written ${out} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

await main();
