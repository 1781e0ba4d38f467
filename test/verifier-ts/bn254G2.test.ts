// The fast G2 subgroup test of verifier-ts agrees with noble's generic isTorsionFree on
// points of the twist both inside and outside the r-order subgroup.
import { describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { isInG2Subgroup, isOnG2Curve } from "../../verifier-ts/bn254G2.ts";

const G2 = bn254.G2.Point;
const { Fp2 } = bn254.fields;
const COFACTOR = 2n * bn254.fields.Fp.ORDER - bn254.fields.Fr.ORDER;

function twistPoints(count: number): InstanceType<typeof G2>[] {
  const out = [];
  const b = G2.CURVE().b;
  for (let k = 1n; out.length < count; k++) {
    const x = Fp2.fromBigTuple([k, 7n * k + 1n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    if (Fp2.eql(Fp2.sqr(y), rhs)) out.push(G2.fromAffine({ x, y }));
  }
  return out;
}

function mulBig(q: InstanceType<typeof G2>, k: bigint) {
  let acc = G2.ZERO;
  for (let e = k, d = q; e > 0n; e >>= 1n, d = d.double()) if (e & 1n) acc = acc.add(d);
  return acc;
}

describe("BN254 G2 membership", () => {
  it("agrees with noble on random twist points and their cofactor-cleared multiples", () => {
    let outside = 0;
    for (const q of twistPoints(12)) {
      expect(isOnG2Curve(q)).toBe(true);
      const inside = q.isTorsionFree();
      if (!inside) outside++;
      expect(isInG2Subgroup(q)).toBe(inside);
      const cleared = mulBig(q, COFACTOR);
      expect(cleared.isTorsionFree()).toBe(true);
      expect(isInG2Subgroup(cleared)).toBe(true);
    }
    expect(outside).toBeGreaterThan(8);
  });

  it("accepts multiples of the generator and rejects off-curve points", () => {
    for (const k of [1n, 2n, 123456789n, bn254.fields.Fr.ORDER - 1n]) expect(isInG2Subgroup(G2.BASE.multiply(k))).toBe(true);
    const a = G2.BASE.toAffine();
    expect(isOnG2Curve(G2.fromAffine({ x: a.x, y: Fp2.add(a.y, Fp2.ONE) }))).toBe(false);
    expect(isOnG2Curve(G2.ZERO)).toBe(false);
  });
});
