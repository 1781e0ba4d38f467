// Flat BN254 Fp12 arithmetic with lazy reduction, for the Groth16 pairing check.
// An Fp12 value is an array of 12 bigints, each in [0, P). Products are written out as sums
// of bigint products and reduced once per output coefficient: the modular reduction (`%`)
// is by far the dearest bigint operation, so every function here is counted in them (one
// per output coefficient, 12 for a full Fp12 result).
// Tower (as noble): Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3 - xi), xi = 9+u, Fp12 = Fp6[w]/(w^2 - v).
// Layout: [g0, g1, g2, h0, h1, h2] as Fp2 pairs (re, im), f = g + h*w, g = g0 + g1 v + g2 v^2.
// Tests compare every operation with noble's tower.
import { bn254 } from "@noble/curves/bn254.js";

const P = bn254.fields.Fp.ORDER;

export type NobleFp12 = ReturnType<typeof bn254.millerLoopBatch>;

/** Flat Fp12: 12 bigints, each reduced into [0, P). */
export type FlatFp12 = bigint[];

/** x mod P in [0, P) for any bigint x (sums of products may be negative). */
export const red = (x: bigint): bigint => {
  const r = x % P;
  return r < 0n ? r + P : r;
};

export const ONE12: FlatFp12 = [1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];

/**
 * Unreduced Fp6 product (Karatsuba over Fp2, schoolbook Fp2 products) of a = (a0, a1, a2)
 * and b = (b0, b1, b2), each coefficient given as (re, im). Returns 6 unreduced bigints.
 */
function m6(
  a0r: bigint, a0i: bigint, a1r: bigint, a1i: bigint, a2r: bigint, a2i: bigint,
  b0r: bigint, b0i: bigint, b1r: bigint, b1i: bigint, b2r: bigint, b2i: bigint,
): bigint[] {
  const v0r = a0r * b0r - a0i * b0i;
  const v0i = a0r * b0i + a0i * b0r;
  const v1r = a1r * b1r - a1i * b1i;
  const v1i = a1r * b1i + a1i * b1r;
  const v2r = a2r * b2r - a2i * b2i;
  const v2i = a2r * b2i + a2i * b2r;
  // x12 = a1 b2 + a2 b1, x01 = a0 b1 + a1 b0, x02 = a0 b2 + a2 b0 (Karatsuba).
  let sr = a1r + a2r, si = a1i + a2i, tr = b1r + b2r, ti = b1i + b2i;
  const x12r = sr * tr - si * ti - v1r - v2r;
  const x12i = sr * ti + si * tr - v1i - v2i;
  sr = a0r + a1r; si = a0i + a1i; tr = b0r + b1r; ti = b0i + b1i;
  const x01r = sr * tr - si * ti - v0r - v1r;
  const x01i = sr * ti + si * tr - v0i - v1i;
  sr = a0r + a2r; si = a0i + a2i; tr = b0r + b2r; ti = b0i + b2i;
  const x02r = sr * tr - si * ti - v0r - v2r;
  const x02i = sr * ti + si * tr - v0i - v2i;
  // c0 = v0 + xi x12, c1 = x01 + xi v2, c2 = x02 + v1; xi (r + i u) = (9r - i) + (9i + r) u.
  return [v0r + 9n * x12r - x12i, v0i + 9n * x12i + x12r, x01r + 9n * v2r - v2i, x01i + 9n * v2i + v2r, x02r + v1r, x02i + v1i];
}

/** a * b: Karatsuba over Fp6, (g1 + h1 w)(g2 + h2 w) = g1g2 + v h1h2 + ((g1+h1)(g2+h2) - g1g2 - h1h2) w. 12 reductions. */
export function mul12(a: FlatFp12, b: FlatFp12): FlatFp12 {
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11] = a as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11] = b as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const gg = m6(a0, a1, a2, a3, a4, a5, b0, b1, b2, b3, b4, b5);
  const hh = m6(a6, a7, a8, a9, a10, a11, b6, b7, b8, b9, b10, b11);
  const t = m6(a0 + a6, a1 + a7, a2 + a8, a3 + a9, a4 + a10, a5 + a11, b0 + b6, b1 + b7, b2 + b8, b3 + b9, b4 + b10, b5 + b11);
  return karatsubaCombine(gg, hh, t);
}

