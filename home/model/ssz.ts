// Wire formats of headers, validator sets and signed-header bundles: SSZ types
// (@chainsafe/ssz; field elements as uint256, little-endian per SSZ) and JSON
// (bigints as decimal strings, bytes as 0x hex). Decoders validate ranges.

import {
  BitArray,
  BitListType,
  ByteVectorType,
  ContainerType,
  ListCompositeType,
  UintBigintType,
  UintNumberType,
} from "@chainsafe/ssz";
import type { ProofOfPossession } from "./attestation-key.ts";
import type { Signature } from "./eddsa.ts";
import { assertFieldElement, assertUint, bytesToHex, hexToBytes } from "./field.ts";
import { type AggregateSignature, type Header, type SignedHeader, assertHeaderRanges } from "./header.ts";
import type { Validator, ValidatorSet } from "./validators.ts";

/** Largest validator-set capacity the wire formats accept. */
export const MAX_VALIDATORS = 1024;

const Uint32 = new UintNumberType(4);
const Uint64 = new UintBigintType(8);
const Uint256 = new UintBigintType(32);

export const HeaderSSZ = new ContainerType(
  {
    chainId: Uint32,
    epoch: Uint64,
    height: Uint64,
    timestampMs: Uint64,
    parentHash: Uint256,
    stateRoot: Uint256,
    validatorSetRoot: Uint256,
    nextValidatorSetRoot: Uint256,
  },
  { typeName: "Header" },
);

export const PublicKeySSZ = new ContainerType({ Ax: Uint256, Ay: Uint256 }, { typeName: "AttestationKey" });

export const ProofOfPossessionSSZ = new ContainerType({ Rx: Uint256, Ry: Uint256, s: Uint256 }, { typeName: "ProofOfPossession" });

export const ValidatorSSZ = new ContainerType(
  {
    attestationKey: PublicKeySSZ,
    power: Uint64,
    address: new ByteVectorType(32),
    blsPublicKey: new ByteVectorType(48),
    bindingSignature: new ByteVectorType(96),
    proofOfPossession: ProofOfPossessionSSZ,
  },
  { typeName: "Validator" },
);

/** The capacity is the list length. */
export const ValidatorSetSSZ = new ContainerType(
  { epoch: Uint64, validators: new ListCompositeType(ValidatorSSZ, MAX_VALIDATORS) },
  { typeName: "ValidatorSet" },
);

export const SignatureSSZ = new ContainerType({ R8x: Uint256, R8y: Uint256, S: Uint256 }, { typeName: "Signature" });

export const AggregateSignatureSSZ = new ContainerType(
  { signers: new BitListType(MAX_VALIDATORS), signature: SignatureSSZ },
  { typeName: "AggregateSignature" },
);

/** `aggregate` is a list of at most one element: empty when the header has no aggregate signature. */
export const SignedHeaderSSZ = new ContainerType(
  {
    header: HeaderSSZ,
    validatorSet: ValidatorSetSSZ,
    signed: new BitListType(MAX_VALIDATORS),
    signatures: new ListCompositeType(SignatureSSZ, MAX_VALIDATORS),
    aggregate: new ListCompositeType(AggregateSignatureSSZ, 1),
  },
  { typeName: "SignedHeader" },
);

// ---- value checks shared by SSZ and JSON decoding ----

function checkValidator(v: Validator, i: number): Validator {
  assertFieldElement(v.attestationKey.Ax, `validator ${i} Ax`);
  assertFieldElement(v.attestationKey.Ay, `validator ${i} Ay`);
  assertUint(v.power, 64, `validator ${i} power`);
  if (v.address.length !== 32) throw new RangeError(`validator ${i} address must be 32 bytes`);
  if (v.blsPublicKey.length !== 48) throw new RangeError(`validator ${i} blsPublicKey must be 48 bytes`);
  if (v.bindingSignature.length !== 96) throw new RangeError(`validator ${i} bindingSignature must be 96 bytes`);
  assertFieldElement(v.proofOfPossession.Rx, `validator ${i} proofOfPossession Rx`);
  assertFieldElement(v.proofOfPossession.Ry, `validator ${i} proofOfPossession Ry`);
  assertUint(v.proofOfPossession.s, 256, `validator ${i} proofOfPossession s`);
  return v;
}

