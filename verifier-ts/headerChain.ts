// Verification of a chain of header proofs from a trusted checkpoint, with the same rules as
// the Away-chain HomeLightClient: headers of the checkpoint's chain only, heights strictly
// increasing, each header in the current epoch and attested by the current set, and an
// epoch-ending header (nextValidatorSetRoot != 0) ratcheting to epoch + 1 and its set. Each
// item says which circuit its proof is of (AggregatedHeaderQuorum or the per-validator
// HeaderQuorum, over the same set commitment) and is checked with that circuit's key.
// Beyond the contract: an empty chain is refused, and a second valid header at a height
// already accepted is reported as an equivocation rather than as a mere height error.
// Public inputs of both: [meta, stateRoot, validatorSetRoot, nextValidatorSetRoot] (ENCODING.md).
// Anchored (options.anchors, as an anchored HomeLightClient): the checkpoint's set and every set a
// rotation names must be vouched for by a quorum of that epoch's real Open Libra validators.
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
import { describeValue, readUint, type IntegerInput } from "./input.ts";
import { checkAnchoredSet, type SetAnchor } from "./anchor.ts";

/** A trusted starting point: the validator set root of an epoch of a Home chain. */
export interface Checkpoint {
  chainId: number;
  epoch: bigint;
  validatorSetRoot: bigint;
  /** Headers at or below this height are refused (the checkpoint's own height), if given. */
  height?: bigint;
}

