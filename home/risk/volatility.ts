// Incremental EWMA volatility of LIBRA's per-tick simple returns, in exact integer arithmetic.
//
//   r_t   = (P_t - P_{t-1}) / P_{t-1}                                  simple return of tick t
//   q_t   = floor((P_t - P_{t-1})^2 * S / P_{t-1}^2)                   r_t^2 scaled by S = 1e18
//   v_t   = floor((L * v_{t-1} + (1e6 - L) * q_t) / 1e6)               L = lambda in ppm
//   v_0   = initialVolBps^2 * 1e10                                     (bps/1e4)^2 * S
//
// so v_t / S estimates sigma^2, the variance of one tick's return (RiskMetrics form with a
// zero mean). Each update needs only v_{t-1}, P_{t-1} and P_t. Thresholds compare variances
// (sigma >= T bps  <=>  v >= T^2 * 1e10), so no square root enters a decision.

import { VARIANCE_SCALE } from "../model/index.ts";
import { formatDecimal, isqrt } from "./fixed.ts";

const PPM = 1_000_000n;

/** The variance (scaled by 1e18) of a per-tick standard deviation of `bps` basis points. */
export function varianceOfVolBps(bps: number): bigint {
  return BigInt(bps) ** 2n * 10n ** 10n;
}

/** floor(r^2 * 1e18) for the simple return from `prev` to `next` (both > 0). */
export function squaredReturn(prev: bigint, next: bigint): bigint {
  if (prev <= 0n || next <= 0n) throw new RangeError(`prices must be above 0, got ${prev} and ${next}`);
  const d = next - prev;
  return (d * d * VARIANCE_SCALE) / (prev * prev);
}

/** One EWMA step: the variance after the move from `prevPrice` to `price`. */
export function ewmaStep(variance: bigint, prevPrice: bigint, price: bigint, lambdaPpm: number): bigint {
  const lambda = BigInt(lambdaPpm);
  return (lambda * variance + (PPM - lambda) * squaredReturn(prevPrice, price)) / PPM;
}

/** floor(sigma * 1e6): the per-tick standard deviation in parts per million (for display). */
export function volatilityPpm(variance: bigint): bigint {
  return isqrt(variance / 1_000_000n);
}

/** sigma as a percentage with 4 decimals, e.g. "1.2247%" (floor). */
export function formatVolatility(variance: bigint): string {
  return `${formatDecimal(volatilityPpm(variance), 4)}%`;
}