/**
 * The Fp12 result (reduced) of a Karatsuba product over Fp6: x = a_g b_g, y = a_h b_h,
 * t = (a_g + a_h)(b_g + b_h) give (x + v y) + (t - x - y) w, with v y = (xi y2, y0, y1).
 */
function karatsubaCombine(x: bigint[], y: bigint[], t: bigint[]): FlatFp12 {
  const [x0, x1, x2, x3, x4, x5] = x as [bigint, bigint, bigint, bigint, bigint, bigint];
  const [y0, y1, y2, y3, y4, y5] = y as [bigint, bigint, bigint, bigint, bigint, bigint];
  return [
    red(x0 + 9n * y4 - y5),
    red(x1 + 9n * y5 + y4),
    red(x2 + y0),
    red(x3 + y1),
    red(x4 + y2),
    red(x5 + y3),
    red(t[0]! - x0 - y0),
    red(t[1]! - x1 - y1),
    red(t[2]! - x2 - y2),
    red(t[3]! - x3 - y3),
    red(t[4]! - x4 - y4),
    red(t[5]! - x5 - y5),
  ];
}

/** f^2 by the complex method: (g + h w)^2 = (g+h)(g + v h) - gh - v gh + 2 gh w. 12 reductions. */
export function sqr12(f: FlatFp12): FlatFp12 {
  const [g0r, g0i, g1r, g1i, g2r, g2i, h0r, h0i, h1r, h1i, h2r, h2i] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const p = m6(g0r, g0i, g1r, g1i, g2r, g2i, h0r, h0i, h1r, h1i, h2r, h2i);
  // (g + h)(g + v h), v h = (xi h2, h0, h1)
  const t = m6(
    g0r + h0r, g0i + h0i, g1r + h1r, g1i + h1i, g2r + h2r, g2i + h2i,
    g0r + 9n * h2r - h2i, g0i + 9n * h2i + h2r, g1r + h0r, g1i + h0i, g2r + h1r, g2i + h1i,
  );
  const [p0, p1, p2, p3, p4, p5] = p as [bigint, bigint, bigint, bigint, bigint, bigint];
  // v p = (xi p2, p0, p1)
  return [
    red(t[0]! - p0 - 9n * p4 + p5),
    red(t[1]! - p1 - 9n * p5 - p4),
    red(t[2]! - p2 - p0),
    red(t[3]! - p3 - p1),
    red(t[4]! - p4 - p2),
    red(t[5]! - p5 - p3),
    red(2n * p0),
    red(2n * p1),
    red(2n * p2),
    red(2n * p3),
    red(2n * p4),
    red(2n * p5),
  ];
}

/**
 * f * N for N = (n0 + n1 v + n2 v^2) + (m0 + m1 v) w, the shape of a product of two
 * normalized lines (millerLoop.ts); Karatsuba over Fp6 (18 Fp2 products). 12 reductions.
 */
export function mulBy5(
  f: FlatFp12,
  n0r: bigint, n0i: bigint, n1r: bigint, n1i: bigint, n2r: bigint, n2i: bigint,
  m0r: bigint, m0i: bigint, m1r: bigint, m1i: bigint,
): FlatFp12 {
  const [g0r, g0i, g1r, g1i, g2r, g2i, h0r, h0i, h1r, h1i, h2r, h2i] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const A = m6(g0r, g0i, g1r, g1i, g2r, g2i, n0r, n0i, n1r, n1i, n2r, n2i);
  // B = h (m0 + m1 v) = (h0m0 + xi h2m1) + (h0m1 + h1m0) v + (h1m1 + h2m0) v^2
  const xr = h2r * m1r - h2i * m1i;
  const xi = h2r * m1i + h2i * m1r;
  const B0r = h0r * m0r - h0i * m0i + 9n * xr - xi;
  const B0i = h0r * m0i + h0i * m0r + 9n * xi + xr;
  const B1r = h0r * m1r - h0i * m1i + h1r * m0r - h1i * m0i;
  const B1i = h0r * m1i + h0i * m1r + h1r * m0i + h1i * m0r;
  const B2r = h1r * m1r - h1i * m1i + h2r * m0r - h2i * m0i;
  const B2i = h1r * m1i + h1i * m1r + h2r * m0i + h2i * m0r;
  const C = m6(g0r + h0r, g0i + h0i, g1r + h1r, g1i + h1i, g2r + h2r, g2i + h2i, n0r + m0r, n0i + m0i, n1r + m1r, n1i + m1i, n2r, n2i);
  return karatsubaCombine(A, [B0r, B0i, B1r, B1i, B2r, B2i], C);
}

