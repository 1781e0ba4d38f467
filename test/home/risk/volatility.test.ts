// The incremental EWMA against direct computations over the whole series, written here
// independently: (1) the closed form sigma_n^2 = lambda^n sigma_0^2 + (1 - lambda) *
// sum_i lambda^(n-i) r_i^2 in floats (relative tolerance 1e-9, absolute 1e-15), and (2) the same
// closed form in exact rationals, which the integer recursion must undershoot by less than
// (2 - lambda) / (1 - lambda) units of 1e-18 (each step floors twice: r^2 and the average;
// the rational sum is computed with 60 fraction digits).

import { describe, expect, it } from "vitest";
import {
  advanceRisk,
  ewmaStep,
  formatVolatility,
  initialRiskState,
  isqrt,
  resolveRiskConfig,
  squaredReturn,
  varianceOfVolBps,
  volatilityPpm,
} from "../../../home/risk/index.ts";
import { randomPrices, rng } from "./helpers.ts";

/** The closed form in floats over the whole series (prices[0] is the genesis price). */
function floatVariance(prices: bigint[], lambda: number, v0: number): number {
  const n = prices.length - 1;
  let sum = Math.pow(lambda, n) * v0;
  for (let i = 1; i <= n; i++) {
    const r = (Number(prices[i]!) - Number(prices[i - 1]!)) / Number(prices[i - 1]!);
    sum += (1 - lambda) * Math.pow(lambda, n - i) * r * r;
  }
  return sum;
}

/**
 * The closed form with 60 fraction digits (each of its n + 1 terms floors once at 1e-60, so it is
 * within (n + 1) * 1e-42 of a unit of 1e-18 of the exact value), as an integer scaled by 1e60.
 */
const HP = 10n ** 60n;
function closedFormHp(prices: bigint[], lambdaPpm: bigint, v0Scaled: bigint): bigint {
  const M = 1_000_000n;
  const n = prices.length - 1;
  let sum = (v0Scaled * 10n ** 42n * lambdaPpm ** BigInt(n)) / M ** BigInt(n);
  for (let i = 1; i <= n; i++) {
    const d = prices[i]! - prices[i - 1]!;
    const k = BigInt(n - i);
    sum += (d * d * HP * (M - lambdaPpm) * lambdaPpm ** k) / (prices[i - 1]! * prices[i - 1]! * M ** (k + 1n));
  }
  return sum;
}

function incremental(prices: bigint[], lambdaPpm: number, v0: bigint): bigint[] {
  const out = [v0];
  for (let i = 1; i < prices.length; i++) out.push(ewmaStep(out[i - 1]!, prices[i - 1]!, prices[i]!, lambdaPpm));
  return out;
}

describe("EWMA step", () => {
  it("is exact on hand examples", () => {
    // +10%: r^2 = 0.01, v = 0.06 * 0.01 = 6e-4 (scaled 6e14)
    expect(squaredReturn(100n, 110n)).toBe(10n ** 16n);
    expect(ewmaStep(0n, 100n, 110n, 940_000)).toBe(6n * 10n ** 14n);
    // a 1/3 return floors at the 18th digit; the average floors again
    expect(squaredReturn(3n, 4n)).toBe(111_111_111_111_111_111n);
    expect(ewmaStep(10n ** 15n, 3n, 4n, 500_000)).toBe((10n ** 15n + 111_111_111_111_111_111n) / 2n);
    // a flat tick only decays
    expect(ewmaStep(1_000_003n, 7n, 7n, 940_000)).toBe((1_000_003n * 940_000n) / 1_000_000n);
    // falls and rises of the same relative size weigh the same
    expect(squaredReturn(200n, 180n)).toBe(squaredReturn(200n, 220n));
    expect(() => squaredReturn(0n, 1n)).toThrow(RangeError);
  });

  it("converts per-tick bps to variance exactly: (bps / 1e4)^2 * 1e18", () => {
    expect(varianceOfVolBps(100)).toBe(10n ** 14n); // 1% per tick: 1e-4
    expect(varianceOfVolBps(1)).toBe(10n ** 10n);
    expect(volatilityPpm(varianceOfVolBps(123))).toBe(12_300n);
    expect(volatilityPpm(varianceOfVolBps(123) - 1n)).toBe(12_299n);
    expect(formatVolatility(varianceOfVolBps(250))).toBe("2.5%");
  });

  it("isqrt is floor(sqrt(x))", () => {
    for (let x = 0n; x < 2000n; x++) {
      const y = isqrt(x);
      expect(y * y <= x && (y + 1n) * (y + 1n) > x).toBe(true);
    }
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const x = BigInt(Math.floor(r() * 2 ** 52)) * BigInt(Math.floor(r() * 2 ** 52)) * 10n ** BigInt(Math.floor(r() * 40));
      const y = isqrt(x);
      expect(y * y <= x && (y + 1n) * (y + 1n) > x).toBe(true);
    }
  });
});

describe("EWMA against the direct computation over the whole series", () => {
  for (const [seed, lambdaPpm, ticks] of [
    [1, 940_000, 400],
    [2, 970_000, 300],
    [3, 500_000, 200],
    [4, 999_000, 250],
  ] as const) {
    it(`seed ${seed}, lambda ${lambdaPpm / 1e6}, ${ticks} ticks`, () => {
      const prices = [5n * 10n ** 17n, ...randomPrices(rng(seed), ticks)];
      const v0 = varianceOfVolBps(30);
      const inc = incremental(prices, lambdaPpm, v0);
      const lambda = lambdaPpm / 1e6;
      for (const n of [1, 2, 10, Math.floor(ticks / 2), ticks]) {
        const head = prices.slice(0, n + 1);
        // floats
        const f = floatVariance(head, lambda, Number(v0) / 1e18);
        const got = Number(inc[n]!) / 1e18;
        expect(Math.abs(got - f)).toBeLessThanOrEqual(1e-9 * f + 1e-15);
        // exact: 0 <= exact - incremental < (2 - lambda) / (1 - lambda) units (slack: the reference's own floors)
        const err = closedFormHp(head, BigInt(lambdaPpm), v0) - inc[n]! * 10n ** 42n;
        expect(err).toBeGreaterThanOrEqual(-BigInt(n + 1));
        expect(err * (1_000_000n - BigInt(lambdaPpm))).toBeLessThan((2_000_000n - BigInt(lambdaPpm)) * 10n ** 42n);
      }
    });
  }

  it("the engine's variance is the same recursion, one price per tick", () => {
    const cfg = resolveRiskConfig();
    const prices = randomPrices(rng(11), 120);
    const state = initialRiskState(cfg, 5n * 10n ** 17n);
    const inc = incremental([5n * 10n ** 17n, ...prices], cfg.lambdaPpm, state.variance);
    prices.forEach((p, i) => {
      advanceRisk(state, cfg, p);
      expect(state.variance).toBe(inc[i + 1]);
      expect(state.tick).toBe(BigInt(i + 1));
    });
    expect(isqrt(0n)).toBe(0n);
  });
});
