// Validator sets: leaves and Merkle root (including empty slots) against circomlibjs
// Poseidon, the quorum rule at its edges, signed power and full-set validation.

import { beforeAll, describe, expect, it } from "vitest";
import {
  checkValidatorSet,
  emptyValidator,
  hasQuorum,
  signedPower,
  totalPower,
  validatorLeaf,
  validatorSetRoot,
} from "../../../home/model/validators.ts";
import { makeSet } from "./fixtures.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

describe("validator set", () => {
  const { set } = makeSet(3n, 4, [5n, 7n, 11n]);

  it("hashes leaves as Poseidon(Ax, Ay, power), empty slots as (0, 1, 0)", () => {
    const v = set.validators[0]!;
    expect(validatorLeaf(v)).toBe(H([v.attestationKey.Ax, v.attestationKey.Ay, 5n]));
    expect(validatorLeaf(emptyValidator())).toBe(H([0n, 1n, 0n]));
  });

  it("computes the Merkle root over all slots, empty ones included", () => {
    const l = set.validators.map((v) => H([v.attestationKey.Ax, v.attestationKey.Ay, v.power]));
    const expected = H([H([l[0]!, l[1]!]), H([l[2]!, l[3]!])]);
    expect(validatorSetRoot(set)).toBe(expected);
    // the empty slot matters: a set with a 4th member has another root
    const full = makeSet(3n, 4, [5n, 7n, 11n, 13n]).set;
    expect(validatorSetRoot(full)).not.toBe(expected);
    // capacity 1: the root is the single leaf
    expect(validatorSetRoot({ epoch: 0n, capacity: 1, validators: [set.validators[0]!] })).toBe(l[0]);
  });

  it("refuses a capacity that is not a power of two or does not match the slots", () => {
    expect(() => validatorSetRoot({ ...set, capacity: 3, validators: set.validators.slice(0, 3) })).toThrow(/power of two/);
    expect(() => validatorSetRoot({ ...set, capacity: 8 })).toThrow(/slots/);
    expect(() => validatorLeaf({ ...set.validators[0]!, power: 1n << 64n })).toThrow(/64-bit/);
  });

  it("applies the quorum rule 3 * signed > 2 * total, total > 0", () => {
    expect(hasQuorum(2n, 3n)).toBe(false); // exactly 2/3
    expect(hasQuorum(20n, 30n)).toBe(false);
    expect(hasQuorum(21n, 30n)).toBe(true); // just above
    expect(hasQuorum(201n, 301n)).toBe(true); // 201/301 > 2/3 (3*201 = 603 > 602)
    expect(hasQuorum(200n, 301n)).toBe(false);
    expect(hasQuorum(0n, 0n)).toBe(false);
    expect(hasQuorum(1n, 0n)).toBe(false);
    // equals Open Libra's total*2/3+1 threshold
    for (let total = 1n; total <= 50n; total++) {
      const threshold = (total * 2n) / 3n + 1n;
      expect(hasQuorum(threshold, total)).toBe(true);
      expect(hasQuorum(threshold - 1n, total)).toBe(false);
    }
  });

  it("sums signed power and treats a signing empty slot as invalid input", () => {
    expect(totalPower(set)).toBe(23n);
    expect(signedPower(set, [true, false, true, false])).toBe(16n);
    expect(signedPower(set, [false, false, false, false])).toBe(0n);
    expect(() => signedPower(set, [true, true, true, true])).toThrow(/power 0/);
    expect(() => signedPower(set, [true])).toThrow(RangeError);
    // 16 of 23 is a quorum (48 > 46), 11 + 5 = 16 as well; 7 + 5 = 12 is not
    expect(hasQuorum(signedPower(set, [true, false, true, false]), totalPower(set))).toBe(true);
    expect(hasQuorum(signedPower(set, [true, true, false, false]), totalPower(set))).toBe(false);
  });

  it("validates whole sets including bindings", () => {
    expect(checkValidatorSet(set)).toEqual({ ok: true });
    const swapped = { ...set, validators: [{ ...set.validators[0]!, address: set.validators[1]!.address }, ...set.validators.slice(1)] };
    expect(checkValidatorSet(swapped).ok).toBe(false);
    expect(checkValidatorSet(swapped).reason).toMatch(/binding/);
    expect(checkValidatorSet(swapped, { checkBindings: false }).ok).toBe(true);
    const badEmpty = { ...set, validators: [...set.validators.slice(0, 3), { ...emptyValidator(), attestationKey: set.validators[0]!.attestationKey }] };
    expect(checkValidatorSet(badEmpty).reason).toMatch(/empty slot/);
    const allEmpty = { epoch: 0n, capacity: 2, validators: [emptyValidator(), emptyValidator()] };
    expect(checkValidatorSet(allEmpty).reason).toMatch(/total power 0/);
  });
});
