// circomlib-compatible Poseidon hash over the BN254 scalar field (1..16 inputs),
// the hash behind every Merkle node, leaf and header hash of the Home model.

import { FIELD_MODULUS, assertFieldElement } from "./field.ts";
import { N_ROUNDS_F, poseidonParams } from "./poseidon-constants.ts";

const P = FIELD_MODULUS;

/**
 * Poseidon(inputs) exactly as circomlib's `Poseidon(n)` / circomlibjs `poseidon`:
 * state = [0, ...inputs], output state[0]. Inputs must be canonical field elements.
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  const n = inputs.length;
  if (n < 1 || n > 16) throw new RangeError(`poseidon takes 1..16 inputs, got ${n}`);
  for (let i = 0; i < n; i++) assertFieldElement(inputs[i]!, `poseidon input ${i}`);
  const t = n + 1;
  const { C, M, nRoundsP } = poseidonParams(t);
  let state: bigint[] = [0n, ...inputs];
  let next: bigint[] = new Array<bigint>(t);
  const half = N_ROUNDS_F / 2;
  const rounds = N_ROUNDS_F + nRoundsP;
  let c = 0;
  for (let r = 0; r < rounds; r++) {
    // Add round constants (values stay < 2p until the next reduction).
    for (let i = 0; i < t; i++) state[i] = state[i]! + C[c++]!;
    if (r < half || r >= half + nRoundsP) {
      for (let i = 0; i < t; i++) state[i] = pow5(state[i]!);
    } else {
      state[0] = pow5(state[0]!);
    }
    for (let i = 0; i < t; i++) {
      const row = M[i]!;
      let acc = 0n;
      for (let j = 0; j < t; j++) acc += row[j]! * state[j]!;
      next[i] = acc % P;
    }
    [state, next] = [next, state];
  }
  return state[0]!;
}

function pow5(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x4 = (x2 * x2) % P;
  return (x4 * x) % P;
}
