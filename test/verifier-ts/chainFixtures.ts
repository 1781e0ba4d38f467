// Builders for verifier-ts header-chain and collateral tests: header-proof public signals from
// header fields (packMeta of the Home model), a state tree holding lockups, and a stand-in proof
// checker that accepts proofs marked valid (the real Groth16 path is exercised separately with
// real proofs of both header circuits).
import { packMeta } from "../../home/model/header.ts";
import { awayBinding, KIND_LOCKUP, leafKey, lockupDigest, type Address, type LockupPayload } from "../../home/model/leaves.ts";
import { SparseMerkleTree } from "../../home/model/smt.ts";
import { COLLATERAL_BUNDLE_VERSION, type CollateralBundle } from "../../verifier-ts/collateral.ts";
import type { SnarkjsProof } from "../../verifier-ts/groth16.ts";
import type { HeaderProofItem, HeaderProofKind, HeaderProofVerifier, HeaderVerifiers } from "../../verifier-ts/headerChain.ts";

export const CHAIN_ID = 7;
export const SET_A = 1111n;
export const SET_B = 2222n;
export const SET_C = 3333n;

/** A proof placeholder; `valid: false` makes the stand-in checker reject it. */
export function fakeProof(valid = true): SnarkjsProof {
  return { pi_a: [valid ? "1" : "0", "2", "1"], pi_b: [["1", "2"], ["3", "4"], ["1", "0"]], pi_c: ["1", "2", "1"] };
}

export const standInVerifier: HeaderProofVerifier = (_signals, proof) =>
  proof.pi_a[0] === "1" ? { ok: true } : { ok: false, reason: "pairing check failed" };

/** The stand-in checker for both kinds of header proof. */
export const STAND_IN: HeaderVerifiers = { aggregated: standInVerifier, perValidator: standInVerifier };

export interface HeaderSpec {
  epoch: bigint;
  height: bigint;
  timestampMs?: bigint;
  stateRoot?: bigint;
  setRoot: bigint;
  nextSetRoot?: bigint;
  chainId?: number;
  valid?: boolean;
  kind?: HeaderProofKind;
}

export function headerItem(h: HeaderSpec): HeaderProofItem {
  const meta = packMeta({
    chainId: h.chainId ?? CHAIN_ID,
    epoch: h.epoch,
    height: h.height,
    timestampMs: h.timestampMs ?? 1_700_000_000_000n + h.height * 1000n,
  });
  return {
    kind: h.kind ?? "aggregated",
    proof: fakeProof(h.valid ?? true),
    publicSignals: [meta, h.stateRoot ?? 100n + h.height, h.setRoot, h.nextSetRoot ?? 0n].map(String),
  };
}

export const AWAY_CHAIN = 31337n;
export const SETTLEMENT: Address = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
export const BORROWER: Address = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
export const ASSET: Address = "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0";

export function lockup(over: Partial<LockupPayload> = {}): LockupPayload {
  return {
    lockId: 42n,
    owner: `0x${"ab".repeat(32)}`,
    borrower: BORROWER,
    creditAsset: ASSET,
    creditLimit: 1_000n * 10n ** 18n,
    expiry: 1_800_000_000n,
    status: 1,
    ...over,
  };
}

/**
 * A bundle whose header at height 5 (timestamp 1_700_000_005 s) commits to a state tree
 * holding `lock` (plus a neighbour), chained from epoch 3 through a rotation at height 3.
 */
export function collateralBundle(lock: LockupPayload = lockup(), opts: { contract?: Address; chain?: bigint } = {}): CollateralBundle {
  const tree = new SparseMerkleTree();
  const key = leafKey(KIND_LOCKUP, lock.lockId);
  tree.set(key, awayBinding(opts.chain ?? AWAY_CHAIN, opts.contract ?? SETTLEMENT), lockupDigest(lock));
  tree.set(leafKey(KIND_LOCKUP, 7n), awayBinding(AWAY_CHAIN, SETTLEMENT), lockupDigest(lockup({ lockId: 7n })));
  const headers = [
    headerItem({ epoch: 3n, height: 2n, setRoot: SET_A }),
    headerItem({ epoch: 3n, height: 3n, setRoot: SET_A, nextSetRoot: SET_B, kind: "perValidator" }),
    headerItem({ epoch: 4n, height: 5n, setRoot: SET_B, stateRoot: tree.root }),
  ];
  return {
    version: COLLATERAL_BUNDLE_VERSION,
    checkpoint: { chainId: CHAIN_ID, epoch: 3n, validatorSetRoot: SET_A },
    headers,
    stateHeight: 5n,
    lockup: lock,
    awayChainId: opts.chain ?? AWAY_CHAIN,
    awayContract: opts.contract ?? SETTLEMENT,
    siblings: tree.prove(key).siblings,
  };
}