/**
 * f * L for the sparse line L = o0 + (o3 + o4 v) w (noble's divisive-twist line: o0 = c2 Py,
 * o3 = c1 Px, o4 = c0), schoolbook. 12 reductions.
 */
export function mulBy034(f: FlatFp12, o0r: bigint, o0i: bigint, o3r: bigint, o3i: bigint, o4r: bigint, o4i: bigint): FlatFp12 {
  const [g0r, g0i, g1r, g1i, g2r, g2i, h0r, h0i, h1r, h1i, h2r, h2i] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  // g' = (g0o0 + xi(h1o4 + h2o3), g1o0 + h0o3 + xi h2o4, g2o0 + h0o4 + h1o3)
  // h' = (h0o0 + g0o3 + xi g2o4, h1o0 + g0o4 + g1o3, h2o0 + g1o4 + g2o3)
  const sr = h1r * o4r - h1i * o4i + h2r * o3r - h2i * o3i;
  const si = h1r * o4i + h1i * o4r + h2r * o3i + h2i * o3r;
  const t2r = h2r * o4r - h2i * o4i;
  const t2i = h2r * o4i + h2i * o4r;
  const u2r = g2r * o4r - g2i * o4i;
  const u2i = g2r * o4i + g2i * o4r;
  return [
    red(g0r * o0r - g0i * o0i + 9n * sr - si),
    red(g0r * o0i + g0i * o0r + 9n * si + sr),
    red(g1r * o0r - g1i * o0i + h0r * o3r - h0i * o3i + 9n * t2r - t2i),
    red(g1r * o0i + g1i * o0r + h0r * o3i + h0i * o3r + 9n * t2i + t2r),
    red(g2r * o0r - g2i * o0i + h0r * o4r - h0i * o4i + h1r * o3r - h1i * o3i),
    red(g2r * o0i + g2i * o0r + h0r * o4i + h0i * o4r + h1r * o3i + h1i * o3r),
    red(h0r * o0r - h0i * o0i + g0r * o3r - g0i * o3i + 9n * u2r - u2i),
    red(h0r * o0i + h0i * o0r + g0r * o3i + g0i * o3r + 9n * u2i + u2r),
    red(h1r * o0r - h1i * o0i + g0r * o4r - g0i * o4i + g1r * o3r - g1i * o3i),
    red(h1r * o0i + h1i * o0r + g0r * o4i + g0i * o4r + g1r * o3i + g1i * o3r),
    red(h2r * o0r - h2i * o0i + g1r * o4r - g1i * o4i + g2r * o3r - g2i * o3i),
    red(h2r * o0i + h2i * o0r + g1r * o4i + g1i * o4r + g2r * o3i + g2i * o3r),
  ];
}

/** Conjugate (the inverse of an element of the cyclotomic subgroup): negate the w part. */
export function conj12(a: FlatFp12): FlatFp12 {
  const n = (x: bigint) => (x === 0n ? 0n : P - x);
  return [a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, n(a[6]!), n(a[7]!), n(a[8]!), n(a[9]!), n(a[10]!), n(a[11]!)];
}

/**
 * Squaring in the cyclotomic subgroup (Granger-Scott): Fp12 seen as Fp4^3 with Fp4 pairs
 * (g0, h1), (h0, g2), (g1, h2); each pair (a, b) squares to (a^2 + xi b^2, 2ab).
 * Only valid for elements of the cyclotomic subgroup (after the easy part). 12 reductions.
 */
