// The computations of one two-nonce aggregated signing session (SpeedyMuSig with BIP-327 /
// RFC 9591 nonce rules; DESIGN section 9, ENCODING.md "Aggregated attestation"), shared by
// signers and coordinator: each party runs them itself on its own inputs. Pure TypeScript,
// scalars as integers mod l (the BabyJubJub subgroup order), never field-element types.
//
//   Apk = sum_{i in T} A_i          R1 = sum R_i1, R2 = sum R_i2
//   b   = PoseidonChain(TAG_MUSIG_B, N, |T|, chainId, setCommitment, mask limbs, Apk,
//                       (i, R_i1, R_i2) for i in T ascending, M)
//   R   = R1 + b * R2                hm = Poseidon(R.x, R.y, Apk.x, Apk.y, M)
//   s_i = r_i1 + b * r_i2 + hm * (8 * a_i) mod l,  S = sum s_i mod l
// so (R, S) is an ordinary EdDSA-Poseidon signature of M under Apk.

import {
  BABYJUB_SUBORDER,
  IDENTITY,
  addPoint,
  aggregateKey,
  hasQuorum,
  headerHash,
  inSubgroup,
  mulBase8,
  mulPointScalar,
  poseidon,
  poseidonChain,
  signedPower,
  totalPower,
  validatorSetRoot,
  type AggregateSignature,
  type Header,
  type Point,
  type ValidatorSet,
} from "../model/index.ts";

/** ASCII "OLZK_MUSIG_B_V1" read big-endian: domain tag of the nonce binding factor b. */
export const TAG_MUSIG_B = 411740068815344079054616226919568945n;
/** Bits of the signer bitmask per field element of b's input. */
export const MASK_LIMB_BITS = 248;

export type AttestationErrorCode =
  /** The request does not have the shape of a session for this set (lengths, order, slots). */
  | "MalformedRequest"
  /** The signer's own view of Home does not hold this header. */
  | "HeaderRejected"
  /** The set the header commits to is not the set the signer's registry has for the epoch. */
  | "SetMismatch"
  /** The signer's slot is not in the signer set T. */
  | "NotInSignerSet"
  /** T does not hold more than 2/3 of the power. */
  | "NoQuorum"
  /** A nonce point is off the curve, outside the subgroup, the identity or repeated. */
  | "BadNonceCommitment"
  /** Apk is the identity. */
  | "IdentityAggregateKey"
  /** The signer holds no unspent nonce pair with this commitment. */
  | "UnknownNonce"
  /** The nonce pair was already used for a partial signature (durably recorded). */
  | "NonceReused"
  /** The random generator returned a pair that was already used: refused, never signed with. */
  | "NonceRepeated"
  /** A partial signature does not verify (attributed to its signer). */
  | "BadPartialSignature"
  /** The signer did not answer (dropped out). */
  | "SignerUnavailable";

/** A refusal by a signer or the coordinator; `slot` names the signer at fault when one is. */
export class AttestationError extends Error {
  constructor(
    readonly code: AttestationErrorCode,
    message: string,
    readonly slot?: number,
  ) {
    super(message);
    this.name = "AttestationError";
  }
}

/** A signer's public nonce commitment (R_i1, R_i2) = (r_i1 * B8, r_i2 * B8). */
export interface NonceCommitment {
  slot: number;
  R1: Point;
  R2: Point;
}

/** What the coordinator sends every signer in T. */
export interface SessionRequest {
  header: Header;
  /** One flag per slot: the signer set T. */
  signers: boolean[];
  /** Exactly one per slot of T, in ascending slot order. */
  commitments: NonceCommitment[];
}

/** Everything derived from a request, computed by each party itself. */
export interface SessionContext {
  M: bigint;
  apk: Point;
  b: bigint;
  R: Point;
  hm: bigint;
}

const L = BABYJUB_SUBORDER;

function isIdentity(p: Point): boolean {
  return p.x === IDENTITY.x && p.y === IDENTITY.y;
}

