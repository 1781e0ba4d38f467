// BN254 G1 multi-scalar multiplication for the Groth16 input commitment
// vk_x = IC[0] + sum s_i IC[i], on bigints in Jacobian coordinates (x = X/Z^2, y = Y/Z^3)
// with mixed additions of affine points. Scalars are recoded into signed windows; with a
// key's fixed-base tables (every window's multiples precomputed in affine form) the sum is
// one mixed addition per non-zero window and no doubling at all. Exceptional cases (adding
// a point to itself or to its negation) are handled, so any key and any scalars give the
// exact sum; tests compare with noble.
import { bn254 } from "@noble/curves/bn254.js";

const P = bn254.fields.Fp.ORDER;
const { Fp } = bn254.fields;
const red = (x: bigint): bigint => {
  const r = x % P;
  return r < 0n ? r + P : r;
};

/** An affine point (never the point at infinity). */
export interface AffineG1 {
  x: bigint;
  y: bigint;
}

/** A Jacobian point; Z = 0 is the point at infinity. */
export interface JacobianG1 {
  X: bigint;
  Y: bigint;
  Z: bigint;
}

const INFINITY: JacobianG1 = { X: 1n, Y: 1n, Z: 0n };

/** 2 A (dbl-2009-l, a = 0). */
function double(a: JacobianG1): JacobianG1 {
  if (a.Z === 0n || a.Y === 0n) return INFINITY;
  const A = red(a.X * a.X);
  const B = red(a.Y * a.Y);
  const C = red(B * B);
  const s = a.X + B;
  const D = red(2n * (s * s - A - C));
  const E = 3n * A;
  const X3 = red(E * E - 2n * D);
  return { X: X3, Y: red(E * (D - X3) - 8n * C), Z: red(2n * a.Y * a.Z) };
}

/** A + Q for an affine Q (madd-2007-bl), with the doubling and opposite cases. */
function addAffine(a: JacobianG1, q: AffineG1): JacobianG1 {
  if (a.Z === 0n) return { X: q.x, Y: q.y, Z: 1n };
  const z1z1 = red(a.Z * a.Z);
  const u2 = red(q.x * z1z1);
  const s2 = red(q.y * red(a.Z * z1z1));
  const H = u2 - a.X;
  const r = 2n * (s2 - a.Y);
  if (H === 0n) return r === 0n ? double({ X: q.x, Y: q.y, Z: 1n }) : INFINITY;
  const HH = red(H * H);
  const I = 4n * HH;
  const J = red(H * I);
  const V = red(a.X * I);
  const X3 = red(r * r - J - 2n * V);
  return { X: X3, Y: red(r * (V - X3) - 2n * a.Y * J), Z: red(2n * a.Z * H) };
}

const negate = (q: AffineG1): AffineG1 => ({ x: q.x, y: q.y === 0n ? 0n : P - q.y });

/** Affine forms of Jacobian points (none at infinity) with one inversion (Montgomery's trick). */
function toAffineBatch(points: readonly JacobianG1[]): AffineG1[] {
  const prefix: bigint[] = new Array<bigint>(points.length);
  let acc = 1n;
  for (let i = 0; i < points.length; i++) {
    prefix[i] = acc;
    acc = red(acc * points[i]!.Z);
  }
  let inv = Fp.inv(acc);
  const out: AffineG1[] = new Array<AffineG1>(points.length);
  for (let i = points.length - 1; i >= 0; i--) {
    const p = points[i]!;
    const zInv = red(inv * prefix[i]!);
    inv = red(inv * p.Z);
    const z2 = red(zInv * zInv);
    out[i] = { x: red(p.X * z2), y: red(p.Y * red(z2 * zInv)) };
  }
  return out;
}

/** Signed base-2^w digits of k (least significant first), each in [-2^(w-1), 2^(w-1)). */
function signedDigits(k: bigint, w: number, count: number): number[] {
  const half = 1 << (w - 1);
  const mask = BigInt((1 << w) - 1);
  const out: number[] = [];
  let carry = 0;
  for (let j = 0; j < count; j++) {
    let d = Number((k >> BigInt(w * j)) & mask) + carry;
    carry = d >= half ? 1 : 0;
    d -= carry << w;
    out.push(d);
  }
  return out;
}