export function cycSqr12(f: FlatFp12): FlatFp12 {
  const [g0r, g0i, g1r, g1i, g2r, g2i, h0r, h0i, h1r, h1i, h2r, h2i] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  // Pair (g0, h1): first = g0^2 + xi h1^2, second = 2 g0 h1.
  let ar = (g0r + g0i) * (g0r - g0i), ai = 2n * g0r * g0i;
  let br = (h1r + h1i) * (h1r - h1i), bi = 2n * h1r * h1i;
  const t3r = 9n * br - bi + ar, t3i = 9n * bi + br + ai;
  const t4r = 2n * (g0r * h1r - g0i * h1i), t4i = 2n * (g0r * h1i + g0i * h1r);
  // Pair (h0, g2).
  ar = (h0r + h0i) * (h0r - h0i); ai = 2n * h0r * h0i;
  br = (g2r + g2i) * (g2r - g2i); bi = 2n * g2r * g2i;
  const t5r = 9n * br - bi + ar, t5i = 9n * bi + br + ai;
  const t6r = 2n * (h0r * g2r - h0i * g2i), t6i = 2n * (h0r * g2i + h0i * g2r);
  // Pair (g1, h2).
  ar = (g1r + g1i) * (g1r - g1i); ai = 2n * g1r * g1i;
  br = (h2r + h2i) * (h2r - h2i); bi = 2n * h2r * h2i;
  const t7r = 9n * br - bi + ar, t7i = 9n * bi + br + ai;
  const t8r = 2n * (g1r * h2r - g1i * h2i), t8i = 2n * (g1r * h2i + g1i * h2r);
  // t9 = xi t8
  const t9r = 9n * t8r - t8i, t9i = 9n * t8i + t8r;
  return [
    red(3n * t3r - 2n * g0r),
    red(3n * t3i - 2n * g0i),
    red(3n * t5r - 2n * g1r),
    red(3n * t5i - 2n * g1i),
    red(3n * t7r - 2n * g2r),
    red(3n * t7i - 2n * g2i),
    red(3n * t9r + 2n * h0r),
    red(3n * t9i + 2n * h0i),
    red(3n * t4r + 2n * h1r),
    red(3n * t4i + 2n * h1i),
    red(3n * t6r + 2n * h2r),
    red(3n * t6i + 2n * h2i),
  ];
}

/** Frobenius multipliers: frob^k(c * b_j) = conj^k(c) * GAMMA[k][j] * b_j for the basis b_j = 1, v, v^2, w, vw, v^2w. */
let GAMMA: [bigint, bigint][][] | undefined;

function gammas(): [bigint, bigint][][] {
  if (GAMMA) return GAMMA;
  const out: [bigint, bigint][][] = [];
  for (let k = 1; k <= 3; k++) {
    const row: [bigint, bigint][] = [];
    for (let j = 0; j < 6; j++) {
      const basis = ONE12.map(() => 0n);
      basis[2 * j] = 1n;
      const image = fromNobleFp12(bn254.fields.Fp12.frobeniusMap(toNobleFp12(basis), k));
      row.push([image[2 * j]!, image[2 * j + 1]!]);
    }
    out.push(row);
  }
  GAMMA = out;
  return out;
}

/** f^(p^k) for k = 1, 2, 3. */
export function frob12(f: FlatFp12, k: 1 | 2 | 3): FlatFp12 {
  const row = gammas()[k - 1]!;
  const out: FlatFp12 = new Array<bigint>(12);
  for (let j = 0; j < 6; j++) {
    const cr = f[2 * j]!;
    const ci = k === 2 ? f[2 * j + 1]! : -f[2 * j + 1]!;
    const [gr, gi] = row[j]!;
    out[2 * j] = red(cr * gr - ci * gi);
    out[2 * j + 1] = red(cr * gi + ci * gr);
  }
  return out;
}

// ---------- inversion (once per verification: no need for speed) ----------

const Fp2Red = (r: bigint, i: bigint): [bigint, bigint] => [red(r), red(i)];

function fp6Mul(a: bigint[], b: bigint[]): bigint[] {
  return m6(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!).map(red);
}

