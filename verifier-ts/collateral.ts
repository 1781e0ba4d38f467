// The integrator's collateral check: "does borrower B have credit of at least X on Away
// chain C (settlement contract A), valid until T, as of a Home header no older than S
// seconds?", answered from a proof bundle alone (no chain access): the header chain is
// verified from the bundle's checkpoint (headerChain.ts), then the lockup leaf is opened in
// the stateRoot of one of the verified headers (leafKey/leafValue/lockupDigest and the
// Merkle path exactly as circuits/ENCODING.md, via the Home model's helpers).
import { awayBinding, KIND_LOCKUP, leafKey, LOCK_STATUS_LOCKED, lockupDigest, type Address, type LockupPayload } from "../home/model/leaves.ts";
import { STATE_DEPTH, verifyStateProof } from "../home/model/smt.ts";
import { describeValue, readUint, type IntegerInput } from "./input.ts";
import {
  parseCheckpoint,
  verifyHeaderChain,
  type Checkpoint,
  type CheckpointInput,
  type HeaderChainErrorCode,
  type HeaderProofItem,
  type HeaderVerifiers,
  type VerifiedHeader,
} from "./headerChain.ts";

/**
 * Current version of the bundle format (JSON `version` field, first SSZ byte). Version 2: each
 * header proof says its kind (aggregated or per-validator) over the validator-set commitment.
 */
export const COLLATERAL_BUNDLE_VERSION = 2;

/** Everything needed to check a lockup off-chain. */
export interface CollateralBundle {
  version: number;
  /** Trusted starting point of the header chain (the integrator must trust it). */
  checkpoint: Checkpoint;
  /** Header proofs from the checkpoint, in order, each with its kind. */
  headers: HeaderProofItem[];
  /** Height of the verified header whose stateRoot holds the lockup leaf. */
  stateHeight: bigint;
  /** The lockup leaf payload (ENCODING.md "Collateral lockup"). */
  lockup: LockupPayload;
  /** Away binding of the leaf: chain id and AtomicSettlement contract. */
  awayChainId: bigint;
  awayContract: Address;
  /** STATE_DEPTH Merkle siblings of the leaf, level 0 first. */
  siblings: bigint[];
}

/**
 * The question an integrator asks. Integers may be bigints, safe-integer numbers or decimal
 * strings (what JSON gives); addresses are 0x hex in any case.
 */
export interface CollateralQuery {
  /**
   * The checkpoint the integrator trusts (genesis or a later one it verified). The bundle's
   * checkpoint must be exactly this one: a bundle cannot bring its own trust root.
   */
  checkpoint: Checkpoint | CheckpointInput;
  borrower: string;
  /** Credit needed, base units of the lockup's credit asset. */
  minCredit: IntegerInput;
  awayChainId: IntegerInput;
  /** The Away AtomicSettlement contract the credit must be usable with. */
  settlementContract: string;
  /** The lockup must not expire before this unix time (seconds). */
  validUntil: IntegerInput;
  /** The state must come from a header at most this many seconds old... */
  maxAgeSeconds: IntegerInput;
  /** ...relative to this unix time (seconds), supplied by the caller. The lockup must not have expired at it. */
  now: IntegerInput;
  /** If given, the lockup's credit asset must be this one. */
  creditAsset?: string;
}

/** A CollateralQuery with every field checked and normalized. */
export interface ParsedCollateralQuery {
  checkpoint: Checkpoint;
  borrower: Address;
  minCredit: bigint;
  awayChainId: bigint;
  settlementContract: Address;
  validUntil: bigint;
  maxAgeSeconds: bigint;
  now: bigint;
  creditAsset?: Address;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Internal: a query field that is not what it must be. */
class BadField extends Error {}

/** Check and normalize a query; the reason names the first bad field and what it got. */
export function parseCollateralQuery(input: unknown): { ok: true; query: ParsedCollateralQuery } | { ok: false; reason: string } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return { ok: false, reason: "query must be an object" };
  const q = input as Record<string, unknown>;
  const uint = (name: string, bits: number): bigint => {
    const v = readUint(q[name], bits);
    if (v === null) throw new BadField(`query.${name} must be a u${bits} (bigint, safe integer number or decimal string), got ${describeValue(q[name])}`);
    return v;
  };
  const address = (name: string): Address => {
    const v = q[name];
    if (typeof v !== "string" || !ADDRESS.test(v)) throw new BadField(`query.${name} must be a 0x address of 20 bytes, got ${describeValue(v)}`);
    return v as Address;
  };
  const cp = parseCheckpoint(q.checkpoint);
  if (!cp.ok) return { ok: false, reason: `query.${cp.reason}` };
  try {
    const query: ParsedCollateralQuery = {
      checkpoint: cp.checkpoint,
      borrower: address("borrower"),
      minCredit: uint("minCredit", 256),
      awayChainId: uint("awayChainId", 64),
      settlementContract: address("settlementContract"),
      validUntil: uint("validUntil", 64),
      maxAgeSeconds: uint("maxAgeSeconds", 64),
      now: uint("now", 64),
    };
    if (q.creditAsset !== undefined) query.creditAsset = address("creditAsset");
    return { ok: true, query };
  } catch (e) {
    if (e instanceof BadField) return { ok: false, reason: e.message };
    throw e;
  }
}

