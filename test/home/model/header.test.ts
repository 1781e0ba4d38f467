// Headers: headerHash against circomlibjs Poseidon, meta packing and its range checks,
// and signed headers at the quorum edge, with tampering and mismatches rejected.

import { beforeAll, describe, expect, it } from "vitest";
import { signPoseidon } from "../../../home/model/eddsa.ts";
import { FIELD_MODULUS, bytesToBigIntBE } from "../../../home/model/field.ts";
import { type Header, TAG_HEADER, checkSignedHeader, headerHash, packMeta, signHeader, unpackMeta } from "../../../home/model/header.ts";
import { validatorSetRoot } from "../../../home/model/validators.ts";
import { makeSet } from "./fixtures.ts";
import { refPoseidonBig } from "./reference.ts";

let H: (inputs: bigint[]) => bigint;
beforeAll(async () => {
  H = await refPoseidonBig();
});

const U64_MAX = (1n << 64n) - 1n;

const CHAIN_ID = 1337;

function header(over: Partial<Header> = {}): Header {
  return {
    chainId: CHAIN_ID,
    epoch: 2n,
    height: 41n,
    timestampMs: 1_763_700_000_123n,
    parentHash: 123456789n,
    stateRoot: 987654321n,
    validatorSetRoot: 55n,
    nextValidatorSetRoot: 0n,
    ...over,
  };
}

describe("header", () => {
  it("TAG_HEADER is ASCII OLZK_HEADER_V1 big-endian", () => {
    expect(TAG_HEADER).toBe(bytesToBigIntBE(new TextEncoder().encode("OLZK_HEADER_V1")));
  });

  it("hashes the 9 inputs in ENCODING.md order with circomlib Poseidon", () => {
    const h = header({ nextValidatorSetRoot: FIELD_MODULUS - 1n });
    expect(headerHash(h)).toBe(
      H([TAG_HEADER, 1337n, h.epoch, h.height, h.timestampMs, h.parentHash, h.stateRoot, h.validatorSetRoot, h.nextValidatorSetRoot]),
    );
    expect(headerHash(header({ stateRoot: 987654322n }))).not.toBe(headerHash(header()));
  });

  it("packs and unpacks meta", () => {
    const h = header();
    const meta = packMeta(h);
    expect(meta).toBe(1337n + 2n * 2n ** 32n + 41n * 2n ** 96n + h.timestampMs * 2n ** 160n);
    expect(unpackMeta(meta)).toEqual({ chainId: 1337, epoch: 2n, height: 41n, timestampMs: h.timestampMs });
    const max = { chainId: 2 ** 32 - 1, epoch: U64_MAX, height: U64_MAX, timestampMs: U64_MAX };
    expect(packMeta(max)).toBe((1n << 224n) - 1n);
    expect(unpackMeta((1n << 224n) - 1n)).toEqual(max);
    expect(unpackMeta(0n)).toEqual({ chainId: 0, epoch: 0n, height: 0n, timestampMs: 0n });
  });

  it("throws on out-of-range fields", () => {
    expect(() => packMeta(header({ chainId: 2 ** 32 }))).toThrow(/chainId/);
    expect(() => packMeta(header({ chainId: -1 }))).toThrow(/chainId/);
    expect(() => packMeta(header({ chainId: 1.5 }))).toThrow(/chainId/);
    expect(() => packMeta(header({ epoch: 1n << 64n }))).toThrow(/epoch/);
    expect(() => packMeta(header({ height: -1n }))).toThrow(/height/);
    expect(() => packMeta(header({ timestampMs: 1n << 64n }))).toThrow(/timestampMs/);
    expect(() => headerHash(header({ epoch: 1n << 64n }))).toThrow(/epoch/);
    expect(() => headerHash(header({ chainId: 2 ** 32 }))).toThrow(/chainId/);
    expect(() => headerHash(header({ stateRoot: FIELD_MODULUS }))).toThrow(/stateRoot/);
    expect(() => unpackMeta(1n << 224n)).toThrow(/meta/);
    expect(() => unpackMeta(-1n)).toThrow(/meta/);
  });
});

describe("signed header", () => {
  // powers 1,1,1 of total 3: two signers are exactly 2/3 (no quorum), three are a quorum
  const { set, members } = makeSet(2n, 4, [1n, 1n, 1n], CHAIN_ID);
  const keys = members.map((m) => m.attestationPrivateKey);
  const h = header({ validatorSetRoot: validatorSetRoot(set) });

  it("accepts a header signed by more than 2/3 of the power", () => {
    const sh = signHeader(h, set, [...keys, null]);
    expect(sh.signed).toEqual([true, true, true, false]);
    expect(sh.signatures[3]).toEqual({ R8x: 0n, R8y: 1n, S: 0n });
    expect(checkSignedHeader(sh)).toEqual({ ok: true });
    expect(checkSignedHeader(sh, { checkBindings: true })).toEqual({ ok: true });
  });

  it("rejects exactly 2/3 of the power", () => {
    const sh = signHeader(h, set, [keys[0]!, keys[1]!, null, null]);
    const res = checkSignedHeader(sh);
    expect(res.ok).toBe(false);
    expect(res.reason).toMatch(/quorum/);
  });

  it("just above 2/3 passes with unequal powers", () => {
    const s2 = makeSet(2n, 4, [21n, 9n], CHAIN_ID);
    const h2 = header({ validatorSetRoot: validatorSetRoot(s2.set) });
    expect(checkSignedHeader(signHeader(h2, s2.set, [s2.members[0]!.attestationPrivateKey, null, null, null])).ok).toBe(true); // 21/30
    const s3 = makeSet(2n, 4, [20n, 10n], CHAIN_ID);
    const h3 = header({ validatorSetRoot: validatorSetRoot(s3.set) });
    expect(checkSignedHeader(signHeader(h3, s3.set, [s3.members[0]!.attestationPrivateKey, null, null, null])).ok).toBe(false); // 20/30
  });

  it("rejects tampered signatures, headers and sets", () => {
    const sh = signHeader(h, set, [...keys, null]);
    const badSig = { ...sh, signatures: sh.signatures.map((s, i) => (i === 1 ? { ...s, S: s.S + 1n } : s)) };
    expect(checkSignedHeader(badSig).reason).toMatch(/slot 1 signature/);
    const otherMsg = { ...sh, signatures: sh.signatures.map((s, i) => (i === 0 ? signPoseidon(keys[0]!, 1n) : s)) };
    expect(checkSignedHeader(otherMsg).reason).toMatch(/slot 0 signature/);
    expect(checkSignedHeader({ ...sh, header: { ...h, height: h.height + 1n } }).ok).toBe(false);
    expect(checkSignedHeader({ ...sh, header: { ...h, validatorSetRoot: 1n } }).reason).toMatch(/commitment/);
    expect(checkSignedHeader({ ...sh, header: { ...h, epoch: 3n } }).reason).toMatch(/epoch/);
    expect(checkSignedHeader({ ...sh, signed: [true, true, true, true] }).reason).toMatch(/power 0/);
    expect(checkSignedHeader({ ...sh, signed: [true, true, true] }).ok).toBe(false);
  });

  it("refuses to sign with a key that is not the slot's or for an empty slot", () => {
    expect(() => signHeader(h, set, [keys[1]!, keys[0]!, null, null])).toThrow(/does not match/);
    expect(() => signHeader(h, set, [null, null, null, keys[0]!])).toThrow(/empty/);
    expect(() => signHeader(h, set, [null])).toThrow(RangeError);
  });
});
