// The BN254 optimal-ate Miller loop of the Groth16 check on the flat Fp12 of fp12.ts: one
// accumulator, squared once per step, for one variable G2 point (the proof's B, its lines
// computed on the fly with noble's projective formulas) and a pair of fixed G2 points (a
// key's delta and gamma, lines precomputed once per key).
// Fixed lines are normalized: noble's line c2 Py + (c1 Px + c0 v) w is divided by c2 Py,
// giving 1 + ((c1/c2)(Px/Py) + (c0/c2)(1/Py) v) w. The factor c2 Py lies in Fp2, which the
// final exponentiation maps to 1, so only pairings (after finalExponentiate) are equal to
// noble's, not Miller values. Two normalized lines multiply into the 5-coefficient shape
// of fp12.ts mulBy5, so both fixed pairs cost one multiplication of the accumulator per
// line; so do B's two lines of a step that has an addition.
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
const half = (x: bigint): bigint => ((x & 1n) === 0n ? x >> 1n : (x + P) >> 1n);
const B_TWIST = bn254.G2.Point.CURVE().b;
/** 3 b' for the twist y^2 = x^3 + b'. */
const B3: Fp2Pair = [red(3n * B_TWIST.c0), red(3n * B_TWIST.c1)];
const PSI_X = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 3n);
const PSI_Y = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 2n);

/** psi(x, y) = (conj(x) PSI_X, conj(y) PSI_Y) on affine coordinates. */
function psiAffine(x: Fp2Pair, y: Fp2Pair): [F2, F2] {
  return [mulPair([x[0], red(-x[1])], [PSI_X.c0, PSI_X.c1]), mulPair([y[0], red(-y[1])], [PSI_Y.c0, PSI_Y.c1])];
}

/** Projective point of the walk (x = X/Z, y = Y/Z). */
export interface ProjectiveG2 {
  X: F2;
  Y: F2;
  Z: F2;
}

/** A line o0 + (o3 + o4 v) w as [o0, o3, o4], each (re, im). */
type Line034 = [bigint, bigint, bigint, bigint, bigint, bigint];

/** The accumulator and the walk R of the variable point, coordinates as (re, im) bigints. */
interface VariableState {
  f: FlatFp12;
  xr: bigint; xi: bigint; yr: bigint; yi: bigint; zr: bigint; zi: bigint;
}

/**
 * R = 2R; returns the tangent line at R evaluated at P; `px3` = 3 Px, `npy2` = -2 Py.
 * noble's formulas: t0 = Y^2, t2 = 3b' Z^2, t3 = 3 t2, line (c0, c1, c2) = (t2 - t0, 3X^2, -2YZ),
 * X' = (t0 - t3) X Y / 2, Y' = ((t0 + t3)/2)^2 - 3 t2^2, Z' = 2 t0 Y Z. 22 reductions.
 */
function doubleStep(s: VariableState, px3: bigint, npy2: bigint): Line034 {
  const { xr, xi, yr, yi, zr, zi } = s;
  const t0r = red((yr + yi) * (yr - yi)), t0i = red(2n * yr * yi);
  const z2r = red((zr + zi) * (zr - zi)), z2i = red(2n * zr * zi);
  const t2r = red(z2r * B3[0] - z2i * B3[1]), t2i = red(z2r * B3[1] + z2i * B3[0]);
  const yzr = red(yr * zr - yi * zi), yzi = red(yr * zi + yi * zr);
  const x2r = red((xr + xi) * (xr - xi)), x2i = red(2n * xr * xi);
  const line: Line034 = [red(yzr * npy2), red(yzi * npy2), red(x2r * px3), red(x2i * px3), t2r - t0r, t2i - t0i];
  const xyr = red(xr * yr - xi * yi), xyi = red(xr * yi + xi * yr);
  const dr = t0r - 3n * t2r, di = t0i - 3n * t2i;
  s.xr = half(red(dr * xyr - di * xyi));
  s.xi = half(red(dr * xyi + di * xyr));
  // (t0 + t3) / 2 needs no reduction: half() is right for any non-negative input.
  const ur = half(t0r + 3n * t2r), ui = half(t0i + 3n * t2i);
  s.yr = red((ur + ui) * (ur - ui) - 3n * (t2r + t2i) * (t2r - t2i));
  s.yi = red(2n * ur * ui - 6n * t2r * t2i);
  s.zr = red(2n * (t0r * yzr - t0i * yzi));
  s.zi = red(2n * (t0r * yzi + t0i * yzr));
  return line;
}

/**
 * R = R + Q (Q affine); returns the line through R and Q evaluated at P; `npx` = -Px.
 * noble's formulas: t0 = Y - Qy Z, t1 = X - Qx Z, line = (t0 Qx - t1 Qy, -t0, t1),
 * X' = t1 t5, Y' = (t4 - t5) t0 - t3 Y, Z' = Z t3 with t3 = t1^3, t4 = t1^2 X,
 * t5 = t3 - 2 t4 + t0^2 Z. 26 reductions.
 */
