// The risk engine: per tick it takes the LIBRA price, updates the EWMA volatility, moves the
// circuit breaker, and so fixes the collateral ratio new lockups get. State is a plain object
// (structuredClone-able) that `advanceRisk` mutates in place, returning the events to log;
// it validates before it mutates, so a throw changes nothing.
//
// Breaker (volatilities are per-tick sigma, thresholds in RiskConfig.breaker):
//   NORMAL   -> SOFT      sigma >= softEnter        (then, in the same tick, SOFT -> HARD if sigma >= hardEnter)
//   SOFT     -> HARD      sigma >= hardEnter
//   SOFT     -> NORMAL    sigma <  softExit         (softExit < softEnter: hysteresis)
//   HARD     -> RECOVERY  sigma <  hardExit         (hardExit < hardEnter: hysteresis)
//   RECOVERY -> HARD      sigma >= hardEnter
//   RECOVERY -> NORMAL    after recoveryCalmTicks consecutive ticks in RECOVERY with sigma < softExit
//                         (the tick that enters RECOVERY does not count; a non-calm tick resets the count)
// Escalation may take two edges in one tick (each is its own event); de-escalation takes one.
// So HARD is never reached without passing SOFT, and NORMAL never from HARD without RECOVERY.
//
// Ratio for new lockups: NORMAL picks a tier from sigma (aggressive below
// tiers.aggressiveBelowVolBps, conservative from tiers.conservativeFromVolBps, standard between);
// SOFT and RECOVERY use ratios.softBps; HARD accepts no new lockups or auctions (its ratio shows
// softBps, what RECOVERY will use). Existing lockups keep the ratio they opened with.

import {
  BREAKER_HARD,
  BREAKER_NORMAL,
  BREAKER_RECOVERY,
  BREAKER_SOFT,
  type RiskStatePayload,
} from "../model/index.ts";
import type { RiskConfig } from "./config.ts";
import { RiskError } from "./errors.ts";
import { formatDecimal } from "./fixed.ts";
import { ewmaStep, formatVolatility, varianceOfVolBps } from "./volatility.ts";

export type BreakerState = "NORMAL" | "SOFT" | "HARD" | "RECOVERY";

/** The breaker state's number in the risk-state leaf (ENCODING.md). */
export const BREAKER_CODE: Readonly<Record<BreakerState, number>> = {
  NORMAL: BREAKER_NORMAL,
  SOFT: BREAKER_SOFT,
  HARD: BREAKER_HARD,
  RECOVERY: BREAKER_RECOVERY,
};

export type Tier = "aggressive" | "standard" | "conservative" | "soft";

export interface RiskState {
  /** Ticks since genesis (genesis is tick 0). */
  tick: bigint;
  /** LIBRA price of this tick: USD per whole LIBRA times 1e18. */
  price: bigint;
  /** EWMA variance of per-tick simple returns times 1e18 (volatility.ts). */
  variance: bigint;
  breaker: BreakerState;
  /** Consecutive calm ticks spent in RECOVERY; 0 in every other state. */
  calmTicks: number;
}

export type RiskEvent =
  | { kind: "breaker"; tick: bigint; from: BreakerState; to: BreakerState; variance: bigint; reason: string }
  | { kind: "ratio"; tick: bigint; fromBps: number; toBps: number; tier: Tier };

/** Genesis: tick 0 at `price`, variance from cfg.initialVolBps, breaker NORMAL. */
export function initialRiskState(cfg: RiskConfig, price: bigint): RiskState {
  if (price <= 0n) throw new RangeError(`the genesis LIBRA price must be above 0, got ${price}`);
  return { tick: 0n, price, variance: varianceOfVolBps(cfg.initialVolBps), breaker: "NORMAL", calmTicks: 0 };
}

/** The tier a state gives new lockups. */
export function tierOf(state: RiskState, cfg: RiskConfig): Tier {
  if (state.breaker !== "NORMAL") return "soft";
  if (state.variance < varianceOfVolBps(cfg.tiers.aggressiveBelowVolBps)) return "aggressive";
  if (state.variance < varianceOfVolBps(cfg.tiers.conservativeFromVolBps)) return "standard";
  return "conservative";
}

export function ratioOfTier(tier: Tier, cfg: RiskConfig): number {
  const r = cfg.ratios;
  return tier === "aggressive" ? r.aggressiveBps : tier === "standard" ? r.standardBps : tier === "conservative" ? r.conservativeBps : r.softBps;
}

/** The collateral ratio (bps) new lockups get in this state. */
export function currentRatioBps(state: RiskState, cfg: RiskConfig): number {
  return ratioOfTier(tierOf(state, cfg), cfg);
}

interface BreakerMove {
  to: BreakerState;
  reason: string;
  calmTicks: number;
}

