// Test fixtures for the circuit tests: validator sets, signed headers and state trees built
// with the Home model (home/model/), plus helpers to run the witness calculator and tell a
// constraint failure ("Assert Failed") apart from any other error.
import { expect } from "vitest";
import { calculateWitness, type CircuitInput } from "../../circuits/build.ts";
import type { Header, SignedHeader, Validator, ValidatorSet } from "../../home/model/index.ts";
import { derivePublicKey, emptyValidator, signHeader, validatorSetRoot } from "../../home/model/index.ts";

/** Deterministic 32-byte EdDSA private key number i. */
export function privateKey(i: number): Uint8Array {
  const k = new Uint8Array(32);
  for (let j = 0; j < 32; j++) k[j] = (i * 31 + j * 7 + 1) & 0xff;
  return k;
}

/** A validator with key privateKey(i) and the given power (BLS fields zeroed: not used by circuits). */
export function validator(i: number, power: bigint): Validator {
  return { ...emptyValidator(), attestationKey: derivePublicKey(privateKey(i)), power };
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
    chainId: 4242,
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
