// Fixed-point helpers of home/risk: exact decimal parsing and printing, ceiling division and
// integer square root on bigints (no floats anywhere in Home state).

/** Parses a non-negative decimal with at most `decimals` fraction digits into an integer scaled by 10^decimals; null if it is not one. */
export function parseDecimal(text: string, decimals: number): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? "";
  if (frac.length > decimals) return null;
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

/** Prints `x / 10^decimals` exactly, without trailing fraction zeros ("1.5", "0.0153", "12"). */
export function formatDecimal(x: bigint, decimals: number): string {
  const neg = x < 0n;
  const a = neg ? -x : x;
  const scale = 10n ** BigInt(decimals);
  const frac = (a % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / scale}${frac ? "." + frac : ""}`;
}

/** ceil(a / b) for a >= 0, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return a === 0n ? 0n : (a - 1n) / b + 1n;
}

/** floor(sqrt(x)) for x >= 0 (Newton's method on bigints). */
export function isqrt(x: bigint): bigint {
  if (x < 0n) throw new RangeError("isqrt of a negative number");
  if (x < 2n) return x;
  let y = 1n << BigInt((x.toString(2).length + 1) >> 1); // >= sqrt(x)
  for (;;) {
    const z = (y + x / y) >> 1n;
    if (z >= y) return y;
    y = z;
  }
}
