// Test fixtures for the circuit tests: validator sets, signed headers (per-validator signatures
// and aggregate signatures, from a real signing session or from a dealer who knows every
// secret) and state trees built with the Home model (home/model/), plus helpers to run the
// witness calculator and tell a constraint failure ("Assert Failed") apart from any other error.
import { expect } from "vitest";
import { calculateWitness, type CircuitInput } from "../../circuits/build.ts";
import { attestHeader } from "../fixtures/attest.ts";
import type { AggregateSignature, Header, SignedHeader, Validator, ValidatorSet } from "../../home/model/index.ts";
import {
  BABYJUB_SUBORDER,
  FIELD_MODULUS,
  IDENTITY,
  addPoint,
  derivePublicKey,
  emptyValidator,
  expandPrivateKey,
  headerHash,
  makeProofOfPossession,
  mulBase8,
  poseidon,
  poseidonChain,
  signHeader,
  TAG_VALIDATOR_SET,
  validatorSetRoot,
} from "../../home/model/index.ts";

/** Home chain id of the fixture headers (the proofs of possession are for it). */
export const CHAIN_ID = 4242;

/** Deterministic 32-byte EdDSA private key number i. */
export function privateKey(i: number): Uint8Array {
  const k = new Uint8Array(32);
  for (let j = 0; j < 32; j++) k[j] = (i * 31 + j * 7 + 1) & 0xff;
  return k;
}

/** A validator with key privateKey(i), the given power and a proof of possession (BLS fields zeroed: not used by circuits). */
export function validator(i: number, power: bigint): Validator {
  const address = new Uint8Array(32).fill(i + 1);
  return { ...emptyValidator(), attestationKey: derivePublicKey(privateKey(i)), power, address, proofOfPossession: makeProofOfPossession(privateKey(i), address, CHAIN_ID) };
}

/** A set of capacity N: slot i holds validator(i, powers[i]) or an empty slot when powers[i] is null. */
export function validatorSet(N: number, powers: (bigint | null)[], epoch = 7n): ValidatorSet {
  const validators = Array.from({ length: N }, (_, i) => {
    const p = powers[i] ?? null;
    return p === null ? emptyValidator() : validator(i, p);
  });
  return { epoch, capacity: N, validators };
}

export function header(set: ValidatorSet, over: Partial<Header> = {}): Header {
  return {
    chainId: CHAIN_ID,
    epoch: set.epoch,
    height: 1234n,
    timestampMs: 1_763_700_000_000n,
    parentHash: 987654321n,
    stateRoot: 1122334455n,
    validatorSetRoot: validatorSetRoot(set),
    nextValidatorSetRoot: 0n,
    ...over,
  };
}

/** Signs with the slots listed in `signers`. */
export function signedHeader(set: ValidatorSet, signers: number[], over: Partial<Header> = {}): SignedHeader {
  const keys = set.validators.map((_, i) => (signers.includes(i) ? privateKey(i) : null));
  return signHeader(header(set, over), set, keys);
}

/** `header(set, over)` signed in both schemes by the slots in `signers` (a real aggregated session). */
export function aggregatedHeader(set: ValidatorSet, signers: number[], over: Partial<Header> = {}): SignedHeader {
  const sh = attestHeader(header(set, over), set, set.validators.map((_, i) => (signers.includes(i) ? privateKey(i) : null)));
  if (!sh.aggregate) throw new Error(`signers ${signers.join(",")} hold no quorum: the session makes no aggregate`);
  return sh;
}

/**
 * An aggregate signature made by a dealer who knows the secrets of the slots in `keys` (slot
 * numbers of privateKey(i)): signs M = headerHash(h) under sum of their keys with no quorum or
 * key checks, so a test can hand the circuit what an honest session never makes.
 */
export function dealerAggregate(h: Header, keys: number[], signers: boolean[], nonce = 12345n): AggregateSignature {
  let apk = IDENTITY;
  let secret = 0n;
  for (const i of keys) {
    apk = addPoint(apk, mulBase8(expandPrivateKey(privateKey(i)).s >> 3n));
    secret = (secret + expandPrivateKey(privateKey(i)).s) % BABYJUB_SUBORDER;
  }
  return dealerSign(h, { x: apk.x, y: apk.y }, secret, signers, nonce);
}

/** (R, S) with S * B8 = R + 8 * hm * apk when 8 * apk = secret * B8 (secret = sum of pruned scalars). */
export function dealerSign(h: Header, apk: { x: bigint; y: bigint }, secret: bigint, signers: boolean[], nonce = 12345n): AggregateSignature {
  const R = mulBase8(nonce);
  const M = headerHash(h);
  const hm = poseidon([R.x, R.y, apk.x, apk.y, M]);
  return { signers, signature: { R8x: R.x, R8y: R.y, S: (nonce + hm * secret) % BABYJUB_SUBORDER } };
}

/**
 * The set commitment of raw slot values, without the model's range checks (lets a test commit
 * to values the model refuses, e.g. a power >= 2^64): ENCODING.md's formula, powers packed mod r.
 */
export function rawCommitment(Ax: bigint[], Ay: bigint[], power: bigint[]): bigint {
  const words: bigint[] = [];
  for (let j = 0; j < power.length; j += 3) words.push(((power[j] ?? 0n) + ((power[j + 1] ?? 0n) << 64n) + ((power[j + 2] ?? 0n) << 128n)) % FIELD_MODULUS);
  return poseidonChain([TAG_VALIDATOR_SET, BigInt(power.length), ...Ax.flatMap((x, i) => [x, Ay[i]!]), ...words]);
}

/** Deep copy of a circuit input, so a test can tamper with one value. */
export function clone<T extends CircuitInput>(input: T): T {
  return JSON.parse(JSON.stringify(input)) as T;
}

/**
 * Expects the witness calculation to fail on a constraint (not on a JS error or bad input shape).
 * `where`, if given, must match the template trace circom reports ("Error in template X line: n"),
 * so a test can check that the intended check is the one that fails.
 */
export async function expectConstraintFailure(wasmPath: string, input: CircuitInput, where?: RegExp): Promise<void> {
  let err: unknown = null;
  try {
    await calculateWitness(wasmPath, input);
  } catch (e) {
    err = e;
  }
  expect(err, "witness was accepted").toBeInstanceOf(Error);
  const msg = (err as Error).message;
  expect(msg).toMatch(/^(Error: )?Assert Failed/);
  if (where) expect(msg).toMatch(where);
}