function checkSet(s: ValidatorSet): ValidatorSet {
  assertUint(s.epoch, 64, "validator set epoch");
  const n = s.validators.length;
  if (n < 1 || n > MAX_VALIDATORS || (n & (n - 1)) !== 0) throw new RangeError(`validator set size must be a power of two <= ${MAX_VALIDATORS}, got ${n}`);
  if (s.capacity !== n) throw new RangeError(`validator set capacity ${s.capacity} != ${n} slots`);
  s.validators.forEach(checkValidator);
  return s;
}

function checkSignature(sig: Signature, i: number): Signature {
  assertFieldElement(sig.R8x, `signature ${i} R8x`);
  assertFieldElement(sig.R8y, `signature ${i} R8y`);
  assertUint(sig.S, 256, `signature ${i} S`);
  return sig;
}

function checkSigned(sh: SignedHeader): SignedHeader {
  assertHeaderRanges(sh.header);
  checkSet(sh.validatorSet);
  const n = sh.validatorSet.capacity;
  if (sh.signed.length !== n || sh.signatures.length !== n) throw new RangeError(`signed/signatures must have ${n} entries`);
  sh.signatures.forEach(checkSignature);
  if (sh.aggregate) {
    if (sh.aggregate.signers.length !== n) throw new RangeError(`aggregate signers must have ${n} entries`);
    checkSignature(sh.aggregate.signature, 0);
  }
  return sh;
}

// ---- SSZ ----

function copyValidator(v: Validator): Validator {
  return {
    attestationKey: { Ax: v.attestationKey.Ax, Ay: v.attestationKey.Ay },
    power: v.power,
    address: Uint8Array.from(v.address),
    blsPublicKey: Uint8Array.from(v.blsPublicKey),
    bindingSignature: Uint8Array.from(v.bindingSignature),
    proofOfPossession: { ...v.proofOfPossession },
  };
}

function headerValue(h: Header): Header {
  return { ...h };
}

function setToSSZ(s: ValidatorSet): { epoch: bigint; validators: Validator[] } {
  return { epoch: s.epoch, validators: s.validators.map(copyValidator) };
}

function setFromSSZ(v: { epoch: bigint; validators: Validator[] }): ValidatorSet {
  return { epoch: v.epoch, capacity: v.validators.length, validators: v.validators.map(copyValidator) };
}

export function encodeHeader(h: Header): Uint8Array {
  assertHeaderRanges(h);
  return HeaderSSZ.serialize(headerValue(h));
}

export function decodeHeader(bytes: Uint8Array): Header {
  const h = headerValue(HeaderSSZ.deserialize(bytes));
  assertHeaderRanges(h);
  return h;
}

export function encodeValidatorSet(s: ValidatorSet): Uint8Array {
  checkSet(s);
  return ValidatorSetSSZ.serialize(setToSSZ(s));
}

export function decodeValidatorSet(bytes: Uint8Array): ValidatorSet {
  return checkSet(setFromSSZ(ValidatorSetSSZ.deserialize(bytes)));
}

export function encodeSignedHeader(sh: SignedHeader): Uint8Array {
  checkSigned(sh);
  return SignedHeaderSSZ.serialize({
    header: headerValue(sh.header),
    validatorSet: setToSSZ(sh.validatorSet),
    signed: BitArray.fromBoolArray(sh.signed),
    signatures: sh.signatures.map((s) => ({ R8x: s.R8x, R8y: s.R8y, S: s.S })),
    aggregate: sh.aggregate ? [{ signers: BitArray.fromBoolArray(sh.aggregate.signers), signature: { ...sh.aggregate.signature } }] : [],
  });
}

