// The BN254 optimal-ate Miller loop of the Groth16 check on the flat Fp12 of fp12.ts: one
// accumulator, squared once per step, for one variable G2 point (the proof's B, its lines
// computed on the fly with noble's projective formulas) and a pair of fixed G2 points (a
// key's delta and gamma, lines precomputed once per key).
// Fixed lines are normalized: noble's line c2 Py + (c1 Px + c0 v) w is divided by c2 Py,
// giving 1 + ((c1/c2)(Px/Py) + (c0/c2)(1/Py) v) w. The factor c2 Py lies in Fp2, which the
// final exponentiation maps to 1, so only pairings (after finalExponentiate) are equal to
// noble's, not Miller values. Two normalized lines multiply into the 5-coefficient shape
// of fp12.ts mulBy5, so both fixed pairs cost one multiplication of the accumulator.
// The walk of the variable point also yields [6x+2]B, from which bn254G2.ts decides
// subgroup membership without a scalar multiplication of its own.
import { bn254 } from "@noble/curves/bn254.js";
import { mulBy034, mulBy5, ONE12, red, sqr12, type FlatFp12 } from "./fp12.ts";

type G2Point = InstanceType<typeof bn254.G2.Point>;
/** An Fp2 element (re, im). */
export type Fp2Pair = readonly [bigint, bigint];

const P = bn254.fields.Fp.ORDER;
const { Fp, Fp2 } = bn254.fields;
/** BN254 seed x (positive). */
const BN_X = 4965661367192848881n;

/** Signed digits of 6x+2 after its leading 1, most significant first (noble's NAfDecomposition). */
function ateDigits(): number[] {
  const out: number[] = [];
  for (let a = 6n * BN_X + 2n; a > 1n; a >>= 1n) {
    if ((a & 1n) === 0n) out.unshift(0);
    else if ((a & 3n) === 3n) {
      out.unshift(-1);
      a += 1n;
    } else out.unshift(1);
  }
  return out;
}
const ATE_DIGITS = ateDigits();

/** A G1 point as the normalized lines use it: X = x / y, Y = 1 / y (y != 0 on BN254 G1). */
export interface NormalizedG1 {
  X: bigint;
  Y: bigint;
}

/**
 * The lines of two fixed G2 points (first, second), normalized and paired: for each line of
 * each step 16 bigints, the Fp2 values d1, d0 (first point: c1/c2, c0/c2), e1, e0 (second)
 * and the products d1e1, d0e0, d1e0, d0e1.
 */
export interface FixedPairLines {
  readonly steps: readonly (readonly bigint[])[][];
}

/** noble's lines of a G2 point divided by c2: per step, per line [c1/c2, c0/c2] (all c2 inverted at once). */
function normalizedLines(q: G2Point): Fp2Pair[][][] {
  const steps = bn254.utils.calcPairingPrecomputes(q);
  const c2s = steps.flat().map(([, , c2]) => c2);
  if (c2s.some((c) => Fp2.is0(c))) throw new RangeError("degenerate line (c2 = 0): not a point of the G2 subgroup");
  // 1/c = conj(c) / N(c); the norms N(c) in Fp are inverted together (Montgomery's trick).
  const norms = c2s.map((c) => red(c.c0 * c.c0 + c.c1 * c.c1));
  const normInvs = Fp.invertBatch(norms);
  let k = 0;
  return steps.map((step) =>
    step.map(([c0, c1]) => {
      const ni = normInvs[k]!;
      const c2 = c2s[k++]!;
      const inv: Fp2Pair = [red(c2.c0 * ni), red(-c2.c1 * ni)];
      return [mulPair([c1.c0, c1.c1], inv), mulPair([c0.c0, c0.c1], inv)];
    }),
  );
}

const mulPair = (a: Fp2Pair, b: Fp2Pair): [bigint, bigint] => [red(a[0] * b[0] - a[1] * b[1]), red(a[0] * b[1] + a[1] * b[0])];

/** Precompute the paired lines of two G2 points of the r-order subgroup (e.g. delta, gamma). */
export function fixedPairLines(first: G2Point, second: G2Point): FixedPairLines {
  const a = normalizedLines(first);
  const b = normalizedLines(second);
  return {
    steps: a.map((step, i) =>
      step.map(([d1, d0], j) => {
        const [e1, e0] = b[i]![j]!;
        return [...d1!, ...d0!, ...e1!, ...e0!, ...mulPair(d1!, e1!), ...mulPair(d0!, e0!), ...mulPair(d1!, e0!), ...mulPair(d0!, e1!)];
      }),
    ),
  };
}

