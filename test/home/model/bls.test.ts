// BLS consensus keys and the binding of attestation keys: sign/verify, rejection of
// bindings over other keys or addresses, message layout and deterministic keygen.

import { bls12_381 } from "@noble/curves/bls12-381.js";
import { describe, expect, it } from "vitest";
import { BINDING_PREFIX, BLS_DST, bindingMessage, blsKeyFromSeed, blsPublicKey, signBinding, verifyBinding } from "../../../home/model/bls.ts";
import { derivePublicKey } from "../../../home/model/eddsa.ts";
import { bigIntToBytesBE, bytesToHex } from "../../../home/model/field.ts";
import { emptyValidator } from "../../../home/model/validators.ts";
import { makeValidator } from "./fixtures.ts";
import { testBytes } from "./reference.ts";

describe("BLS binding", () => {
  const a = makeValidator(1, 10n);
  const b = makeValidator(2, 10n);

  it("derives keys deterministically from the seed", () => {
    const k1 = blsKeyFromSeed(testBytes(5, 32));
    const k2 = blsKeyFromSeed(testBytes(5, 32));
    const k3 = blsKeyFromSeed(testBytes(6, 32));
    expect(k1.publicKey).toHaveLength(48);
    expect(bytesToHex(k1.publicKey)).toBe(bytesToHex(k2.publicKey));
    expect(bytesToHex(k1.publicKey)).not.toBe(bytesToHex(k3.publicKey));
    expect(bytesToHex(blsPublicKey(k1.secretKey))).toBe(bytesToHex(k1.publicKey));
    expect(() => blsKeyFromSeed(new Uint8Array(8))).toThrow(RangeError);
  });

  it("lays the message out as prefix || Ax || Ay || address", () => {
    const v = a.validator;
    const msg = bindingMessage(v.attestationKey, v.address);
    const prefix = new TextEncoder().encode(BINDING_PREFIX);
    expect(msg).toHaveLength(prefix.length + 96);
    expect(bytesToHex(msg)).toBe(
      bytesToHex(prefix) +
        bytesToHex(bigIntToBytesBE(v.attestationKey.Ax, 32)).slice(2) +
        bytesToHex(bigIntToBytesBE(v.attestationKey.Ay, 32)).slice(2) +
        bytesToHex(v.address).slice(2),
    );
    expect(() => bindingMessage(v.attestationKey, new Uint8Array(20))).toThrow(RangeError);
  });

  it("verifies a binding, with the POP ciphersuite DST", () => {
    expect(a.validator.bindingSignature).toHaveLength(96);
    expect(verifyBinding(a.validator)).toBe(true);
    // Independently, with noble directly: the signature is over the POP DST, not the NUL one.
    const bls = bls12_381.longSignatures;
    const msg = bindingMessage(a.validator.attestationKey, a.validator.address);
    expect(bls.verify(a.validator.bindingSignature, bls.hash(msg, BLS_DST), a.validator.blsPublicKey)).toBe(true);
    expect(bls.verify(a.validator.bindingSignature, bls.hash(msg), a.validator.blsPublicKey)).toBe(false);
  });

  it("rejects a binding over another attestation key, address or consensus key", () => {
    const v = a.validator;
    expect(verifyBinding({ ...v, attestationKey: b.validator.attestationKey })).toBe(false);
    expect(verifyBinding({ ...v, address: b.validator.address })).toBe(false);
    expect(verifyBinding({ ...v, blsPublicKey: b.validator.blsPublicKey })).toBe(false);
    expect(verifyBinding({ ...v, bindingSignature: b.validator.bindingSignature })).toBe(false);
    // b's consensus key signing a's attestation key does not bind it to a's consensus key
    const foreign = signBinding(b.blsSecretKey, v.attestationKey, v.address);
    expect(verifyBinding({ ...v, bindingSignature: foreign })).toBe(false);
    expect(verifyBinding({ ...v, blsPublicKey: b.validator.blsPublicKey, bindingSignature: foreign })).toBe(true);
  });

  it("returns false (never throws) on malformed bytes and empty slots", () => {
    const v = a.validator;
    expect(verifyBinding({ ...v, bindingSignature: new Uint8Array(96) })).toBe(false);
    expect(verifyBinding({ ...v, bindingSignature: v.bindingSignature.slice(0, 95) })).toBe(false);
    expect(verifyBinding({ ...v, blsPublicKey: new Uint8Array(48).fill(0xff) })).toBe(false);
    expect(verifyBinding(emptyValidator())).toBe(false);
    expect(verifyBinding({ ...v, attestationKey: derivePublicKey(testBytes(9, 32)) })).toBe(false);
  });
});