const SCALAR_BITS = 254;
const windowsFor = (w: number) => Math.ceil((SCALAR_BITS + 1) / w);

/** Fixed-base table of a point: table[j][k-1] = k * 2^(w j) * point for k = 1 .. 2^(w-1). */
export interface FixedBaseTable {
  readonly w: number;
  readonly windows: readonly (readonly AffineG1[])[];
}

/** Build the fixed-base table of a point of G1 (window width w bits). */
export function fixedBaseTable(point: AffineG1, w: number): FixedBaseTable {
  const count = windowsFor(w);
  const bases: JacobianG1[] = [{ X: point.x, Y: point.y, Z: 1n }];
  for (let j = 1; j < count; j++) {
    let b = bases[j - 1]!;
    for (let i = 0; i < w; i++) b = double(b);
    bases.push(b);
  }
  const affineBases = toAffineBatch(bases);
  const all: JacobianG1[] = [];
  const per = 1 << (w - 1);
  for (const b of affineBases) {
    let acc: JacobianG1 = { X: b.x, Y: b.y, Z: 1n };
    all.push(acc);
    for (let k = 2; k <= per; k++) {
      acc = addAffine(acc, b);
      all.push(acc);
    }
  }
  const affine = toAffineBatch(all);
  return { w, windows: affineBases.map((_, j) => affine.slice(j * per, (j + 1) * per)) };
}

/** Window width of the tables built for a key's IC points. */
export const TABLE_WINDOW = 7;
/** Window width of the per-call tables of a one-shot sum. */
const SMALL_WINDOW = 4;

/**
 * base + sum scalars[i] * points[i], scalars in [0, r). With `tables` (one per point), one
 * mixed addition per non-zero window; without, a joint signed-window sum (shared doublings).
 */
export function linearCombination(base: AffineG1, points: readonly AffineG1[], scalars: readonly bigint[], tables?: readonly FixedBaseTable[]): JacobianG1 {
  let acc: JacobianG1 = { X: base.x, Y: base.y, Z: 1n };
  if (tables) {
    for (let i = 0; i < points.length; i++) {
      if (scalars[i] === 0n) continue;
      const t = tables[i]!;
      const digits = signedDigits(scalars[i]!, t.w, t.windows.length);
      for (let j = 0; j < digits.length; j++) {
        const d = digits[j]!;
        if (d > 0) acc = addAffine(acc, t.windows[j]![d - 1]!);
        else if (d < 0) acc = addAffine(acc, negate(t.windows[j]![-d - 1]!));
      }
    }
    return acc;
  }
  const used = points.map((_, i) => i).filter((i) => scalars[i] !== 0n);
  if (used.length === 0) return acc;
  const count = windowsFor(SMALL_WINDOW);
  const per = 1 << (SMALL_WINDOW - 1);
  // multiples[u][k-1] = k * points[used[u]], k = 1 .. 2^(w-1), affine with one inversion
  const jac: JacobianG1[] = [];
  for (const i of used) {
    let m: JacobianG1 = { X: points[i]!.x, Y: points[i]!.y, Z: 1n };
    jac.push(m);
    for (let k = 2; k <= per; k++) {
      m = addAffine(m, points[i]!);
      jac.push(m);
    }
  }
  const multiples = toAffineBatch(jac);
  const digits = used.map((i) => signedDigits(scalars[i]!, SMALL_WINDOW, count));
  let sum: JacobianG1 = INFINITY;
  for (let j = count - 1; j >= 0; j--) {
    for (let s = 0; s < SMALL_WINDOW; s++) sum = double(sum);
    for (let u = 0; u < used.length; u++) {
      const d = digits[u]![j]!;
      if (d > 0) sum = addAffine(sum, multiples[u * per + d - 1]!);
      else if (d < 0) sum = addAffine(sum, negate(multiples[u * per - d - 1]!));
    }
  }
  return addAffine(sum, base);
}
