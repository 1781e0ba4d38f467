// Property tests on seeded random price paths (calm, volatile and crash regimes):
//  - the breaker moves only along its edges, never skips a state it must pass through
//    (NORMAL -> HARD only via SOFT, HARD -> NORMAL only via RECOVERY), leaves RECOVERY exactly
//    when an independently counted run of calm ticks reaches recoveryCalmTicks, and each state
//    matches its volatility band;
//  - the ratio is never below what the state requires (recomputed here independently);
//  - random account operations along the path never let an account's open credit exceed what
//    its collateral supports, every refusal is justified and changes nothing.
// Each suite also asserts it visited every state and edge, so it cannot pass vacuously.

import { describe, expect, it } from "vitest";
import type { Address, Bytes32 } from "../../../home/model/index.ts";
import {
  RiskError,
  advanceRisk,
  currentRatioBps,
  depositCollateral,
  emptyCollateralBook,
  initialRiskState,
  openAccount,
  openLockup,
  releaseLockup,
  resolveRiskConfig,
  slashLockup,
  varianceOfVolBps,
  withdrawCollateral,
  type BreakerState,
  type CollateralBook,
  type RiskConfig,
  type RiskState,
} from "../../../home/risk/index.ts";
import { E18, intIn, randomPrices, rng } from "./helpers.ts";

const EDGES = new Set(["NORMAL->SOFT", "SOFT->HARD", "SOFT->NORMAL", "HARD->RECOVERY", "RECOVERY->HARD", "RECOVERY->NORMAL"]);

const CONFIGS: [string, RiskConfig][] = [
  ["defaults", resolveRiskConfig()],
  ["fast decay, short recovery", resolveRiskConfig({ lambdaPpm: 800_000, breaker: { recoveryCalmTicks: 2 } })],
  ["narrow bands", resolveRiskConfig({ breaker: { softEnterVolBps: 80, softExitVolBps: 75, hardEnterVolBps: 120, hardExitVolBps: 110, recoveryCalmTicks: 25 } })],
];

/** The ratio a state requires, written independently of the engine. */
function requiredRatio(breaker: BreakerState, v: bigint, c: RiskConfig): number {
  if (breaker !== "NORMAL") return c.ratios.softBps;
  if (v < varianceOfVolBps(c.tiers.aggressiveBelowVolBps)) return c.ratios.aggressiveBps;
  if (v < varianceOfVolBps(c.tiers.conservativeFromVolBps)) return c.ratios.standardBps;
  return c.ratios.conservativeBps;
}

describe("breaker and ratio invariants on random price paths", () => {
  for (const [name, c] of CONFIGS) {
    it(name, () => {
      const seen = new Set<string>();
      const b = c.breaker;
      const at = (v: bigint, bps: number) => v >= varianceOfVolBps(bps);
      for (let seed = 1; seed <= 12; seed++) {
        const s = initialRiskState(c, 5n * 10n ** 17n);
        let calmRun = 0; // counted here: consecutive ticks that start in RECOVERY with sigma < soft-exit
        let ratio = currentRatioBps(s, c);
        for (const price of randomPrices(rng(seed * 7919), 1500)) {
          const before = s.breaker;
          const events = advanceRisk(s, c, price);
          const v = s.variance;
          calmRun = before === "RECOVERY" && !at(v, b.softExitVolBps) ? calmRun + 1 : 0;
          const moves = events.filter((e) => e.kind === "breaker");
          // a chain of allowed edges from the old state to the new one
          let cur = before;
          for (const m of moves) {
            expect(m.from).toBe(cur);
            const edge = `${m.from}->${m.to}`;
            expect(EDGES.has(edge)).toBe(true);
            seen.add(edge);
            cur = m.to;
          }
          expect(cur).toBe(s.breaker);
          expect(moves.length).toBeLessThanOrEqual(2);
          if (moves.length === 2) expect(moves.map((m) => m.to)).toEqual(["SOFT", "HARD"]);
          // never skipped: no HARD from NORMAL without SOFT, no NORMAL from HARD without RECOVERY
          if (before === "NORMAL" && s.breaker === "HARD") expect(moves.map((m) => m.to)).toEqual(["SOFT", "HARD"]);
          expect(before === "HARD" && s.breaker === "NORMAL").toBe(false);
          // the calm-tick rule, exactly
          const left = before === "RECOVERY" && s.breaker === "NORMAL";
          expect(left).toBe(calmRun >= b.recoveryCalmTicks);
          if (left) calmRun = 0;
          if (s.breaker === "RECOVERY") expect(s.calmTicks).toBe(calmRun);
          // each state lies in its volatility band
          if (s.breaker === "NORMAL") expect(at(v, b.softEnterVolBps)).toBe(false);
          if (s.breaker === "SOFT") expect(at(v, b.softExitVolBps) && !at(v, b.hardEnterVolBps)).toBe(true);
          if (s.breaker === "HARD") expect(at(v, b.hardExitVolBps)).toBe(true);
          if (s.breaker === "RECOVERY") expect(at(v, b.hardEnterVolBps)).toBe(false);
          seen.add(s.breaker);
          // the ratio is what the state requires; aggressive only in a calm NORMAL market
          const r = currentRatioBps(s, c);
          expect(r).toBe(requiredRatio(s.breaker, v, c));
          if (r === c.ratios.aggressiveBps) expect(s.breaker === "NORMAL" && !at(v, c.tiers.aggressiveBelowVolBps)).toBe(true);
          if (s.breaker !== "NORMAL") expect(r).toBeGreaterThanOrEqual(c.ratios.softBps);
          const ratioEvents = events.filter((e) => e.kind === "ratio");
          expect(ratioEvents).toEqual(r === ratio ? [] : [expect.objectContaining({ fromBps: ratio, toBps: r })]);
          ratio = r;
        }
      }
      for (const x of [...EDGES, "NORMAL", "SOFT", "HARD", "RECOVERY"]) expect(seen, `never saw ${x}`).toContain(x);
    });
  }
});

