// Home block headers: the Poseidon headerHash validators sign, the packed `meta`
// public input, and signed-header bundles (header + set + one EdDSA signature per signer,
// and the signers' aggregate signature when they made one). Encoding: circuits/ENCODING.md,
// "Header" and "Aggregated attestation".

import { IDENTITY, addPoint } from "./babyjub.ts";
import { type PublicKey, type Signature, signPoseidon, verifyPoseidon, derivePublicKey } from "./eddsa.ts";
import { assertFieldElement, assertUint } from "./field.ts";
import { poseidon } from "./poseidon.ts";
import { type ValidatorSet, checkValidatorSet, hasQuorum, signedPower, totalPower, validatorSetRoot } from "./validators.ts";

export interface Header {
  chainId: number;
  epoch: bigint;
  height: bigint;
  timestampMs: bigint;
  parentHash: bigint;
  stateRoot: bigint;
  validatorSetRoot: bigint;
  /** 0 except on the last header of an epoch, where it is the next set's root. */
  nextValidatorSetRoot: bigint;
}

/** ASCII "OLZK_HEADER_V1" read big-endian. */
export const TAG_HEADER = 1608359643809844417093165536728625n;

/** Placeholder signature of a slot that did not sign. */
export function placeholderSignature(): Signature {
  return { R8x: 0n, R8y: 1n, S: 0n };
}

/** Throws a RangeError naming the first field out of range. */
export function assertHeaderRanges(h: Header): void {
  if (!Number.isInteger(h.chainId) || h.chainId < 0 || h.chainId >= 2 ** 32) {
    throw new RangeError(`chainId must be an unsigned 32-bit integer, got ${String(h.chainId)}`);
  }
  assertUint(h.epoch, 64, "epoch");
  assertUint(h.height, 64, "height");
  assertUint(h.timestampMs, 64, "timestampMs");
  assertFieldElement(h.parentHash, "parentHash");
  assertFieldElement(h.stateRoot, "stateRoot");
  assertFieldElement(h.validatorSetRoot, "validatorSetRoot");
  assertFieldElement(h.nextValidatorSetRoot, "nextValidatorSetRoot");
}

/** Poseidon(TAG_HEADER, chainId, epoch, height, timestampMs, parentHash, stateRoot, validatorSetRoot, nextValidatorSetRoot). */
export function headerHash(h: Header): bigint {
  assertHeaderRanges(h);
  return poseidon([
    TAG_HEADER,
    BigInt(h.chainId),
    h.epoch,
    h.height,
    h.timestampMs,
    h.parentHash,
    h.stateRoot,
    h.validatorSetRoot,
    h.nextValidatorSetRoot,
  ]);
}

/** chainId + epoch * 2^32 + height * 2^96 + timestampMs * 2^160. */
export function packMeta(h: Pick<Header, "chainId" | "epoch" | "height" | "timestampMs">): bigint {
  if (!Number.isInteger(h.chainId) || h.chainId < 0 || h.chainId >= 2 ** 32) {
    throw new RangeError(`chainId must be an unsigned 32-bit integer, got ${String(h.chainId)}`);
  }
  assertUint(h.epoch, 64, "epoch");
  assertUint(h.height, 64, "height");
  assertUint(h.timestampMs, 64, "timestampMs");
  return BigInt(h.chainId) + (h.epoch << 32n) + (h.height << 96n) + (h.timestampMs << 160n);
}

/** Inverse of packMeta; throws for meta < 0 or >= 2^224. */
export function unpackMeta(meta: bigint): { chainId: number; epoch: bigint; height: bigint; timestampMs: bigint } {
  assertUint(meta, 224, "meta");
  const m64 = (1n << 64n) - 1n;
  return {
    chainId: Number(meta & 0xffffffffn),
    epoch: (meta >> 32n) & m64,
    height: (meta >> 96n) & m64,
    timestampMs: (meta >> 160n) & m64,
  };
}

/**
 * One EdDSA-Poseidon signature (R8, S) of headerHash under Apk = the sum of the attestation keys
 * of the slots in `signers` (a MuSig2 session of home/attestation/ makes it).
 */
export interface AggregateSignature {
  /** One flag per slot: the signer set T. */
  signers: boolean[];
  signature: Signature;
}

export interface SignedHeader {
  header: Header;
  /** The set of header.epoch (its commitment is header.validatorSetRoot). */
  validatorSet: ValidatorSet;
  /** One flag per slot. */
  signed: boolean[];
  /** One per slot; unsigned slots carry placeholderSignature(). */
  signatures: Signature[];
  /** The aggregate signature of the same header, when a signing session produced one. */
  aggregate?: AggregateSignature | null;
}

/**
 * Signs headerHash(h) with every slot whose private key is given (null = offline).
 * Throws if a key is given for an empty slot or does not match the slot's attestation key.
 */
