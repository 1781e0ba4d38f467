// circomlib-compatible Poseidon hash over the BN254 scalar field (1..16 inputs),
// the hash behind every Merkle node, leaf and header hash of the Home model.

import { FIELD_MODULUS, assertFieldElement } from "./field.ts";
import { N_ROUNDS_F, poseidonOptimizedParams, poseidonParams } from "./poseidon-constants.ts";

const P = FIELD_MODULUS;

function checkInputs(inputs: readonly bigint[]): number {
  const n = inputs.length;
  if (n < 1 || n > 16) throw new RangeError(`poseidon takes 1..16 inputs, got ${n}`);
  for (let i = 0; i < n; i++) assertFieldElement(inputs[i]!, `poseidon input ${i}`);
  return n + 1;
}

function pow5(x: bigint): bigint {
  const x2 = (x * x) % P;
  const x4 = (x2 * x2) % P;
  return (x4 * x) % P;
}

function mulMatrix(m: bigint[][], s: bigint[], out: bigint[], t: number): void {
  for (let i = 0; i < t; i++) {
    const row = m[i]!;
    let acc = 0n;
    for (let j = 0; j < t; j++) acc += row[j]! * s[j]!;
    out[i] = acc % P;
  }
}

/**
 * Poseidon(inputs) exactly as circomlib's `Poseidon(n)` / circomlibjs `poseidon`:
 * state = [0, ...inputs], output state[0]. Inputs must be canonical field elements.
 * Evaluated in the equivalent optimized form (sparse partial rounds).
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  const t = checkInputs(inputs);
  const o = poseidonOptimizedParams(t);
  let s: bigint[] = [0n, ...inputs];
  let next: bigint[] = new Array<bigint>(t);
  for (let i = 0; i < t; i++) s[i] = s[i]! + o.pre[i]!;
  const half = N_ROUNDS_F / 2;
  // First full rounds.
  for (let r = 0; r < half; r++) {
    const c = o.fullConst[r]!;
    for (let i = 0; i < t; i++) s[i] = pow5(s[i]!) + c[i]!;
    mulMatrix(r === half - 1 ? o.P : o.M, s, next, t);
    [s, next] = [next, s];
  }
  // Partial rounds with sparse matrices.
  for (let r = 0; r < o.nRoundsP; r++) {
    const s0 = pow5(s[0]!) + o.partialConst[r]!; // < 2p, reduced by the products below
    const row = o.sparseRow[r]!;
    const col = o.sparseCol[r]!;
    let acc = row[0]! * s0;
    for (let j = 1; j < t; j++) acc += row[j]! * s[j]!;
    for (let k = 1; k < t; k++) s[k] = (s[k]! + col[k - 1]! * s0) % P;
    s[0] = acc % P;
  }
  // Last full rounds.
  for (let r = half; r < N_ROUNDS_F; r++) {
    const c = r < N_ROUNDS_F - 1 ? o.fullConst[r]! : null;
    for (let i = 0; i < t; i++) s[i] = c ? pow5(s[i]!) + c[i]! : pow5(s[i]!);
    mulMatrix(o.M, s, next, t);
    [s, next] = [next, s];
  }
  return s[0]!;
}

/** Straightforward evaluation of the same permutation (round by round, dense MDS); for cross-checks. */
export function poseidonReference(inputs: readonly bigint[]): bigint {
  const t = checkInputs(inputs);
  const { C, M, nRoundsP } = poseidonParams(t);
  let state: bigint[] = [0n, ...inputs];
  let next: bigint[] = new Array<bigint>(t);
  const half = N_ROUNDS_F / 2;
  let c = 0;
  for (let r = 0; r < N_ROUNDS_F + nRoundsP; r++) {
    for (let i = 0; i < t; i++) state[i] = state[i]! + C[c++]!;
    if (r < half || r >= half + nRoundsP) {
      for (let i = 0; i < t; i++) state[i] = pow5(state[i]!);
    } else {
      state[0] = pow5(state[0]!);
    }
    mulMatrix(M, state, next, t);
    [state, next] = [next, state];
  }
  return state[0]!;
}

/** Inputs of the first Poseidon call of poseidonChain; every later call takes the chain value plus this minus one. */
export const POSEIDON_CHAIN_WIDTH = 16;

/**
 * PoseidonChain(x_0 .. x_{m-1}) (ENCODING.md "Field and hashes"): the inputs, zero-padded to
 * 16 + 15k elements (smallest k >= 0), absorbed by circomlib Poseidon(16):
 * h = Poseidon(x_0..x_15), then h = Poseidon(h, next 15) for each further chunk.
 * Callers start the input with a domain tag and a value that fixes the length, so the zero
 * padding is unambiguous.
 */
export function poseidonChain(inputs: readonly bigint[]): bigint {
  if (inputs.length < 1) throw new RangeError("poseidonChain takes at least one input");
  const W = POSEIDON_CHAIN_WIDTH;
  const chunk = (from: number, n: number) => Array.from({ length: n }, (_, i) => inputs[from + i] ?? 0n);
  let h = poseidon(chunk(0, W));
  for (let at = W; at < inputs.length; at += W - 1) h = poseidon([h, ...chunk(at, W - 1)]);
  return h;
}
