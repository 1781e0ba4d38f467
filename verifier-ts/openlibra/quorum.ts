// Quorum certificates (types/src/validator_verifier.rs): the bitmask has exactly ceil(n/8) bytes and
// no bit at or above n; signer i is set when byte[i/8] & (0x80 >> i%8); the signers' voting power
// must be at least total * 2 / 3 + 1; the aggregate signature must verify under the sum of the
// signers' keys over seed("LedgerInfo") || BCS(LedgerInfo).
import { encodeBcs, LedgerInfo, type AggregateSignature, type EpochState, type LedgerInfoWithSignatures, type ValidatorVerifier } from "./bcs.ts";
import { verifyAggregateSignature } from "./bls.ts";
import { OpenLibraError } from "./errors.ts";
import { signingMessage } from "./hash.ts";

/** What a verified quorum certificate established. */
export interface QuorumCertificate {
  epoch: bigint;
  /** Indices of the signers in the validator set, ascending. */
  signers: number[];
  signedPower: bigint;
  totalPower: bigint;
  quorumPower: bigint;
  validators: number;
}

/** Total voting power of a set (u128 in Diem; a u16-indexed set of u64 powers cannot overflow it). */
export function totalVotingPower(v: ValidatorVerifier): bigint {
  return v.validatorInfos.reduce((s, x) => s + x.votingPower, 0n);
}

/** total * 2 / 3 + 1 (ValidatorVerifier::new). */
export function quorumVotingPower(total: bigint): bigint {
  return (total * 2n) / 3n + 1n;
}

/** Throws InvalidValidatorSet for a set no quorum certificate can be checked against. */
export function checkValidatorSet(v: ValidatorVerifier): void {
  const n = v.validatorInfos.length;
  if (n === 0) throw new OpenLibraError("InvalidValidatorSet", "the validator set is empty");
  if (n > 0xffff) throw new OpenLibraError("InvalidValidatorSet", `the validator set has ${n} validators, more than a u16 bitmask indexes`);
}

/** The byte length a bitmask over n validators must have. */
export function bitmaskLength(n: number): number {
  return Math.ceil(n / 8);
}

export function isSignerBit(bitmask: Uint8Array, i: number): boolean {
  return ((bitmask[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
}

/** The bitmask with exactly the given signer indices set, over n validators. */
export function makeBitmask(n: number, signers: Iterable<number>): Uint8Array {
  const out = new Uint8Array(bitmaskLength(n));
  for (const i of signers) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`signer index ${i} outside 0..${n - 1}`);
    out[i >> 3]! |= 0x80 >> (i & 7);
  }
  return out;
}

/** Shape of the bitmask (check_num_of_voters): exactly ceil(n/8) bytes and no bit at or above n. */
export function checkBitmask(bitmask: Uint8Array, n: number): number[] {
  if (bitmask.length !== bitmaskLength(n)) {
    throw new OpenLibraError("BitmaskLength", `validator bitmask has ${bitmask.length} bytes, a set of ${n} needs exactly ${bitmaskLength(n)}`);
  }
  const signers: number[] = [];
  for (let i = 0; i < bitmask.length * 8; i++) {
    if (!isSignerBit(bitmask, i)) continue;
    if (i >= n) throw new OpenLibraError("BitmaskOutOfRange", `validator bitmask sets bit ${i}, the set has ${n} validators`);
    signers.push(i);
  }
  return signers;
}

/**
 * Signers and their power (check_voting_power). Diem counts a signer's power through its address
 * (the last validator with that address wins); sets have distinct addresses, and this does the same.
 */
export function checkVotingPower(v: ValidatorVerifier, signers: readonly number[]): Omit<QuorumCertificate, "epoch"> {
  const byAddress = new Map<string, bigint>();
  for (const x of v.validatorInfos) byAddress.set(addressKey(x.address), x.votingPower);
  let signedPower = 0n;
  for (const i of signers) signedPower += byAddress.get(addressKey(v.validatorInfos[i]!.address))!;
  const totalPower = totalVotingPower(v);
  const quorumPower = quorumVotingPower(totalPower);
  if (signedPower < quorumPower) {
    throw new OpenLibraError("InsufficientVotingPower", `signers hold ${signedPower} of ${totalPower} voting power, the quorum is ${quorumPower}`);
  }
  return { signers: [...signers], signedPower, totalPower, quorumPower, validators: v.validatorInfos.length };
}

function addressKey(a: Uint8Array): string {
  return Array.from(a, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** seed("LedgerInfo") || BCS(LedgerInfo): the bytes validators sign. */
export function ledgerInfoSigningMessage(li: typeof LedgerInfo.$inferInput): Uint8Array {
  return signingMessage("LedgerInfo", encodeBcs(LedgerInfo, li));
}

/**
 * Verifies an aggregate signature of `message` by the validators `agg.validatorBitmask` names,
 * in the order ValidatorVerifier::verify_multi_signatures checks them.
 */
export function verifyMultiSignature(v: ValidatorVerifier, message: Uint8Array, agg: AggregateSignature): Omit<QuorumCertificate, "epoch"> {
  checkValidatorSet(v);
  const signers = checkBitmask(agg.validatorBitmask, v.validatorInfos.length);
  const power = checkVotingPower(v, signers);
  if (agg.sig === null) throw new OpenLibraError("MissingSignature", "the quorum certificate carries no aggregate signature");
  const keys = signers.map((i) => v.validatorInfos[i]!.publicKey);
  if (!verifyAggregateSignature(keys, message, agg.sig)) {
    throw new OpenLibraError("SignatureMismatch", `the aggregate signature of ${signers.length} signers does not verify`);
  }
  return power;
}

/** EpochState::verify: same epoch, then the quorum certificate over the LedgerInfo. */
export function verifyLedgerInfoSignatures(state: EpochState, liws: LedgerInfoWithSignatures): QuorumCertificate {
  const epoch = liws.ledgerInfo.commitInfo.epoch;
  if (epoch !== state.epoch) {
    throw new OpenLibraError("EpochMismatch", `LedgerInfo is of epoch ${epoch}, the validator set of epoch ${state.epoch}`);
  }
  return { epoch, ...verifyMultiSignature(state.verifier, ledgerInfoSigningMessage(liws.ledgerInfo), liws.signatures) };
}
