// The risk engine's parameters: one typed object with defaults and validation (one-line
// RiskError "BadConfig" naming the field). Volatilities are per-tick standard deviations of
// simple returns in basis points (100 = 1% per tick); ratios are basis points of the credit
// value (13000 = 130%). README.md explains every number.

import { assertUint, hexToBytes, type Address } from "../model/index.ts";
import { RiskError } from "./errors.ts";
import { parseDecimal } from "./fixed.ts";
import { MAX_PRICE, PRICE_DECIMALS } from "./price.ts";

/** A credit asset on an Away chain and what one whole token is worth. */
export interface AssetConfig {
  awayChainId: bigint;
  address: Address;
  /** For messages only. */
  symbol: string;
  decimals: number;
  /** USD per whole token, times 1e18. */
  price: bigint;
}

export interface RatioConfig {
  /** Calm markets only (NORMAL and volatility below tiers.aggressiveBelowVolBps). */
  aggressiveBps: number;
  standardBps: number;
  /** NORMAL with volatility at or above tiers.conservativeFromVolBps. */
  conservativeBps: number;
  /** SOFT and RECOVERY (and what HARD shows): the raised ratio. */
  softBps: number;
}

export interface TierConfig {
  aggressiveBelowVolBps: number;
  conservativeFromVolBps: number;
}

export interface BreakerConfig {
  /** NORMAL -> SOFT at or above. */
  softEnterVolBps: number;
  /** SOFT -> NORMAL below; also what counts as a calm tick in RECOVERY. */
  softExitVolBps: number;
  /** SOFT or RECOVERY -> HARD at or above. */
  hardEnterVolBps: number;
  /** HARD -> RECOVERY below. */
  hardExitVolBps: number;
  /** RECOVERY -> NORMAL after this many consecutive calm ticks spent in RECOVERY. */
  recoveryCalmTicks: number;
}

export interface RiskConfig {
  /** EWMA decay per tick, parts per million (940000: lambda = 0.94). */
  lambdaPpm: number;
  /** The volatility assumed at genesis, before any return is seen (per-tick bps). */
  initialVolBps: number;
  ratios: RatioConfig;
  tiers: TierConfig;
  breaker: BreakerConfig;
  /** Decimals of LIBRA: collateral amounts are in units of 10^-libraDecimals LIBRA. */
  libraDecimals: number;
  /** Credit assets lockups may give credit in, each with a fixed USD price. */
  assets: readonly AssetConfig[];
}

export interface RiskConfigInput {
  lambdaPpm?: number;
  initialVolBps?: number;
  ratios?: Partial<RatioConfig>;
  tiers?: Partial<TierConfig>;
  breaker?: Partial<BreakerConfig>;
  libraDecimals?: number;
  assets?: readonly AssetConfig[];
}

export const DEFAULT_RISK_CONFIG: RiskConfig = Object.freeze({
  lambdaPpm: 940_000,
  initialVolBps: 30,
  ratios: Object.freeze({ aggressiveBps: 12_000, standardBps: 13_000, conservativeBps: 15_000, softBps: 17_500 }),
  tiers: Object.freeze({ aggressiveBelowVolBps: 20, conservativeFromVolBps: 60 }),
  breaker: Object.freeze({ softEnterVolBps: 100, softExitVolBps: 70, hardEnterVolBps: 300, hardExitVolBps: 200, recoveryCalmTicks: 10 }),
  libraDecimals: 6,
  assets: Object.freeze([]),
});

const bad = (msg: string) => new RiskError("BadConfig", `risk config: ${msg}`);

function int(value: number, field: string, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) throw bad(`${field} must be an integer in ${min}..${max}, got ${value}`);
}

function below(a: number, aField: string, b: number, bField: string, orEqual = false): void {
  if (orEqual ? a > b : a >= b) throw bad(`${aField} (${a}) must be ${orEqual ? "at most" : "below"} ${bField} (${b})`);
}

/** The key of a credit asset: Away chain id and lower-case address. */
export function assetKey(awayChainId: bigint, address: Address): string {
  return `${awayChainId}:${address.toLowerCase()}`;
}

function checkAsset(a: AssetConfig, i: number): void {
  const f = `assets[${i}]`;
  try {
    assertUint(a.awayChainId, 64, `${f}.awayChainId`);
    hexToBytes(a.address, 20);
  } catch (e) {
    throw bad(`${f}: ${(e as Error).message}`);
  }
  int(a.decimals, `${f}.decimals`, 0, 36);
  if (a.price <= 0n || a.price >= MAX_PRICE) throw bad(`${f}.price must be above 0 and below 2^128, got ${a.price}`);
}

