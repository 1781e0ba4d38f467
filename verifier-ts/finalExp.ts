// BN254 final exponentiation f^((p^12 - 1) / r) on the flat Fp12 of fp12.ts.
// Easy part: f^((p^6 - 1)(p^2 + 1)) with one inversion and a Frobenius map; hard part: the
// x-power / Frobenius decomposition for BN curves, with cyclotomic squarings and a
// width-4 signed-digit exponentiation by the seed x, where inversion in the cyclotomic
// subgroup is a conjugation. Tests compare with noble's result.
import { conj12, cycSqr12, frob12, inv12, mul12, type FlatFp12 } from "./fp12.ts";

/** BN254 seed x (positive). */
const BN_X = 4965661367192848881n;

/** Width-4 signed digits of k (each 0 or odd in -7..7, non-zero digits at least 4 apart), most significant first. */
function wnaf4(k: bigint): number[] {
  const digits: number[] = [];
  for (let n = k; n > 0n; n >>= 1n) {
    if ((n & 1n) === 0n) {
      digits.push(0);
      continue;
    }
    let d = Number(n & 15n);
    if (d >= 8) d -= 16;
    digits.push(d);
    n -= BigInt(d);
  }
  return digits.reverse();
}
/** 14 non-zero digits for x, against 24 in its NAF: 13 + 3 multiplications instead of 23. */
const X_WNAF = wnaf4(BN_X);

/** a^x for a in the cyclotomic subgroup (a^-d is the conjugate of a^d). */
function expX(a: FlatFp12): FlatFp12 {
  const a2 = cycSqr12(a);
  const odd: FlatFp12[] = [a]; // a^1, a^3, a^5, a^7
  for (let i = 1; i < 4; i++) odd.push(mul12(odd[i - 1]!, a2));
  const power = (d: number) => (d > 0 ? odd[(d - 1) >> 1]! : conj12(odd[(-d - 1) >> 1]!));
  let z = power(X_WNAF[0]!);
  for (let i = 1; i < X_WNAF.length; i++) {
    z = cycSqr12(z);
    const d = X_WNAF[i]!;
    if (d !== 0) z = mul12(z, power(d));
  }
  return z;
}

/** f^((p^12 - 1) / r). Throws RangeError for f = 0 (not invertible). */
export function finalExponentiate(f: FlatFp12): FlatFp12 {
  // Easy part: r = f^((p^6 - 1)(p^2 + 1)).
  const r0 = mul12(conj12(f), inv12(f));
  const r = mul12(frob12(r0, 2), r0);
  // Hard part (p^4 - p^2 + 1)/r, BN decomposition via powers of -x.
  const powMinusX = (a: FlatFp12) => conj12(expX(a));
  const y1 = cycSqr12(powMinusX(r));
  const y2 = mul12(cycSqr12(y1), y1);
  const y4 = powMinusX(y2);
  const y6 = powMinusX(cycSqr12(y4));
  const y8 = mul12(mul12(conj12(y6), y4), conj12(y2));
  const y9 = mul12(y8, y1);
  const t0 = frob12(mul12(conj12(r), y9), 3);
  const t1 = frob12(y8, 2);
  const t2 = frob12(y9, 1);
  const t3 = mul12(mul12(y8, y4), r);
  return mul12(t0, mul12(t1, mul12(t2, t3)));
}
