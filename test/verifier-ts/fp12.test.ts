// The flat lazily-reduced Fp12 arithmetic, Miller loop and final exponentiation of
// verifier-ts against noble's tower on the same inputs.
import { describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { finalExponentiate } from "../../verifier-ts/finalExp.ts";
import { conj12, cycSqr12, fromNobleFp12, mul12, sqr12, toNobleFp12 } from "../../verifier-ts/fp12.ts";
import { millerLoopFlat } from "../../verifier-ts/millerLoop.ts";

const { Fp12 } = bn254.fields;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;

function pairs(seeds: bigint[]) {
  return seeds.map((k) => {
    const a = G1.BASE.multiply(k * 1_000_003n + 17n).toAffine();
    return [bn254.utils.calcPairingPrecomputes(G2.BASE.multiply(k * 77n + 5n)), a.x, a.y] as const;
  });
}

describe("flat Fp12 arithmetic", () => {
  const ps = pairs([3n, 5n, 7n]);
  const x = bn254.millerLoopBatch(ps.map((p) => [...p]));
  const y = bn254.millerLoopBatch(pairs([11n]).map((p) => [...p]));

  it("Miller loop equals noble's for 1 and 3 pairs, and the empty product is one", () => {
    expect(Fp12.eql(toNobleFp12(millerLoopFlat(ps)), x)).toBe(true);
    expect(Fp12.eql(toNobleFp12(millerLoopFlat(pairs([11n]))), y)).toBe(true);
    expect(Fp12.eql(toNobleFp12(millerLoopFlat([])), Fp12.ONE)).toBe(true);
  });

  it("mul, sqr and conjugate equal noble's", () => {
    expect(Fp12.eql(toNobleFp12(mul12(fromNobleFp12(x), fromNobleFp12(y))), Fp12.mul(x, y))).toBe(true);
    expect(Fp12.eql(toNobleFp12(sqr12(fromNobleFp12(x))), Fp12.sqr(x))).toBe(true);
    expect(Fp12.eql(toNobleFp12(conj12(fromNobleFp12(x))), Fp12.conjugate(x))).toBe(true);
  });

  it("cyclotomic squaring equals squaring on pairing values", () => {
    const gt = Fp12.finalExponentiate(x);
    expect(Fp12.eql(toNobleFp12(cycSqr12(fromNobleFp12(gt))), Fp12.sqr(gt))).toBe(true);
  });

  it("final exponentiation equals noble's, and bilinearity holds", () => {
    expect(Fp12.eql(toNobleFp12(finalExponentiate(fromNobleFp12(x))), Fp12.finalExponentiate(x))).toBe(true);
    // e(2P, Q) * e(-P, 2Q)^... : e(aP, bQ) == e(abP, Q)
    const P = G1.BASE.multiply(123n).toAffine();
    const P6 = G1.BASE.multiply(123n * 6n).toAffine();
    const lhs = millerLoopFlat([[bn254.utils.calcPairingPrecomputes(G2.BASE.multiply(6n)), P.x, P.y]]);
    const rhs = millerLoopFlat([[bn254.utils.calcPairingPrecomputes(G2.BASE), P6.x, P6.y]]);
    expect(finalExponentiate(lhs)).toEqual(finalExponentiate(rhs));
    expect(finalExponentiate(lhs)).not.toEqual(finalExponentiate(fromNobleFp12(x)));
  });
});