/**
 * A memo of the session's pure computations (nonce-point subgroup checks, session contexts),
 * keyed by their full inputs, so the values are exactly what each party would compute. Signers
 * simulated in one process (the devnet's) share one, instead of repeating every party's
 * O(N) point checks N times; it never holds secrets. Bounded: cleared past `limit` entries.
 */
export class SessionCache {
  private readonly points = new Map<string, boolean>();
  private readonly contexts = new Map<string, SessionContext>();
  constructor(private readonly limit = 4096) {}

  inSubgroup(p: Point): boolean {
    const k = `${p.x}:${p.y}`;
    let v = this.points.get(k);
    if (v === undefined) {
      v = inSubgroup(p);
      if (this.points.size >= this.limit) this.points.clear();
      this.points.set(k, v);
    }
    return v;
  }

  context(key: string, compute: () => SessionContext): SessionContext {
    let v = this.contexts.get(key);
    if (!v) {
      v = compute();
      if (this.contexts.size >= this.limit) this.contexts.clear();
      this.contexts.set(key, v);
    }
    return { ...v };
  }
}

/** Refuses nonce points off the curve, outside the prime-order subgroup, the identity or repeated. */
export function assertNoncePoints(commitments: readonly NonceCommitment[], cache?: SessionCache): void {
  const seen = new Set<string>();
  const check = cache ? (p: Point) => cache.inSubgroup(p) : inSubgroup;
  for (const c of commitments) {
    for (const [name, p] of [["R1", c.R1], ["R2", c.R2]] as const) {
      if (typeof p?.x !== "bigint" || typeof p?.y !== "bigint" || !check(p) || isIdentity(p)) {
        throw new AttestationError("BadNonceCommitment", `slot ${c.slot} nonce ${name} is not a non-identity point of the prime-order subgroup`, c.slot);
      }
      const k = `${p.x}:${p.y}`;
      if (seen.has(k)) throw new AttestationError("BadNonceCommitment", `slot ${c.slot} nonce ${name} repeats another nonce point`, c.slot);
      seen.add(k);
    }
  }
}

/** The signer bitmask as 248-bit limbs, bit i of the mask = slot i. */
export function maskLimbs(signers: readonly boolean[]): bigint[] {
  const limbs: bigint[] = [];
  for (let at = 0; at < signers.length; at += MASK_LIMB_BITS) {
    let x = 0n;
    for (let i = 0; i < MASK_LIMB_BITS && at + i < signers.length; i++) if (signers[at + i]) x |= 1n << BigInt(i);
    limbs.push(x);
  }
  return limbs;
}

/** The nonce binding factor b of ENCODING.md "Aggregated attestation". */
export function bindingFactor(chainId: number, set: ValidatorSet, signers: readonly boolean[], apk: Point, commitments: readonly NonceCommitment[], M: bigint): bigint {
  return poseidonChain([
    TAG_MUSIG_B,
    BigInt(set.capacity),
    BigInt(commitments.length),
    BigInt(chainId),
    validatorSetRoot(set),
    ...maskLimbs(signers),
    apk.x,
    apk.y,
    ...commitments.flatMap((c) => [BigInt(c.slot), c.R1.x, c.R1.y, c.R2.x, c.R2.y]),
    M,
  ]);
}