/** Throws a one-line RiskError("BadConfig") for the first field out of range or order. */
export function validateRiskConfig(c: RiskConfig): void {
  const VOL_MAX = 1_000_000;
  const RATIO_MAX = 1_000_000;
  int(c.lambdaPpm, "lambdaPpm", 1, 999_999);
  int(c.initialVolBps, "initialVolBps", 0, VOL_MAX);
  for (const k of ["aggressiveBps", "standardBps", "conservativeBps", "softBps"] as const) int(c.ratios[k], `ratios.${k}`, 10_000, RATIO_MAX);
  for (const k of ["aggressiveBelowVolBps", "conservativeFromVolBps"] as const) int(c.tiers[k], `tiers.${k}`, 1, VOL_MAX);
  for (const k of ["softEnterVolBps", "softExitVolBps", "hardEnterVolBps", "hardExitVolBps"] as const) int(c.breaker[k], `breaker.${k}`, 1, VOL_MAX);
  int(c.breaker.recoveryCalmTicks, "breaker.recoveryCalmTicks", 1, 1_000_000);
  int(c.libraDecimals, "libraDecimals", 0, 36);
  const { ratios: r, tiers: t, breaker: b } = c;
  below(r.aggressiveBps, "ratios.aggressiveBps", r.standardBps, "ratios.standardBps");
  below(r.standardBps, "ratios.standardBps", r.conservativeBps, "ratios.conservativeBps");
  below(r.conservativeBps, "ratios.conservativeBps", r.softBps, "ratios.softBps", true);
  below(t.aggressiveBelowVolBps, "tiers.aggressiveBelowVolBps", t.conservativeFromVolBps, "tiers.conservativeFromVolBps", true);
  below(t.conservativeFromVolBps, "tiers.conservativeFromVolBps", b.softEnterVolBps, "breaker.softEnterVolBps", true);
  below(b.softExitVolBps, "breaker.softExitVolBps", b.softEnterVolBps, "breaker.softEnterVolBps");
  below(b.softEnterVolBps, "breaker.softEnterVolBps", b.hardEnterVolBps, "breaker.hardEnterVolBps");
  below(b.hardExitVolBps, "breaker.hardExitVolBps", b.hardEnterVolBps, "breaker.hardEnterVolBps");
  below(c.initialVolBps, "initialVolBps", b.softEnterVolBps, "breaker.softEnterVolBps");
  const seen = new Set<string>();
  c.assets.forEach((a, i) => {
    checkAsset(a, i);
    const key = assetKey(a.awayChainId, a.address);
    if (seen.has(key)) throw bad(`assets[${i}]: asset ${a.address} on chain ${a.awayChainId} is listed twice`);
    seen.add(key);
  });
}

/** The defaults with `input` laid over them, validated. */
export function resolveRiskConfig(input: RiskConfigInput = {}): RiskConfig {
  const d = DEFAULT_RISK_CONFIG;
  const c: RiskConfig = {
    lambdaPpm: input.lambdaPpm ?? d.lambdaPpm,
    initialVolBps: input.initialVolBps ?? d.initialVolBps,
    ratios: { ...d.ratios, ...input.ratios },
    tiers: { ...d.tiers, ...input.tiers },
    breaker: { ...d.breaker, ...input.breaker },
    libraDecimals: input.libraDecimals ?? d.libraDecimals,
    assets: [...(input.assets ?? d.assets)],
  };
  validateRiskConfig(c);
  return c;
}

function objectAt(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad(`${field} must be an object`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], field: string): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw bad(`unknown field ${field ? field + "." : ""}${extra}`);
}

function numberAt(o: Record<string, unknown>, k: string, field: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== "number") throw bad(`${field}${k} must be a number`);
  return v;
}

function section<K extends string>(doc: Record<string, unknown>, name: string, keys: readonly K[]): Partial<Record<K, number>> | undefined {
  if (doc[name] === undefined) return undefined;
  const o = objectAt(doc[name], name);
  onlyKeys(o, keys, name);
  const out: Partial<Record<K, number>> = {};
  for (const k of keys) {
    const v = numberAt(o, k, `${name}.`);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function assetFromJson(v: unknown, i: number): AssetConfig {
  const f = `assets[${i}]`;
  const o = objectAt(v, f);
  onlyKeys(o, ["awayChainId", "address", "symbol", "decimals", "price"], f);
  const chain = o.awayChainId;
  if (!(typeof chain === "number" && Number.isSafeInteger(chain) && chain >= 0) && !(typeof chain === "string" && /^\d+$/.test(chain))) {
    throw bad(`${f}.awayChainId must be a non-negative integer`);
  }
  if (typeof o.address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(o.address)) throw bad(`${f}.address must be a 20-byte 0x address`);
  if (o.symbol !== undefined && typeof o.symbol !== "string") throw bad(`${f}.symbol must be a string`);
  if (typeof o.decimals !== "number") throw bad(`${f}.decimals must be a number`);
  const price = typeof o.price === "string" ? parseDecimal(o.price, PRICE_DECIMALS) : null;
  if (price === null) throw bad(`${f}.price must be a decimal string of USD per token such as "1" or "3150.25"`);
  return { awayChainId: BigInt(chain), address: o.address as Address, symbol: (o.symbol as string | undefined) ?? o.address, decimals: o.decimals, price };
}

/** Reads a risk config from JSON (fields as in RiskConfig; asset prices as decimal USD strings), over the defaults. */
export function parseRiskConfigJson(text: string, name = "risk config"): RiskConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw bad(`${name} is not JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const doc = objectAt(parsed, name);
  onlyKeys(doc, ["lambdaPpm", "initialVolBps", "ratios", "tiers", "breaker", "libraDecimals", "assets"], "");
  if (doc.assets !== undefined && !Array.isArray(doc.assets)) throw bad("assets must be an array");
  return resolveRiskConfig({
    lambdaPpm: numberAt(doc, "lambdaPpm", ""),
    initialVolBps: numberAt(doc, "initialVolBps", ""),
    ratios: section(doc, "ratios", ["aggressiveBps", "standardBps", "conservativeBps", "softBps"] as const),
    tiers: section(doc, "tiers", ["aggressiveBelowVolBps", "conservativeFromVolBps"] as const),
    breaker: section(doc, "breaker", ["softEnterVolBps", "softExitVolBps", "hardEnterVolBps", "hardExitVolBps", "recoveryCalmTicks"] as const),
    libraDecimals: numberAt(doc, "libraDecimals", ""),
    assets: (doc.assets as unknown[] | undefined)?.map(assetFromJson),
  });
}