export type CollateralFailure =
  | { code: "HeaderChain"; chainCode: HeaderChainErrorCode }
  | { code: "BadQuery" | "UnsupportedVersion" | "UntrustedCheckpoint" | "UnknownStateHeader" | "MalformedBundle" | "StateProofInvalid" }
  | { code: "WrongAwayBinding" | "NotLocked" | "WrongBorrower" | "WrongCreditAsset" | "InsufficientCredit" | "LockupExpired" | "ExpiresTooSoon" }
  | { code: "HeaderTooOld" | "HeaderFromFuture" };

export type CollateralResult =
  | {
      ok: true;
      lockId: bigint;
      owner: `0x${string}`;
      borrower: Address;
      creditAsset: Address;
      creditLimit: bigint;
      expiry: bigint;
      /** The header the state was read from. */
      header: VerifiedHeader;
      ageSeconds: bigint;
    }
  | ({ ok: false; reason: string } & CollateralFailure);

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Answer a CollateralQuery from a bundle. `verifiers` has the verification key (or a prepared
 * key, or a custom proof checker) of each header circuit the caller accepts. Never throws for
 * a bad bundle or query values (BadQuery names the field); the first failing rule is reported
 * with a code and a one-line reason.
 */
export function checkCollateral(
  verifiers: HeaderVerifiers,
  bundle: CollateralBundle,
  queryInput: CollateralQuery,
): CollateralResult {
  const parsed = parseCollateralQuery(queryInput);
  if (!parsed.ok) return { ok: false, code: "BadQuery", reason: parsed.reason };
  const query = parsed.query;
  const header = stateHeader(verifiers, bundle, query);
  if (!("stateRoot" in header)) return header;
  const failure = lockupInState(bundle, header) ?? lockupAnswers(bundle, query);
  if (failure) return failure;
  const age = headerAge(header, query);
  if (typeof age !== "bigint") return age;
  const lock = bundle.lockup;
  return {
    ok: true,
    lockId: lock.lockId,
    owner: lock.owner,
    borrower: lock.borrower,
    creditAsset: lock.creditAsset,
    creditLimit: lock.creditLimit,
    expiry: lock.expiry,
    header,
    ageSeconds: age,
  };
}

type Failure = Extract<CollateralResult, { ok: false }>;

/** The verified header the bundle's state is read from: the bundle's chain from the trusted checkpoint, checked. */
function stateHeader(verifiers: HeaderVerifiers, bundle: CollateralBundle, query: ParsedCollateralQuery): VerifiedHeader | Failure {
  if (bundle.version !== COLLATERAL_BUNDLE_VERSION) {
    return { ok: false, code: "UnsupportedVersion", reason: `bundle version ${String(bundle.version)} is not supported (expected ${COLLATERAL_BUNDLE_VERSION})` };
  }
  const t = query.checkpoint;
  const c = bundle.checkpoint;
  if (c.chainId !== t.chainId || c.epoch !== t.epoch || c.validatorSetRoot !== t.validatorSetRoot || c.height !== t.height) {
    return {
      ok: false,
      code: "UntrustedCheckpoint",
      reason: `bundle starts from chain ${c.chainId} epoch ${c.epoch} set ${c.validatorSetRoot}, not the trusted checkpoint (chain ${t.chainId} epoch ${t.epoch} set ${t.validatorSetRoot})`,
    };
  }
  const chain = verifyHeaderChain(verifiers, t, bundle.headers);
  if (!chain.ok) return { ok: false, code: "HeaderChain", chainCode: chain.code, reason: `header chain: ${chain.reason}` };
  const header = chain.headers.find((h) => h.height === bundle.stateHeight);
  if (!header) {
    return { ok: false, code: "UnknownStateHeader", reason: `no verified header at height ${String(bundle.stateHeight)} in the bundle` };
  }
  return header;
}

