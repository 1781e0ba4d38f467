// Attestation-key rules (DESIGN section 9): the proof of possession against circomlibjs
// Poseidon, the point checks (identity, small order, mixed order, off the curve), Home's
// registry and the set-wide rules (duplicates, negations). The rogue-key attack is run for
// real: without the rules a set holding T - sum(honest) lets one validator make a valid
// aggregate signature for the whole set alone; with them the set is refused.

import { beforeAll, describe, expect, it } from "vitest";
import {
  AttestationKeyError,
  AttestationKeyRegistry,
  TAG_POP,
  addressFields,
  assertSetAttestationKeys,
  attestationKeyProblem,
  popChallenge,
  verifyProofOfPossession,
} from "../../../home/model/attestation-key.ts";
import { BABYJUB_SUBORDER, addPoint, mulBase8, mulPointScalar } from "../../../home/model/babyjub.ts";
import { expandPrivateKey } from "../../../home/model/eddsa.ts";
import { FIELD_MODULUS, bytesToBigIntBE } from "../../../home/model/field.ts";
import { type Header, aggregateKey, checkAggregateSignature, headerHash } from "../../../home/model/header.ts";
import { poseidon } from "../../../home/model/poseidon.ts";
import { checkValidatorSet, emptyValidator, validatorSetRoot, type Validator, type ValidatorSet } from "../../../home/model/validators.ts";
import { codeOf } from "../../fixtures/error-code.ts";
import { TEST_CHAIN_ID, makeSet, makeValidator } from "./fixtures.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

const C = TEST_CHAIN_ID;
const P = FIELD_MODULUS;
const v0 = makeValidator(0, 10n);
const v1 = makeValidator(1, 10n);

/** A single-signer EdDSA-Poseidon signature with a known scalar `a` (A = a * B8) and nonce k. */
function signWithScalar(a: bigint, k: bigint, msg: bigint): { R8x: bigint; R8y: bigint; S: bigint } {
  const A = mulBase8(a);
  const R = mulBase8(k);
  const hm = poseidon([R.x, R.y, A.x, A.y, msg]);
  return { R8x: R.x, R8y: R.y, S: (k + hm * 8n * a) % BABYJUB_SUBORDER };
}

describe("proof of possession", () => {
  it("TAG_POP is ASCII OLZK_POP_V1 big-endian; the challenge is Poseidon(TAG_POP, chainId, address halves, A, R)", () => {
    expect(TAG_POP).toBe(bytesToBigIntBE(new TextEncoder().encode("OLZK_POP_V1")));
    const { attestationKey: A, address, proofOfPossession: pop } = v0.validator;
    const [hi, lo] = addressFields(address);
    expect((hi << 128n) | lo).toBe(bytesToBigIntBE(address));
    expect(popChallenge(C, address, A, { x: pop.Rx, y: pop.Ry })).toBe(H([TAG_POP, BigInt(C), hi, lo, A.Ax, A.Ay, pop.Rx, pop.Ry]));
  });

  it("verifies for its key, chain and address only", () => {
    const { attestationKey: A, address, proofOfPossession: pop } = v0.validator;
    expect(verifyProofOfPossession(A, pop, address, C)).toBe(true);
    expect(verifyProofOfPossession(A, pop, address, C + 1)).toBe(false);
    expect(verifyProofOfPossession(A, pop, v1.validator.address, C)).toBe(false);
    expect(verifyProofOfPossession(v1.validator.attestationKey, pop, address, C)).toBe(false);
    expect(verifyProofOfPossession(A, { ...pop, s: (pop.s + 1n) % BABYJUB_SUBORDER }, address, C)).toBe(false);
    expect(verifyProofOfPossession(A, { ...pop, s: pop.s + BABYJUB_SUBORDER }, address, C)).toBe(false); // s must be < l
    expect(verifyProofOfPossession(A, { ...pop, Rx: pop.Rx + 1n }, address, C)).toBe(false); // R off the curve
  });

  it("is not a header signature: an EdDSA signature of the challenge does not verify as a proof, nor the reverse", () => {
    const { attestationKey: A, address, proofOfPossession: pop } = v0.validator;
    // As a header signature, (R, s) would need s * B8 == R + 8 * Poseidon(R, A, M) * A for some M; the PoP's equation has no 8.
    const c = popChallenge(C, address, A, { x: pop.Rx, y: pop.Ry });
    const lhs = mulBase8(pop.s);
    const rhs = addPoint({ x: pop.Rx, y: pop.Ry }, mulPointScalar({ x: A.Ax, y: A.Ay }, 8n * c));
    expect(lhs).not.toEqual(rhs);
  });
});

