// The risk engine: every circuit-breaker transition with its hysteresis boundaries, the
// calm-tick rule of RECOVERY, tier selection, ratio events, HARD refusing new business, the
// leaf payload, and the risk config's defaults and one-line validation errors.
//
// Exact control of the volatility: with lambda = 0.5 and a flat price, v_next = floor(v / 2),
// so setting the state's variance to 2V makes the next tick's variance exactly V.

import { describe, expect, it } from "vitest";
import {
  BREAKER_HARD,
  BREAKER_RECOVERY,
  type RiskStatePayload,
} from "../../../home/model/index.ts";
import {
  DEFAULT_RISK_CONFIG,
  advanceRisk,
  assertAcceptsNew,
  currentRatioBps,
  describeRiskEvent,
  initialRiskState,
  lockupTerms,
  parseRiskConfigJson,
  priceAt,
  resolveRiskConfig,
  riskStatePayload,
  tierOf,
  varianceOfVolBps,
  type BreakerState,
  type RiskConfig,
  type RiskEvent,
  type RiskState,
} from "../../../home/risk/index.ts";
import { E18, refusal, usd } from "./helpers.ts";

const cfg = resolveRiskConfig({ lambdaPpm: 500_000 });
const V = varianceOfVolBps;

function stateIn(breaker: BreakerState, calmTicks = 0): RiskState {
  return { ...initialRiskState(cfg, E18), breaker, calmTicks };
}

/** One flat-price tick whose new variance is exactly `v`. */
function tickTo(s: RiskState, v: bigint, c: RiskConfig = cfg): RiskEvent[] {
  s.variance = 2n * v;
  const events = advanceRisk(s, c, s.price);
  expect(s.variance).toBe(v);
  return events;
}

const transitions = (events: RiskEvent[]) => events.flatMap((e) => (e.kind === "breaker" ? [`${e.from}->${e.to}`] : []));

describe("circuit breaker transitions", () => {
  it("NORMAL -> SOFT at soft-enter, not one unit below", () => {
    const s = stateIn("NORMAL");
    expect(transitions(tickTo(s, V(100) - 1n))).toEqual([]);
    expect(s.breaker).toBe("NORMAL");
    const ev = tickTo(s, V(100));
    expect(transitions(ev)).toEqual(["NORMAL->SOFT"]);
    expect(ev[0]).toMatchObject({ kind: "breaker", tick: 2n, variance: V(100), reason: "volatility 1% >= soft-enter 1%" });
  });

  it("SOFT holds between soft-exit and soft-enter (hysteresis) and -> NORMAL below soft-exit", () => {
    const s = stateIn("SOFT");
    for (const v of [V(100) - 1n, V(80), V(70)]) {
      expect(transitions(tickTo(s, v))).toEqual([]);
      expect(s.breaker).toBe("SOFT");
    }
    const ev = tickTo(s, V(70) - 1n);
    expect(transitions(ev)).toEqual(["SOFT->NORMAL"]);
    expect((ev[0] as { reason: string }).reason).toBe("volatility 0.6999% < soft-exit 0.7%");
    // and NORMAL does not re-enter SOFT until soft-enter again
    expect(transitions(tickTo(s, V(99)))).toEqual([]);
    expect(s.breaker).toBe("NORMAL");
  });

  it("SOFT -> HARD at hard-enter, not below", () => {
    const s = stateIn("SOFT");
    expect(transitions(tickTo(s, V(300) - 1n))).toEqual([]);
    expect(transitions(tickTo(s, V(300)))).toEqual(["SOFT->HARD"]);
  });

  it("a spike from NORMAL passes through SOFT to HARD in one tick, as two events", () => {
    const s = stateIn("NORMAL");
    const ev = tickTo(s, V(500));
    expect(transitions(ev)).toEqual(["NORMAL->SOFT", "SOFT->HARD"]);
    expect(ev.filter((e) => e.kind === "breaker").map((e) => e.tick)).toEqual([1n, 1n]);
    expect(s.breaker).toBe("HARD");
  });

  it("HARD holds down to hard-exit (hysteresis), then -> RECOVERY, never straight to NORMAL", () => {
    const s = stateIn("HARD");
    for (const v of [V(299), V(200)]) {
      expect(transitions(tickTo(s, v))).toEqual([]);
      expect(s.breaker).toBe("HARD");
    }
    expect(transitions(tickTo(s, 0n))).toEqual(["HARD->RECOVERY"]); // even a dead-calm tick
    expect(s.calmTicks).toBe(0); // the entering tick is not a calm tick of RECOVERY
  });

  it("RECOVERY -> NORMAL after exactly recoveryCalmTicks consecutive calm ticks; a non-calm tick resets the count", () => {
    const N = cfg.breaker.recoveryCalmTicks;
    const s = stateIn("RECOVERY");
    for (let i = 1; i < N; i++) {
      expect(transitions(tickTo(s, V(70) - 1n))).toEqual([]);
      expect(s.calmTicks).toBe(i);
    }
    // at soft-exit the tick is not calm: back to 0, and SOFT-level volatility does not leave RECOVERY
    expect(transitions(tickTo(s, V(70)))).toEqual([]);
    expect(s.calmTicks).toBe(0);
    expect(transitions(tickTo(s, V(250)))).toEqual([]);
    expect(s.breaker).toBe("RECOVERY");
    for (let i = 1; i < N; i++) tickTo(s, 0n);
    expect(s.breaker).toBe("RECOVERY");
    const ev = tickTo(s, 0n);
    expect(transitions(ev)).toEqual(["RECOVERY->NORMAL"]);
    expect((ev[0] as { reason: string }).reason).toBe(`${N} calm ticks below soft-exit 0.7%, volatility 0%`);
    expect(s.calmTicks).toBe(0);
  });

  it("RECOVERY -> HARD at hard-enter, losing its calm ticks", () => {
    const s = stateIn("RECOVERY", 7);
    expect(transitions(tickTo(s, V(300) - 1n))).toEqual([]);
    expect(s.calmTicks).toBe(0);
    s.calmTicks = 7;
    expect(transitions(tickTo(s, V(300)))).toEqual(["RECOVERY->HARD"]);
    expect(s.calmTicks).toBe(0);
  });

  it("with recoveryCalmTicks 1 the first calm tick after entering RECOVERY leaves it", () => {
    const c1 = resolveRiskConfig({ lambdaPpm: 500_000, breaker: { recoveryCalmTicks: 1 } });
    const s = stateIn("HARD");
    expect(transitions(tickTo(s, 0n, c1))).toEqual(["HARD->RECOVERY"]);
    expect(transitions(tickTo(s, 0n, c1))).toEqual(["RECOVERY->NORMAL"]);
  });

  it("a refused price changes nothing", () => {
    const s = stateIn("SOFT", 0);
    const before = structuredClone(s);
    expect(() => advanceRisk(s, cfg, 0n)).toThrow(RangeError);
    expect(s).toEqual(before);
  });
});

