// Fast membership tests for the BN254 G2 twist: the curve equation and the r-order subgroup.
// Subgroup test by the endomorphism psi (untwist-Frobenius-twist), valid for BN curves:
// Q is in G2 iff [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q), x the BN seed.
// It needs one 63-bit scalar multiplication instead of the 128-bit [6x^2]Q of the generic
// test, and psi is applied in projective coordinates (no inversions). Tests compare it
// with noble's isTorsionFree on points inside and outside the subgroup.
// isInG2SubgroupFromWalk makes the same test from [6x+2]Q, which the Miller loop computes
// anyway: 6 times the test's equation, valid because E'(Fp2) has order r * h with h
// coprime to 6 (no points of order 2 or 3), so 6 T(Q) = O exactly when T(Q) = O.
import { bn254 } from "@noble/curves/bn254.js";
import type { ProjectiveG2 } from "./millerLoop.ts";

type G2Point = InstanceType<typeof bn254.G2.Point>;
type Fp2 = G2Point["X"];

const { Fp2 } = bn254.fields;
const P = bn254.fields.Fp.ORDER;
/** BN254 seed x (positive). */
const BN_X = 4965661367192848881n;
const PSI_X = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 3n);
const PSI_Y = Fp2.pow(Fp2.NONRESIDUE, (P - 1n) / 2n);
const B_TWIST = bn254.G2.Point.CURVE().b;

/** psi on homogeneous projective coordinates: (frob(X)*PSI_X, frob(Y)*PSI_Y, frob(Z)). */
function psi(q: G2Point): G2Point {
  return new bn254.G2.Point(
    Fp2.mul(Fp2.frobeniusMap(q.X, 1), PSI_X),
    Fp2.mul(Fp2.frobeniusMap(q.Y, 1), PSI_Y),
    Fp2.frobeniusMap(q.Z, 1),
  );
}

/** True iff the (finite) point satisfies the twist equation y^2 = x^3 + b' with canonical coordinates. */
export function isOnG2Curve(q: G2Point): boolean {
  if (q.is0()) return false;
  const { x, y } = q.toAffine();
  const valid = (e: Fp2) => Fp2.isValid(e);
  if (!valid(x) || !valid(y)) return false;
  return Fp2.eql(Fp2.sqr(y), Fp2.add(Fp2.mul(Fp2.sqr(x), x), B_TWIST));
}

/** True iff a point of the twist curve lies in the r-order subgroup G2. */
export function isInG2Subgroup(q: G2Point): boolean {
  const xq = q.multiplyUnsafe(BN_X);
  const psiXq = psi(xq);
  const lhs = xq.add(q).add(psiXq).add(psi(psiXq));
  const rhs = psi(psi(psi(xq.double())));
  return lhs.equals(rhs);
}

/**
 * Subgroup test of a twist point Q from W = [6x+2]Q (projective, as millerLoop's walk gives
 * it: exact, or all zero after an exceptional case, which only non-subgroup points meet).
 * With S = W - 2Q = [6x]Q: Q is in G2 iff S + [6]Q + psi(S) + psi^2(S) == psi^3([2]S).
 */
export function isInG2SubgroupFromWalk(q: G2Point, walk: ProjectiveG2): boolean {
  const fp2 = (c: readonly [bigint, bigint]) => Fp2.fromBigTuple([c[0], c[1]]);
  const Z = fp2(walk.Z);
  // [6x+2]Q = O (or a degenerate walk) never happens for a point of order r > 6x+2.
  if (Fp2.is0(Z)) return false;
  const w = new bn254.G2.Point(fp2(walk.X), fp2(walk.Y), Z);
  const q2 = q.double();
  const s = w.subtract(q2);
  const lhs = s.add(q2.add(q2.double())).add(psi(s)).add(psi(psi(s)));
  const rhs = psi(psi(psi(s.double())));
  return lhs.equals(rhs);
}