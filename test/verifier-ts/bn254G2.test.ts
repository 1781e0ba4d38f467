// The fast G2 subgroup tests of verifier-ts (by [x]Q, and from the Miller loop's walk
// [6x+2]Q) agree with noble's generic isTorsionFree on points of the twist inside and
// outside the r-order subgroup, including points of small order.
import { describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { isInG2Subgroup, isInG2SubgroupFromWalk, isOnG2Curve } from "../../verifier-ts/bn254G2.ts";
import { millerLoop } from "../../verifier-ts/millerLoop.ts";

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

/** The subgroup verdict from the walk of a Miller loop of q (with an arbitrary G1 point). */
function fromWalk(q: InstanceType<typeof G2>): boolean {
  const a = q.toAffine();
  const { walk } = millerLoop({ qx: [a.x.c0, a.x.c1], qy: [a.y.c0, a.y.c1], px: 1n, py: 2n }, null);
  return isInG2SubgroupFromWalk(q, walk!);
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

  it("decides membership from the Miller loop's walk as noble does, small-order points included", () => {
    const r = bn254.fields.Fr.ORDER;
    let outside = 0;
    let small10069 = 0;
    for (const q of twistPoints(6)) {
      const inside = q.isTorsionFree();
      if (!inside) outside++;
      expect(fromWalk(q)).toBe(inside);
      expect(fromWalk(mulBig(q, COFACTOR))).toBe(true);
      // A point of order 10069 (a factor of the cofactor), and one of order r * 10069.
      const small = mulBig(q, (r * COFACTOR) / 10069n);
      if (!small.is0()) {
        small10069++;
        expect(mulBig(small, 10069n).is0()).toBe(true);
        expect(small.isTorsionFree()).toBe(false);
        expect(fromWalk(small)).toBe(false);
        expect(fromWalk(small.add(G2.BASE))).toBe(false);
      }
    }
    expect(outside).toBeGreaterThan(3);
    expect(small10069).toBeGreaterThan(3);
    expect(fromWalk(G2.BASE.multiply(987654321n))).toBe(true);
  });
});