/** A checkpoint as JSON has it (decimal strings or numbers) or as code has it (bigints). */
export interface CheckpointInput {
  chainId: IntegerInput;
  epoch: IntegerInput;
  validatorSetRoot: IntegerInput;
  height?: IntegerInput | null;
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
  | "InvalidProof"
  | "NoHeaders"
  | "Equivocation"
  | "UnvouchedValidatorSet";

export interface HeaderChainOptions {
  /**
   * Anchored mode: the verified Open Libra set and voucher of each epoch whose attestation set the
   * chain accepts (the checkpoint's and each rotation's). A set without a matching voucher fails
   * with UnvouchedValidatorSet. Leave out for the unanchored mode (the committee names the next set).
   */
  anchors?: readonly SetAnchor[];
}

export type HeaderChainResult =
  | { ok: true; headers: VerifiedHeader[]; cursor: ChainCursor }
  | {
      ok: false;
      code: HeaderChainErrorCode;
      /** Index of the failing item (-1 when no item is at fault: a bad checkpoint, no items). */
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

/** Normalize a checkpoint given as JSON or code; the reason names the first bad field. */
export function parseCheckpoint(input: unknown): { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { ok: false, reason: "checkpoint must be an object" };
  const c = input as Record<string, unknown>;
  const chainId = readUint(c.chainId, 32);
  if (chainId === null) return { ok: false, reason: `checkpoint chainId must be a u32, got ${describeValue(c.chainId)}` };
  const epoch = readUint(c.epoch, 64);
  if (epoch === null) return { ok: false, reason: `checkpoint epoch must be a u64, got ${describeValue(c.epoch)}` };
  const validatorSetRoot = readUint(c.validatorSetRoot, 256, SCALAR_FIELD_MODULUS);
  if (validatorSetRoot === null || validatorSetRoot === 0n) {
    return { ok: false, reason: `checkpoint validatorSetRoot must be a non-zero field element, got ${describeValue(c.validatorSetRoot)}` };
  }
  const checkpoint: Checkpoint = { chainId: Number(chainId), epoch, validatorSetRoot };
  if (c.height !== undefined && c.height !== null) {
    const height = readUint(c.height, 64);
    if (height === null) return { ok: false, reason: `checkpoint height must be a u64, got ${describeValue(c.height)}` };
    checkpoint.height = height;
  }
  return { ok: true, checkpoint };
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
export function verifyHeaderChain(
  verifiers: HeaderVerifiers,
  checkpointInput: Checkpoint | CheckpointInput,
  items: readonly HeaderProofItem[],
  options: HeaderChainOptions = {},
): HeaderChainResult {
  const checks = headerProofVerifiers(verifiers);
  const headers: VerifiedHeader[] = [];
  const parsed = parseCheckpoint(checkpointInput);
  const checkpoint = parsed.ok ? parsed.checkpoint : { chainId: 0, epoch: 0n, validatorSetRoot: 0n };
  const cursor: ChainCursor = {
    chainId: checkpoint.chainId,
    epoch: checkpoint.epoch,
    validatorSetRoot: checkpoint.validatorSetRoot,
    height: checkpoint.height ?? null,
  };
  const setOfEpoch = new Map([[checkpoint.epoch, checkpoint.validatorSetRoot]]);
  const itemAtHeight = new Map<bigint, number>();
  const fail = (code: HeaderChainErrorCode, index: number, reason: string): HeaderChainResult => ({
    ok: false,
    code,
    index,
    reason,
    headers,
    cursor: { ...cursor },
  });

  if (!parsed.ok) return fail("BadCheckpoint", -1, parsed.reason);
  /** Anchored mode: null when the set is vouched for, else why not. */
  const unvouched = (epoch: bigint, root: bigint): string | null => {
    if (!options.anchors) return null;
    const anchor = options.anchors.find((a) => a.voucher.epoch === epoch);
    if (!anchor) return `no voucher of epoch ${epoch} for its attestation set ${root}`;
    const r = checkAnchoredSet(epoch, root, anchor);
    return r.ok ? null : `${r.code}: ${r.reason}`;
  };
  const checkpointUnvouched = unvouched(checkpoint.epoch, checkpoint.validatorSetRoot);
  if (checkpointUnvouched) return fail("UnvouchedValidatorSet", -1, `checkpoint: ${checkpointUnvouched}`);
  if (!Array.isArray(items)) return fail("MalformedItem", 0, "header proofs must be an array");
  if (items.length === 0) return fail("NoHeaders", -1, "no header proofs: a chain must carry at least one header");

  const chain: ChainWalk = { checks, items, headers, cursor, setOfEpoch, itemAtHeight, unvouched };
  for (let i = 0; i < items.length; i++) {
    const refused = acceptItem(chain, i);
    if (refused) return fail(refused.code, i, refused.reason);
  }
  return { ok: true, headers, cursor: { ...cursor } };
}

/** A walk along the items from the checkpoint: what has been accepted so far. */
interface ChainWalk {
  checks: Partial<Record<HeaderProofKind, HeaderProofVerifier>>;
  items: readonly HeaderProofItem[];
  headers: VerifiedHeader[];
  cursor: ChainCursor;
  /** The set root of each epoch the chain has trusted so far (the checkpoint's, then each rotation's). */
  setOfEpoch: Map<bigint, bigint>;
  /** Index in `items` of the accepted header at each height. */
  itemAtHeight: Map<bigint, number>;
  /** Anchored mode: null when the set is vouched for, else why not. */
  unvouched: (epoch: bigint, root: bigint) => string | null;
}

type Refusal = { code: HeaderChainErrorCode; reason: string };

/** Item i's public inputs as field elements, or why it is malformed. */
function itemSignals(item: HeaderProofItem, i: number): { pub: [bigint, bigint, bigint, bigint] } | Refusal {
  if (typeof item !== "object" || item === null || !Array.isArray(item.publicSignals) || item.publicSignals.length !== 4 || !HEADER_PROOF_KINDS.includes(item.kind)) {
    return { code: "MalformedItem", reason: `item ${i} must be { kind: "aggregated" | "perValidator", proof, publicSignals: [4 values] }` };
  }
  const pub = item.publicSignals.map(toBig);
  for (let j = 0; j < 4; j++) {
    const v = pub[j];
    if (v === null || v === undefined || v < 0n || v >= SCALAR_FIELD_MODULUS) {
      return { code: "PublicInputNotInField", reason: `item ${i}: public input ${j} is not a field element` };
    }
  }
  return { pub: pub as [bigint, bigint, bigint, bigint] };
}

/**
 * Checks item i against the walk (chain id, height above the last, epoch and set of the cursor,
 * a valid proof of its kind, a vouched rotation in anchored mode) and, when it holds, accepts it:
 * the cursor moves to its height and, for an epoch-ending header, to the next epoch and set.
 * Returns null when accepted, else why it is refused (the walk is left as it was).
 */
function acceptItem(w: ChainWalk, i: number): Refusal | null {
  const item = w.items[i]!;
  const { cursor } = w;
  const signals = itemSignals(item, i);
  if ("code" in signals) return signals;
  const [meta, stateRoot, setRoot, nextSetRoot] = signals.pub;
  const m = decodeMeta(meta);
  if (!m) return { code: "MalformedMeta", reason: `item ${i}: meta is not below 2^224` };
  if (m.chainId !== cursor.chainId) {
    return { code: "WrongChainId", reason: `item ${i}: header of chain ${m.chainId}, expected chain ${cursor.chainId}` };
  }
  if (cursor.height !== null && m.height <= cursor.height) {
    const earlier = w.itemAtHeight.get(m.height);
    if (earlier !== undefined && isEquivocation(w.items[earlier]!, item, w.setOfEpoch.get(m.epoch) === setRoot, w.checks[item.kind as HeaderProofKind])) {
      return { code: "Equivocation", reason: `item ${i}: equivocation: another header at height ${m.height} than item ${earlier}, with a valid proof by the set of epoch ${m.epoch}` };
    }
    return { code: "HeightNotIncreasing", reason: `item ${i}: height ${m.height} is not above the last accepted height ${cursor.height}` };
  }
  if (m.epoch !== cursor.epoch) {
    return { code: "WrongEpoch", reason: `item ${i}: header of epoch ${m.epoch}, the current epoch is ${cursor.epoch}` };
  }
  if (setRoot !== cursor.validatorSetRoot) {
    return { code: "WrongValidatorSet", reason: `item ${i}: validatorSetRoot ${setRoot} is not the set of epoch ${cursor.epoch}` };
  }
  if (nextSetRoot !== 0n && m.epoch === MASK64) {
    return { code: "MalformedMeta", reason: `item ${i}: epoch ${m.epoch} cannot end (epoch + 1 does not fit in u64)` };
  }
  const check = w.checks[item.kind as HeaderProofKind];
  if (!check) return { code: "VerifierUnavailable", reason: `item ${i}: no verification key for ${item.kind} header proofs was given` };
  const r = check(item.publicSignals, item.proof);
  if (!r.ok) return { code: "InvalidProof", reason: `item ${i}: invalid ${item.kind} header proof (${r.reason})` };
  const nextUnvouched = nextSetRoot !== 0n ? w.unvouched(m.epoch + 1n, nextSetRoot) : null;
  if (nextUnvouched) return { code: "UnvouchedValidatorSet", reason: `item ${i}: rotation to epoch ${m.epoch + 1n}: ${nextUnvouched}` };

  w.headers.push({ ...m, stateRoot, validatorSetRoot: setRoot, nextValidatorSetRoot: nextSetRoot });
  w.itemAtHeight.set(m.height, i);
  cursor.height = m.height;
  if (nextSetRoot !== 0n) {
    cursor.epoch = m.epoch + 1n;
    cursor.validatorSetRoot = nextSetRoot;
    w.setOfEpoch.set(cursor.epoch, nextSetRoot);
  }
  return null;
}

/**
 * Two items for one height are an equivocation when they are different headers (public
 * inputs differ: a re-randomized proof of the same header is not) and the later one also
 * carries a valid proof (of its kind, with that kind's key) by the set the chain trusts for
 * its epoch.
 */
function isEquivocation(first: HeaderProofItem, second: HeaderProofItem, trustedSet: boolean, check: HeaderProofVerifier | undefined): boolean {
  const same = first.publicSignals.every((s, j) => BigInt(s) === BigInt(second.publicSignals[j]!));
  return !same && trustedSet && check !== undefined && check(second.publicSignals, second.proof).ok;
}
