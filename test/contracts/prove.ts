// Real Groth16 proofs for the contract tests: HeaderQuorum proofs of signed Home headers and
// Settlement proofs of auction results with their lockups, as Solidity calldata (bigints).
// Proofs come from the dev-profile artifacts of the setup pipeline and are cached on disk by a
// hash of the circuit input, so reruns of the suite do not prove again.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SignedHeader, SparseMerkleTree } from "../../home/model/index.ts";
import { auctionResultDigest, KIND_AUCTION_RESULT, KIND_LOCKUP, leafKey, lockupDigest } from "../../home/model/index.ts";
import { headerQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import { settlementInput } from "../../prover/inputs/settlement.ts";
import { REPO_ROOT, loadSnarkjs } from "../../prover/setup/ptau.ts";
import { loadArtifacts } from "../../prover/setup/pipeline.ts";
import type { SettlementCase } from "./home-scenario.ts";

export type ProofCalldata = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];

export interface Proved {
  proof: ProofCalldata;
  pub: bigint[];
}

const CACHE_DIR = join(REPO_ROOT, "build", "test-proofs");

/** snarkjs proof JSON to [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y]. */
export function toCalldata(p: { pi_a: string[]; pi_b: string[][]; pi_c: string[] }): ProofCalldata {
  const b = (x: string) => BigInt(x);
  return [
    b(p.pi_a[0]!), b(p.pi_a[1]!),
    b(p.pi_b[0]![1]!), b(p.pi_b[0]![0]!), b(p.pi_b[1]![1]!), b(p.pi_b[1]![0]!),
    b(p.pi_c[0]!), b(p.pi_c[1]!),
  ];
}

async function prove(circuit: "HeaderQuorum" | "Settlement", input: Record<string, unknown>): Promise<Proved> {
  const art = await loadArtifacts(circuit, { profile: "dev", network: "hardhat" });
  const key = createHash("sha256").update(art.manifest.cacheKey).update(JSON.stringify(input)).digest("hex");
  const file = join(CACHE_DIR, `${circuit}-${key}.json`);
  if (existsSync(file)) {
    const j = JSON.parse(await readFile(file, "utf8"));
    return { proof: j.proof.map(BigInt), pub: j.pub.map(BigInt) };
  }
  const snarkjs = await loadSnarkjs();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, art.wasmPath, art.zkeyPath);
  const out: Proved = { proof: toCalldata(proof), pub: (publicSignals as string[]).map(BigInt) };
  await mkdir(CACHE_DIR, { recursive: true });
  await writeFile(file, JSON.stringify({ proof: out.proof.map(String), pub: out.pub.map(String) }));
  return out;
}

/** HeaderQuorum proof of a signed header. */
export function proveHeader(sh: SignedHeader): Promise<Proved> {
  return prove("HeaderQuorum", headerQuorumInput(sh));
}

/** Settlement proof of a case's result and lockups in `tree` (K = 2). */
export function proveSettlement(tree: SparseMerkleTree, c: SettlementCase): Promise<Proved> {
  const input = settlementInput({
    stateRoot: tree.root,
    awayBinding: c.binding,
    result: {
      auctionId: c.result.auctionId,
      digest: auctionResultDigest(c.result),
      proof: tree.prove(leafKey(KIND_AUCTION_RESULT, c.result.auctionId)),
    },
    lockups: c.lockups.map((l) => ({ lockId: l.lockId, digest: lockupDigest(l), proof: tree.prove(leafKey(KIND_LOCKUP, l.lockId)) })),
    K: 2,
  });
  return prove("Settlement", input);
}
