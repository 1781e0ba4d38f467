// Wire formats: SSZ bytes -> value -> bytes identical for header, validator set and
// signed header; JSON round trips; malformed or out-of-range input rejected.

import { describe, expect, it } from "vitest";
import { FIELD_MODULUS, bytesToHex } from "../../../home/model/field.ts";
import { type Header, checkSignedHeader, signHeader } from "../../../home/model/header.ts";
import {
  HeaderSSZ,
  decodeHeader,
  decodeSignedHeader,
  decodeValidatorSet,
  encodeHeader,
  encodeSignedHeader,
  encodeValidatorSet,
  headerFromJSON,
  headerToJSON,
  signedHeaderFromJSON,
  signedHeaderToJSON,
  validatorSetFromJSON,
  validatorSetToJSON,
} from "../../../home/model/ssz.ts";
import { validatorSetRoot } from "../../../home/model/validators.ts";
import { makeSet } from "./fixtures.ts";

const { set, members } = makeSet(9n, 4, [3n, 4n, 6n], 2 ** 32 - 1); // slots 0 and 2 sign 9 of 13 > 2/3
const header: Header = {
  chainId: 2 ** 32 - 1,
  epoch: 9n,
  height: (1n << 64n) - 1n,
  timestampMs: 1_763_700_000_000n,
  parentHash: FIELD_MODULUS - 1n,
  stateRoot: 12345n,
  validatorSetRoot: validatorSetRoot(set),
  nextValidatorSetRoot: 777n,
};
const signedHeader = signHeader(header, set, [members[0]!.attestationPrivateKey, null, members[2]!.attestationPrivateKey, null]);

describe("SSZ", () => {
  it("round-trips a header byte-for-byte", () => {
    const bytes = encodeHeader(header);
    expect(bytes).toHaveLength(4 + 3 * 8 + 4 * 32);
    const back = decodeHeader(bytes);
    expect(back).toEqual(header);
    expect(bytesToHex(encodeHeader(back))).toBe(bytesToHex(bytes));
  });

  it("round-trips a validator set byte-for-byte", () => {
    const bytes = encodeValidatorSet(set);
    const back = decodeValidatorSet(bytes);
    expect(back.capacity).toBe(4);
    expect(back).toEqual(set);
    expect(validatorSetRoot(back)).toBe(validatorSetRoot(set));
    expect(bytesToHex(encodeValidatorSet(back))).toBe(bytesToHex(bytes));
  });

  it("round-trips a signed header byte-for-byte and it still checks", () => {
    const bytes = encodeSignedHeader(signedHeader);
    const back = decodeSignedHeader(bytes);
    expect(back).toEqual(signedHeader);
    expect(back.signed).toEqual([true, false, true, false]);
    expect(bytesToHex(encodeSignedHeader(back))).toBe(bytesToHex(bytes));
    expect(checkSignedHeader(back)).toEqual({ ok: true });
  });

  it("rejects truncated bytes and non-canonical field elements", () => {
    const bytes = encodeSignedHeader(signedHeader);
    expect(() => decodeSignedHeader(bytes.slice(0, bytes.length - 1))).toThrow();
    expect(() => decodeHeader(encodeHeader(header).slice(1))).toThrow();
    const raw = HeaderSSZ.serialize({ ...header, stateRoot: FIELD_MODULUS });
    expect(() => decodeHeader(raw)).toThrow(/stateRoot/);
    expect(() => encodeHeader({ ...header, epoch: 1n << 64n })).toThrow(/epoch/);
    expect(() => encodeValidatorSet({ ...set, capacity: 3, validators: set.validators.slice(0, 3) })).toThrow(/power of two/);
  });
});

describe("JSON", () => {
  it("round-trips header, validator set and signed header through JSON text", () => {
    const hj = JSON.parse(JSON.stringify(headerToJSON(header))) as unknown;
    expect(headerFromJSON(hj)).toEqual(header);
    const sj = JSON.parse(JSON.stringify(validatorSetToJSON(set))) as unknown;
    expect(validatorSetFromJSON(sj)).toEqual(set);
    const shj = JSON.parse(JSON.stringify(signedHeaderToJSON(signedHeader))) as unknown;
    expect(signedHeaderFromJSON(shj)).toEqual(signedHeader);
  });

  it("uses decimal strings for bigints and 0x hex for bytes", () => {
    const hj = headerToJSON(header);
    expect(hj.parentHash).toBe((FIELD_MODULUS - 1n).toString());
    expect(hj.chainId).toBe(2 ** 32 - 1);
    const vj = validatorSetToJSON(set).validators[0]!;
    expect(vj.blsPublicKey).toMatch(/^0x[0-9a-f]{96}$/);
    expect(vj.power).toBe("3");
  });

  it("rejects malformed JSON values with a message naming the field", () => {
    const hj = headerToJSON(header);
    expect(() => headerFromJSON({ ...hj, epoch: 9 })).toThrow(/header.epoch/);
    expect(() => headerFromJSON({ ...hj, height: "-1" })).toThrow(/header.height/);
    expect(() => headerFromJSON({ ...hj, stateRoot: FIELD_MODULUS.toString() })).toThrow(/stateRoot/);
    expect(() => headerFromJSON(null)).toThrow(/object/);
    const sj = validatorSetToJSON(set);
    const badAddr = { ...sj, validators: sj.validators.map((v, i) => (i === 1 ? { ...v, address: "0x1234" } : v)) };
    expect(() => validatorSetFromJSON(badAddr)).toThrow(/validator 1 address/);
    expect(() => validatorSetFromJSON({ ...sj, capacity: 8 })).toThrow(/capacity/);
    const shj = signedHeaderToJSON(signedHeader);
    expect(() => signedHeaderFromJSON({ ...shj, signed: [true, false] })).toThrow(/entries/);
    expect(() => signedHeaderFromJSON({ ...shj, signed: [1, 0, 1, 0] })).toThrow(/boolean/);
  });
});
