// A faster multi-Miller loop for BN254 over noble's precomputed G2 line coefficients, on the
// flat lazily-reduced Fp12 of fp12.ts. Same result as `bn254.millerLoopBatch` (tests compare).
import { bn254 } from "@noble/curves/bn254.js";
import { red, m2, sqr12, ONE12, type FlatFp12, type Fp2 } from "./fp12.ts";

type Precompute = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;

/**
 * f * L for the sparse line L = o0 + (o3 + o4 v) w (noble's divisive-twist line with
 * o0 = c2 * Py, o3 = c1 * Px, o4 = c0).
 */
function mulLine(f: FlatFp12, o0: Fp2, o3: Fp2, o4: Fp2): FlatFp12 {
  const [a00, a01, a10, a11, a20, a21, b00, b01, b10, b11, b20, b21] = f as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  const a0o0 = m2(a00, a01, o0.c0, o0.c1);
  const a1o0 = m2(a10, a11, o0.c0, o0.c1);
  const a2o0 = m2(a20, a21, o0.c0, o0.c1);
  const b0o0 = m2(b00, b01, o0.c0, o0.c1);
  const b1o0 = m2(b10, b11, o0.c0, o0.c1);
  const b2o0 = m2(b20, b21, o0.c0, o0.c1);
  const a0o3 = m2(a00, a01, o3.c0, o3.c1);
  const a1o3 = m2(a10, a11, o3.c0, o3.c1);
  const a2o3 = m2(a20, a21, o3.c0, o3.c1);
  const b0o3 = m2(b00, b01, o3.c0, o3.c1);
  const b1o3 = m2(b10, b11, o3.c0, o3.c1);
  const b2o3 = m2(b20, b21, o3.c0, o3.c1);
  const a0o4 = m2(a00, a01, o4.c0, o4.c1);
  const a1o4 = m2(a10, a11, o4.c0, o4.c1);
  const a2o4 = m2(a20, a21, o4.c0, o4.c1);
  const b0o4 = m2(b00, b01, o4.c0, o4.c1);
  const b1o4 = m2(b10, b11, o4.c0, o4.c1);
  const b2o4 = m2(b20, b21, o4.c0, o4.c1);
  // c0 = (a0o0 + xi(b1o4 + b2o3), a1o0 + b0o3 + xi b2o4, a2o0 + b0o4 + b1o3)
  // c1 = (a0o3 + xi a2o4 + b0o0, a0o4 + a1o3 + b1o0, a1o4 + a2o3 + b2o0)
  const x0 = b1o4[0] + b2o3[0];
  const x1 = b1o4[1] + b2o3[1];
  return [
    red(a0o0[0] + 9n * x0 - x1),
    red(a0o0[1] + 9n * x1 + x0),
    red(a1o0[0] + b0o3[0] + 9n * b2o4[0] - b2o4[1]),
    red(a1o0[1] + b0o3[1] + 9n * b2o4[1] + b2o4[0]),
    red(a2o0[0] + b0o4[0] + b1o3[0]),
    red(a2o0[1] + b0o4[1] + b1o3[1]),
    red(a0o3[0] + 9n * a2o4[0] - a2o4[1] + b0o0[0]),
    red(a0o3[1] + 9n * a2o4[1] + a2o4[0] + b0o0[1]),
    red(a0o4[0] + a1o3[0] + b1o0[0]),
    red(a0o4[1] + a1o3[1] + b1o0[1]),
    red(a1o4[0] + a2o3[0] + b2o0[0]),
    red(a1o4[1] + a2o3[1] + b2o0[1]),
  ];
}

/** The product of the Miller loops of the pairs (precomputed G2 lines, G1 affine x, y), no final exponentiation. */
export function millerLoopFlat(pairs: readonly (readonly [Precompute, bigint, bigint])[]): FlatFp12 {
  let f = ONE12;
  if (pairs.length === 0) return f;
  const len = pairs[0]![0].length;
  for (const [ell] of pairs) if (ell.length !== len) throw new RangeError("precomputes of different lengths");
  for (let i = 0; i < len; i++) {
    if (i !== 0) f = sqr12(f);
    for (const [ell, px, py] of pairs) {
      for (const [c0, c1, c2] of ell[i]!) {
        const o0 = { c0: red(c2.c0 * py), c1: red(c2.c1 * py) };
        const o3 = { c0: red(c1.c0 * px), c1: red(c1.c1 * px) };
        f = mulLine(f, o0, o3, c0);
      }
    }
  }
  // bn254 has a positive seed: no conjugation (noble: params.xNegative === false).
  return f;
}
