// Real header proofs for verifier-ts tests and shared vectors: a small Home history built with
// the Home model (two validator sets, an epoch rotation, a header whose state holds a collateral
// lockup), signed in both schemes (a real aggregated session and per-validator signatures) and
// proven with snarkjs on the dev artifacts of `olzk setup` with both header circuits
// (AggregatedHeaderQuorum and HeaderQuorum). The proofs are cached under build/verifier-ts by
// verification-key hash, so only the first run pays for proving. The collateral bundle is put
// together by bundle/assemble.ts, as `olzk bundle collateral` does.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assembleCollateralBundle } from "../../bundle/assemble.ts";
import { makeProofOfPossession } from "../../home/model/attestation-key.ts";
import { blsKeyFromSeed, signBinding } from "../../home/model/bls.ts";
import { derivePublicKey } from "../../home/model/eddsa.ts";
import { headerHash, type Header } from "../../home/model/header.ts";
import { awayBinding, KIND_LOCKUP, leafKey, lockupDigest, type Address, type LockupPayload } from "../../home/model/leaves.ts";
import { SparseMerkleTree } from "../../home/model/smt.ts";
import { emptyValidator, validatorSetRoot, type Validator, type ValidatorSet } from "../../home/model/validators.ts";
import { aggregatedHeaderQuorumInput, headerQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import { ensureArtifacts, loadArtifacts, type ArtifactSet } from "../../prover/setup/pipeline.ts";
import type { CollateralBundle } from "../../verifier-ts/collateral.ts";
import type { SnarkjsProof, SnarkjsVerificationKey } from "../../verifier-ts/groth16.ts";
import type { Checkpoint, HeaderProofItem, HeaderProofKind } from "../../verifier-ts/headerChain.ts";
import { attestHeader } from "../fixtures/attest.ts";
import { REPO_ROOT, tamperedVariants, writeFileAtomic, type Groth16Vector } from "./groth16-vectors.ts";
import { loadSnarkjs } from "./snarkjs-api.ts";

export const HQ_CHAIN_ID = 77;
export const HQ_AWAY_CHAIN = 31337n;
export const HQ_SETTLEMENT: Address = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
export const HQ_BORROWER: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
/** Timestamp of the last header (the one holding the lockup), unix ms. */
export const HQ_STATE_TIME_MS = 1_700_000_030_000n;

export interface HeaderQuorumFixture {
  /** Verification keys of the two header circuits (dev profile). */
  vkeys: Record<HeaderProofKind, SnarkjsVerificationKey>;
  checkpoint: Checkpoint;
  /** Aggregated proofs of heights 1, 2 (epoch 0, 2 ends it with set B), 3 (epoch 1, state holds the lockup). */
  items: HeaderProofItem[];
  /** Per-validator proofs of the same three headers. */
  perValidatorItems: HeaderProofItem[];
  /** Another header at height 1 (stateRoot 12 instead of 11), also attested by set A (aggregated proof): an equivocation. */
  equivocation: HeaderProofItem;
  /** Bundle for lockup 42 of HQ_BORROWER, state at height 3 (aggregated proofs). */
  bundle: CollateralBundle;
  setA: ValidatorSet;
  setB: ValidatorSet;
}

interface Member {
  prv: Uint8Array;
  v: Validator;
}

function member(seed: number, power: bigint): Member {
  const prv = new Uint8Array(32).fill(seed);
  const attestationKey = derivePublicKey(prv);
  const address = new Uint8Array(32).fill(seed ^ 0x5a);
  const bls = blsKeyFromSeed(new Uint8Array(32).fill(seed ^ 0xa5));
  return {
    prv,
    v: {
      attestationKey,
      power,
      address,
      blsPublicKey: bls.publicKey,
      bindingSignature: signBinding(bls.secretKey, attestationKey, address),
      proofOfPossession: makeProofOfPossession(prv, address, HQ_CHAIN_ID),
    },
  };
}

function makeSet(epoch: bigint, capacity: number, members: Member[]): { set: ValidatorSet; keys: (Uint8Array | null)[] } {
  const validators: Validator[] = [];
  const keys: (Uint8Array | null)[] = [];
  for (let i = 0; i < capacity; i++) {
    validators.push(members[i]?.v ?? emptyValidator());
    keys.push(members[i]?.prv ?? null);
  }
  return { set: { epoch, capacity, validators }, keys };
}

export const HQ_LOCKUP: LockupPayload = {
  lockId: 42n,
  owner: `0x${"cd".repeat(32)}`,
  borrower: HQ_BORROWER,
  creditAsset: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0",
  creditLimit: 250_000n * 10n ** 6n,
  expiry: 1_800_000_000n,
  status: 1,
};

/** The dev artifacts of a header circuit: existing ones if any (read only), else the (cached) setup pipeline. */
async function devArtifacts(circuit: "AggregatedHeaderQuorum" | "HeaderQuorum"): Promise<ArtifactSet> {
  try {
    return await loadArtifacts(circuit, { profile: "dev" });
  } catch {
    const sets = await ensureArtifacts("dev", { log: () => {} });
    const art = circuit === "HeaderQuorum" ? sets.headerQuorum : sets.aggregated;
    if (!art) throw new Error(`olzk setup produced no ${circuit} artifacts`);
    return art;
  }
}

/** Build (or load from cache) the real header proofs (both kinds) of the fixture history. */
export async function headerQuorumFixture(): Promise<HeaderQuorumFixture> {
  const arts = { aggregated: await devArtifacts("AggregatedHeaderQuorum"), perValidator: await devArtifacts("HeaderQuorum") };
  const vkeyTexts = { aggregated: readFileSync(arts.aggregated.vkeyPath, "utf8"), perValidator: readFileSync(arts.perValidator.vkeyPath, "utf8") };
  const vkeys = { aggregated: JSON.parse(vkeyTexts.aggregated) as SnarkjsVerificationKey, perValidator: JSON.parse(vkeyTexts.perValidator) as SnarkjsVerificationKey };
  const N = arts.aggregated.manifest.params.N!;

  const A = makeSet(0n, N, [member(1, 10n), member(2, 20n), member(3, 30n)]);
  const B = makeSet(1n, N, [member(4, 5n), member(5, 5n), member(6, 5n), member(7, 5n)].slice(0, N));
  const rootA = validatorSetRoot(A.set);
  const rootB = validatorSetRoot(B.set);
  const tree = new SparseMerkleTree();
  const key = leafKey(KIND_LOCKUP, HQ_LOCKUP.lockId);
  tree.set(key, awayBinding(HQ_AWAY_CHAIN, HQ_SETTLEMENT), lockupDigest(HQ_LOCKUP));
  tree.set(leafKey(KIND_LOCKUP, 9n), awayBinding(HQ_AWAY_CHAIN, HQ_SETTLEMENT), 12345n);

  const base = { chainId: HQ_CHAIN_ID, nextValidatorSetRoot: 0n };
  const h1: Header = { ...base, epoch: 0n, height: 1n, timestampMs: 1_700_000_010_000n, parentHash: 999n, stateRoot: 11n, validatorSetRoot: rootA };
  const h2: Header = { ...base, epoch: 0n, height: 2n, timestampMs: 1_700_000_020_000n, parentHash: headerHash(h1), stateRoot: 22n, validatorSetRoot: rootA, nextValidatorSetRoot: rootB };
  const h3: Header = { ...base, epoch: 1n, height: 3n, timestampMs: HQ_STATE_TIME_MS, parentHash: headerHash(h2), stateRoot: tree.root, validatorSetRoot: rootB };
  // Signed once, in both schemes (the aggregate session draws fresh nonces, so the cache is keyed on the per-validator inputs).
  const signed = [
    attestHeader(h1, A.set, [null, ...A.keys.slice(1)]), // 50 of 60: 3*50 > 2*60
    attestHeader(h2, A.set, A.keys),
    attestHeader(h3, B.set, B.keys),
  ];

  const hash = createHash("sha256").update(vkeyTexts.aggregated).update(vkeyTexts.perValidator).update(JSON.stringify(signed.map(headerQuorumInput))).digest("hex").slice(0, 16);
  const cacheDir = join(REPO_ROOT, "build/verifier-ts");
  const cacheFile = join(cacheDir, `header-proofs-${hash}.json`);
  let proved: { items: HeaderProofItem[]; perValidatorItems: HeaderProofItem[] };
  if (existsSync(cacheFile)) {
    proved = JSON.parse(readFileSync(cacheFile, "utf8")) as typeof proved;
  } else {
    const snarkjs = await loadSnarkjs();
    const prove = async (kind: HeaderProofKind, input: Record<string, unknown>): Promise<HeaderProofItem> => {
      const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, arts[kind].wasmPath, arts[kind].zkeyPath);
      return { kind, proof: proof as SnarkjsProof, publicSignals };
    };
    proved = { items: [], perValidatorItems: [] };
    for (const sh of signed) {
      proved.items.push(await prove("aggregated", aggregatedHeaderQuorumInput(sh)));
      proved.perValidatorItems.push(await prove("perValidator", headerQuorumInput(sh)));
    }
    mkdirSync(cacheDir, { recursive: true });
    writeFileAtomic(cacheFile, JSON.stringify(proved));
  }
  const { items, perValidatorItems } = proved;
  const equivocation = await equivocationItem({ ...h1, stateRoot: 12n }, A, arts.aggregated, vkeyTexts.aggregated);
  const checkpoint: Checkpoint = { chainId: HQ_CHAIN_ID, epoch: 0n, validatorSetRoot: rootA };
  return {
    vkeys,
    checkpoint,
    items,
    perValidatorItems,
    equivocation,
    setA: A.set,
    setB: B.set,
    bundle: assembleCollateralBundle({
      checkpoint,
      headers: items,
      stateHeight: 3n,
      lockup: HQ_LOCKUP,
      stateProof: tree.prove(key),
      awayChainId: HQ_AWAY_CHAIN,
      awayContract: HQ_SETTLEMENT,
    }),
  };
}