export function decodeSignedHeader(bytes: Uint8Array): SignedHeader {
  const v = SignedHeaderSSZ.deserialize(bytes);
  return checkSigned({
    header: headerValue(v.header),
    validatorSet: setFromSSZ(v.validatorSet),
    signed: v.signed.toBoolArray(),
    signatures: v.signatures.map((s) => ({ R8x: s.R8x, R8y: s.R8y, S: s.S })),
    aggregate: v.aggregate.length ? { signers: v.aggregate[0]!.signers.toBoolArray(), signature: { ...v.aggregate[0]!.signature } } : null,
  });
}

// ---- JSON ----

export interface HeaderJSON {
  chainId: number;
  epoch: string;
  height: string;
  timestampMs: string;
  parentHash: string;
  stateRoot: string;
  validatorSetRoot: string;
  nextValidatorSetRoot: string;
}

export interface ValidatorJSON {
  attestationKey: { Ax: string; Ay: string };
  power: string;
  address: string;
  blsPublicKey: string;
  bindingSignature: string;
  proofOfPossession: { Rx: string; Ry: string; s: string };
}

export interface ValidatorSetJSON {
  epoch: string;
  capacity: number;
  validators: ValidatorJSON[];
}

export interface SignatureJSON {
  R8x: string;
  R8y: string;
  S: string;
}

export interface AggregateSignatureJSON {
  signers: boolean[];
  signature: SignatureJSON;
}

export interface SignedHeaderJSON {
  header: HeaderJSON;
  validatorSet: ValidatorSetJSON;
  signed: boolean[];
  signatures: SignatureJSON[];
  /** null when the header has no aggregate signature. */
  aggregate: AggregateSignatureJSON | null;
}

function big(x: unknown, what: string): bigint {
  if (typeof x !== "string" || !/^(0|[1-9][0-9]*)$/.test(x)) throw new RangeError(`${what} must be a decimal string`);
  return BigInt(x);
}

function obj(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new RangeError(`${what} must be an object`);
  return x as Record<string, unknown>;
}

function arr(x: unknown, what: string): unknown[] {
  if (!Array.isArray(x)) throw new RangeError(`${what} must be an array`);
  return x;
}

function hex(x: unknown, len: number, what: string): Uint8Array {
  if (typeof x !== "string") throw new RangeError(`${what} must be a 0x hex string`);
  try {
    return hexToBytes(x, len);
  } catch (e) {
    throw new RangeError(`${what}: ${(e as Error).message}`);
  }
}

export function headerToJSON(h: Header): HeaderJSON {
  assertHeaderRanges(h);
  return {
    chainId: h.chainId,
    epoch: h.epoch.toString(),
    height: h.height.toString(),
    timestampMs: h.timestampMs.toString(),
    parentHash: h.parentHash.toString(),
    stateRoot: h.stateRoot.toString(),
    validatorSetRoot: h.validatorSetRoot.toString(),
    nextValidatorSetRoot: h.nextValidatorSetRoot.toString(),
  };
}

export function headerFromJSON(json: unknown): Header {
  const j = obj(json, "header");
  if (typeof j.chainId !== "number") throw new RangeError("header.chainId must be a number");
  const h: Header = {
    chainId: j.chainId,
    epoch: big(j.epoch, "header.epoch"),
    height: big(j.height, "header.height"),
    timestampMs: big(j.timestampMs, "header.timestampMs"),
    parentHash: big(j.parentHash, "header.parentHash"),
    stateRoot: big(j.stateRoot, "header.stateRoot"),
    validatorSetRoot: big(j.validatorSetRoot, "header.validatorSetRoot"),
    nextValidatorSetRoot: big(j.nextValidatorSetRoot, "header.nextValidatorSetRoot"),
  };
  assertHeaderRanges(h);
  return h;
}

export function validatorToJSON(v: Validator): ValidatorJSON {
  return {
    attestationKey: { Ax: v.attestationKey.Ax.toString(), Ay: v.attestationKey.Ay.toString() },
    power: v.power.toString(),
    address: bytesToHex(v.address),
    blsPublicKey: bytesToHex(v.blsPublicKey),
    bindingSignature: bytesToHex(v.bindingSignature),
    proofOfPossession: { Rx: v.proofOfPossession.Rx.toString(), Ry: v.proofOfPossession.Ry.toString(), s: v.proofOfPossession.s.toString() },
  };
}

