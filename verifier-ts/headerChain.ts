// Verification of a chain of header proofs from a trusted checkpoint, with the same rules as
// the Away-chain HomeLightClient: headers of the checkpoint's chain only, heights strictly
// increasing, each header in the current epoch and attested by the current set, and an
// epoch-ending header (nextValidatorSetRoot != 0) ratcheting to epoch + 1 and its set. Each
// item says which circuit its proof is of (AggregatedHeaderQuorum or the per-validator
// HeaderQuorum, over the same set commitment) and is checked with that circuit's key.
// Public inputs of both: [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot] (ENCODING.md).
import {
  checkGroth16,
  prepareVerificationKey,
  SCALAR_FIELD_MODULUS,
  type Groth16Result,
  type PreparedVerificationKey,
  type PublicSignals,
  type SnarkjsProof,
  type SnarkjsVerificationKey,
} from "./groth16.ts";
import { unpackMeta } from "../home/model/header.ts";

/** A trusted starting point: the validator set root of an epoch of a Home chain. */
export interface Checkpoint {
  chainId: number;
  epoch: bigint;
  validatorSetRoot: bigint;
  /** Headers at or below this height are refused (the checkpoint's own height), if given. */
  height?: bigint;
}

/** Which header circuit a proof is of. */
export type HeaderProofKind = "aggregated" | "perValidator";
export const HEADER_PROOF_KINDS: readonly HeaderProofKind[] = ["aggregated", "perValidator"];

/** One header proof. */
export interface HeaderProofItem {
  kind: HeaderProofKind;
  proof: SnarkjsProof;
  publicSignals: PublicSignals;
}

/** A header proven by a quorum of its epoch's set, as the light client stores it. */
export interface VerifiedHeader {
  chainId: number;
  epoch: bigint;
  height: bigint;
  timestampMs: bigint;
  stateRoot: bigint;
  validatorSetRoot: bigint;
  /** 0 unless this header ends its epoch. */
  nextValidatorSetRoot: bigint;
}

/** Light-client state after a chain: where the next header must continue. */
export interface ChainCursor {
  chainId: number;
  epoch: bigint;
  validatorSetRoot: bigint;
  /** Height of the last accepted header (or the checkpoint's), null if none yet. */
  height: bigint | null;
}

export type HeaderChainErrorCode =
  | "BadCheckpoint"
  | "MalformedItem"
  | "PublicInputNotInField"
  | "MalformedMeta"
  | "WrongChainId"
  | "HeightNotIncreasing"
  | "WrongEpoch"
  | "WrongValidatorSet"
  | "VerifierUnavailable"
  | "InvalidProof";

export type HeaderChainResult =
  | { ok: true; headers: VerifiedHeader[]; cursor: ChainCursor }
  | {
      ok: false;
      code: HeaderChainErrorCode;
      /** Index of the failing item (-1 for a bad checkpoint). */
      index: number;
      reason: string;
      /** Headers accepted before the failure. */
      headers: VerifiedHeader[];
      cursor: ChainCursor;
    };

/** Checks one header proof; the default is Groth16 with that circuit's key. */
export type HeaderProofVerifier = (publicSignals: PublicSignals, proof: SnarkjsProof) => Groth16Result;

/** A verification key (raw or prepared) or a ready verifier function. */
export type HeaderVerifierSpec = SnarkjsVerificationKey | PreparedVerificationKey | HeaderProofVerifier;

/** The verifier of each kind of header proof; a kind left out is refused (VerifierUnavailable). */
export type HeaderVerifiers = Partial<Record<HeaderProofKind, HeaderVerifierSpec>>;

const MASK64 = (1n << 64n) - 1n;

/** Split meta = chainId + epoch*2^32 + height*2^96 + timestampMs*2^160 (the model's unpackMeta); null if meta >= 2^224. */
export function decodeMeta(meta: bigint): ReturnType<typeof unpackMeta> | null {
  try {
    return unpackMeta(meta);
  } catch {
    return null;
  }
}

function toBig(s: string | bigint): bigint | null {
  if (typeof s === "bigint") return s;
  if (typeof s === "string" && /^[0-9]{1,80}$/.test(s)) return BigInt(s);
  return null;
}

/** Build the default proof verifier for a header circuit's verification key (prepared once). */
export function headerProofVerifier(vkey: SnarkjsVerificationKey | PreparedVerificationKey): HeaderProofVerifier {
  const key = prepareVerificationKey(vkey);
  if (key.nPublic !== 4) throw new RangeError(`a header circuit key has 4 public inputs, this one has ${key.nPublic}`);
  return (signals, proof) => checkGroth16(key, signals, proof);
}