/** 1 / a in Fp6 (a != 0), via the norm to Fp2 and one inversion in Fp. */
function fp6Inv(a: bigint[]): bigint[] {
  const [a0r, a0i, a1r, a1i, a2r, a2i] = a as [bigint, bigint, bigint, bigint, bigint, bigint];
  const mul = (xr: bigint, xi: bigint, yr: bigint, yi: bigint) => Fp2Red(xr * yr - xi * yi, xr * yi + xi * yr);
  const xiOf = ([r, i]: [bigint, bigint]) => Fp2Red(9n * r - i, 9n * i + r);
  const sub = (x: [bigint, bigint], y: [bigint, bigint]) => Fp2Red(x[0] - y[0], x[1] - y[1]);
  const add = (x: [bigint, bigint], y: [bigint, bigint]) => Fp2Red(x[0] + y[0], x[1] + y[1]);
  // c0 = a0^2 - xi a1 a2, c1 = xi a2^2 - a0 a1, c2 = a1^2 - a0 a2
  const c0 = sub(mul(a0r, a0i, a0r, a0i), xiOf(mul(a1r, a1i, a2r, a2i)));
  const c1 = sub(xiOf(mul(a2r, a2i, a2r, a2i)), mul(a0r, a0i, a1r, a1i));
  const c2 = sub(mul(a1r, a1i, a1r, a1i), mul(a0r, a0i, a2r, a2i));
  // n = a0 c0 + xi (a2 c1 + a1 c2)
  const n = add(mul(a0r, a0i, c0[0], c0[1]), xiOf(add(mul(a2r, a2i, c1[0], c1[1]), mul(a1r, a1i, c2[0], c2[1]))));
  const normInv = bn254.fields.Fp.inv(red(n[0] * n[0] + n[1] * n[1]));
  const [ir, ii] = Fp2Red(n[0] * normInv, -n[1] * normInv);
  return [...mul(c0[0], c0[1], ir, ii), ...mul(c1[0], c1[1], ir, ii), ...mul(c2[0], c2[1], ir, ii)];
}

/** 1 / f (f != 0): (g - h w) / (g^2 - v h^2). */
export function inv12(f: FlatFp12): FlatFp12 {
  const g = f.slice(0, 6);
  const h = f.slice(6);
  const gg = fp6Mul(g, g);
  const hh = fp6Mul(h, h);
  // t = g^2 - v h^2, v (x0, x1, x2) = (xi x2, x0, x1)
  const t = [
    gg[0]! - (9n * hh[4]! - hh[5]!),
    gg[1]! - (9n * hh[5]! + hh[4]!),
    gg[2]! - hh[0]!,
    gg[3]! - hh[1]!,
    gg[4]! - hh[2]!,
    gg[5]! - hh[3]!,
  ].map(red);
  const tInv = fp6Inv(t);
  return [...fp6Mul(g, tInv), ...fp6Mul(h, tInv).map((x) => (x === 0n ? 0n : P - x))];
}

export function eq12(a: FlatFp12, b: FlatFp12): boolean {
  for (let i = 0; i < 12; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Flat tuple to noble's Fp12 object. */
export function toNobleFp12(f: FlatFp12): NobleFp12 {
  const fp2 = (i: number) => ({ c0: f[i]!, c1: f[i + 1]! });
  return bn254.fields.Fp12.create({
    c0: { c0: fp2(0), c1: fp2(2), c2: fp2(4) },
    c1: { c0: fp2(6), c1: fp2(8), c2: fp2(10) },
  } as NobleFp12);
}

/** noble's Fp12 object to a flat tuple. */
export function fromNobleFp12(x: NobleFp12): FlatFp12 {
  type Fp2 = { c0: bigint; c1: bigint };
  const { c0: g, c1: h } = x as unknown as { c0: { c0: Fp2; c1: Fp2; c2: Fp2 }; c1: { c0: Fp2; c1: Fp2; c2: Fp2 } };
  return [g.c0.c0, g.c0.c1, g.c1.c0, g.c1.c1, g.c2.c0, g.c2.c1, h.c0.c0, h.c0.c1, h.c1.c0, h.c1.c1, h.c2.c0, h.c2.c1];
}