export function validatorFromJSON(json: unknown, i = 0): Validator {
  const j = obj(json, `validator ${i}`);
  const k = obj(j.attestationKey, `validator ${i} attestationKey`);
  const pop = obj(j.proofOfPossession, `validator ${i} proofOfPossession`);
  const proofOfPossession: ProofOfPossession = {
    Rx: big(pop.Rx, `validator ${i} proofOfPossession Rx`),
    Ry: big(pop.Ry, `validator ${i} proofOfPossession Ry`),
    s: big(pop.s, `validator ${i} proofOfPossession s`),
  };
  return checkValidator(
    {
      attestationKey: { Ax: big(k.Ax, `validator ${i} Ax`), Ay: big(k.Ay, `validator ${i} Ay`) },
      power: big(j.power, `validator ${i} power`),
      address: hex(j.address, 32, `validator ${i} address`),
      blsPublicKey: hex(j.blsPublicKey, 48, `validator ${i} blsPublicKey`),
      bindingSignature: hex(j.bindingSignature, 96, `validator ${i} bindingSignature`),
      proofOfPossession,
    },
    i,
  );
}

export function validatorSetToJSON(s: ValidatorSet): ValidatorSetJSON {
  checkSet(s);
  return { epoch: s.epoch.toString(), capacity: s.capacity, validators: s.validators.map(validatorToJSON) };
}

export function validatorSetFromJSON(json: unknown): ValidatorSet {
  const j = obj(json, "validator set");
  if (typeof j.capacity !== "number") throw new RangeError("validator set capacity must be a number");
  return checkSet({
    epoch: big(j.epoch, "validator set epoch"),
    capacity: j.capacity,
    validators: arr(j.validators, "validators").map((v, i) => validatorFromJSON(v, i)),
  });
}

export function signatureToJSON(s: Signature): SignatureJSON {
  return { R8x: s.R8x.toString(), R8y: s.R8y.toString(), S: s.S.toString() };
}

export function signatureFromJSON(json: unknown, i = 0): Signature {
  const j = obj(json, `signature ${i}`);
  return checkSignature({ R8x: big(j.R8x, `signature ${i} R8x`), R8y: big(j.R8y, `signature ${i} R8y`), S: big(j.S, `signature ${i} S`) }, i);
}

export function signedHeaderToJSON(sh: SignedHeader): SignedHeaderJSON {
  checkSigned(sh);
  return {
    header: headerToJSON(sh.header),
    validatorSet: validatorSetToJSON(sh.validatorSet),
    signed: [...sh.signed],
    signatures: sh.signatures.map(signatureToJSON),
    aggregate: sh.aggregate ? aggregateSignatureToJSON(sh.aggregate) : null,
  };
}

export function aggregateSignatureToJSON(a: AggregateSignature): AggregateSignatureJSON {
  return { signers: [...a.signers], signature: signatureToJSON(a.signature) };
}

export function aggregateSignatureFromJSON(json: unknown): AggregateSignature {
  const j = obj(json, "aggregate");
  return { signers: bools(j.signers, "aggregate signers"), signature: signatureFromJSON(j.signature, 0) };
}

function bools(x: unknown, what: string): boolean[] {
  return arr(x, what).map((b, i) => {
    if (typeof b !== "boolean") throw new RangeError(`${what}[${i}] must be a boolean`);
    return b;
  });
}

export function signedHeaderFromJSON(json: unknown): SignedHeader {
  const j = obj(json, "signed header");
  return checkSigned({
    header: headerFromJSON(j.header),
    validatorSet: validatorSetFromJSON(j.validatorSet),
    signed: bools(j.signed, "signed"),
    signatures: arr(j.signatures, "signatures").map((s, i) => signatureFromJSON(s, i)),
    aggregate: j.aggregate === undefined || j.aggregate === null ? null : aggregateSignatureFromJSON(j.aggregate),
  });
}
