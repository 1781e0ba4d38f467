// The G1 linear combination behind vk_x (bn254G1.ts) against noble's scalar multiplication:
// with and without fixed-base tables, zero and extreme scalars, and the exceptional cases a
// contrived key can cause (equal or opposite points, a sum that is the point at infinity).
import { describe, expect, it } from "vitest";
import { bn254 } from "@noble/curves/bn254.js";
import { fixedBaseTable, linearCombination, TABLE_WINDOW, type AffineG1, type JacobianG1 } from "../../verifier-ts/bn254G1.ts";

const G1 = bn254.G1.Point;
const r = bn254.fields.Fr.ORDER;
const { Fp } = bn254.fields;
type Pt = InstanceType<typeof G1>;

const affine = (p: Pt): AffineG1 => p.toAffine();
const toNoble = (j: JacobianG1): Pt => {
  if (j.Z === 0n) return G1.ZERO;
  const zi = Fp.inv(j.Z);
  return G1.fromAffine({ x: Fp.mul(j.X, Fp.sqr(zi)), y: Fp.mul(j.Y, Fp.mul(Fp.sqr(zi), zi)) });
};
const expected = (base: Pt, points: Pt[], scalars: bigint[]) =>
  points.reduce((acc, p, i) => (scalars[i] === 0n ? acc : acc.add(p.multiply(scalars[i]!))), base);

function both(base: Pt, points: Pt[], scalars: bigint[]): Pt[] {
  const tables = points.map((p) => fixedBaseTable(affine(p), TABLE_WINDOW));
  return [
    toNoble(linearCombination(affine(base), points.map(affine), scalars)),
    toNoble(linearCombination(affine(base), points.map(affine), scalars, tables)),
  ];
}

describe("G1 linear combination", () => {
  const pts = [3n, 5n, 7n, 11n].map((k) => G1.BASE.multiply(k * 1_000_003n));
  const base = G1.BASE.multiply(99n);

  it("equals noble's sum for random, zero, small and extreme scalars", () => {
    const cases: bigint[][] = [
      [123456789n ** 5n % r, (2n ** 253n + 12345n) % r, 987654321987654321n, 1n],
      [0n, 0n, 0n, 0n],
      [r - 1n, 1n, 0n, 2n ** 200n],
      [63n, 64n, 65n, 127n],
    ];
    for (const s of cases) {
      const want = expected(base, pts, s);
      for (const got of both(base, pts, s)) expect(got.equals(want), s.join(",")).toBe(true);
    }
  });

  it("handles equal and opposite points and a sum at infinity", () => {
    const p = pts[0]!;
    // equal points: partial sums meet the next addend (doubling case)
    for (const got of both(p, [p, p], [1n, 2n])) expect(got.equals(p.multiply(4n))).toBe(true);
    // opposite points cancel
    for (const got of both(p, [p, p.negate()], [5n, 5n])) expect(got.equals(p)).toBe(true);
    // base + (r - 1) base = infinity
    for (const got of both(p, [p], [r - 1n])) expect(got.is0()).toBe(true);
  });
});