function addStep(s: VariableState, qxr: bigint, qxi: bigint, qyr: bigint, qyi: bigint, npx: bigint, py: bigint): Line034 {
  const { xr, xi, yr, yi, zr, zi } = s;
  const t0r = yr - red(qyr * zr - qyi * zi), t0i = yi - red(qyr * zi + qyi * zr);
  const t1r = xr - red(qxr * zr - qxi * zi), t1i = xi - red(qxr * zi + qxi * zr);
  const c0r = red(t0r * qxr - t0i * qxi - t1r * qyr + t1i * qyi);
  const c0i = red(t0r * qxi + t0i * qxr - t1r * qyi - t1i * qyr);
  const line: Line034 = [red(t1r * py), red(t1i * py), red(t0r * npx), red(t0i * npx), c0r, c0i];
  const t2r = red((t1r + t1i) * (t1r - t1i)), t2i = red(2n * t1r * t1i);
  const t3r = red(t2r * t1r - t2i * t1i), t3i = red(t2r * t1i + t2i * t1r);
  const t4r = red(t2r * xr - t2i * xi), t4i = red(t2r * xi + t2i * xr);
  const s0r = red((t0r + t0i) * (t0r - t0i)), s0i = red(2n * t0r * t0i);
  const t5r = red(t3r - 2n * t4r + s0r * zr - s0i * zi), t5i = red(t3i - 2n * t4i + s0r * zi + s0i * zr);
  s.xr = red(t1r * t5r - t1i * t5i);
  s.xi = red(t1r * t5i + t1i * t5r);
  const dr = t4r - t5r, di = t4i - t5i;
  s.yr = red(dr * t0r - di * t0i - t3r * yr + t3i * yi);
  s.yi = red(dr * t0i + di * t0r - t3r * yi - t3i * yr);
  s.zr = red(zr * t3r - zi * t3i);
  s.zi = red(zr * t3i + zi * t3r);
  return line;
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

/**
 * f * a * b for two 034 lines: (a0 + a' w)(b0 + b' w) with a' = a3 + a4 v, b' = b3 + b4 v is
 * (a0b0 + xi a4b4, a3b3, a3b4 + a4b3) + (a0b3 + b0a3, a0b4 + b0a4) w, the shape of mulBy5.
 */
function mulByLines(f: FlatFp12, a: Line034, b: Line034): FlatFp12 {
  const [a0r, a0i, a3r, a3i, a4r, a4i] = a;
  const [b0r, b0i, b3r, b3i, b4r, b4i] = b;
  const xr = a4r * b4r - a4i * b4i;
  const xi = a4r * b4i + a4i * b4r;
  return mulBy5(
    f,
    red(a0r * b0r - a0i * b0i + 9n * xr - xi),
    red(a0r * b0i + a0i * b0r + 9n * xi + xr),
    red(a3r * b3r - a3i * b3i),
    red(a3r * b3i + a3i * b3r),
    red(a3r * b4r - a3i * b4i + a4r * b3r - a4i * b3i),
    red(a3r * b4i + a3i * b4r + a4r * b3i + a4i * b3r),
    red(a0r * b3r - a0i * b3i + b0r * a3r - b0i * a3i),
    red(a0r * b3i + a0i * b3r + b0r * a3i + b0i * a3r),
    red(a0r * b4r - a0i * b4i + b0r * a4r - b0i * a4i),
    red(a0r * b4i + a0i * b4r + b0r * a4i + b0i * a4r),
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
    ? { f: ONE12, xr: variable.qx[0], xi: variable.qx[1], yr: variable.qy[0], yi: variable.qy[1], zr: 1n, zi: 0n }
    : { f: ONE12, xr: 0n, xi: 0n, yr: 0n, yi: 0n, zr: 0n, zi: 0n };
  const px3 = variable ? red(3n * variable.px) : 0n;
  const npx = variable ? red(-variable.px) : 0n;
  const npy2 = variable ? red(-2n * variable.py) : 0n;
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
      const { qx, qy, py } = variable;
      const tangent = doubleStep(s, px3, npy2);
      const d = ATE_DIGITS[i]!;
      // Two lines of one step multiply into one 5-coefficient factor first (cheaper than two products with f).
      if (d === 0) s.f = mulBy034(s.f, ...tangent);
      else s.f = mulByLines(s.f, tangent, addStep(s, qx[0], qx[1], d === 1 ? qy[0] : red(-qy[0]), d === 1 ? qy[1] : red(-qy[1]), npx, py));
      if (i === last) {
        walk = { X: [s.xr, s.xi], Y: [s.yr, s.yi], Z: [s.zr, s.zi] };
        // The two Frobenius lines of the optimal ate pairing: R + psi(Q), then + (-psi^2(Q)).
        const [q1x, q1y] = psiAffine(qx, qy);
        const l1 = addStep(s, q1x[0], q1x[1], q1y[0], q1y[1], npx, py);
        const [q2x, q2y] = psiAffine(q1x, q1y);
        s.f = mulByLines(s.f, l1, addStep(s, q2x[0], q2x[1], red(-q2y[0]), red(-q2y[1]), npx, py));
      }
    }
    if (fixed) {
      for (const k of fixed.lines.steps[i]!) s.f = mulFixedLines(s.f, k, fixed.first, fixed.second, xx, yy, xy, yx);
    }
  }
  // bn254 has a positive seed: no conjugation (noble: params.xNegative === false).
  return { f: s.f, walk };
}
