// Poseidon round constants and MDS matrices for circomlib's Poseidon over BN254,
// generated at first use with the Grain LFSR procedure of the Poseidon paper
// (the reference generate_parameters_grain script with field=1, sbox=0, n=254,
// R_F=8 and circomlib's R_P per width). This reproduces circomlib's constants
// exactly (test/home/model/poseidon.test.ts checks against circomlibjs), without
// shipping ~900 kB of constant tables to the browser.

import { FIELD_MODULUS, mod, modInverse } from "./field.ts";

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
const optCache = new Map<number, OptimizedPoseidonParams>();

/**
 * The same permutation rewritten for speed (the standard equivalent form of the Poseidon
 * paper, appendix B, derived here from C and M):
 *   s += pre;
 *   full rounds 0..3:   S-box all; s += fullConst[r]; s = (r < 3 ? M : P) s
 *   partial rounds:     S-box s0;  s0 += partialConst[r]; s = sparse[r] s
 *   full rounds 4..7:   S-box all; s += fullConst[4 + r] (none after the last); s = M s
 * where sparse[r] = [[m00, z^T], [w, I]]: s0' = m00 s0 + z.s[1..], s_k' = s_k + w_k s0.
 */
export interface OptimizedPoseidonParams {
  t: number;
  nRoundsP: number;
  pre: bigint[];
  /** 7 vectors: after the S-box of full rounds 0..3 and 4..6. */
  fullConst: bigint[][];
  partialConst: bigint[];
  M: bigint[][];
  P: bigint[][];
  /** Per partial round: [m00, z_1..z_{t-1}] (first row). */
  sparseRow: bigint[][];
  /** Per partial round: [w_1..w_{t-1}] (first column below the diagonal). */
  sparseCol: bigint[][];
}

function matMul(a: bigint[][], b: bigint[][]): bigint[][] {
  const p = FIELD_MODULUS;
  return a.map((row) => b[0]!.map((_, j) => row.reduce((acc, x, k) => acc + x * b[k]![j]!, 0n) % p));
}

function matVec(a: bigint[][], v: bigint[]): bigint[] {
  const p = FIELD_MODULUS;
  return a.map((row) => row.reduce((acc, x, k) => acc + x * v[k]!, 0n) % p);
}

/** Inverse of a square matrix over F_p by Gauss-Jordan elimination. */
function matInverse(m: bigint[][]): bigint[][] {
  const p = FIELD_MODULUS;
  const n = m.length;
  const a = m.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1n : 0n))]);
  for (let col = 0; col < n; col++) {
    const pivot = a.findIndex((row, i) => i >= col && row[col]! % p !== 0n);
    if (pivot < 0) throw new Error("poseidon: singular matrix");
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const inv = modInverse(a[col]![col]!, p);
    a[col] = a[col]!.map((x) => (x * inv) % p);
    for (let i = 0; i < n; i++) {
      if (i === col || a[i]![col] === 0n) continue;
      const f = a[i]![col]!;
      a[i] = a[i]!.map((x, j) => (((x - f * a[col]![j]!) % p) + p) % p);
    }
  }
  return a.map((row) => row.slice(n));
}

/** Solves a x = b over F_p by Gaussian elimination. */
function solve(m: bigint[][], b: bigint[]): bigint[] {
  const p = FIELD_MODULUS;
  const n = m.length;
  const a = m.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    const pivot = a.findIndex((row, i) => i >= col && row[col]! !== 0n);
    if (pivot < 0) throw new Error("poseidon: singular matrix");
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    const inv = modInverse(a[col]![col]!, p);
    const prow = a[col]!.map((x) => (x * inv) % p);
    a[col] = prow;
    for (let i = col + 1; i < n; i++) {
      const f = a[i]![col]!;
      if (f === 0n) continue;
      a[i] = a[i]!.map((x, j) => mod(x - f * prow[j]!, p));
    }
  }
  const x = new Array<bigint>(n).fill(0n);
  for (let i = n - 1; i >= 0; i--) {
    let acc = a[i]![n]!;
    for (let j = i + 1; j < n; j++) acc -= a[i]![j]! * x[j]!;
    x[i] = mod(acc, p);
  }
  return x;
}

function optimize(base: PoseidonParams): OptimizedPoseidonParams {
  const p = FIELD_MODULUS;
  const { t, nRoundsP, C, M } = base;
  const half = N_ROUNDS_F / 2;
  const rounds = N_ROUNDS_F + nRoundsP;
  const Minv = matInverse(M);
  // d[0] = c_0 is added before round 0; d[r] = M^-1 c_r is added after round r-1's S-box.
  const d: bigint[][] = [];
  for (let r = 0; r < rounds; r++) {
    const c = C.slice(r * t, (r + 1) * t);
    d.push(r === 0 ? c : matVec(Minv, c));
  }
  // In a partial round only s0 passes the S-box, so the other components of the constant
  // added after it can be added before it instead, i.e. after the previous round's matrix.
  for (let r = half + nRoundsP - 1; r >= half; r--) {
    const moved = matVec(Minv, [0n, ...d[r + 1]!.slice(1)]);
    d[r + 1] = [d[r + 1]![0]!, ...new Array<bigint>(t - 1).fill(0n)];
    d[r] = d[r]!.map((x, i) => (x + moved[i]!) % p);
  }
  // Factor each partial round's matrix A = S * diag(1, A11) and move diag(1, A11) (which
  // commutes with the S-box on s0) into the previous round's matrix.
  const sparseRow: bigint[][] = [];
  const sparseCol: bigint[][] = [];
  let A = M;
  for (let r = nRoundsP - 1; r >= 0; r--) {
    const A11 = A.slice(1).map((row) => row.slice(1));
    // z = A01 * A11^-1, i.e. A11^T z = A01^T
    const A11T = A11.map((_, i) => A11.map((row) => row[i]!));
    const z = solve(A11T, A[0]!.slice(1));
    sparseRow[r] = [A[0]![0]!, ...z];
    sparseCol[r] = A.slice(1).map((row) => row[0]!);
    const Mprime = Array.from({ length: t }, (_, i) =>
      Array.from({ length: t }, (_, j) => (i === 0 || j === 0 ? (i === j ? 1n : 0n) : A11[i - 1]![j - 1]!)),
    );
    A = matMul(Mprime, M);
  }
  const fullConst: bigint[][] = [];
  for (let r = 0; r < N_ROUNDS_F - 1; r++) {
    const round = r < half ? r : nRoundsP + r;
    fullConst.push(d[round + 1]!);
  }
  const partialConst: bigint[] = [];
  for (let r = 0; r < nRoundsP; r++) partialConst.push(d[half + r + 1]![0]!);
  return { t, nRoundsP, pre: d[0]!, fullConst, partialConst, M, P: A, sparseRow, sparseCol };
}

/** Optimized-form parameters for width t, derived once from poseidonParams(t) and cached. */
export function poseidonOptimizedParams(t: number): OptimizedPoseidonParams {
  let params = optCache.get(t);
  if (!params) {
    params = optimize(poseidonParams(t));
    optCache.set(t, params);
  }
  return params;
}

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