/** The verifier function of each kind given (keys are prepared once). */
export function headerProofVerifiers(verifiers: HeaderVerifiers): Partial<Record<HeaderProofKind, HeaderProofVerifier>> {
  const out: Partial<Record<HeaderProofKind, HeaderProofVerifier>> = {};
  for (const kind of HEADER_PROOF_KINDS) {
    const v = verifiers[kind];
    if (v !== undefined) out[kind] = typeof v === "function" ? v : headerProofVerifier(v);
  }
  return out;
}

/**
 * Verify `items` in order from `checkpoint`. Stops at the first failing item and says why
 * (error codes named like the HomeLightClient's custom errors). Never throws for bad input;
 * throws VerificationKeyError/RangeError only for an unusable verification key.
 */
export function verifyHeaderChain(verifiers: HeaderVerifiers, checkpoint: Checkpoint, items: readonly HeaderProofItem[]): HeaderChainResult {
  const checks = headerProofVerifiers(verifiers);
  const headers: VerifiedHeader[] = [];
  const cursor: ChainCursor = {
    chainId: checkpoint.chainId,
    epoch: checkpoint.epoch,
    validatorSetRoot: checkpoint.validatorSetRoot,
    height: checkpoint.height ?? null,
  };
  const fail = (code: HeaderChainErrorCode, index: number, reason: string): HeaderChainResult => ({
    ok: false,
    code,
    index,
    reason,
    headers,
    cursor: { ...cursor },
  });

  if (!Number.isInteger(checkpoint.chainId) || checkpoint.chainId < 0 || checkpoint.chainId > 0xffffffff) {
    return fail("BadCheckpoint", -1, "checkpoint chainId must be a u32");
  }
  if (typeof checkpoint.epoch !== "bigint" || checkpoint.epoch < 0n || checkpoint.epoch > MASK64) {
    return fail("BadCheckpoint", -1, "checkpoint epoch must be a u64");
  }
  if (typeof checkpoint.validatorSetRoot !== "bigint" || checkpoint.validatorSetRoot <= 0n || checkpoint.validatorSetRoot >= SCALAR_FIELD_MODULUS) {
    return fail("BadCheckpoint", -1, "checkpoint validatorSetRoot must be a non-zero field element");
  }
  if (!Array.isArray(items)) return fail("MalformedItem", 0, "header proofs must be an array");

  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== "object" || item === null || !Array.isArray(item.publicSignals) || item.publicSignals.length !== 4 || !HEADER_PROOF_KINDS.includes(item.kind)) {
      return fail("MalformedItem", i, `item ${i} must be { kind: "aggregated" | "perValidator", proof, publicSignals: [4 values] }`);
    }
    const pub = item.publicSignals.map(toBig);
    for (let j = 0; j < 4; j++) {
      const v = pub[j];
      if (v === null || v === undefined || v < 0n || v >= SCALAR_FIELD_MODULUS) {
        return fail("PublicInputNotInField", i, `item ${i}: public input ${j} is not a field element`);
      }
    }
    const [meta, stateRoot, setRoot, nextSetRoot] = pub as [bigint, bigint, bigint, bigint];
    const m = decodeMeta(meta);
    if (!m) return fail("MalformedMeta", i, `item ${i}: meta is not below 2^224`);
    if (m.chainId !== cursor.chainId) {
      return fail("WrongChainId", i, `item ${i}: header of chain ${m.chainId}, expected chain ${cursor.chainId}`);
    }
    if (cursor.height !== null && m.height <= cursor.height) {
      return fail("HeightNotIncreasing", i, `item ${i}: height ${m.height} is not above the last accepted height ${cursor.height}`);
    }
    if (m.epoch !== cursor.epoch) {
      return fail("WrongEpoch", i, `item ${i}: header of epoch ${m.epoch}, the current epoch is ${cursor.epoch}`);
    }
    if (setRoot !== cursor.validatorSetRoot) {
      return fail("WrongValidatorSet", i, `item ${i}: validatorSetRoot ${setRoot} is not the set of epoch ${cursor.epoch}`);
    }
    if (nextSetRoot !== 0n && m.epoch === MASK64) {
      return fail("MalformedMeta", i, `item ${i}: epoch ${m.epoch} cannot end (epoch + 1 does not fit in u64)`);
    }
    const check = checks[item.kind as HeaderProofKind];
    if (!check) return fail("VerifierUnavailable", i, `item ${i}: no verification key for ${item.kind} header proofs was given`);
    const r = check(item.publicSignals, item.proof);
    if (!r.ok) return fail("InvalidProof", i, `item ${i}: invalid ${item.kind} header proof (${r.reason})`);

    headers.push({ ...m, stateRoot, validatorSetRoot: setRoot, nextValidatorSetRoot: nextSetRoot });
    cursor.height = m.height;
    if (nextSetRoot !== 0n) {
      cursor.epoch = m.epoch + 1n;
      cursor.validatorSetRoot = nextSetRoot;
    }
  }
  return { ok: true, headers, cursor: { ...cursor } };
}