/** Normalize an affine G1 point (x, y), y != 0: one inversion. */
export function normalizeG1(x: bigint, y: bigint): NormalizedG1 {
  const Y = Fp.inv(y);
  return { X: red(x * Y), Y };
}

// ---------- the variable point: noble's projective doubling and addition, flat ----------

type F2 = [bigint, bigint];
const mul2 = (a: Fp2Pair, b: Fp2Pair): F2 => [red(a[0] * b[0] - a[1] * b[1]), red(a[0] * b[1] + a[1] * b[0])];
const sqr2 = (a: Fp2Pair): F2 => [red((a[0] + a[1]) * (a[0] - a[1])), red(2n * a[0] * a[1])];
const half = (x: bigint): bigint => ((x & 1n) === 0n ? x >> 1n : (x + P) >> 1n);
const B_TWIST = bn254.G2.Point.CURVE().b;
/** 3 b' for the twist y^2 = x^3 + b'. */
const B3: Fp2Pair = [red(3n * B_TWIST.c0), red(3n * B_TWIST.c1)];
const PSI_X = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 3n);
const PSI_Y = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 2n);

/** psi(x, y) = (conj(x) PSI_X, conj(y) PSI_Y) on affine coordinates. */
function psiAffine(x: Fp2Pair, y: Fp2Pair): [F2, F2] {
  return [mul2([x[0], red(-x[1])], [PSI_X.c0, PSI_X.c1]), mul2([y[0], red(-y[1])], [PSI_Y.c0, PSI_Y.c1])];
}

/** Projective point of the walk (x = X/Z, y = Y/Z). */
export interface ProjectiveG2 {
  X: F2;
  Y: F2;
  Z: F2;
}

interface VariableState extends ProjectiveG2 {
  f: FlatFp12;
}

/** R = 2R and f *= the tangent line at R evaluated at (px, py). */
function doubleStep(s: VariableState, px: bigint, py: bigint): void {
  const { X, Y, Z } = s;
  const t0 = sqr2(Y);
  const t2 = mul2(sqr2(Z), B3);
  const t3: F2 = [3n * t2[0], 3n * t2[1]];
  const yz = mul2(Y, Z);
  const t4: F2 = [red(2n * yz[0]), red(2n * yz[1])];
  const x2 = sqr2(X);
  // line: c0 = t2 - t0, c1 = 3 X^2, c2 = -t4
  s.f = mulBy034(s.f, red(-t4[0] * py), red(-t4[1] * py), red(3n * x2[0] * px), red(3n * x2[1] * px), t2[0] - t0[0], t2[1] - t0[1]);
  const m = mul2([t0[0] - t3[0], t0[1] - t3[1]], mul2(X, Y));
  const u: F2 = [half(red(t0[0] + t3[0])), half(red(t0[1] + t3[1]))];
  s.X = [half(m[0]), half(m[1])];
  s.Y = [red((u[0] + u[1]) * (u[0] - u[1]) - 3n * (t2[0] + t2[1]) * (t2[0] - t2[1])), red(2n * u[0] * u[1] - 6n * t2[0] * t2[1])];
  s.Z = mul2(t0, t4);
}

/** R = R + Q (Q affine) and f *= the line through R and Q evaluated at (px, py). */
function addStep(s: VariableState, qx: Fp2Pair, qy: Fp2Pair, px: bigint, py: bigint): void {
  const { X, Y, Z } = s;
  const qyz = mul2(qy, Z);
  const qxz = mul2(qx, Z);
  const t0: F2 = [Y[0] - qyz[0], Y[1] - qyz[1]];
  const t1: F2 = [X[0] - qxz[0], X[1] - qxz[1]];
  // line: c0 = t0 qx - t1 qy, c1 = -t0, c2 = t1
  const c0r = red(t0[0] * qx[0] - t0[1] * qx[1] - t1[0] * qy[0] + t1[1] * qy[1]);
  const c0i = red(t0[0] * qx[1] + t0[1] * qx[0] - t1[0] * qy[1] - t1[1] * qy[0]);
  s.f = mulBy034(s.f, red(t1[0] * py), red(t1[1] * py), red(-t0[0] * px), red(-t0[1] * px), c0r, c0i);
  const t2 = sqr2(t1);
  const t3 = mul2(t2, t1);
  const t4 = mul2(t2, X);
  const t00 = sqr2(t0);
  const t5: F2 = [
    red(t3[0] - 2n * t4[0] + t00[0] * Z[0] - t00[1] * Z[1]),
    red(t3[1] - 2n * t4[1] + t00[0] * Z[1] + t00[1] * Z[0]),
  ];
  s.X = mul2(t1, t5);
  const d: F2 = [t4[0] - t5[0], t4[1] - t5[1]];
  s.Y = [
    red(d[0] * t0[0] - d[1] * t0[1] - t3[0] * Y[0] + t3[1] * Y[1]),
    red(d[0] * t0[1] + d[1] * t0[0] - t3[0] * Y[1] - t3[1] * Y[0]),
  ];
  s.Z = mul2(Z, t3);
}

