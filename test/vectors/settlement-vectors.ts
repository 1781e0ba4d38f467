// A real Settlement proof (dev artifacts of olzk setup) for shared Groth16 vectors: a state
// tree with one auction result and one lockup bound to an AtomicSettlement contract, proven
// with snarkjs and cached under build/verifier-ts by verification-key hash.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { awayBinding, fieldDigest, KIND_AUCTION_RESULT, KIND_LOCKUP, leafKey } from "../../home/model/leaves.ts";
import { SparseMerkleTree } from "../../home/model/smt.ts";
import { settlementInput } from "../../prover/inputs/settlement.ts";
import { ensureArtifacts, loadArtifacts, type ArtifactSet } from "../../prover/setup/pipeline.ts";
import type { SnarkjsProof, SnarkjsVerificationKey } from "../../verifier-ts/groth16.ts";
import { REPO_ROOT, tamperedVariants, writeFileAtomic, type Groth16Vector } from "./groth16-vectors.ts";
import { loadSnarkjs } from "./snarkjs-api.ts";

export async function settlementProof(): Promise<{ vkey: SnarkjsVerificationKey; proof: SnarkjsProof; publicSignals: string[] }> {
  let art: ArtifactSet | undefined;
  try {
    art = await loadArtifacts("Settlement", { profile: "dev" });
  } catch {
    art = (await ensureArtifacts("dev", { log: () => {} })).settlement;
  }
  if (!art) throw new Error("olzk setup produced no Settlement artifacts");
  const vkeyText = readFileSync(art.vkeyPath, "utf8");
  const vkey = JSON.parse(vkeyText) as SnarkjsVerificationKey;
  const K = art.manifest.params.lockups!;
  const depth = art.manifest.params.depth!;

  const binding = awayBinding(31337n, "0x5fbdb2315678afecb367f032d93f642f64180aa3");
  const tree = new SparseMerkleTree(depth);
  const resultDigest = fieldDigest(new TextEncoder().encode("verifier-ts settlement vector: auction 5"));
  const lockDigest = fieldDigest(new TextEncoder().encode("verifier-ts settlement vector: lock 8"));
  tree.set(leafKey(KIND_AUCTION_RESULT, 5n), binding, resultDigest);
  tree.set(leafKey(KIND_LOCKUP, 8n), binding, lockDigest);
  const input = settlementInput({
    stateRoot: tree.root,
    awayBinding: binding,
    result: { auctionId: 5n, digest: resultDigest, proof: tree.prove(leafKey(KIND_AUCTION_RESULT, 5n)) },
    lockups: [{ lockId: 8n, digest: lockDigest, proof: tree.prove(leafKey(KIND_LOCKUP, 8n)) }],
    K,
  });

  const hash = createHash("sha256").update(vkeyText).update(JSON.stringify(input)).digest("hex").slice(0, 16);
  const cacheFile = join(REPO_ROOT, "build/verifier-ts", `settlement-proof-${hash}.json`);
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { proof: SnarkjsProof; publicSignals: string[] };
    return { vkey, ...cached };
  }
  const snarkjs = await loadSnarkjs();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, art.wasmPath, art.zkeyPath);
  mkdirSync(join(REPO_ROOT, "build/verifier-ts"), { recursive: true });
  writeFileAtomic(cacheFile, JSON.stringify({ proof, publicSignals }));
  return { vkey, proof, publicSignals };
}

/** Valid and tampered variants of a real Settlement proof. */
export async function settlementVectors(): Promise<Groth16Vector[]> {
  const s = await settlementProof();
  return tamperedVariants("Settlement", s.vkey, s.proof, s.publicSignals);
}