/** Every input of sessionContext as one string (the SessionCache key). */
function contextKey(chainId: number, set: ValidatorSet, req: SessionRequest): string {
  const h = req.header;
  return JSON.stringify([
    chainId,
    set.epoch,
    set.validators.map((v) => [v.attestationKey.Ax, v.attestationKey.Ay, v.power]),
    [h.chainId, h.epoch, h.height, h.timestampMs, h.parentHash, h.stateRoot, h.validatorSetRoot, h.nextValidatorSetRoot],
    req.signers,
    req.commitments.map((c) => [c?.slot, c?.R1?.x, c?.R1?.y, c?.R2?.x, c?.R2?.y]),
  ], (_, v) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Validates a request against `set` (the caller's own copy of the header epoch's set) and
 * derives the session values. Throws AttestationError: MalformedRequest, SetMismatch, NoQuorum,
 * BadNonceCommitment, IdentityAggregateKey. `cache` memoizes the result by its full inputs.
 */
export function sessionContext(chainId: number, set: ValidatorSet, req: SessionRequest, cache?: SessionCache): SessionContext {
  if (cache) return cache.context(contextKey(chainId, set, req), () => computeContext(chainId, set, req, cache));
  return computeContext(chainId, set, req);
}

function computeContext(chainId: number, set: ValidatorSet, req: SessionRequest, cache?: SessionCache): SessionContext {
  const { header, signers, commitments } = req;
  if (header.chainId !== chainId) throw new AttestationError("MalformedRequest", `header is for chain ${header.chainId}, not ${chainId}`);
  if (set.epoch !== header.epoch) throw new AttestationError("SetMismatch", `the set is of epoch ${set.epoch}, the header of epoch ${header.epoch}`);
  if (validatorSetRoot(set) !== header.validatorSetRoot) throw new AttestationError("SetMismatch", "header.validatorSetRoot is not the commitment of this epoch's registered set");
  if (!Array.isArray(signers) || signers.length !== set.capacity) throw new AttestationError("MalformedRequest", `signers must have ${set.capacity} entries`);
  const slots = signers.flatMap((on, i) => (on ? [i] : []));
  if (!Array.isArray(commitments) || commitments.length !== slots.length || commitments.some((c, k) => c?.slot !== slots[k])) {
    throw new AttestationError("MalformedRequest", "commitments must be one per signer, in ascending slot order");
  }
  for (const i of slots) if (set.validators[i]!.power === 0n) throw new AttestationError("MalformedRequest", `slot ${i} is empty and cannot sign`, i);
  const sp = signedPower(set, signers);
  if (!hasQuorum(sp, totalPower(set))) throw new AttestationError("NoQuorum", `signer set holds ${sp} of ${totalPower(set)} power, not more than 2/3`);
  assertNoncePoints(commitments, cache);
  const key = aggregateKey(set, signers);
  const apk = { x: key.Ax, y: key.Ay };
  if (isIdentity(apk)) throw new AttestationError("IdentityAggregateKey", "the signers' keys sum to the identity");
  const M = headerHash(header);
  const b = bindingFactor(chainId, set, signers, apk, commitments, M);
  const R1 = commitments.reduce((acc, c) => addPoint(acc, c.R1), IDENTITY);
  const R2 = commitments.reduce((acc, c) => addPoint(acc, c.R2), IDENTITY);
  const R = addPoint(R1, mulPointScalar(R2, b));
  const hm = poseidon([R.x, R.y, apk.x, apk.y, M]);
  return { M, apk, b, R, hm };
}

/** s_i * B8 == R_i1 + b * R_i2 + 8 * hm * A_i: the coordinator's check of one partial signature. */
export function verifyPartial(ctx: SessionContext, set: ValidatorSet, c: NonceCommitment, s: bigint): boolean {
  if (typeof s !== "bigint" || s < 0n || s >= L) return false;
  const v = set.validators[c.slot];
  if (!v) return false;
  const A = { x: v.attestationKey.Ax, y: v.attestationKey.Ay };
  const right = addPoint(addPoint(c.R1, mulPointScalar(c.R2, ctx.b)), mulPointScalar(A, 8n * ctx.hm));
  const left = mulBase8(s);
  return left.x === right.x && left.y === right.y;
}

/** (R, S = sum s_i mod l) for the signer set of `req`. */
export function aggregatePartials(ctx: SessionContext, req: SessionRequest, partials: readonly bigint[]): AggregateSignature {
  const S = partials.reduce((acc, s) => (acc + s) % L, 0n);
  return { signers: [...req.signers], signature: { R8x: ctx.R.x, R8y: ctx.R.y, S } };
}