/** One G2 point whose lines are computed during the loop, with its G1 point (affine). */
export interface VariablePair {
  qx: Fp2Pair;
  qy: Fp2Pair;
  px: bigint;
  py: bigint;
}

/** The fixed pair's lines with their two G1 points (normalized; X = Y = 0 for the point at infinity). */
export interface FixedPair {
  lines: FixedPairLines;
  first: NormalizedG1;
  second: NormalizedG1;
}

/** f *= l_first(a) * l_second(b) for one paired line (16 bigints, see FixedPairLines). */
function mulFixedLines(f: FlatFp12, k: readonly bigint[], a: NormalizedG1, b: NormalizedG1, xx: bigint, yy: bigint, xy: bigint, yx: bigint): FlatFp12 {
  const [d1r, d1i, d0r, d0i, e1r, e1i, e0r, e0i, k1r, k1i, k2r, k2i, k3r, k3i, k4r, k4i] = k as [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint];
  // (1 + p w)(1 + q w) with p = d1 Xa + d0 Ya v, q = e1 Xb + e0 Yb v:
  // = (1 + xi p4 q4, p3 q3, p3 q4 + p4 q3) + (p3 + q3, p4 + q4) w
  const n0r = red(9n * k2r * yy - k2i * yy) + 1n;
  const n0i = red(9n * k2i * yy + k2r * yy);
  return mulBy5(
    f,
    n0r, n0i,
    red(k1r * xx), red(k1i * xx),
    red(k3r * xy + k4r * yx), red(k3i * xy + k4i * yx),
    red(d1r * a.X + e1r * b.X), red(d1i * a.X + e1i * b.X),
    red(d0r * a.Y + e0r * b.Y), red(d0i * a.Y + e0i * b.Y),
  );
}

export interface MillerResult {
  /** The Miller value (before the final exponentiation). */
  f: FlatFp12;
  /** [6x+2]Q of the variable point, projective; Z = 0 when the walk met the point at infinity. */
  walk: ProjectiveG2 | null;
}

/** Product of the Miller loops of the variable pair and of the fixed pair (either may be absent). */
export function millerLoop(variable: VariablePair | null, fixed: FixedPair | null): MillerResult {
  const s: VariableState = variable
    ? { f: ONE12, X: [...variable.qx], Y: [...variable.qy], Z: [1n, 0n] }
    : { f: ONE12, X: [0n, 0n], Y: [0n, 0n], Z: [0n, 0n] };
  const negQy: F2 | null = variable ? [red(-variable.qy[0]), red(-variable.qy[1])] : null;
  let xx = 0n, yy = 0n, xy = 0n, yx = 0n;
  if (fixed) {
    xx = red(fixed.first.X * fixed.second.X);
    yy = red(fixed.first.Y * fixed.second.Y);
    xy = red(fixed.first.X * fixed.second.Y);
    yx = red(fixed.first.Y * fixed.second.X);
  }
  let walk: ProjectiveG2 | null = null;
  const last = ATE_DIGITS.length - 1;
  for (let i = 0; i <= last; i++) {
    if (i !== 0) s.f = sqr12(s.f);
    if (variable) {
      const { qx, px, py } = variable;
      doubleStep(s, px, py);
      const d = ATE_DIGITS[i]!;
      if (d !== 0) addStep(s, qx, d === 1 ? variable.qy : negQy!, px, py);
      if (i === last) {
        walk = { X: s.X, Y: s.Y, Z: s.Z };
        // The two Frobenius lines of the optimal ate pairing: R + psi(Q), then + (-psi^2(Q)).
        const [q1x, q1y] = psiAffine(qx, variable.qy);
        addStep(s, q1x, q1y, px, py);
        const [q2x, q2y] = psiAffine(q1x, q1y);
        addStep(s, q2x, [red(-q2y[0]), red(-q2y[1])], px, py);
      }
    }
    if (fixed) {
      for (const k of fixed.lines.steps[i]!) s.f = mulFixedLines(s.f, k, fixed.first, fixed.second, xx, yy, xy, yx);
    }
  }
  // bn254 has a positive seed: no conjugation (noble: params.xNegative === false).
  return { f: s.f, walk };
}

/** Number of Miller-loop steps (squarings + 1). */
export const MILLER_STEPS = ATE_DIGITS.length;
