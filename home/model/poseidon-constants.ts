// Poseidon round constants and MDS matrices for circomlib's Poseidon over BN254,
// generated at first use with the Grain LFSR procedure of the Poseidon paper
// (the reference generate_parameters_grain script with field=1, sbox=0, n=254,
// R_F=8 and circomlib's R_P per width). This reproduces circomlib's constants
// exactly (test/home/model/poseidon.test.ts checks against circomlibjs), without
// shipping ~900 kB of constant tables to the browser.

import { FIELD_MODULUS, modInverse } from "./field.ts";

/** Full rounds (4 at the start, 4 at the end). */
export const N_ROUNDS_F = 8;
/** Partial rounds for widths t = 2..17 (index t - 2), as in circomlib. */
export const N_ROUNDS_P: readonly number[] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

export interface PoseidonParams {
  /** State width (inputs + 1). */
  t: number;
  nRoundsP: number;
  /** Round constants, (N_ROUNDS_F + nRoundsP) * t of them, round-major. */
  C: bigint[];
  /** MDS matrix, newState[i] = sum_j M[i][j] * state[j]. */
  M: bigint[][];
}

const FIELD_BITS = 254;

/** The self-shrinking Grain LFSR bit stream seeded with the Poseidon instance parameters. */
class GrainStream {
  private readonly s = new Uint8Array(80);
  private h = 0;

  constructor(t: number, rf: number, rp: number) {
    const bits: number[] = [];
    const push = (v: number, width: number): void => {
      for (let i = width - 1; i >= 0; i--) bits.push((v >> i) & 1);
    };
    push(1, 2); // prime field
    push(0, 4); // S-box x^alpha
    push(FIELD_BITS, 12);
    push(t, 12);
    push(rf, 10);
    push(rp, 10);
    while (bits.length < 80) bits.push(1);
    this.s.set(bits);
    for (let i = 0; i < 160; i++) this.step();
  }

  private step(): number {
    const s = this.s;
    const h = this.h;
    const b = s[(h + 62) % 80]! ^ s[(h + 51) % 80]! ^ s[(h + 38) % 80]! ^ s[(h + 23) % 80]! ^ s[(h + 13) % 80]! ^ s[h]!;
    s[h] = b;
    this.h = (h + 1) % 80;
    return b;
  }

  /** Next output bit: pairs (a, b), output b when a is 1, otherwise drop the pair. */
  bit(): number {
    for (;;) {
      const a = this.step();
      const b = this.step();
      if (a === 1) return b;
    }
  }

  /** `n` output bits read most significant first. */
  bits(n: number): bigint {
    let x = 0n;
    let chunk = 0;
    let chunkLen = 0;
    for (let i = 0; i < n; i++) {
      chunk = chunk * 2 + this.bit();
      chunkLen++;
      if (chunkLen === 30 || i === n - 1) {
        x = (x << BigInt(chunkLen)) | BigInt(chunk);
        chunk = 0;
        chunkLen = 0;
      }
    }
    return x;
  }
}

function generate(t: number): PoseidonParams {
  const p = FIELD_MODULUS;
  const nRoundsP = N_ROUNDS_P[t - 2]!;
  const g = new GrainStream(t, N_ROUNDS_F, nRoundsP);
  const C: bigint[] = [];
  const n = (N_ROUNDS_F + nRoundsP) * t;
  for (let i = 0; i < n; i++) {
    let v = g.bits(FIELD_BITS);
    while (v >= p) v = g.bits(FIELD_BITS);
    C.push(v);
  }
  // Cauchy matrix M[i][j] = 1 / (x_i + y_j) from 2t further samples (reduced mod p).
  // For every circomlib width the first candidate is the one circomlib uses.
  const xy: bigint[] = [];
  for (let i = 0; i < 2 * t; i++) xy.push(g.bits(FIELD_BITS) % p);
  if (new Set(xy).size !== xy.length) throw new Error(`poseidon: duplicate MDS sample for t=${t}`);
  const M: bigint[][] = [];
  for (let i = 0; i < t; i++) {
    const row: bigint[] = [];
    for (let j = 0; j < t; j++) row.push(modInverse(xy[i]! + xy[t + j]!, p));
    M.push(row);
  }
  return { t, nRoundsP, C, M };
}

const cache = new Map<number, PoseidonParams>();

/** Parameters for width t (2..17), generated once and cached. */
export function poseidonParams(t: number): PoseidonParams {
  if (!Number.isInteger(t) || t < 2 || t > 17) throw new RangeError(`poseidon width must be 2..17, got ${t}`);
  let params = cache.get(t);
  if (!params) {
    params = generate(t);
    cache.set(t, params);
  }
  return params;
}
