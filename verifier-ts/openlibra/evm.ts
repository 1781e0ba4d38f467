// The Away side's view of an Open Libra validator set (contracts/OpenLibraLightClient.sol):
// uncompressed keys, the set commitment the contract stores, and the calldata it takes (set
// openings, key y-coordinates, uncompressed signatures). Encoding: circuits/ENCODING.md,
// "Open Libra anchoring".
import { keccak_256 } from "@noble/hashes/sha3.js";
import { concatBytes } from "@noble/hashes/utils.js";
import { encodeBcs, LedgerInfo, type EpochState, type LedgerInfoWithSignatures } from "./bcs.ts";
import { aggregatePublicKeys, decodePublicKey, decodeSignature } from "./bls.ts";
import { isSignerBit, totalVotingPower } from "./quorum.ts";
import type { Voucher } from "./voucher.ts";

const FP_BYTES = 48;

function be(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1, v = value; i >= 0; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

/** A G1 key as the contract takes it: x and y, 48 bytes big-endian each. */
export interface UncompressedG1 {
  x: Uint8Array;
  y: Uint8Array;
}

export function uncompressedKey(publicKey: Uint8Array): UncompressedG1 {
  const a = decodePublicKey(publicKey).toAffine();
  return { x: be(a.x, FP_BYTES), y: be(a.y, FP_BYTES) };
}

/** The 192-byte signature calldata: x.c0 | x.c1 | y.c0 | y.c1, 48 bytes big-endian each. */
export function uncompressedSignature(signature: Uint8Array): Uint8Array {
  const a = decodeSignature(signature).toAffine();
  return concatBytes(be(a.x.c0, FP_BYTES), be(a.x.c1, FP_BYTES), be(a.y.c0, FP_BYTES), be(a.y.c1, FP_BYTES));
}

/** leaf = keccak256(x || y || votingPower as u64 big-endian). */
function leafOf(k: UncompressedG1, votingPower: bigint): Uint8Array {
  return keccak_256(concatBytes(k.x, k.y, be(votingPower, 8)));
}

export interface SetCommitment {
  commitment: Uint8Array;
  epoch: bigint;
  totalPower: bigint;
  validators: number;
  aggregate: UncompressedG1;
  keys: UncompressedG1[];
  leaves: Uint8Array[];
  groupHashes: Uint8Array[];
}

/** Groups of 8 validators, the bytes of the bitmask: group g is validators 8g .. 8g+7. */
const GROUP = 8;

/** The commitment the contract keeps for an epoch's validator set. */
export function setCommitment(state: EpochState): SetCommitment {
  const infos = state.verifier.validatorInfos;
  const keys = infos.map((v) => uncompressedKey(v.publicKey));
  const leaves = infos.map((v, i) => leafOf(keys[i]!, v.votingPower));
  const groupHashes: Uint8Array[] = [];
  for (let g = 0; g * GROUP < leaves.length; g++) groupHashes.push(keccak_256(concatBytes(...leaves.slice(g * GROUP, g * GROUP + GROUP))));
  const leavesHash = keccak_256(concatBytes(...groupHashes));
  const agg = aggregatePublicKeys(infos.map((v) => v.publicKey));
  const aggregate = agg.is0() ? { x: new Uint8Array(FP_BYTES), y: new Uint8Array(FP_BYTES) } : { x: be(agg.toAffine().x, FP_BYTES), y: be(agg.toAffine().y, FP_BYTES) };
  const totalPower = totalVotingPower(state.verifier);
  const commitment = keccak_256(concatBytes(be(state.epoch, 8), be(totalPower, 16), be(BigInt(infos.length), 4), aggregate.x, aggregate.y, leavesHash));
  return { commitment, epoch: state.epoch, totalPower, validators: infos.length, aggregate, keys, leaves, groupHashes };
}

/**
 * The set opening for a quorum certificate with `bitmask`: totalPower (u128) | n (u32) | aggregate
 * x | y, then per group of 8: its hash when all its validators signed, else per validator its leaf
 * (signer) or x | y | votingPower (absent). Only absent validators' keys travel.
 */
export function encodeSetOpening(state: EpochState, bitmask: Uint8Array, c: SetCommitment = setCommitment(state)): Uint8Array {
  const parts: Uint8Array[] = [be(c.totalPower, 16), be(BigInt(c.validators), 4), c.aggregate.x, c.aggregate.y];
  for (let g = 0; g < c.groupHashes.length; g++) {
    const members = Array.from({ length: Math.min(GROUP, c.validators - g * GROUP) }, (_, k) => g * GROUP + k);
    if (members.every((i) => isSignerBit(bitmask, i))) {
      parts.push(c.groupHashes[g]!);
      continue;
    }
    for (const i of members) {
      parts.push(isSignerBit(bitmask, i) ? c.leaves[i]! : concatBytes(c.keys[i]!.x, c.keys[i]!.y, be(state.verifier.validatorInfos[i]!.votingPower, 8)));
    }
  }
  return concatBytes(...parts);
}

/** The y-coordinates (48 bytes each, in set order) the contract needs to take a new set from its BCS. */
export function encodeKeyYs(state: EpochState): Uint8Array {
  return concatBytes(...state.verifier.validatorInfos.map((v) => uncompressedKey(v.publicKey).y));
}

/** The calldata of OpenLibraLightClient.verifyLedgerInfo / submitEpochChange for a signed LedgerInfo. */
export interface LedgerInfoCalldata {
  ledgerInfo: Uint8Array;
  bitmask: Uint8Array;
  signature: Uint8Array;
  setOpening: Uint8Array;
  /** next_epoch_state's key y-coordinates (empty when the LedgerInfo does not end its epoch). */
  nextKeyYs: Uint8Array;
}

/** Calldata for `liws` under `state` (the set of its epoch, whose commitment the contract holds). */
export function ledgerInfoCalldata(state: EpochState, liws: LedgerInfoWithSignatures): LedgerInfoCalldata {
  if (liws.signatures.sig === null) throw new RangeError("the LedgerInfo carries no aggregate signature");
  const next = liws.ledgerInfo.commitInfo.nextEpochState;
  return {
    ledgerInfo: encodeBcs(LedgerInfo, liws.ledgerInfo),
    bitmask: liws.signatures.validatorBitmask,
    signature: uncompressedSignature(liws.signatures.sig),
    setOpening: encodeSetOpening(state, liws.signatures.validatorBitmask),
    nextKeyYs: next ? encodeKeyYs(next) : new Uint8Array(0),
  };
}

/** The calldata of OpenLibraLightClient.verifyVoucher / submitVoucher for a voucher by `state` (the set of its epoch). */
export interface VoucherCalldata {
  epoch: bigint;
  /** 32 bytes big-endian (the contract's bytes32). */
  attestationSetRoot: Uint8Array;
  bitmask: Uint8Array;
  signature: Uint8Array;
  setOpening: Uint8Array;
}

export function voucherCalldata(state: EpochState, voucher: Voucher): VoucherCalldata {
  if (voucher.signatures.sig === null) throw new RangeError("the voucher carries no aggregate signature");
  return {
    epoch: voucher.epoch,
    attestationSetRoot: be(voucher.attestationSetRoot, 32),
    bitmask: voucher.signatures.validatorBitmask,
    signature: uncompressedSignature(voucher.signatures.sig),
    setOpening: encodeSetOpening(state, voucher.signatures.validatorBitmask),
  };
}