describe("attestation key points", () => {
  const A = v0.validator.attestationKey;
  it("refuses the identity, small-order points, keys with a small-order component and points off the curve", () => {
    expect(attestationKeyProblem(A)).toBeNull();
    expect(attestationKeyProblem({ Ax: 0n, Ay: 1n })).toBe("Identity");
    expect(attestationKeyProblem({ Ax: 0n, Ay: P - 1n })).toBe("NotInSubgroup"); // order 2
    expect(attestationKeyProblem({ Ax: P - A.Ax, Ay: P - A.Ay })).toBe("NotInSubgroup"); // A + (0, -1): order 2l
    expect(attestationKeyProblem({ Ax: A.Ax, Ay: A.Ay + 1n })).toBe("NotOnCurve");
    expect(attestationKeyProblem({ Ax: A.Ax + P, Ay: A.Ay })).toBe("NotOnCurve"); // not canonical
  });
});

describe("AttestationKeyRegistry", () => {
  it("registers keys with a valid proof of possession and refuses duplicates and negations", () => {
    const reg = new AttestationKeyRegistry(C);
    reg.register(v0.validator);
    reg.register(v1.validator);
    expect(reg.size).toBe(2);
    expect(codeOf(() => reg.register(v0.validator))).toBe("DuplicateKey");
    // The negation of a registered key, with a valid proof of possession (its owner knows -a).
    const a = (makeValidatorScalar(0) * (BABYJUB_SUBORDER - 1n)) % BABYJUB_SUBORDER;
    const neg = keyRecordForScalar(a, v1.validator.address);
    expect(neg.attestationKey).toEqual({ Ax: P - v0.validator.attestationKey.Ax, Ay: v0.validator.attestationKey.Ay });
    expect(verifyProofOfPossession(neg.attestationKey, neg.proofOfPossession, neg.address, C)).toBe(true);
    expect(codeOf(() => reg.register(neg))).toBe("NegatedKey");
    expect(reg.size).toBe(2);
  });

  it("refuses a key without a valid proof, a proof for another chain, the identity and small-order keys", () => {
    const reg = new AttestationKeyRegistry(C);
    const v = makeValidator(5, 1n).validator;
    expect(codeOf(() => reg.register({ ...v, proofOfPossession: v0.validator.proofOfPossession }))).toBe("InvalidProofOfPossession");
    expect(codeOf(() => reg.register(makeValidator(5, 1n, C + 1).validator))).toBe("InvalidProofOfPossession");
    expect(codeOf(() => reg.register({ ...v, attestationKey: { Ax: 0n, Ay: 1n } }))).toBe("Identity");
    expect(codeOf(() => reg.register({ ...v, attestationKey: { Ax: 0n, Ay: P - 1n } }))).toBe("NotInSubgroup");
    expect(codeOf(() => reg.register({ ...v, attestationKey: { Ax: 1n, Ay: 1n } }))).toBe("NotOnCurve");
    expect(reg.size).toBe(0);
    reg.register(v);
    expect(reg.has(v.attestationKey)).toBe(true);
  });
});

/** The secret scalar a (A = a * B8) of fixture validator `seed`: the pruned scalar is 8a. */
function makeValidatorScalar(seed: number): bigint {
  return expandPrivateKey(makeValidator(seed, 1n).attestationPrivateKey).s >> 3n;
}

/** A key record for a raw scalar a (its owner's view): A = a * B8 with a proof of possession. */
function keyRecordForScalar(a: bigint, address: Uint8Array): Pick<Validator, "attestationKey" | "address" | "proofOfPossession"> {
  const A = mulBase8(a);
  const key = { Ax: A.x, Ay: A.y };
  const k = 123456789n;
  const R = mulBase8(k);
  const c = popChallenge(C, address, key, R);
  return { attestationKey: key, address, proofOfPossession: { Rx: R.x, Ry: R.y, s: (k + c * a) % BABYJUB_SUBORDER } };
}

