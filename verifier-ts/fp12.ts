// Flat BN254 Fp12 arithmetic with lazy reduction, for the Groth16 pairing check.
// Fp12 values are tuples of 12 bigints and products are summed unreduced, with one modular
// reduction per output coefficient: far fewer `%` operations than generic tower arithmetic.
// Tower (as noble): Fp2 = Fp[u]/(u^2+1), Fp6 = Fp2[v]/(v^3 - xi), xi = 9+u, Fp12 = Fp6[w]/(w^2 - v).
// Flat layout: [g0, g1, g2, h0, h1, h2] as Fp2 pairs (c0, c1), f = g + h*w, g = g0 + g1 v + g2 v^2.
// Tests compare every operation with noble's tower.
import { bn254 } from "@noble/curves/bn254.js";

const P = bn254.fields.Fp.ORDER;

export type NobleFp12 = ReturnType<typeof bn254.millerLoopBatch>;
export type Fp2 = { c0: bigint; c1: bigint };

/** Flat Fp12: 12 bigints, each reduced into [0, P). */
export type FlatFp12 = bigint[];

export const red = (x: bigint): bigint => {
  const r = x % P;
  return r < 0n ? r + P : r;
};

/** Unreduced Fp2 product (a0 + a1 u)(b0 + b1 u) -> [c0, c1] (Karatsuba, 3 multiplications). */
export function m2(a0: bigint, a1: bigint, b0: bigint, b1: bigint): [bigint, bigint] {
  const t0 = a0 * b0;
  const t1 = a1 * b1;
  return [t0 - t1, (a0 + a1) * (b0 + b1) - t0 - t1];
}

/** Unreduced Fp6 product of (a0..a2)(b0..b2), each an Fp2 pair in a flat array at offsets. */
function m6(a: bigint[], ai: number, b: bigint[], bi: number): bigint[] {
  const [a00, a01, a10, a11, a20, a21] = [a[ai]!, a[ai + 1]!, a[ai + 2]!, a[ai + 3]!, a[ai + 4]!, a[ai + 5]!];
  const [b00, b01, b10, b11, b20, b21] = [b[bi]!, b[bi + 1]!, b[bi + 2]!, b[bi + 3]!, b[bi + 4]!, b[bi + 5]!];
  const p00 = m2(a00, a01, b00, b01);
  const p11 = m2(a10, a11, b10, b11);
  const p22 = m2(a20, a21, b20, b21);
  const p01 = m2(a00, a01, b10, b11);
  const p10 = m2(a10, a11, b00, b01);
  const p02 = m2(a00, a01, b20, b21);
  const p20 = m2(a20, a21, b00, b01);
  const p12 = m2(a10, a11, b20, b21);
  const p21 = m2(a20, a21, b10, b11);
  // c0 = p00 + xi (p12 + p21); c1 = p01 + p10 + xi p22; c2 = p02 + p11 + p20; xi (x0 + x1 u) = (9x0 - x1) + (9x1 + x0) u
  const s0 = p12[0] + p21[0];
  const s1 = p12[1] + p21[1];
  return [
    p00[0] + 9n * s0 - s1,
    p00[1] + 9n * s1 + s0,
    p01[0] + p10[0] + 9n * p22[0] - p22[1],
    p01[1] + p10[1] + 9n * p22[1] + p22[0],
    p02[0] + p11[0] + p20[0],
    p02[1] + p11[1] + p20[1],
  ];
}

/** f^2 by the complex method: (g + h w)^2 = (g+h)(g + v h) - gh - v gh + 2 gh w. */
export function sqr12(f: FlatFp12): FlatFp12 {
  // v * h: (h0, h1, h2) -> (xi h2, h0, h1)
  const h20 = f[10]!;
  const h21 = f[11]!;
  const gvh = [f[0]! + 9n * h20 - h21, f[1]! + 9n * h21 + h20, f[2]! + f[6]!, f[3]! + f[7]!, f[4]! + f[8]!, f[5]! + f[9]!];
  const gh = [f[0]! + f[6]!, f[1]! + f[7]!, f[2]! + f[8]!, f[3]! + f[9]!, f[4]! + f[10]!, f[5]! + f[11]!];
  const t = m6(gh, 0, gvh, 0);
  const p = m6(f, 0, f, 6);
  // v * p: (xi p2, p0, p1)
  const vp0 = 9n * p[4]! - p[5]!;
  const vp1 = 9n * p[5]! + p[4]!;
  return [
    red(t[0]! - p[0]! - vp0),
    red(t[1]! - p[1]! - vp1),
    red(t[2]! - p[2]! - p[0]!),
    red(t[3]! - p[3]! - p[1]!),
    red(t[4]! - p[4]! - p[2]!),
    red(t[5]! - p[5]! - p[3]!),
    red(2n * p[0]!),
    red(2n * p[1]!),
    red(2n * p[2]!),
    red(2n * p[3]!),
    red(2n * p[4]!),
    red(2n * p[5]!),
  ];
}


