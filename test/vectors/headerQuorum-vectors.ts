// Real HeaderQuorum proofs for verifier-ts tests and shared vectors: a small Home history
// built with the Home model (two validator sets, an epoch rotation, a header whose state
// holds a collateral lockup), proven with snarkjs on the dev artifacts of `olzk setup`
// (prover/setup, cached under build/setup). The proofs are cached under build/verifier-ts
// by verification-key hash, so only the first run pays for proving.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { blsKeyFromSeed, signBinding } from "../../home/model/bls.ts";
import { derivePublicKey } from "../../home/model/eddsa.ts";
import { headerHash, signHeader, type Header, type SignedHeader } from "../../home/model/header.ts";
import { awayBinding, KIND_LOCKUP, leafKey, lockupDigest, type Address, type LockupPayload } from "../../home/model/leaves.ts";
import { SparseMerkleTree } from "../../home/model/smt.ts";
import { emptyValidator, validatorSetRoot, type Validator, type ValidatorSet } from "../../home/model/validators.ts";
import { headerQuorumInput } from "../../prover/inputs/headerQuorum.ts";
import { ensureArtifacts, loadArtifacts, type ArtifactSet } from "../../prover/setup/pipeline.ts";
import type { CollateralBundle } from "../../verifier-ts/collateral.ts";
import type { SnarkjsProof, SnarkjsVerificationKey } from "../../verifier-ts/groth16.ts";
import type { Checkpoint, HeaderProofItem } from "../../verifier-ts/headerChain.ts";
import { REPO_ROOT, tamperedVariants, writeFileAtomic, type Groth16Vector } from "./groth16-vectors.ts";
import { loadSnarkjs } from "./snarkjs-api.ts";

export const HQ_CHAIN_ID = 77;
export const HQ_AWAY_CHAIN = 31337n;
export const HQ_SETTLEMENT: Address = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
export const HQ_BORROWER: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
/** Timestamp of the last header (the one holding the lockup), unix ms. */
export const HQ_STATE_TIME_MS = 1_700_000_030_000n;

export interface HeaderQuorumFixture {
  vkey: SnarkjsVerificationKey;
  checkpoint: Checkpoint;
  /** Heights 1, 2 (epoch 0, 2 ends it with set B), 3 (epoch 1, state holds the lockup). */
  items: HeaderProofItem[];
  /** Another header at height 1 (stateRoot 12 instead of 11), also signed by set A: an equivocation. */
  equivocation: HeaderProofItem;
  /** Bundle for lockup 42 of HQ_BORROWER, state at height 3. */
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
  return { prv, v: { attestationKey, power, address, blsPublicKey: bls.publicKey, bindingSignature: signBinding(bls.secretKey, attestationKey, address) } };
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

/** Build (or load from cache) the real HeaderQuorum proofs of the fixture history. */
export async function headerQuorumFixture(): Promise<HeaderQuorumFixture> {
  // Existing dev artifacts if any (read only); otherwise run the (cached) setup pipeline.
  let art: ArtifactSet | undefined;
  try {
    art = await loadArtifacts("HeaderQuorum", { profile: "dev" });
  } catch {
    art = (await ensureArtifacts("dev", { log: () => {} })).headerQuorum;
  }
  if (!art) throw new Error("olzk setup produced no HeaderQuorum artifacts");
  const vkeyText = readFileSync(art.vkeyPath, "utf8");
  const vkey = JSON.parse(vkeyText) as SnarkjsVerificationKey;
  const N = art.manifest.params.N!;

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
  const signed = [
    signHeader(h1, A.set, [null, ...A.keys.slice(1)]), // 50 of 60: 3*50 > 2*60
    signHeader(h2, A.set, A.keys),
    signHeader(h3, B.set, B.keys),
  ];

  const items = await provenItems(signed, "headerQuorum-proofs", vkeyText, art);
  const [equivocation] = await provenItems([signHeader({ ...h1, stateRoot: 12n }, A.set, A.keys)], "headerQuorum-equivocation", vkeyText, art);
  const checkpoint: Checkpoint = { chainId: HQ_CHAIN_ID, epoch: 0n, validatorSetRoot: rootA };
  return {
    vkey,
    checkpoint,
    items,
    equivocation: equivocation!,
    setA: A.set,
    setB: B.set,
    bundle: {
      version: 1,
      checkpoint,
      headers: items,
      stateHeight: 3n,
      lockup: HQ_LOCKUP,
      awayChainId: HQ_AWAY_CHAIN,
      awayContract: HQ_SETTLEMENT,
      siblings: tree.prove(key).siblings,
    },
  };
}

/** HeaderQuorum proofs of signed headers, cached under build/verifier-ts by key and inputs. */
async function provenItems(signed: SignedHeader[], name: string, vkeyText: string, art: ArtifactSet): Promise<HeaderProofItem[]> {
  const hash = createHash("sha256").update(vkeyText).update(JSON.stringify(signed.map(headerQuorumInput))).digest("hex").slice(0, 16);
  const cacheDir = join(REPO_ROOT, "build/verifier-ts");
  const cacheFile = join(cacheDir, `${name}-${hash}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8")) as HeaderProofItem[];
  const snarkjs = await loadSnarkjs();
  const items: HeaderProofItem[] = [];
  for (const sh of signed) {
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(headerQuorumInput(sh), art.wasmPath, art.zkeyPath);
    items.push({ proof: proof as SnarkjsProof, publicSignals });
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileAtomic(cacheFile, JSON.stringify(items));
  return items;
}

/** Valid and tampered variants of the real HeaderQuorum proofs (for snarkjs/Solidity agreement). */
export async function headerQuorumVectors(): Promise<Groth16Vector[]> {
  const f = await headerQuorumFixture();
  const [first, , last] = f.items;
  return [
    ...tamperedVariants("HeaderQuorum", f.vkey, first!.proof, first!.publicSignals.map(String)),
    ...tamperedVariants("HeaderQuorum-rotated", f.vkey, last!.proof, last!.publicSignals.map(String)),
  ];
}