/** Breaker edges taken in one tick, from `state.breaker` with the new variance `v` (a move to the same state only updates calmTicks). */
function breakerMoves(state: RiskState, v: bigint, cfg: RiskConfig): BreakerMove[] {
  const b = cfg.breaker;
  const at = (bps: number) => v >= varianceOfVolBps(bps);
  const pct = (bps: number) => `${formatDecimal(BigInt(bps), 2)}%`;
  const above = (to: BreakerState, name: string, bps: number): BreakerMove => ({ to, reason: `volatility ${formatVolatility(v)} >= ${name} ${pct(bps)}`, calmTicks: 0 });
  const below = (to: BreakerState, name: string, bps: number): BreakerMove => ({ to, reason: `volatility ${formatVolatility(v)} < ${name} ${pct(bps)}`, calmTicks: 0 });
  switch (state.breaker) {
    case "NORMAL":
      if (!at(b.softEnterVolBps)) return [];
      if (!at(b.hardEnterVolBps)) return [above("SOFT", "soft-enter", b.softEnterVolBps)];
      return [above("SOFT", "soft-enter", b.softEnterVolBps), above("HARD", "hard-enter", b.hardEnterVolBps)];
    case "SOFT":
      if (at(b.hardEnterVolBps)) return [above("HARD", "hard-enter", b.hardEnterVolBps)];
      return at(b.softExitVolBps) ? [] : [below("NORMAL", "soft-exit", b.softExitVolBps)];
    case "HARD":
      return at(b.hardExitVolBps) ? [] : [below("RECOVERY", "hard-exit", b.hardExitVolBps)];
    case "RECOVERY": {
      if (at(b.hardEnterVolBps)) return [above("HARD", "hard-enter", b.hardEnterVolBps)];
      if (at(b.softExitVolBps)) return [{ to: "RECOVERY", reason: "", calmTicks: 0 }];
      const calm = state.calmTicks + 1;
      if (calm < b.recoveryCalmTicks) return [{ to: "RECOVERY", reason: "", calmTicks: calm }];
      return [{ to: "NORMAL", reason: `${calm} calm ticks below soft-exit ${pct(b.softExitVolBps)}, volatility ${formatVolatility(v)}`, calmTicks: 0 }];
    }
  }
}

/**
 * Advances one tick with the tick's LIBRA price (> 0): updates the volatility, the breaker
 * and the ratio, mutating `state`. Returns every breaker transition and ratio change, in order.
 */
export function advanceRisk(state: RiskState, cfg: RiskConfig, price: bigint): RiskEvent[] {
  const fromRatio = currentRatioBps(state, cfg);
  const variance = ewmaStep(state.variance, state.price, price, cfg.lambdaPpm); // throws before any change
  const moves = breakerMoves(state, variance, cfg);
  const tick = state.tick + 1n;
  state.tick = tick;
  state.price = price;
  state.variance = variance;
  const events: RiskEvent[] = [];
  for (const m of moves) {
    if (m.to !== state.breaker) events.push({ kind: "breaker", tick, from: state.breaker, to: m.to, variance, reason: m.reason });
    state.breaker = m.to;
    state.calmTicks = m.calmTicks;
  }
  const toRatio = currentRatioBps(state, cfg);
  if (toRatio !== fromRatio) events.push({ kind: "ratio", tick, fromBps: fromRatio, toBps: toRatio, tier: tierOf(state, cfg) });
  return events;
}

/** Throws RiskError("BreakerHard") when the breaker refuses new business (HARD). */
export function assertAcceptsNew(state: RiskState, what: "lockup" | "auction"): void {
  if (state.breaker === "HARD") throw new RiskError("BreakerHard", `circuit breaker is HARD (volatility ${formatVolatility(state.variance)}): no new ${what}s until it recovers`);
}

/** What a lockup opened now gets: the current ratio and price. Throws BreakerHard in HARD. */
export function lockupTerms(state: RiskState, cfg: RiskConfig): { ratioBps: number; libraPrice: bigint; tick: bigint } {
  assertAcceptsNew(state, "lockup");
  return { ratioBps: currentRatioBps(state, cfg), libraPrice: state.price, tick: state.tick };
}

/** The KIND_RISK_STATE leaf payload of a state. */
export function riskStatePayload(state: RiskState, cfg: RiskConfig): RiskStatePayload {
  return {
    tick: state.tick,
    breaker: BREAKER_CODE[state.breaker],
    ratioBps: currentRatioBps(state, cfg),
    libraPrice: state.price,
    variance: state.variance,
    calmTicks: state.calmTicks,
  };
}

/** One log line for an event. */
export function describeRiskEvent(e: RiskEvent): string {
  if (e.kind === "breaker") return `tick ${e.tick}: circuit breaker ${e.from} -> ${e.to} (${e.reason})`;
  return `tick ${e.tick}: collateral ratio for new lockups ${formatDecimal(BigInt(e.fromBps), 2)}% -> ${formatDecimal(BigInt(e.toBps), 2)}% (${e.tier})`;
}