/** General product (Karatsuba over Fp6): (g1 + h1 w)(g2 + h2 w) = g1g2 + v h1h2 + ((g1+h1)(g2+h2) - g1g2 - h1h2) w. */
export function mul12(a: FlatFp12, b: FlatFp12): FlatFp12 {
  const gg = m6(a, 0, b, 0);
  const hh = m6(a, 6, b, 6);
  const sa = [a[0]! + a[6]!, a[1]! + a[7]!, a[2]! + a[8]!, a[3]! + a[9]!, a[4]! + a[10]!, a[5]! + a[11]!];
  const sb = [b[0]! + b[6]!, b[1]! + b[7]!, b[2]! + b[8]!, b[3]! + b[9]!, b[4]! + b[10]!, b[5]! + b[11]!];
  const t = m6(sa, 0, sb, 0);
  // v * hh = (xi hh2, hh0, hh1)
  return [
    red(gg[0]! + 9n * hh[4]! - hh[5]!),
    red(gg[1]! + 9n * hh[5]! + hh[4]!),
    red(gg[2]! + hh[0]!),
    red(gg[3]! + hh[1]!),
    red(gg[4]! + hh[2]!),
    red(gg[5]! + hh[3]!),
    red(t[0]! - gg[0]! - hh[0]!),
    red(t[1]! - gg[1]! - hh[1]!),
    red(t[2]! - gg[2]! - hh[2]!),
    red(t[3]! - gg[3]! - hh[3]!),
    red(t[4]! - gg[4]! - hh[4]!),
    red(t[5]! - gg[5]! - hh[5]!),
  ];
}

/** Conjugate (the inverse of an element of the cyclotomic subgroup): negate the w part. */
export function conj12(a: FlatFp12): FlatFp12 {
  return [a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, ...a.slice(6).map((x) => (x === 0n ? 0n : P - x))];
}

/**
 * Squaring in the cyclotomic subgroup (Granger-Scott): Fp12 seen as Fp4^3 with Fp4 pairs
 * (g0, h1), (h0, g2), (g1, h2); each pair (a, b) squares to (a^2 + xi b^2, 2ab).
 * Only valid for elements of the cyclotomic subgroup (after the easy part).
 */
export function cycSqr12(f: FlatFp12): FlatFp12 {
  const fp4 = (a0: bigint, a1: bigint, b0: bigint, b1: bigint) => {
    const a2 = [(a0 + a1) * (a0 - a1), 2n * a0 * a1] as const;
    const b2 = [(b0 + b1) * (b0 - b1), 2n * b0 * b1] as const;
    const ab = m2(a0, a1, b0, b1);
    // first = xi b^2 + a^2, second = 2ab
    return [9n * b2[0] - b2[1] + a2[0], 9n * b2[1] + b2[0] + a2[1], 2n * ab[0], 2n * ab[1]] as const;
  };
  const [g00, g01, g10, g11, g20, g21, h00, h01, h10, h11, h20, h21] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const [t30, t31, t40, t41] = fp4(g00, g01, h10, h11);
  const [t50, t51, t60, t61] = fp4(h00, h01, g20, g21);
  const [t70, t71, t80, t81] = fp4(g10, g11, h20, h21);
  const t90 = 9n * t80 - t81;
  const t91 = 9n * t81 + t80;
  return [
    red(3n * t30 - 2n * g00),
    red(3n * t31 - 2n * g01),
    red(3n * t50 - 2n * g10),
    red(3n * t51 - 2n * g11),
    red(3n * t70 - 2n * g20),
    red(3n * t71 - 2n * g21),
    red(3n * t90 + 2n * h00),
    red(3n * t91 + 2n * h01),
    red(3n * t40 + 2n * h10),
    red(3n * t41 + 2n * h11),
    red(3n * t60 + 2n * h20),
    red(3n * t61 + 2n * h21),
  ];
}

export const ONE12: FlatFp12 = [1n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];

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
  const { c0: g, c1: h } = x as unknown as { c0: { c0: Fp2; c1: Fp2; c2: Fp2 }; c1: { c0: Fp2; c1: Fp2; c2: Fp2 } };
  return [g.c0.c0, g.c0.c1, g.c1.c0, g.c1.c1, g.c2.c0, g.c2.c1, h.c0.c0, h.c0.c1, h.c1.c0, h.c1.c1, h.c2.c0, h.c2.c1];
}
