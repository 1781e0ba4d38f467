// How a header chain and a collateral bundle are put together, once, for `olzk bundle`, the
// examples script and the test fixtures: which headers a chain from a checkpoint to a height
// needs (one epoch-ending header per epoch crossed, then the target), and a CollateralBundle
// from proven headers and a lockup's state proof, checked as it is built (the leaf is the
// lockup's, bound to the given Away contract, and opens in the stateRoot of the header at
// stateHeight). Pure: no network, no prover.
import { unpackMeta } from "../home/model/header.ts";
import { awayBinding, KIND_LOCKUP, leafKey, lockupDigest, type Address, type LockupPayload } from "../home/model/leaves.ts";
import { verifyStateProof, type StateProof } from "../home/model/smt.ts";
import { COLLATERAL_BUNDLE_VERSION, type CollateralBundle } from "../verifier-ts/collateral.ts";
import type { Checkpoint, HeaderProofItem } from "../verifier-ts/headerChain.ts";

export type BundleErrorCode =
  | "HomeUnreachable"
  | "HomeRefused"
  | "BadHomeReply"
  | "BeforeCheckpoint"
  | "NoQuorum"
  | "NotAChain"
  | "LockNotFound"
  | "StateMismatch"
  | "ProofRefused";

/** Why a chain or bundle cannot be made from what the Home serves (or from the caller's input). */
export class BundleError extends Error {
  readonly code: BundleErrorCode;
  constructor(code: BundleErrorCode, message: string) {
    super(message);
    this.name = "BundleError";
    this.code = code;
  }
}

/**
 * Heights of the headers a light client needs to go from `checkpoint` to `toHeight`: the last
 * header of each epoch from the checkpoint's up to the one before `toHeight`'s (each carries
 * the next set's root), then `toHeight` itself. Epoch e holds heights [e*K, (e+1)*K - 1].
 */
export function headerHeightsFor(checkpoint: Checkpoint, toHeight: bigint, epochBlocks: bigint): bigint[] {
  if (epochBlocks < 1n) throw new RangeError(`epochBlocks must be at least 1, got ${epochBlocks}`);
  const targetEpoch = toHeight / epochBlocks;
  if (targetEpoch < checkpoint.epoch) {
    throw new BundleError("BeforeCheckpoint", `height ${toHeight} is in epoch ${targetEpoch}, before the checkpoint's epoch ${checkpoint.epoch}`);
  }
  if (checkpoint.height !== undefined && toHeight <= checkpoint.height) {
    throw new BundleError("BeforeCheckpoint", `height ${toHeight} is not above the checkpoint's height ${checkpoint.height}`);
  }
  const heights: bigint[] = [];
  for (let e = checkpoint.epoch; e < targetEpoch; e++) heights.push((e + 1n) * epochBlocks - 1n);
  heights.push(toHeight);
  return heights;
}

export interface CollateralBundleParts {
  checkpoint: Checkpoint;
  /** Proven headers from the checkpoint, in order; one of them is at stateHeight. */
  headers: HeaderProofItem[];
  stateHeight: bigint;
  lockup: LockupPayload;
  /** Inclusion proof of the lockup's leaf in the state tree at stateHeight. */
  stateProof: StateProof;
  awayChainId: bigint;
  awayContract: Address;
}

/** A CollateralBundle from its parts; throws BundleError when the parts do not belong together. */
export function assembleCollateralBundle(p: CollateralBundleParts): CollateralBundle {
  const id = p.lockup.lockId;
  const leaf = p.stateProof.leaf;
  if (!p.stateProof.included || !leaf || p.stateProof.leafKey !== leafKey(KIND_LOCKUP, id)) {
    throw new BundleError("LockNotFound", `lockup ${id} is not in the Home state at height ${p.stateHeight}`);
  }
  if (leaf.payloadDigest !== lockupDigest(p.lockup)) {
    throw new BundleError("StateMismatch", `the lockup ${id} payload does not hash to its leaf's payloadDigest at height ${p.stateHeight}`);
  }
  if (leaf.awayBinding !== awayBinding(p.awayChainId, p.awayContract)) {
    throw new BundleError("StateMismatch", `lockup ${id}'s leaf is not bound to Away chain ${p.awayChainId} contract ${p.awayContract}`);
  }
  const header = p.headers.find((h) => unpackMeta(BigInt(h.publicSignals[0]!)).height === p.stateHeight);
  if (!header) throw new BundleError("StateMismatch", `no header proof at the state height ${p.stateHeight}`);
  const stateRoot = BigInt(header.publicSignals[1]!);
  if (!verifyStateProof(stateRoot, p.stateProof)) {
    throw new BundleError("StateMismatch", `lockup ${id}'s state proof does not open in the stateRoot of header ${p.stateHeight}`);
  }
  return {
    version: COLLATERAL_BUNDLE_VERSION,
    checkpoint: p.checkpoint,
    headers: p.headers,
    stateHeight: p.stateHeight,
    lockup: p.lockup,
    awayChainId: p.awayChainId,
    awayContract: p.awayContract,
    siblings: p.stateProof.siblings,
  };
}
