// Building and signing Open Libra objects: validator sets, LedgerInfos, quorum certificates,
// vouchers and epoch-ending backup chunks, in exactly the formats this package verifies. Used by
// the devnet (home/devnet/openlibra.ts), tests and benchmarks (Node and browser alike).
import {
  encodeBcs,
  LedgerInfoWithSignatures,
  type AggregateSignature,
  type EpochState,
  type LedgerInfo,
} from "./bcs.ts";
import { blsAggregateSign, blsPublicKeyOf } from "./bls.ts";
import { ledgerInfoSigningMessage, makeBitmask } from "./quorum.ts";
import { voucherMessage, type Voucher } from "./voucher.ts";
import { blsKeyFromSeed } from "../../home/model/bls.ts";
import { sha3_256 } from "@noble/hashes/sha3.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";

/** A validator whose consensus key this process holds. */
export interface ValidatorSigner {
  address: Uint8Array;
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  votingPower: bigint;
}

/** `n` deterministic validators (keys and addresses derived from `label` and the index). */
export function makeValidators(label: string, n: number, votingPower = 1_000_000n): ValidatorSigner[] {
  return Array.from({ length: n }, (_, i) => {
    const seed = sha3_256(utf8ToBytes(`${label}/validator/${i}`));
    const { secretKey } = blsKeyFromSeed(seed);
    return { address: sha3_256(utf8ToBytes(`${label}/address/${i}`)), secretKey, publicKey: blsPublicKeyOf(secretKey), votingPower };
  });
}

export function epochStateOf(epoch: bigint, validators: readonly Pick<ValidatorSigner, "address" | "publicKey" | "votingPower">[]): EpochState {
  return {
    epoch,
    verifier: { validatorInfos: validators.map((v) => ({ address: v.address, publicKey: v.publicKey, votingPower: v.votingPower })) },
  };
}

/** An aggregate signature of `message` by the validators at `signerIndices` of a set of `validators.length`. */
export function aggregateSign(validators: readonly ValidatorSigner[], signerIndices: readonly number[], message: Uint8Array): AggregateSignature {
  const keys = signerIndices.map((i) => validators[i]!.secretKey);
  return { validatorBitmask: makeBitmask(validators.length, signerIndices), sig: keys.length ? blsAggregateSign(keys, message) : null };
}

export function signLedgerInfo(li: LedgerInfo, validators: readonly ValidatorSigner[], signerIndices: readonly number[]): LedgerInfoWithSignatures {
  return { ledgerInfo: li, signatures: aggregateSign(validators, signerIndices, ledgerInfoSigningMessage(li)) };
}

export function signVoucher(epoch: bigint, attestationSetRoot: bigint, validators: readonly ValidatorSigner[], signerIndices: readonly number[]): Voucher {
  return { epoch, attestationSetRoot, signatures: aggregateSign(validators, signerIndices, voucherMessage(epoch, attestationSetRoot)) };
}

/** All indices 0..n-1. */
export function allSigners(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** An epoch-ending backup chunk: u32 big-endian length + BCS(LedgerInfoWithSignatures) per record. */
export function encodeEpochEndingChunk(ledgerInfos: readonly LedgerInfoWithSignatures[]): Uint8Array {
  const records = ledgerInfos.map((li) => encodeBcs(LedgerInfoWithSignatures, li));
  const out = new Uint8Array(records.reduce((s, r) => s + 4 + r.length, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const r of records) {
    view.setUint32(at, r.length, false);
    out.set(r, at + 4);
    at += 4 + r.length;
  }
  return out;
}
