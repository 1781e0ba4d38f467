// Rules for attestation keys (BabyJubJub, EdDSA-Poseidon; DESIGN section 9): the proof of
// possession a key is registered with, the point checks, and the set-wide rules (no key twice,
// no key together with its negation). One definition for Home's registration
// (AttestationKeyRegistry), the model's set check and verifier-ts. Encoding: circuits/ENCODING.md,
// "Attestation keys and proofs of possession".
//
// Why: the aggregated header circuit checks one signature under the SUM of the signers' keys.
// Without a proof of possession a validator could register A_evil = T - sum(A_honest) and sign
// for everyone alone (rogue key); a small-order key or the identity adds nothing a circuit can
// see; a duplicate or negated key lets two slots cancel or double count.

import { blake512 } from "@noble/hashes/blake1.js";
import { BABYJUB_SUBORDER, IDENTITY, addPoint, inCurve, inSubgroup, mulBase8, mulPointScalar, type Point } from "./babyjub.ts";
import { expandPrivateKey, type PublicKey } from "./eddsa.ts";
import { bigIntToBytesLE, bytesToBigIntBE, bytesToBigIntLE, isFieldElement } from "./field.ts";
import { poseidon } from "./poseidon.ts";
import type { Validator, ValidatorSet } from "./validators.ts";

/** ASCII "OLZK_POP_V1" read big-endian: domain tag of the proof-of-possession challenge. */
export const TAG_POP = 95865705240368408910845489n;

/** Schnorr proof of knowledge of the attestation secret: s * B8 == R + c * A. */
export interface ProofOfPossession {
  Rx: bigint;
  Ry: bigint;
  s: bigint;
}

export type AttestationKeyErrorCode =
  | "NotOnCurve"
  | "NotInSubgroup"
  | "Identity"
  | "InvalidProofOfPossession"
  | "DuplicateKey"
  | "NegatedKey";

/** A refused attestation key; `code` says which rule, `slot` which slot of a set (if any). */
export class AttestationKeyError extends Error {
  readonly code: AttestationKeyErrorCode;
  readonly slot?: number;
  // Fields declared apart (no parameter properties): verifier-ts compiles this module with erasableSyntaxOnly.
  constructor(code: AttestationKeyErrorCode, message: string, slot?: number) {
    super(message);
    this.name = "AttestationKeyError";
    this.code = code;
    if (slot !== undefined) this.slot = slot;
  }
}

/** The placeholder of an empty slot: R = (0, 1), s = 0 (never a valid proof). */
export function emptyProofOfPossession(): ProofOfPossession {
  return { Rx: 0n, Ry: 1n, s: 0n };
}

/** A 32-byte address as two field elements: its big-endian high and low 128-bit halves. */
export function addressFields(address: Uint8Array): [bigint, bigint] {
  if (!(address instanceof Uint8Array) || address.length !== 32) throw new RangeError("validator address must be 32 bytes");
  return [bytesToBigIntBE(address.subarray(0, 16)), bytesToBigIntBE(address.subarray(16, 32))];
}

/** c = Poseidon(TAG_POP, chainId, addressHi, addressLo, Ax, Ay, Rx, Ry). */
export function popChallenge(chainId: number, address: Uint8Array, key: PublicKey, R: Point): bigint {
  if (!Number.isInteger(chainId) || chainId < 0 || chainId >= 2 ** 32) throw new RangeError(`chainId must be a u32, got ${chainId}`);
  const [hi, lo] = addressFields(address);
  return poseidon([TAG_POP, BigInt(chainId), hi, lo, key.Ax, key.Ay, R.x, R.y]);
}

/**
 * The proof of possession a validator registers its key with on Home chain `chainId`. The
 * nonce is derived from the key's nonce prefix and the challenge inputs (a single-signer
 * Schnorr proof may use a deterministic nonce; aggregated signing never does).
 */
export function makeProofOfPossession(prv: Uint8Array, address: Uint8Array, chainId: number): ProofOfPossession {
  const { s: pruned, prefix } = expandPrivateKey(prv);
  const a = pruned >> 3n; // A = a * B8
  const key = mulBase8(a);
  const [hi, lo] = addressFields(address);
  const seed = new Uint8Array(32 + 4 + 64);
  seed.set(prefix, 0);
  seed.set(bigIntToBytesLE(BigInt(chainId), 4), 32);
  seed.set(bigIntToBytesLE((hi << 128n) | lo, 32), 36);
  seed.set(bigIntToBytesLE(TAG_POP, 32), 68);
  const k = bytesToBigIntLE(blake512(seed)) % BABYJUB_SUBORDER;
  const R = mulBase8(k);
  const c = popChallenge(chainId, address, { Ax: key.x, Ay: key.y }, R);
  return { Rx: R.x, Ry: R.y, s: (k + c * a) % BABYJUB_SUBORDER };
}

