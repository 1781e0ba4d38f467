// Validator sets: the PoseidonChain set commitment (including empty slots) against circomlibjs
// Poseidon, the quorum rule at its edges, signed power and full-set validation.

import { beforeAll, describe, expect, it } from "vitest";
import { poseidonChain } from "../../../home/model/poseidon.ts";
import {
  TAG_VALIDATOR_SET,
  checkValidatorSet,
  emptyValidator,
  hasQuorum,
  packPowers,
  signedPower,
  totalPower,
  validatorSetRoot,
} from "../../../home/model/validators.ts";
import { bytesToBigIntBE } from "../../../home/model/field.ts";
import { TEST_CHAIN_ID, makeSet } from "./fixtures.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

/** ENCODING.md's PoseidonChain written out with circomlibjs: 16 inputs first, then 15 per call. */
function refChain(xs: bigint[]): bigint {
  const padded = [...xs];
  while (padded.length < 16 || (padded.length - 16) % 15 !== 0) padded.push(0n);
  let h = H(padded.slice(0, 16));
  for (let i = 16; i < padded.length; i += 15) h = H([h, ...padded.slice(i, i + 15)]);
  return h;
}

describe("PoseidonChain", () => {
  it("is circomlib Poseidon(16) over the zero-padded input, chaining 15 more per call", () => {
    for (const n of [1, 15, 16, 17, 31, 32, 46, 100]) {
      const xs = Array.from({ length: n }, (_, i) => BigInt(i * 7919 + 1));
      expect(poseidonChain(xs)).toBe(refChain(xs));
    }
    expect(poseidonChain([5n])).toBe(H([5n, ...Array(15).fill(0n)]));
    expect(() => poseidonChain([])).toThrow(RangeError);
  });
});

describe("validator set", () => {
  const { set } = makeSet(3n, 4, [5n, 7n, 11n]);

  it("TAG_VALIDATOR_SET is ASCII OLZK_VALSET_V1 big-endian", () => {
    expect(TAG_VALIDATOR_SET).toBe(bytesToBigIntBE(new TextEncoder().encode("OLZK_VALSET_V1")));
  });

  it("packs powers three to a field element, u64 each", () => {
    expect(packPowers([1n, 2n, 3n, 4n])).toEqual([1n + (2n << 64n) + (3n << 128n), 4n]);
    expect(() => packPowers([1n << 64n])).toThrow(/64-bit/);
  });

  it("commits to every slot's key and power in slot order, domain-tagged with N", () => {
    const keys = set.validators.flatMap((v) => [v.attestationKey.Ax, v.attestationKey.Ay]);
    const expected = refChain([TAG_VALIDATOR_SET, 4n, ...keys, 5n + (7n << 64n) + (11n << 128n), 0n]);
    expect(validatorSetRoot(set)).toBe(expected);
    // the empty slot matters: a set with a 4th member has another commitment
    expect(validatorSetRoot(makeSet(3n, 4, [5n, 7n, 11n, 13n]).set)).not.toBe(expected);
    // so do N (the same members in a larger set) and the slot order
    expect(validatorSetRoot({ ...set, capacity: 8, validators: [...set.validators, ...Array.from({ length: 4 }, emptyValidator)] })).not.toBe(expected);
    const swapped = { ...set, validators: [set.validators[1]!, set.validators[0]!, ...set.validators.slice(2)] };
    expect(validatorSetRoot(swapped)).not.toBe(expected);
    // a power moved to another slot changes the packed word
    const moved = { ...set, validators: set.validators.map((v, i) => (i === 0 ? { ...v, power: 7n } : i === 1 ? { ...v, power: 5n } : v)) };
    expect(validatorSetRoot(moved)).not.toBe(expected);
    // capacity 1 and a large set follow the same rule
    const one = { epoch: 0n, capacity: 1, validators: [set.validators[0]!] };
    expect(validatorSetRoot(one)).toBe(refChain([TAG_VALIDATOR_SET, 1n, set.validators[0]!.attestationKey.Ax, set.validators[0]!.attestationKey.Ay, 5n]));
    const big = makeSet(1n, 64, Array.from({ length: 41 }, () => 1_000_000n)).set;
    const bigKeys = big.validators.flatMap((v) => [v.attestationKey.Ax, v.attestationKey.Ay]);
    expect(validatorSetRoot(big)).toBe(refChain([TAG_VALIDATOR_SET, 64n, ...bigKeys, ...packPowers(big.validators.map((v) => v.power))]));
  });

  it("refuses a capacity that is not a power of two or does not match the slots", () => {
    expect(() => validatorSetRoot({ ...set, capacity: 3, validators: set.validators.slice(0, 3) })).toThrow(/power of two/);
    expect(() => validatorSetRoot({ ...set, capacity: 8 })).toThrow(/slots/);
    expect(() => validatorSetRoot({ ...set, validators: set.validators.map((v, i) => (i === 0 ? { ...v, power: 1n << 64n } : v)) })).toThrow(/64-bit/);
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
    const C = TEST_CHAIN_ID;
    expect(checkValidatorSet(set, C)).toEqual({ ok: true });
    const swapped = { ...set, validators: [{ ...set.validators[0]!, blsPublicKey: set.validators[1]!.blsPublicKey }, ...set.validators.slice(1)] };
    expect(checkValidatorSet(swapped, C).ok).toBe(false);
    expect(checkValidatorSet(swapped, C).reason).toMatch(/binding/);
    expect(checkValidatorSet(swapped, C, { checkBindings: false }).ok).toBe(true);
    const badEmpty = { ...set, validators: [...set.validators.slice(0, 3), { ...emptyValidator(), attestationKey: set.validators[0]!.attestationKey }] };
    expect(checkValidatorSet(badEmpty, C).reason).toMatch(/empty slot/);
    const allEmpty = { epoch: 0n, capacity: 2, validators: [emptyValidator(), emptyValidator()] };
    expect(checkValidatorSet(allEmpty, C).reason).toMatch(/total power 0/);
    // the proofs of possession are for one chain
    expect(checkValidatorSet(set, C + 1)).toMatchObject({ ok: false, code: "InvalidProofOfPossession", slot: 0 });
  });
});