describe("ratio tiers", () => {
  it("NORMAL picks aggressive only below the calm threshold, conservative from its threshold", () => {
    const s = stateIn("NORMAL");
    const at = (v: bigint) => {
      s.variance = v;
      return [tierOf(s, cfg), currentRatioBps(s, cfg)];
    };
    expect(at(0n)).toEqual(["aggressive", 12_000]);
    expect(at(V(20) - 1n)).toEqual(["aggressive", 12_000]);
    expect(at(V(20))).toEqual(["standard", 13_000]);
    expect(at(V(60) - 1n)).toEqual(["standard", 13_000]);
    expect(at(V(60))).toEqual(["conservative", 15_000]);
  });

  it("SOFT and RECOVERY raise the ratio to softBps whatever the volatility; HARD shows it but refuses lockups and auctions", () => {
    for (const b of ["SOFT", "RECOVERY", "HARD"] as const) {
      const s = stateIn(b);
      s.variance = 0n;
      expect([tierOf(s, cfg), currentRatioBps(s, cfg)]).toEqual(["soft", 17_500]);
    }
    const hard = stateIn("HARD");
    expect(refusal(() => lockupTerms(hard, cfg), "BreakerHard")).toMatch(/^circuit breaker is HARD \(volatility .*%\): no new lockups until it recovers$/);
    expect(refusal(() => assertAcceptsNew(hard, "auction"), "BreakerHard")).toMatch(/no new auctions/);
    const soft = stateIn("SOFT");
    expect(lockupTerms(soft, cfg)).toEqual({ ratioBps: 17_500, libraPrice: E18, tick: 0n });
    expect(() => assertAcceptsNew(stateIn("RECOVERY"), "auction")).not.toThrow();
  });

  it("genesis is NORMAL at the standard tier with the default prior volatility", () => {
    const s = initialRiskState(DEFAULT_RISK_CONFIG, usd("0.5"));
    expect(s).toEqual({ tick: 0n, price: usd("0.5"), variance: V(30), breaker: "NORMAL", calmTicks: 0 });
    expect(currentRatioBps(s, DEFAULT_RISK_CONFIG)).toBe(13_000);
  });
});