describe("set-wide key rules", () => {
  const { set } = makeSet(4n, 4, [10n, 10n, 10n]);
  const replace = (i: number, v: Validator): ValidatorSet => ({ ...set, validators: set.validators.map((x, j) => (j === i ? v : x)) });

  it("refuses a key twice, a key with its negation, and a small-order key with power > 0", () => {
    expect(() => assertSetAttestationKeys(set, C)).not.toThrow();
    expect(checkValidatorSet(replace(3, { ...set.validators[0]!, power: 1n }), C, { checkBindings: false })).toMatchObject({ ok: false, code: "DuplicateKey", slot: 3 });
    const neg = keyRecordForScalar(BABYJUB_SUBORDER - (makeValidatorScalar(1) % BABYJUB_SUBORDER), makeValidator(9, 1n).validator.address);
    expect(checkValidatorSet(replace(3, { ...makeValidator(9, 1n).validator, ...neg }), C, { checkBindings: false })).toMatchObject({
      ok: false,
      code: "NegatedKey",
      slot: 3,
    });
    const smallOrder = { ...set.validators[2]!, attestationKey: { Ax: 0n, Ay: P - 1n } };
    expect(checkValidatorSet(replace(2, smallOrder), C, { checkBindings: false })).toMatchObject({ ok: false, code: "NotInSubgroup", slot: 2 });
  });
});

describe("rogue key (T - sum(honest)) without a proof of possession", () => {
  // Honest validators 0 and 1 (power 10 each) and the attacker's slot 2 (power 10): 3 * 10 > 2 * 30 is false,
  // 3 * 30 > 2 * 30 is true, so a valid aggregate for all three slots is a quorum.
  const honest = [makeValidator(0, 10n), makeValidator(1, 10n)];
  const t = 987654321987654321n; // the attacker's chosen secret
  const T = mulBase8(t);
  const sumHonest = addPoint(
    { x: honest[0]!.validator.attestationKey.Ax, y: honest[0]!.validator.attestationKey.Ay },
    { x: honest[1]!.validator.attestationKey.Ax, y: honest[1]!.validator.attestationKey.Ay },
  );
  const rogueKey = addPoint(T, { x: P - sumHonest.x, y: sumHonest.y }); // T - sumHonest
  const attacker = makeValidator(2, 10n).validator;
  const rogue: Validator = { ...attacker, attestationKey: { Ax: rogueKey.x, Ay: rogueKey.y } };
  const set: ValidatorSet = { epoch: 1n, capacity: 4, validators: [honest[0]!.validator, honest[1]!.validator, rogue, emptyValidator()] };

  it("lets one party sign for the whole set when the key rules are not applied", () => {
    const header: Header = {
      chainId: C,
      epoch: 1n,
      height: 5n,
      timestampMs: 1_700_000_000_000n,
      parentHash: 1n,
      stateRoot: 2n,
      validatorSetRoot: validatorSetRoot(set),
      nextValidatorSetRoot: 0n,
    };
    const signers = [true, true, true, false];
    expect(aggregateKey(set, signers)).toEqual({ Ax: T.x, Ay: T.y });
    const forged = signWithScalar(t, 42n, headerHash(header));
    expect(checkAggregateSignature(header, set, { signers, signature: forged })).toEqual({ ok: true });
  });

  it("is refused when the set is accepted: the rogue key has no valid proof of possession", () => {
    // Its owner does not know the discrete log of T - sum(honest); any proof it can make is for another key.
    const attempts = [attacker.proofOfPossession, keyRecordForScalar(t, attacker.address).proofOfPossession];
    for (const proofOfPossession of attempts) {
      const s = { ...set, validators: set.validators.map((v, i) => (i === 2 ? { ...rogue, proofOfPossession } : v)) };
      expect(checkValidatorSet(s, C, { checkBindings: false })).toMatchObject({ ok: false, code: "InvalidProofOfPossession", slot: 2 });
    }
    const reg = new AttestationKeyRegistry(C);
    honest.forEach((h) => reg.register(h.validator));
    expect(() => reg.register(rogue)).toThrow(AttestationKeyError);
  });
});
