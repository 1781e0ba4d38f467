// Validators and fixed-capacity validator sets: the validator-set commitment (validatorSetRoot,
// a PoseidonChain over every slot's key and power) and the quorum rule. Encoding:
// circuits/ENCODING.md, "Validators and the validator set".

import { AttestationKeyError, assertSetAttestationKeys, emptyProofOfPossession, type ProofOfPossession } from "./attestation-key.ts";
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, verifyBinding } from "./bls.ts";
import type { PublicKey } from "./eddsa.ts";
import { assertFieldElement, assertUint } from "./field.ts";
import { poseidonChain } from "./poseidon.ts";

export interface Validator {
  attestationKey: PublicKey;
  /** Voting power, u64; 0 for an empty slot. */
  power: bigint;
  /** Home account address, 32 bytes. */
  address: Uint8Array;
  /** BLS12-381 G1 public key, 48 bytes compressed. */
  blsPublicKey: Uint8Array;
  /** BLS12-381 G2 signature over the binding message, 96 bytes compressed. */
  bindingSignature: Uint8Array;
  /** Schnorr proof of possession of the attestation key (attestation-key.ts); placeholder in an empty slot. */
  proofOfPossession: ProofOfPossession;
}

export interface ValidatorSet {
  epoch: bigint;
  /** Number of slots N, a power of two. */
  capacity: number;
  /** Exactly `capacity` slots; empty slots have power 0 and key (0, 1). */
  validators: Validator[];
}

/** An empty slot: key (0, 1), power 0, zeroed address and BLS fields, placeholder proof of possession. */
export function emptyValidator(): Validator {
  return {
    attestationKey: { Ax: 0n, Ay: 1n },
    power: 0n,
    address: new Uint8Array(32),
    blsPublicKey: new Uint8Array(BLS_PUBLIC_KEY_BYTES),
    bindingSignature: new Uint8Array(BLS_SIGNATURE_BYTES),
    proofOfPossession: emptyProofOfPossession(),
  };
}

/** True for a slot holding the empty-slot values (0, 1, power 0). */
export function isEmptySlot(v: Validator): boolean {
  return v.power === 0n && v.attestationKey.Ax === 0n && v.attestationKey.Ay === 1n;
}

function assertShape(set: ValidatorSet): void {
  const n = set.capacity;
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`validator set capacity must be a power of two, got ${n}`);
  if (set.validators.length !== n) throw new RangeError(`validator set has ${set.validators.length} slots, capacity is ${n}`);
}

/** ASCII "OLZK_VALSET_V1" read big-endian: domain tag of the validator-set commitment. */
export const TAG_VALIDATOR_SET = 1608359643810102386392538770527793n;

/** Slot powers packed three to a field element: P_j = power_{3j} + power_{3j+1} * 2^64 + power_{3j+2} * 2^128. */
export function packPowers(powers: readonly bigint[]): bigint[] {
  const out: bigint[] = [];
  for (let j = 0; j < powers.length; j += 3) {
    const p = [0, 1, 2].map((k) => powers[j + k] ?? 0n);
    p.forEach((x, k) => assertUint(x, 64, `power ${j + k}`));
    out.push(p[0]! + (p[1]! << 64n) + (p[2]! << 128n));
  }
  return out;
}

/**
 * The validator-set commitment carried in headers as validatorSetRoot:
 * PoseidonChain(TAG_VALIDATOR_SET, N, Ax_0, Ay_0, ..., Ax_{N-1}, Ay_{N-1}, P_0, ..., P_{ceil(N/3)-1})
 * over every slot in slot order, empty ones included (packPowers for P_j).
 */
export function validatorSetRoot(set: ValidatorSet): bigint {
  assertShape(set);
  const keys: bigint[] = [];
  set.validators.forEach((v, i) => {
    assertFieldElement(v.attestationKey.Ax, `slot ${i} Ax`);
    assertFieldElement(v.attestationKey.Ay, `slot ${i} Ay`);
    keys.push(v.attestationKey.Ax, v.attestationKey.Ay);
  });
  const packed = packPowers(set.validators.map((v) => v.power));
  return poseidonChain([TAG_VALIDATOR_SET, BigInt(set.capacity), ...keys, ...packed]);
}

/** Sum of all slot powers. */
export function totalPower(set: ValidatorSet): bigint {
  return set.validators.reduce((acc, v) => acc + v.power, 0n);
}

/** Quorum rule: 3 * signedPower > 2 * totalPower and totalPower > 0. */
export function hasQuorum(signedPower: bigint, totalPower: bigint): boolean {
  return totalPower > 0n && 3n * signedPower > 2n * totalPower;
}

/** Sum of power of the slots with signed[i]; throws if a power-0 slot is marked signed or lengths differ. */
export function signedPower(set: ValidatorSet, signed: boolean[]): bigint {
  if (signed.length !== set.validators.length) throw new RangeError(`signed has ${signed.length} entries, set has ${set.validators.length} slots`);
  let sum = 0n;
  for (let i = 0; i < signed.length; i++) {
    if (!signed[i]) continue;
    const p = set.validators[i]!.power;
    if (p === 0n) throw new RangeError(`slot ${i} has power 0 and cannot sign`);
    sum += p;
  }
  return sum;
}

/**
 * Full validity check of a set of Home chain `chainId`: shape, u64 powers, empty slots
 * canonical, every non-empty slot's attestation key registrable (proof of possession for this
 * chain and its address, prime-order subgroup, not the identity) and no key twice or with its
 * negation (assertSetAttestationKeys), and (unless skipped) every non-empty slot's BLS binding.
 * Never throws; `code` is the AttestationKeyError code when a key rule refused the set.
 */
export function checkValidatorSet(
  set: ValidatorSet,
  chainId: number,
  opts: { checkBindings?: boolean } = {},
): { ok: boolean; reason?: string; code?: AttestationKeyError["code"]; slot?: number } {
  try {
    assertShape(set);
    assertUint(set.epoch, 64, "epoch");
    for (let i = 0; i < set.validators.length; i++) {
      const v = set.validators[i]!;
      assertUint(v.power, 64, `slot ${i} power`);
      if (v.power === 0n) {
        if (!isEmptySlot(v)) return { ok: false, reason: `slot ${i} has power 0 but is not an empty slot (key must be (0, 1))` };
        continue;
      }
      if (v.address.length !== 32) return { ok: false, reason: `slot ${i} address is not 32 bytes` };
    }
    if (totalPower(set) === 0n) return { ok: false, reason: "validator set has total power 0" };
    assertSetAttestationKeys(set, chainId);
    if (opts.checkBindings !== false) {
      for (let i = 0; i < set.validators.length; i++) {
        const v = set.validators[i]!;
        if (v.power !== 0n && !verifyBinding(v)) return { ok: false, reason: `slot ${i} BLS binding signature is invalid`, slot: i };
      }
    }
    return { ok: true };
  } catch (e) {
    if (e instanceof AttestationKeyError) return { ok: false, reason: e.message, code: e.code, slot: e.slot };
    return { ok: false, reason: (e as Error).message };
  }
}
