// Shared test fixtures: deterministic validators with both keys and sets built from them.

import { blsKeyFromSeed, signBinding } from "../../../home/model/bls.ts";
import { makeProofOfPossession } from "../../../home/model/attestation-key.ts";
import { derivePublicKey } from "../../../home/model/eddsa.ts";
import { type Validator, type ValidatorSet, emptyValidator } from "../../../home/model/validators.ts";
import { testBytes } from "./reference.ts";

export interface TestValidator {
  validator: Validator;
  attestationPrivateKey: Uint8Array;
  blsSecretKey: Uint8Array;
}

/** Home chain id the fixtures' proofs of possession are made for. */
export const TEST_CHAIN_ID = 1;

export function makeValidator(seed: number, power: bigint, chainId = TEST_CHAIN_ID): TestValidator {
  const attestationPrivateKey = testBytes(1000 + seed, 32);
  const bls = blsKeyFromSeed(testBytes(2000 + seed, 32));
  const attestationKey = derivePublicKey(attestationPrivateKey);
  const address = testBytes(3000 + seed, 32);
  return {
    attestationPrivateKey,
    blsSecretKey: bls.secretKey,
    validator: {
      attestationKey,
      power,
      address,
      blsPublicKey: bls.publicKey,
      bindingSignature: signBinding(bls.secretKey, attestationKey, address),
      proofOfPossession: makeProofOfPossession(attestationPrivateKey, address, chainId),
    },
  };
}

/** A set of `capacity` slots, the first powers.length filled (seeded by index), the rest empty. */
export function makeSet(epoch: bigint, capacity: number, powers: bigint[], chainId = TEST_CHAIN_ID): { set: ValidatorSet; members: TestValidator[] } {
  const members = powers.map((p, i) => makeValidator(i, p, chainId));
  const validators = [...members.map((m) => m.validator)];
  while (validators.length < capacity) validators.push(emptyValidator());
  return { set: { epoch, capacity, validators }, members };
}