export function signHeader(h: Header, set: ValidatorSet, privateKeys: (Uint8Array | null)[]): SignedHeader {
  if (privateKeys.length !== set.validators.length) {
    throw new RangeError(`got ${privateKeys.length} private keys for ${set.validators.length} slots`);
  }
  const m = headerHash(h);
  const signed: boolean[] = [];
  const signatures: Signature[] = [];
  privateKeys.forEach((prv, i) => {
    const v = set.validators[i]!;
    if (prv === null) {
      signed.push(false);
      signatures.push(placeholderSignature());
      return;
    }
    if (v.power === 0n) throw new RangeError(`slot ${i} is empty (power 0) and cannot sign`);
    const pub = derivePublicKey(prv);
    if (pub.Ax !== v.attestationKey.Ax || pub.Ay !== v.attestationKey.Ay) {
      throw new RangeError(`private key ${i} does not match slot ${i}'s attestation key`);
    }
    signed.push(true);
    signatures.push(signPoseidon(prv, m));
  });
  return { header: h, validatorSet: set, signed, signatures, aggregate: null };
}

/**
 * Apk = sum of the attestation keys of the slots in `signers` (the identity when none). Throws a
 * RangeError when lengths differ or a slot with power 0 is in the set.
 */
export function aggregateKey(set: ValidatorSet, signers: readonly boolean[]): PublicKey {
  if (signers.length !== set.validators.length) throw new RangeError(`signers has ${signers.length} entries, set has ${set.validators.length} slots`);
  let apk = IDENTITY;
  signers.forEach((on, i) => {
    if (!on) return;
    const v = set.validators[i]!;
    if (v.power === 0n) throw new RangeError(`slot ${i} has power 0 and cannot sign`);
    apk = addPoint(apk, { x: v.attestationKey.Ax, y: v.attestationKey.Ay });
  });
  return { Ax: apk.x, Ay: apk.y };
}

/**
 * Checks an aggregate signature of `header` by the slots in agg.signers of `set` (assumed
 * accepted with checkValidatorSet): the set commitment is header.validatorSetRoot, the
 * signers have quorum, Apk is not the identity, and agg.signature is a valid EdDSA-Poseidon
 * signature of headerHash under Apk (what the AggregatedHeaderQuorum circuit proves). Never throws.
 */
export function checkAggregateSignature(header: Header, set: ValidatorSet, agg: AggregateSignature): { ok: boolean; reason?: string } {
  try {
    if (validatorSetRoot(set) !== header.validatorSetRoot) return { ok: false, reason: "validator set commitment does not match header.validatorSetRoot" };
    const sp = signedPower(set, agg.signers);
    const tp = totalPower(set);
    if (!hasQuorum(sp, tp)) return { ok: false, reason: `no quorum: aggregate signers hold ${sp} of total ${tp}` };
    const apk = aggregateKey(set, agg.signers);
    if (apk.Ax === IDENTITY.x && apk.Ay === IDENTITY.y) return { ok: false, reason: "aggregate key is the identity" };
    if (!verifyPoseidon(headerHash(header), agg.signature, apk)) return { ok: false, reason: "aggregate signature is invalid" };
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/**
 * Checks a signed header: header ranges, set shape, epoch and key rules (checkValidatorSet for
 * header.chainId), set commitment == header.validatorSetRoot, every signed slot has power > 0
 * and a valid EdDSA-Poseidon signature of headerHash, quorum, and the aggregate signature when
 * present (checkAggregateSignature). BLS bindings are checked only with opts.checkBindings (they
 * cost a pairing per slot; check them once per set with checkValidatorSet). Never throws.
 */
export function checkSignedHeader(sh: SignedHeader, opts: { checkBindings?: boolean } = {}): { ok: boolean; reason?: string } {
  try {
    const { header, validatorSet: set } = sh;
    assertHeaderRanges(header);
    const setCheck = checkValidatorSet(set, header.chainId, { checkBindings: opts.checkBindings === true });
    if (!setCheck.ok) return { ok: false, reason: `validator set: ${setCheck.reason}` };
    if (set.epoch !== header.epoch) return { ok: false, reason: `validator set epoch ${set.epoch} != header epoch ${header.epoch}` };
    if (validatorSetRoot(set) !== header.validatorSetRoot) return { ok: false, reason: "validator set commitment does not match header.validatorSetRoot" };
    if (sh.signed.length !== set.capacity || sh.signatures.length !== set.capacity) {
      return { ok: false, reason: `signed/signatures must have ${set.capacity} entries` };
    }
    const m = headerHash(header);
    for (let i = 0; i < set.capacity; i++) {
      if (!sh.signed[i]) continue;
      const v = set.validators[i]!;
      if (v.power === 0n) return { ok: false, reason: `slot ${i} has power 0 but is marked signed` };
      if (!verifyPoseidon(m, sh.signatures[i]!, v.attestationKey)) return { ok: false, reason: `slot ${i} signature is invalid` };
    }
    const sp = signedPower(set, sh.signed);
    const tp = totalPower(set);
    if (!hasQuorum(sp, tp)) return { ok: false, reason: `no quorum: signed power ${sp} of total ${tp}` };
    if (sh.aggregate) {
      const agg = checkAggregateSignature(header, set, sh.aggregate);
      if (!agg.ok) return { ok: false, reason: `aggregate: ${agg.reason}` };
    }
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}
