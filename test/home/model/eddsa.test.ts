// EdDSA-Poseidon attestation keys: public keys and signatures byte-for-byte equal to
// circomlibjs, mutual verification, and rejection of tampered or malformed inputs.

import { beforeAll, describe, expect, it } from "vitest";
import { BABYJUB_SUBORDER, BASE8, inCurve, inSubgroup, mulBase8, mulPointScalar } from "../../../home/model/babyjub.ts";
import { type PublicKey, type Signature, derivePublicKey, signPoseidon, verifyPoseidon } from "../../../home/model/eddsa.ts";
import { FIELD_MODULUS } from "../../../home/model/field.ts";
import { type RefEddsa, type RefSignature, refEddsa, testBytes, testScalar } from "./reference.ts";

let ref: RefEddsa;
beforeAll(async () => {
  ref = await refEddsa();
});

function refPub(prv: Uint8Array): PublicKey {
  const A = ref.prv2pub(prv);
  return { Ax: ref.F.toObject(A[0]), Ay: ref.F.toObject(A[1]) };
}

function refSign(prv: Uint8Array, msg: bigint): Signature {
  const s = ref.signPoseidon(prv, ref.F.e(msg));
  return { R8x: ref.F.toObject(s.R8[0]), R8y: ref.F.toObject(s.R8[1]), S: s.S };
}

function toRef(sig: Signature): RefSignature {
  return { R8: [ref.F.e(sig.R8x), ref.F.e(sig.R8y)], S: sig.S };
}

function refVerify(msg: bigint, sig: Signature, pub: PublicKey): boolean {
  return ref.verifyPoseidon(ref.F.e(msg), toRef(sig), [ref.F.e(pub.Ax), ref.F.e(pub.Ay)]);
}

const keys = [new Uint8Array(32), new Uint8Array(32).fill(0xff), testBytes(1, 32), testBytes(2, 32), testBytes(3, 32)];
const messages = [0n, 1n, FIELD_MODULUS - 1n, testScalar(7, FIELD_MODULUS)];

describe("eddsa-poseidon", () => {
  it("derives the same public keys as circomlibjs prv2pub", () => {
    for (const prv of keys) {
      const pub = derivePublicKey(prv);
      expect(pub).toEqual(refPub(prv));
      expect(inSubgroup({ x: pub.Ax, y: pub.Ay })).toBe(true);
    }
  });

  it("produces the same signatures as circomlibjs signPoseidon, each accepted by both verifiers", () => {
    for (const [i, prv] of keys.slice(1, 4).entries()) {
      const pub = derivePublicKey(prv);
      for (const msg of messages.slice(i, i + 2)) {
        const sig = signPoseidon(prv, msg);
        expect(sig).toEqual(refSign(prv, msg));
        expect(verifyPoseidon(msg, sig, pub)).toBe(true);
        expect(refVerify(msg, sig, pub)).toBe(true);
      }
    }
  });

  it("rejects tampered signatures, messages and keys (as circomlibjs does)", () => {
    const prv = keys[2]!;
    const pub = derivePublicKey(prv);
    const msg = messages[3]!;
    const sig = signPoseidon(prv, msg);
    const otherR = mulPointScalar(BASE8, 12345n);
    const cases: [bigint, Signature, PublicKey][] = [
      [msg + 1n, sig, pub],
      [msg, { ...sig, S: (sig.S + 1n) % BABYJUB_SUBORDER }, pub],
      [msg, { ...sig, R8x: otherR.x, R8y: otherR.y }, pub],
      [msg, sig, derivePublicKey(keys[3]!)],
    ];
    for (const [m, s, p] of cases) {
      expect(verifyPoseidon(m, s, p)).toBe(false);
      expect(refVerify(m, s, p)).toBe(false);
    }
  });

  it("rejects malformed inputs without throwing", () => {
    const prv = keys[1]!;
    const pub = derivePublicKey(prv);
    const sig = signPoseidon(prv, 5n);
    expect(verifyPoseidon(5n, { ...sig, S: sig.S + BABYJUB_SUBORDER }, pub)).toBe(false); // S >= l
    expect(verifyPoseidon(5n, { ...sig, R8x: sig.R8x + 1n }, pub)).toBe(false); // R8 off the curve
    expect(verifyPoseidon(5n, sig, { Ax: pub.Ax, Ay: pub.Ay + 1n })).toBe(false); // A off the curve
    expect(verifyPoseidon(5n + FIELD_MODULUS, sig, pub)).toBe(false); // message not a field element
    expect(inCurve({ x: sig.R8x + 1n, y: sig.R8y })).toBe(false);
  });

  it("fixed-base multiplication equals generic double-and-add, also past the subgroup order", () => {
    for (const e of [0n, 1n, 2n, 12345n, BABYJUB_SUBORDER - 1n, BABYJUB_SUBORDER, BABYJUB_SUBORDER + 5n, (1n << 253n) - 1n]) {
      expect(mulBase8(e)).toEqual(mulPointScalar(BASE8, e));
    }
    expect(mulBase8(BABYJUB_SUBORDER)).toEqual({ x: 0n, y: 1n });
  });

  it("requires a 32-byte private key and a field-element message", () => {
    expect(() => derivePublicKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => signPoseidon(keys[1]!, FIELD_MODULUS)).toThrow(RangeError);
  });
});