describe("a scripted spike with the default config", () => {
  it("NORMAL -> SOFT -> HARD in one tick, then RECOVERY, then NORMAL, with every ratio change logged", () => {
    const c = DEFAULT_RISK_CONFIG;
    // calm at 0.50, a 20% crash at tick 40, flat afterwards
    const series = { kind: "path" as const, points: [{ tick: 0n, price: usd("0.5") }, { tick: 39n, price: usd("0.5") }, { tick: 40n, price: usd("0.4") }] };
    const s = initialRiskState(c, priceAt(series, 0n));
    const log: string[] = [];
    const events: RiskEvent[] = [];
    for (let t = 1n; t <= 200n; t++) {
      const ev = advanceRisk(s, c, priceAt(series, t));
      events.push(...ev);
      log.push(...ev.map(describeRiskEvent));
    }
    expect(transitions(events)).toEqual(["NORMAL->SOFT", "SOFT->HARD", "HARD->RECOVERY", "RECOVERY->NORMAL"]);
    const at = (from: string) => events.find((e) => e.kind === "breaker" && `${e.from}->${e.to}` === from)!.tick;
    // tick 40: v = 9e-6 * 0.94^40 + 0.06 * 0.2^2 = 2.4008e-3 (sigma 4.8997%): past soft-enter and hard-enter
    expect(at("NORMAL->SOFT")).toBe(40n);
    expect(at("SOFT->HARD")).toBe(40n);
    // below hard-exit (v < 4e-4) after k flat ticks with 0.94^k < 0.1666: k = 29
    expect(at("HARD->RECOVERY")).toBe(69n);
    // calm (v < 4.9e-5) from 34 ticks later (tick 103); the 10th calm tick is 112
    expect(at("RECOVERY->NORMAL")).toBe(112n);
    // ratio: standard -> aggressive (calm decay) -> soft (spike) -> ... -> aggressive again at the end
    const ratios = events.filter((e) => e.kind === "ratio");
    expect(ratios[0]).toMatchObject({ fromBps: 13_000, toBps: 12_000, tier: "aggressive" });
    expect(ratios.find((e) => e.tick === 40n)).toMatchObject({ fromBps: 12_000, toBps: 17_500, tier: "soft" });
    expect(currentRatioBps(s, c)).toBe(12_000);
    expect(log).toEqual([
      "tick 14: collateral ratio for new lockups 130% -> 120% (aggressive)",
      "tick 40: circuit breaker NORMAL -> SOFT (volatility 4.8997% >= soft-enter 1%)",
      "tick 40: circuit breaker SOFT -> HARD (volatility 4.8997% >= hard-enter 3%)",
      "tick 40: collateral ratio for new lockups 120% -> 175% (soft)",
      "tick 69: circuit breaker HARD -> RECOVERY (volatility 1.9976% < hard-exit 2%)",
      "tick 112: circuit breaker RECOVERY -> NORMAL (10 calm ticks below soft-exit 0.7%, volatility 0.5281%)",
      "tick 112: collateral ratio for new lockups 175% -> 130% (standard)",
      "tick 144: collateral ratio for new lockups 130% -> 120% (aggressive)",
    ]);
  });
});

describe("risk-state leaf payload", () => {
  it("carries tick, breaker code, current ratio, price, variance and calm ticks", () => {
    const s: RiskState = { tick: 77n, price: usd("0.42"), variance: V(250), breaker: "RECOVERY", calmTicks: 3 };
    expect(riskStatePayload(s, cfg)).toEqual<RiskStatePayload>({ tick: 77n, breaker: BREAKER_RECOVERY, ratioBps: 17_500, libraPrice: usd("0.42"), variance: V(250), calmTicks: 3 });
    expect(riskStatePayload({ ...s, breaker: "HARD", calmTicks: 0 }, cfg).breaker).toBe(BREAKER_HARD);
  });
});

