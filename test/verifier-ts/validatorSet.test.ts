// Acceptance of a validator set by verifier-ts: a well-formed set with registrable keys, BLS
// bindings and its commitment is accepted; a swapped or foreign binding signature, a changed
// address or attestation key, a wrong root and a malformed slot are rejected with the failing
// slot; and the attestation-key rules Home registers keys with are applied: a rogue key
// T - sum(honest) without a proof of possession, small-order keys, duplicates and negations.
import { describe, expect, it } from "vitest";
import { makeProofOfPossession, popChallenge } from "../../home/model/attestation-key.ts";
import { BABYJUB_SUBORDER, addPoint, mulBase8 } from "../../home/model/babyjub.ts";
import { expandPrivateKey } from "../../home/model/eddsa.ts";
import { FIELD_MODULUS } from "../../home/model/field.ts";
import { blsKeyFromSeed, signBinding } from "../../home/model/bls.ts";
import { derivePublicKey } from "../../home/model/eddsa.ts";
import { emptyValidator, validatorSetRoot, type Validator, type ValidatorSet } from "../../home/model/validators.ts";
import { checkValidatorSetBindings } from "../../verifier-ts/validatorSet.ts";

const CHAIN_ID = 9;

function validator(i: number): Validator {
  const prv = new Uint8Array(32).fill(i + 1);
  const attestationKey = derivePublicKey(prv);
  const address = new Uint8Array(32).fill(0x10 + i);
  const bls = blsKeyFromSeed(new Uint8Array(32).fill(0x40 + i));
  return {
    attestationKey,
    power: BigInt(10 + i),
    address,
    blsPublicKey: bls.publicKey,
    bindingSignature: signBinding(bls.secretKey, attestationKey, address),
    proofOfPossession: makeProofOfPossession(prv, address, CHAIN_ID),
  };
}

const base: ValidatorSet = { epoch: 2n, capacity: 4, validators: [validator(0), validator(1), validator(2), emptyValidator()] };
const root = validatorSetRoot(base);
const withSlot = (i: number, v: Validator): ValidatorSet => ({ ...base, validators: base.validators.map((x, j) => (j === i ? v : x)) });

describe("checkValidatorSetBindings", () => {
  it("accepts a bound set with its root", () => {
    expect(checkValidatorSetBindings(base, root, CHAIN_ID)).toEqual({ ok: true, root, totalPower: 33n, boundSlots: 3 });
  });

  it("rejects a binding signature from another validator", () => {
    const r = checkValidatorSetBindings(withSlot(1, { ...base.validators[1]!, bindingSignature: base.validators[2]!.bindingSignature }), root, CHAIN_ID);
    expect(r).toEqual({ ok: false, slot: 1, reason: "slot 1: BLS binding signature does not verify" });
  });

  it("rejects a binding that does not cover the slot's address or attestation key", () => {
    const v = base.validators[2]!;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, address: new Uint8Array(32).fill(0x99) }), root, CHAIN_ID)).toMatchObject({ ok: false, slot: 2 });
    const other = validator(0).attestationKey;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, attestationKey: other }), root, CHAIN_ID)).toMatchObject({ ok: false, slot: 2 });
    const sig = v.bindingSignature.slice();
    sig[95] ^= 1;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, bindingSignature: sig }), root, CHAIN_ID)).toMatchObject({ ok: false, slot: 2 });
  });

  it("rejects a set that does not hash to the claimed root", () => {
    const r = checkValidatorSetBindings(base, root + 1n, CHAIN_ID);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason).toMatch(/is not the claimed/);
    const repowered = withSlot(0, { ...base.validators[0]!, power: 99n });
    expect(checkValidatorSetBindings(repowered, root, CHAIN_ID).ok).toBe(false);
  });

  it("rejects a rogue key T - sum(honest) (no valid proof of possession), and one proven for another chain", () => {
    const sum = [0, 1].map((i) => base.validators[i]!.attestationKey).reduce((a, k) => addPoint(a, { x: k.Ax, y: k.Ay }), { x: 0n, y: 1n });
    const T = mulBase8(5555n);
    const rogue = addPoint(T, { x: FIELD_MODULUS - sum.x, y: sum.y });
    const v = base.validators[2]!;
    const withRogue = withSlot(2, { ...v, attestationKey: { Ax: rogue.x, Ay: rogue.y } });
    const r = checkValidatorSetBindings(withRogue, validatorSetRoot(withRogue), CHAIN_ID);
    expect(r).toMatchObject({ ok: false, slot: 2, code: "InvalidProofOfPossession" });
    expect(checkValidatorSetBindings(base, root, CHAIN_ID + 1)).toMatchObject({ ok: false, slot: 0, code: "InvalidProofOfPossession" });
  });

  it("rejects small-order keys with power > 0, duplicate keys and a key with its negation", () => {
    const v = base.validators[2]!;
    const small = withSlot(2, { ...v, attestationKey: { Ax: 0n, Ay: FIELD_MODULUS - 1n } });
    expect(checkValidatorSetBindings(small, validatorSetRoot(small), CHAIN_ID)).toMatchObject({ ok: false, slot: 2, code: "NotInSubgroup" });
    const twice = withSlot(3, { ...base.validators[0]!, power: 5n });
    expect(checkValidatorSetBindings(twice, validatorSetRoot(twice), CHAIN_ID)).toMatchObject({ ok: false, slot: 3, code: "DuplicateKey" });
    // -A0 with a valid proof of possession by its owner (who knows -a0): refused as a negation.
    const a0 = expandPrivateKey(new Uint8Array(32).fill(1)).s >> 3n;
    const negA = BABYJUB_SUBORDER - (a0 % BABYJUB_SUBORDER);
    const key = { Ax: FIELD_MODULUS - base.validators[0]!.attestationKey.Ax, Ay: base.validators[0]!.attestationKey.Ay };
    const address = new Uint8Array(32).fill(0x77);
    const R = mulBase8(777n);
    const pop = { Rx: R.x, Ry: R.y, s: (777n + popChallenge(CHAIN_ID, address, key, R) * negA) % BABYJUB_SUBORDER };
    const negated = withSlot(3, { ...validator(3), attestationKey: key, address, proofOfPossession: pop });
    expect(checkValidatorSetBindings(negated, validatorSetRoot(negated), CHAIN_ID)).toMatchObject({ ok: false, slot: 3, code: "NegatedKey" });
  });

  it("rejects a malformed set (power-0 slot with a key)", () => {
    const r = checkValidatorSetBindings(withSlot(3, { ...validator(3), power: 0n }), root, CHAIN_ID);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason).toMatch(/^malformed validator set: slot 3/);
  });
});
