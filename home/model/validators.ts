// Validators and fixed-capacity validator sets: Poseidon leaves, the Merkle
// validatorSetRoot and the quorum rule. Encoding: circuits/ENCODING.md,
// "Validators and the validator set".

import { inCurve } from "./babyjub.ts";
import { BLS_PUBLIC_KEY_BYTES, BLS_SIGNATURE_BYTES, verifyBinding } from "./bls.ts";
import type { PublicKey } from "./eddsa.ts";
import { assertFieldElement, assertUint } from "./field.ts";
import { poseidon } from "./poseidon.ts";

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
}

export interface ValidatorSet {
  epoch: bigint;
  /** Number of slots N, a power of two. */
  capacity: number;
  /** Exactly `capacity` slots; empty slots have power 0 and key (0, 1). */
  validators: Validator[];
}

/** An empty slot: key (0, 1), power 0, zeroed address and BLS fields. */
export function emptyValidator(): Validator {
  return {
    attestationKey: { Ax: 0n, Ay: 1n },
    power: 0n,
    address: new Uint8Array(32),
    blsPublicKey: new Uint8Array(BLS_PUBLIC_KEY_BYTES),
    bindingSignature: new Uint8Array(BLS_SIGNATURE_BYTES),
  };
}

/** True for a slot holding the empty-slot values (0, 1, power 0). */
export function isEmptySlot(v: Validator): boolean {
  return v.power === 0n && v.attestationKey.Ax === 0n && v.attestationKey.Ay === 1n;
}

/** Poseidon(Ax, Ay, power). */
export function validatorLeaf(v: Validator): bigint {
  assertFieldElement(v.attestationKey.Ax, "Ax");
  assertFieldElement(v.attestationKey.Ay, "Ay");
  assertUint(v.power, 64, "power");
  return poseidon([v.attestationKey.Ax, v.attestationKey.Ay, v.power]);
}

function assertShape(set: ValidatorSet): void {
  const n = set.capacity;
  if (!Number.isInteger(n) || n < 1 || (n & (n - 1)) !== 0) throw new RangeError(`validator set capacity must be a power of two, got ${n}`);
  if (set.validators.length !== n) throw new RangeError(`validator set has ${set.validators.length} slots, capacity is ${n}`);
}

/** Binary Poseidon Merkle root over the `capacity` slot leaves (a single leaf is its own root). */
export function validatorSetRoot(set: ValidatorSet): bigint {
  assertShape(set);
  let level = set.validators.map(validatorLeaf);
  while (level.length > 1) {
    const up: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(poseidon([level[i]!, level[i + 1]!]));
    level = up;
  }
  return level[0]!;
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
 * Full validity check of a set: shape, u64 powers, empty slots canonical, keys on the
 * curve, and (unless skipped) every non-empty slot's BLS binding. Never throws.
 */
export function checkValidatorSet(set: ValidatorSet, opts: { checkBindings?: boolean } = {}): { ok: boolean; reason?: string } {
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
      if (!inCurve({ x: v.attestationKey.Ax, y: v.attestationKey.Ay })) return { ok: false, reason: `slot ${i} attestation key is not on BabyJubJub` };
      if (v.address.length !== 32) return { ok: false, reason: `slot ${i} address is not 32 bytes` };
      if (opts.checkBindings !== false && !verifyBinding(v)) return { ok: false, reason: `slot ${i} BLS binding signature is invalid` };
    }
    if (totalPower(set) === 0n) return { ok: false, reason: "validator set has total power 0" };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