describe("risk config", () => {
  it("defaults are valid and overrides merge per section", () => {
    expect(resolveRiskConfig()).toEqual(DEFAULT_RISK_CONFIG);
    const c = resolveRiskConfig({ breaker: { recoveryCalmTicks: 3 }, ratios: { softBps: 20_000 } });
    expect(c.breaker).toEqual({ ...DEFAULT_RISK_CONFIG.breaker, recoveryCalmTicks: 3 });
    expect(c.ratios.softBps).toBe(20_000);
    expect(c.ratios.standardBps).toBe(13_000);
  });

  it("refuses out-of-range and inconsistent parameters with one line naming the field", () => {
    const r = (input: Parameters<typeof resolveRiskConfig>[0]) => refusal(() => resolveRiskConfig(input), "BadConfig");
    expect(r({ lambdaPpm: 1_000_000 })).toBe("risk config: lambdaPpm must be an integer in 1..999999, got 1000000");
    expect(r({ lambdaPpm: 0.5 })).toMatch(/lambdaPpm must be an integer/);
    expect(r({ ratios: { aggressiveBps: 9_999 } })).toBe("risk config: ratios.aggressiveBps must be an integer in 10000..1000000, got 9999");
    expect(r({ ratios: { standardBps: 12_000 } })).toBe("risk config: ratios.aggressiveBps (12000) must be below ratios.standardBps (12000)");
    expect(r({ ratios: { softBps: 14_000 } })).toBe("risk config: ratios.conservativeBps (15000) must be at most ratios.softBps (14000)");
    expect(r({ breaker: { softExitVolBps: 100 } })).toBe("risk config: breaker.softExitVolBps (100) must be below breaker.softEnterVolBps (100)");
    expect(r({ breaker: { hardExitVolBps: 300 } })).toBe("risk config: breaker.hardExitVolBps (300) must be below breaker.hardEnterVolBps (300)");
    expect(r({ breaker: { hardEnterVolBps: 100 } })).toBe("risk config: breaker.softEnterVolBps (100) must be below breaker.hardEnterVolBps (100)");
    expect(r({ tiers: { aggressiveBelowVolBps: 61 } })).toBe("risk config: tiers.aggressiveBelowVolBps (61) must be at most tiers.conservativeFromVolBps (60)");
    expect(r({ tiers: { conservativeFromVolBps: 101 } })).toMatch(/conservativeFromVolBps \(101\) must be at most breaker.softEnterVolBps/);
    expect(r({ initialVolBps: 100 })).toBe("risk config: initialVolBps (100) must be below breaker.softEnterVolBps (100)");
    expect(r({ breaker: { recoveryCalmTicks: 0 } })).toMatch(/recoveryCalmTicks must be an integer in 1\.\./);
    const usdc = { awayChainId: 1n, address: "0x1111111111111111111111111111111111111111" as const, symbol: "USDC", decimals: 6, price: E18 };
    expect(r({ assets: [usdc, { ...usdc, address: "0x1111111111111111111111111111111111111111".toUpperCase().replace("0X", "0x") as `0x${string}` }] })).toMatch(/assets\[1\]: asset .* on chain 1 is listed twice/);
    expect(r({ assets: [{ ...usdc, price: 0n }] })).toMatch(/assets\[0\]\.price must be above 0/);
    expect(r({ assets: [{ ...usdc, decimals: 37 }] })).toMatch(/assets\[0\]\.decimals/);
    expect(r({ assets: [{ ...usdc, address: "0x12" }] })).toMatch(/^risk config: assets\[0\]: /);
  });

  it("reads JSON over the defaults, with asset prices as decimal strings", () => {
    const c = parseRiskConfigJson(
      JSON.stringify({
        breaker: { recoveryCalmTicks: 4 },
        assets: [{ awayChainId: 31337, address: "0x1111111111111111111111111111111111111111", symbol: "USDC", decimals: 6, price: "1" }],
      }),
    );
    expect(c.breaker.recoveryCalmTicks).toBe(4);
    expect(c.assets).toEqual([{ awayChainId: 31337n, address: "0x1111111111111111111111111111111111111111", symbol: "USDC", decimals: 6, price: E18 }]);
    const r = (text: string) => refusal(() => parseRiskConfigJson(text, "risk.json"), "BadConfig");
    expect(r("{")).toMatch(/^risk config: risk\.json is not JSON \(/);
    expect(r('{"breaker":{"softEnter":1}}')).toBe("risk config: unknown field breaker.softEnter");
    expect(r('{"lambda":1}')).toBe("risk config: unknown field lambda");
    expect(r('{"lambdaPpm":"940000"}')).toBe("risk config: lambdaPpm must be a number");
    expect(r('{"assets":[{"awayChainId":1,"address":"0x1111111111111111111111111111111111111111","decimals":6,"price":1}]}')).toMatch(/assets\[0\]\.price must be a decimal string/);
    expect(r('{"assets":{}}')).toBe("risk config: assets must be an array");
  });
});