/** The lockup leaf (bound to the bundle's Away chain and contract) is in the header's state root; null when it is. */
function lockupInState(bundle: CollateralBundle, header: VerifiedHeader): Failure | null {
  const lock = bundle.lockup;
  let key: bigint, binding: bigint, digest: bigint;
  try {
    if (!Array.isArray(bundle.siblings) || bundle.siblings.length !== STATE_DEPTH) {
      throw new RangeError(`state proof must have ${STATE_DEPTH} siblings`);
    }
    key = leafKey(KIND_LOCKUP, lock.lockId);
    binding = awayBinding(bundle.awayChainId, bundle.awayContract);
    digest = lockupDigest(lock);
  } catch (e) {
    return { ok: false, code: "MalformedBundle", reason: `malformed lockup or state proof: ${(e as Error).message}` };
  }
  const leaf = { leafKey: key, awayBinding: binding, payloadDigest: digest };
  if (!verifyStateProof(header.stateRoot, { leafKey: key, siblings: bundle.siblings, leaf, included: true })) {
    return { ok: false, code: "StateProofInvalid", reason: `lockup ${lock.lockId} is not in the state root of header ${header.height}` };
  }
  return null;
}

/** The proven lockup answers the query: its binding, status, borrower, credit asset, credit and expiry; null when it does. */
function lockupAnswers(bundle: CollateralBundle, query: ParsedCollateralQuery): Failure | null {
  const lock = bundle.lockup;
  if (bundle.awayChainId !== query.awayChainId || !sameAddress(bundle.awayContract, query.settlementContract)) {
    return {
      ok: false,
      code: "WrongAwayBinding",
      reason: `lockup ${lock.lockId} is bound to chain ${bundle.awayChainId} contract ${bundle.awayContract}, not chain ${query.awayChainId} contract ${query.settlementContract}`,
    };
  }
  if (lock.status !== LOCK_STATUS_LOCKED) {
    return { ok: false, code: "NotLocked", reason: `lockup ${lock.lockId} has status ${lock.status}, not locked (1)` };
  }
  if (!sameAddress(lock.borrower, query.borrower)) {
    return { ok: false, code: "WrongBorrower", reason: `lockup ${lock.lockId} borrower is ${lock.borrower}, not ${query.borrower}` };
  }
  if (query.creditAsset !== undefined && !sameAddress(lock.creditAsset, query.creditAsset)) {
    return { ok: false, code: "WrongCreditAsset", reason: `lockup ${lock.lockId} credit asset is ${lock.creditAsset}, not ${query.creditAsset}` };
  }
  if (lock.creditLimit < query.minCredit) {
    return { ok: false, code: "InsufficientCredit", reason: `credit limit ${lock.creditLimit} is below the required ${query.minCredit}` };
  }
  if (lock.expiry <= query.now) {
    return { ok: false, code: "LockupExpired", reason: `lockup ${lock.lockId} expired at ${lock.expiry}, at or before now (${query.now})` };
  }
  if (lock.expiry < query.validUntil) {
    return { ok: false, code: "ExpiresTooSoon", reason: `lockup expires at ${lock.expiry}, before the required ${query.validUntil}` };
  }
  return null;
}

/** The header's age at query.now in seconds, when it is neither from the future nor older than maxAgeSeconds. */
function headerAge(header: VerifiedHeader, query: ParsedCollateralQuery): bigint | Failure {
  const headerSeconds = header.timestampMs / 1000n;
  if (headerSeconds > query.now) {
    return { ok: false, code: "HeaderFromFuture", reason: `header ${header.height} time ${headerSeconds} is after now (${query.now})` };
  }
  const age = query.now - headerSeconds;
  if (age > query.maxAgeSeconds) {
    return { ok: false, code: "HeaderTooOld", reason: `header ${header.height} is ${age} s old, more than the allowed ${query.maxAgeSeconds} s` };
  }
  return age;
}