/** True when `pop` proves knowledge of `key`'s secret for (chainId, address). Never throws. */
export function verifyProofOfPossession(key: PublicKey, pop: ProofOfPossession, address: Uint8Array, chainId: number): boolean {
  try {
    const R = { x: pop.Rx, y: pop.Ry };
    const A = { x: key.Ax, y: key.Ay };
    if (!inCurve(R) || !inCurve(A)) return false;
    if (typeof pop.s !== "bigint" || pop.s < 0n || pop.s >= BABYJUB_SUBORDER) return false;
    const c = popChallenge(chainId, address, key, R);
    const left = mulBase8(pop.s);
    const right = addPoint(R, mulPointScalar(A, c));
    return left.x === right.x && left.y === right.y;
  } catch {
    return false;
  }
}

/** The point rules alone: on BabyJubJub, in the prime-order subgroup (l * A = O), not the identity. */
export function attestationKeyProblem(key: PublicKey): AttestationKeyErrorCode | null {
  const A = { x: key.Ax, y: key.Ay };
  if (!isFieldElement(key.Ax) || !isFieldElement(key.Ay) || !inCurve(A)) return "NotOnCurve";
  if (A.x === IDENTITY.x && A.y === IDENTITY.y) return "Identity";
  if (!inSubgroup(A)) return "NotInSubgroup";
  return null;
}

type KeyRecord = Pick<Validator, "attestationKey" | "address" | "proofOfPossession">;

/** Checks one key for registration; throws AttestationKeyError. Does not look at other keys. */
export function assertRegistrableKey(v: KeyRecord, chainId: number, slot?: number): void {
  const where = slot === undefined ? "attestation key" : `slot ${slot} attestation key`;
  const problem = attestationKeyProblem(v.attestationKey);
  if (problem === "NotOnCurve") throw new AttestationKeyError(problem, `${where} is not a BabyJubJub point`, slot);
  if (problem === "Identity") throw new AttestationKeyError(problem, `${where} is the identity`, slot);
  if (problem === "NotInSubgroup") throw new AttestationKeyError(problem, `${where} is not in the prime-order subgroup (small-order component)`, slot);
  if (!verifyProofOfPossession(v.attestationKey, v.proofOfPossession, v.address, chainId)) {
    throw new AttestationKeyError("InvalidProofOfPossession", `${where} has no valid proof of possession for chain ${chainId} and its address`, slot);
  }
}

/**
 * Home's registry of attestation keys: refuses a key without a valid proof of possession for
 * this chain and the validator's address, off the curve, outside the prime-order subgroup, the
 * identity, a key already registered, or the negation of one.
 */
export class AttestationKeyRegistry {
  /** Registered keys by Ay (a point and its negation share Ay). */
  private readonly byAy = new Map<bigint, PublicKey>();

  readonly chainId: number;

  constructor(chainId: number) {
    this.chainId = chainId;
  }

  /** Registers v's key; throws AttestationKeyError (nothing registered) when a rule refuses it. */
  register(v: KeyRecord): void {
    assertRegistrableKey(v, this.chainId);
    const other = this.byAy.get(v.attestationKey.Ay);
    if (other) {
      // Two curve points with the same Ay are A and -A = (-Ax, Ay).
      if (other.Ax === v.attestationKey.Ax) throw new AttestationKeyError("DuplicateKey", "attestation key is already registered");
      throw new AttestationKeyError("NegatedKey", "attestation key is the negation of a registered key");
    }
    this.byAy.set(v.attestationKey.Ay, { ...v.attestationKey });
  }

  has(key: PublicKey): boolean {
    return this.byAy.get(key.Ay)?.Ax === key.Ax;
  }

  get size(): number {
    return this.byAy.size;
  }
}

/**
 * The registration rules applied to a whole set (what verifier-ts and the model check when they
 * accept a set): every slot with power > 0 passes assertRegistrableKey, and no two such slots
 * hold the same key or a key and its negation. Throws AttestationKeyError naming the slot.
 */
export function assertSetAttestationKeys(set: ValidatorSet, chainId: number): void {
  const seen = new Map<bigint, { Ax: bigint; slot: number }>();
  set.validators.forEach((v, slot) => {
    if (v.power === 0n) return;
    assertRegistrableKey(v, chainId, slot);
    const prev = seen.get(v.attestationKey.Ay);
    if (prev) {
      if (prev.Ax === v.attestationKey.Ax) throw new AttestationKeyError("DuplicateKey", `slot ${slot} repeats the attestation key of slot ${prev.slot}`, slot);
      // Two curve points with the same Ay are A and -A = (-Ax, Ay).
      throw new AttestationKeyError("NegatedKey", `slot ${slot} holds the negation of slot ${prev.slot}'s attestation key`, slot);
    }
    seen.set(v.attestationKey.Ay, { Ax: v.attestationKey.Ax, slot });
  });
}
