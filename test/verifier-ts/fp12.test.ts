// The flat lazily-reduced Fp12 arithmetic, the Miller loop (variable and fixed lines) and
// the final exponentiation of verifier-ts against noble's tower and pairing on the same inputs.
import { describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { finalExponentiate } from "../../verifier-ts/finalExp.ts";
import {
  conj12,
  cycSqr12,
  frob12,
  fromNobleFp12,
  inv12,
  mul12,
  mulBy034,
  mulBy5,
  sqr12,
  toNobleFp12,
  type FlatFp12,
} from "../../verifier-ts/fp12.ts";
import { fixedPairLines, millerLoop, normalizeG1, type VariablePair } from "../../verifier-ts/millerLoop.ts";
import { twistPointOutsideSubgroup } from "../vectors/groth16-vectors.ts";

const { Fp12, Fp2 } = bn254.fields;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
type G1P = InstanceType<typeof G1>;
type G2P = InstanceType<typeof G2>;

const g1 = (k: bigint) => G1.BASE.multiply(k * 1_000_003n + 17n);
const g2 = (k: bigint) => G2.BASE.multiply(k * 77n + 5n);
const nobleE = (p: G1P, q: G2P) => fromNobleFp12(bn254.pairing(p, q));

function variable(p: G1P, q: G2P): VariablePair {
  const a = p.toAffine();
  const b = q.toAffine();
  return { qx: [b.x.c0, b.x.c1], qy: [b.y.c0, b.y.c1], px: a.x, py: a.y };
}

const norm = (p: G1P) => {
  const a = p.toAffine();
  return normalizeG1(a.x, a.y);
};

describe("flat Fp12 arithmetic", () => {
  const x = fromNobleFp12(bn254.millerLoopBatch([[bn254.utils.calcPairingPrecomputes(g2(3n)), g1(3n).toAffine().x, g1(3n).toAffine().y]]));
  const y = fromNobleFp12(bn254.millerLoopBatch([[bn254.utils.calcPairingPrecomputes(g2(11n)), g1(11n).toAffine().x, g1(11n).toAffine().y]]));
  const X = toNobleFp12(x);
  const Y = toNobleFp12(y);
  const same = (a: FlatFp12, b: ReturnType<typeof toNobleFp12>) => Fp12.eql(toNobleFp12(a), b);

  it("mul, sqr, conjugate, inverse and Frobenius maps equal noble's", () => {
    expect(same(mul12(x, y), Fp12.mul(X, Y))).toBe(true);
    expect(same(sqr12(x), Fp12.sqr(X))).toBe(true);
    expect(same(conj12(x), Fp12.conjugate(X))).toBe(true);
    expect(same(inv12(x), Fp12.inv(X))).toBe(true);
    for (const k of [1, 2, 3] as const) expect(same(frob12(x, k), Fp12.frobeniusMap(X, k))).toBe(true);
    expect(x.every((c) => c >= 0n && c < bn254.fields.Fp.ORDER)).toBe(true);
  });

  it("sparse products equal full products with the sparse element", () => {
    const c = (i: number) => y[i]!;
    // 034 line: o0 + (o3 + o4 v) w
    const line = [c(0), c(1), 0n, 0n, 0n, 0n, c(2), c(3), c(4), c(5), 0n, 0n];
    expect(mulBy034(x, c(0), c(1), c(2), c(3), c(4), c(5))).toEqual(mul12(x, line));
    // 5-coefficient: (n0 + n1 v + n2 v^2) + (m0 + m1 v) w
    const five = [c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8), c(9), 0n, 0n];
    expect(mulBy5(x, c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8), c(9))).toEqual(mul12(x, five));
  });

  it("cyclotomic squaring equals squaring on pairing values", () => {
    const gt = Fp12.finalExponentiate(X);
    expect(same(cycSqr12(fromNobleFp12(gt)), Fp12.sqr(gt))).toBe(true);
  });

  it("final exponentiation equals noble's", () => {
    expect(same(finalExponentiate(x), Fp12.finalExponentiate(X))).toBe(true);
  });
});

describe("Miller loop", () => {
  it("a variable pair gives noble's pairing, and the walk ends at [6x+2]Q", () => {
    for (const k of [1n, 2n, 9n]) {
      const { f, walk } = millerLoop(variable(g1(k), g2(k)), null);
      expect(finalExponentiate(f)).toEqual(nobleE(g1(k), g2(k)));
      const w = new G2(Fp2.fromBigTuple(walk!.X), Fp2.fromBigTuple(walk!.Y), Fp2.fromBigTuple(walk!.Z));
      expect(w.equals(g2(k).multiply(6n * 4965661367192848881n + 2n))).toBe(true);
    }
  });

  it("the walk is [6x+2]Q for a twist point outside G2 as well", () => {
    const q = twistPointOutsideSubgroup();
    const { x: xq, y: yq } = q.toAffine();
    const { walk } = millerLoop({ qx: [xq.c0, xq.c1], qy: [yq.c0, yq.c1], px: 1n, py: 2n }, null);
    const w = new G2(Fp2.fromBigTuple(walk!.X), Fp2.fromBigTuple(walk!.Y), Fp2.fromBigTuple(walk!.Z));
    let expected = G2.ZERO;
    for (let e = 6n * 4965661367192848881n + 2n, d = q; e > 0n; e >>= 1n, d = d.double()) if (e & 1n) expected = expected.add(d);
    expect(q.isTorsionFree()).toBe(false);
    expect(w.equals(expected)).toBe(true);
  });

  it("a fixed pair with normalized lines gives the product of noble's pairings", () => {
    const [d, gm] = [g2(21n), g2(22n)];
    const lines = fixedPairLines(d, gm);
    const [p, q, a, b] = [g1(31n), g1(32n), g1(33n), g2(34n)];
    const both = millerLoop(variable(a, b), { lines, first: norm(p), second: norm(q) }).f;
    const want = mul12(mul12(nobleE(a, b), nobleE(p, d)), nobleE(q, gm));
    expect(finalExponentiate(both)).toEqual(want);
    const fixedOnly = millerLoop(null, { lines, first: norm(p), second: norm(q) }).f;
    expect(finalExponentiate(fixedOnly)).toEqual(mul12(nobleE(p, d), nobleE(q, gm)));
    // The second point at infinity (X = Y = 0) contributes the identity.
    const first = millerLoop(null, { lines, first: norm(p), second: { X: 0n, Y: 0n } }).f;
    expect(finalExponentiate(first)).toEqual(nobleE(p, d));
  });

  it("bilinearity holds: e(6P, Q) = e(P, 6Q), and differs from another pairing", () => {
    const lhs = finalExponentiate(millerLoop(variable(g1(5n).multiply(6n), g2(5n)), null).f);
    const rhs = finalExponentiate(millerLoop(variable(g1(5n), g2(5n).multiply(6n)), null).f);
    expect(lhs).toEqual(rhs);
    expect(lhs).not.toEqual(finalExponentiate(millerLoop(variable(g1(5n), g2(6n)), null).f));
  });
});