// ---- accounts ----

const OWNERS: Bytes32[] = [1, 2, 3].map((i) => `0x${i.toString(16).padStart(64, "0")}` as Bytes32);
const ASSETS = [
  { awayChainId: 31337n, address: "0xa0000000000000000000000000000000000000a0" as Address, symbol: "USDC", decimals: 6, price: E18 },
  { awayChainId: 31338n, address: "0xb0000000000000000000000000000000000000b0" as Address, symbol: "USDC", decimals: 6, price: E18 + 3n * 10n ** 14n },
  { awayChainId: 31338n, address: "0xc0000000000000000000000000000000000000c0" as Address, symbol: "WETH", decimals: 18, price: 2345n * E18 + 67n },
];
const acfg = resolveRiskConfig({ assets: ASSETS });

// The valuation rules, written again here.
const cdiv = (a: bigint, b: bigint) => (a + b - 1n) / b;
const valueOf = (collateral: bigint, price: bigint) => (collateral * price) / 10n ** BigInt(acfg.libraDecimals);
const creditValue = (assetIdx: number, limit: bigint) => cdiv(limit * ASSETS[assetIdx]!.price, 10n ** BigInt(ASSETS[assetIdx]!.decimals));
const need = (cv: bigint, ratio: number) => cdiv(cv * BigInt(ratio), 10_000n);

/** What the test itself tracks from the operations that succeeded. */
interface Shadow {
  /** accountId -> deposits - withdrawals */
  net: Map<bigint, bigint>;
  /** accountId -> its open lockups */
  open: Map<bigint, Set<bigint>>;
}

/** Sum of the account's open lockups' needs at max(own ratio, floor), from the test's own list of open lockups. */
function needsOf(book: CollateralBook, shadow: Shadow, accountId: bigint, floor: number): bigint {
  let sum = 0n;
  for (const id of shadow.open.get(accountId)!) {
    const l = book.lockups.get(id)!;
    sum += need(l.creditValue, Math.max(l.ratioBps, floor));
  }
  return sum;
}

function checkAccount(book: CollateralBook, shadow: Shadow, accountId: bigint): void {
  const a = book.accounts.get(accountId)!;
  expect([...a.openLockIds].sort()).toEqual([...shadow.open.get(accountId)!].sort());
  for (const id of a.openLockIds) expect(book.lockups.get(id)).toMatchObject({ accountId, status: "open" });
  expect(a.collateral + a.slashed).toBe(shadow.net.get(accountId));
  expect(a.collateral >= 0n).toBe(true);
}

/** What a refused open or withdrawal could have touched: every account, the number of lockups, the lockup id it would take. */
function touchable(book: CollateralBook, lockId: bigint) {
  return structuredClone({ accounts: book.accounts, lockups: book.lockups.size, lockup: book.lockups.get(lockId) });
}

