// BN254 final exponentiation f^((p^12 - 1) / r) on the flat Fp12 of fp12.ts.
// Easy part: f^((p^6 - 1)(p^2 + 1)) with one inversion and a Frobenius map; hard part: the
// x-power / Frobenius decomposition for BN curves, with cyclotomic squarings and a
// signed-digit (NAF) exponentiation by the seed x, where inversion in the cyclotomic
// subgroup is a conjugation. Tests compare with noble's result.
import { conj12, cycSqr12, frob12, inv12, mul12, type FlatFp12 } from "./fp12.ts";

/** BN254 seed x (positive). */
const BN_X = 4965661367192848881n;

/** Non-adjacent form of k, most significant digit first. */
function naf(k: bigint): number[] {
  const digits: number[] = [];
  let n = k;
  while (n > 0n) {
    if (n & 1n) {
      const d = 2 - Number(n & 3n); // 1 or -1
      digits.push(d);
      n -= BigInt(d);
    } else digits.push(0);
    n >>= 1n;
  }
  return digits.reverse();
}
const X_NAF = naf(BN_X);

/** a^x for a in the cyclotomic subgroup. */
function expX(a: FlatFp12): FlatFp12 {
  const inv = conj12(a);
  let z = a; // leading digit is 1
  for (let i = 1; i < X_NAF.length; i++) {
    z = cycSqr12(z);
    const d = X_NAF[i];
    if (d === 1) z = mul12(z, a);
    else if (d === -1) z = mul12(z, inv);
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