/** An aggregated proof of a second header at an already proven height, cached like the others (keyed on its per-validator input). */
async function equivocationItem(header: Header, set: { set: ValidatorSet; keys: (Uint8Array | null)[] }, art: ArtifactSet, vkeyText: string): Promise<HeaderProofItem> {
  const signed = attestHeader(header, set.set, set.keys);
  const hash = createHash("sha256").update(vkeyText).update(JSON.stringify(headerQuorumInput(signed))).digest("hex").slice(0, 16);
  const cacheFile = join(REPO_ROOT, "build/verifier-ts", `header-equivocation-${hash}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8")) as HeaderProofItem;
  const snarkjs = await loadSnarkjs();
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(aggregatedHeaderQuorumInput(signed), art.wasmPath, art.zkeyPath);
  const item: HeaderProofItem = { kind: "aggregated", proof: proof as SnarkjsProof, publicSignals };
  mkdirSync(join(REPO_ROOT, "build/verifier-ts"), { recursive: true });
  writeFileAtomic(cacheFile, JSON.stringify(item));
  return item;
}

/** Valid and tampered variants of the real header proofs of both circuits (for snarkjs/Solidity agreement). */
export async function headerQuorumVectors(): Promise<Groth16Vector[]> {
  const f = await headerQuorumFixture();
  const out: Groth16Vector[] = [];
  for (const [name, kind, items] of [["AggregatedHeaderQuorum", "aggregated", f.items], ["HeaderQuorum", "perValidator", f.perValidatorItems]] as const) {
    const [first, , last] = items;
    out.push(
      ...tamperedVariants(name, f.vkeys[kind], first!.proof, first!.publicSignals.map(String)),
      ...tamperedVariants(`${name}-rotated`, f.vkeys[kind], last!.proof, last!.publicSignals.map(String)),
    );
  }
  return out;
}
