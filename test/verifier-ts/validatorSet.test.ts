// BLS binding check of a validator set: a well-bound set with its root is accepted; a swapped
// or foreign binding signature, a changed address or attestation key, a wrong root and a
// malformed slot are rejected with the failing slot.
import { describe, expect, it } from "vitest";
import { blsKeyFromSeed, signBinding } from "../../home/model/bls.ts";
import { derivePublicKey } from "../../home/model/eddsa.ts";
import { emptyValidator, validatorSetRoot, type Validator, type ValidatorSet } from "../../home/model/validators.ts";
import { checkValidatorSetBindings } from "../../verifier-ts/validatorSet.ts";

function validator(i: number): Validator {
  const prv = new Uint8Array(32).fill(i + 1);
  const attestationKey = derivePublicKey(prv);
  const address = new Uint8Array(32).fill(0x10 + i);
  const bls = blsKeyFromSeed(new Uint8Array(32).fill(0x40 + i));
  return { attestationKey, power: BigInt(10 + i), address, blsPublicKey: bls.publicKey, bindingSignature: signBinding(bls.secretKey, attestationKey, address) };
}

const base: ValidatorSet = { epoch: 2n, capacity: 4, validators: [validator(0), validator(1), validator(2), emptyValidator()] };
const root = validatorSetRoot(base);
const withSlot = (i: number, v: Validator): ValidatorSet => ({ ...base, validators: base.validators.map((x, j) => (j === i ? v : x)) });

describe("checkValidatorSetBindings", () => {
  it("accepts a bound set with its root", () => {
    expect(checkValidatorSetBindings(base, root)).toEqual({ ok: true, root, totalPower: 33n, boundSlots: 3 });
  });

  it("rejects a binding signature from another validator", () => {
    const r = checkValidatorSetBindings(withSlot(1, { ...base.validators[1]!, bindingSignature: base.validators[2]!.bindingSignature }), root);
    expect(r).toEqual({ ok: false, slot: 1, reason: "slot 1: BLS binding signature does not verify" });
  });

  it("rejects a binding that does not cover the slot's address or attestation key", () => {
    const v = base.validators[2]!;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, address: new Uint8Array(32).fill(0x99) }), root)).toMatchObject({ ok: false, slot: 2 });
    const other = validator(0).attestationKey;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, attestationKey: other }), root)).toMatchObject({ ok: false, slot: 2 });
    const sig = v.bindingSignature.slice();
    sig[95] ^= 1;
    expect(checkValidatorSetBindings(withSlot(2, { ...v, bindingSignature: sig }), root)).toMatchObject({ ok: false, slot: 2 });
  });

  it("rejects a set that does not hash to the claimed root", () => {
    const r = checkValidatorSetBindings(base, root + 1n);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason).toMatch(/is not the claimed/);
    const repowered = withSlot(0, { ...base.validators[0]!, power: 99n });
    expect(checkValidatorSetBindings(repowered, root).ok).toBe(false);
  });

  it("rejects a malformed set (power-0 slot with a key)", () => {
    const r = checkValidatorSetBindings(withSlot(3, { ...validator(3), power: 0n }), root);
    expect(r.ok).toBe(false);
    expect(r.ok ? "" : r.reason).toMatch(/^malformed validator set: slot 3/);
  });
});
