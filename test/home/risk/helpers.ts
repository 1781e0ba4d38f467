// Test helpers for home/risk: a seeded PRNG (mulberry32), seeded LIBRA price paths with calm,
// volatile and crash regimes, and a matcher for one-line RiskErrors.

import { expect } from "vitest";
import { RiskError, type RiskErrorCode } from "../../../home/risk/index.ts";

export const E18 = 10n ** 18n;

/** A decimal string ("0.0153") as a 1e18-scaled bigint, written independently of home/risk's parser. */
export function usd(s: string): bigint {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * E18 + BigInt(f.padEnd(18, "0"));
}

export { rng } from "../../fixtures/rng.ts";

/** An integer in [lo, hi]. */
export function intIn(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/**
 * A random price path (1e18-scaled, always >= 1): a walk of per-tick returns whose size
 * switches between regimes (calm ~0.1%, volatile ~2%, crash ~15%) so every breaker state is met.
 */
export function randomPrices(r: () => number, ticks: number, start = 5n * 10n ** 17n): bigint[] {
  const regimes = [0.001, 0.004, 0.02, 0.15];
  let regime = 0;
  let p = start;
  const out: bigint[] = [];
  for (let i = 0; i < ticks; i++) {
    if (r() < 0.03) regime = intIn(r, 0, regimes.length - 1);
    const ret = (r() * 2 - 1) * regimes[regime]! * 1.7; // uniform with sd ~ the regime's size
    const ppm = BigInt(Math.round(ret * 1e6));
    p = (p * (1_000_000n + ppm)) / 1_000_000n;
    if (p < 1000n) p = 1000n;
    out.push(p);
  }
  return out;
}

/** Runs `f`, expects a RiskError with `code` and a one-line message, and returns the message. */
export function refusal(f: () => unknown, code: RiskErrorCode): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RiskError);
    expect((e as RiskError).code).toBe(code);
    expect((e as Error).message).not.toContain("\n");
    return (e as Error).message;
  }
  throw new Error(`expected a RiskError ${code}, nothing was thrown`);
}