describe("collateral accounts on random price paths", () => {
  for (const seed of [101, 202, 303, 404]) {
    it(`seed ${seed}: credit never exceeds support; refusals are justified and change nothing`, () => {
      const r = rng(seed);
      const book = emptyCollateralBook();
      const shadow: Shadow = { net: new Map(), open: new Map() };
      const risk: RiskState = initialRiskState(acfg, 5n * 10n ** 17n);
      OWNERS.forEach((owner, i) => {
        const id = BigInt(i + 1);
        const deposit = BigInt(intIn(r, 1_000, 50_000)) * 1_000_000n;
        openAccount(book, { accountId: id, owner, deposit });
        shadow.net.set(id, deposit);
        shadow.open.set(id, new Set());
      });
      let nextLock = 1n;
      const outcomes = new Map<string, number>();
      const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      for (const price of randomPrices(r, 1200)) {
        advanceRisk(risk, acfg, price);
        for (let op = 0; op < 3; op++) {
          const ai = intIn(r, 0, 2);
          const accountId = BigInt(ai + 1);
          const owner = OWNERS[ai]!;
          const account = book.accounts.get(accountId)!;
          const value = valueOf(account.collateral, risk.price);
          const before = touchable(book, nextLock);
          const kind = r();
          try {
            if (kind < 0.45) {
              const asset = intIn(r, 0, 2);
              const a = ASSETS[asset]!;
              // sizes around what the account could still back, so both outcomes occur
              const own = needsOf(book, shadow, accountId, 0);
              const headroom = value > own ? value - own : 0n;
              const target = (headroom * BigInt(intIn(r, 1, 140))) / 100n + 1n;
              const limit = (target * 10n ** BigInt(a.decimals)) / a.price + 1n;
              const lockId = nextLock;
              try {
                openLockup(book, { accountId, owner, lockId, awayChainId: a.awayChainId, settlement: a.address, creditAsset: a.address, creditLimit: limit }, risk, acfg);
              } catch (e) {
                if (e instanceof RiskError && e.code === "InsufficientCollateral") {
                  const R = currentRatioBps(risk, acfg);
                  expect(needsOf(book, shadow, accountId, R) + need(creditValue(asset, limit), R)).toBeGreaterThan(value);
                }
                if (e instanceof RiskError && e.code === "BreakerHard") expect(risk.breaker).toBe("HARD");
                throw e;
              }
              nextLock++;
              shadow.open.get(accountId)!.add(lockId);
              const l = book.lockups.get(lockId)!;
              expect(risk.breaker).not.toBe("HARD");
              expect(l.ratioBps).toBe(currentRatioBps(risk, acfg));
              expect(l.creditValue).toBe(creditValue(asset, limit));
              // support: every open lockup at max(own, current) ratio fits in the collateral's value now
              expect(needsOf(book, shadow, accountId, l.ratioBps)).toBeLessThanOrEqual(value);
              count("open");
            } else if (kind < 0.7) {
              const open = account.openLockIds;
              if (open.length === 0) continue;
              const lockId = open[intIn(r, 0, open.length - 1)]!;
              const freed = book.lockups.get(lockId)!.needValue;
              const needBefore = needsOf(book, shadow, accountId, 0);
              if (r() < 0.8) {
                releaseLockup(book, lockId);
                count("release");
              } else {
                const s = slashLockup(book, lockId, risk, acfg);
                expect(s.slashed + s.shortfall).toBe(cdiv(freed * 10n ** BigInt(acfg.libraDecimals), risk.price));
                count("slash");
              }
              shadow.open.get(accountId)!.delete(lockId);
              expect(needsOf(book, shadow, accountId, 0)).toBe(needBefore - freed);
              // a closed lockup cannot be released or slashed again
              expect(() => releaseLockup(book, lockId)).toThrow(RiskError);
            } else if (kind < 0.9) {
              const amount = (account.collateral * BigInt(intIn(r, 1, 100))) / 100n + 1n;
              try {
                withdrawCollateral(book, { accountId, owner, amount }, risk, acfg);
              } catch (e) {
                if (e instanceof RiskError && e.code === "WithdrawalTooLarge") {
                  expect(amount > account.collateral || valueOf(account.collateral - amount, risk.price) < needsOf(book, shadow, accountId, 0)).toBe(true);
                }
                throw e;
              }
              shadow.net.set(accountId, shadow.net.get(accountId)! - amount);
              expect(needsOf(book, shadow, accountId, 0)).toBeLessThanOrEqual(valueOf(book.accounts.get(accountId)!.collateral, risk.price));
              count("withdraw");
            } else {
              const amount = BigInt(intIn(r, 1, 5_000)) * 1_000_000n;
              depositCollateral(book, { accountId, owner, amount });
              shadow.net.set(accountId, shadow.net.get(accountId)! + amount);
              count("deposit");
            }
          } catch (e) {
            if (!(e instanceof RiskError)) throw e;
            expect(touchable(book, nextLock)).toEqual(before);
            count(e.code);
          }
          checkAccount(book, shadow, accountId);
        }
      }
      for (const k of ["open", "release", "slash", "withdraw", "deposit", "InsufficientCollateral", "WithdrawalTooLarge", "BreakerHard"]) {
        expect(outcomes.get(k) ?? 0, `never saw ${k}`).toBeGreaterThan(0);
      }
    });
  }
});
