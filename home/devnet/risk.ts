// The devnet's use of home/risk: loading the LIBRA price series and the risk config from the
// devnet config (and their part of the data directory's identity), the per-block risk tick with
// its KIND_RISK_STATE leaf, and the translation of the engine's RiskError codes into HomeError
// codes. The rules themselves are home/risk's; this file only wires them to the chain.
import { readFileSync } from "node:fs";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { HomeErrorCode } from "../api/index.ts";
import { HomeError } from "../api/index.ts";
import { HOME_GLOBAL_BINDING, KIND_RISK_STATE, RISK_STATE_ID, bytesToHex, leafKey, leafPayloadDigest } from "../model/index.ts";
import {
  RiskError,
  advanceRisk,
  loadPriceSeries,
  parsePriceSourceArg,
  parseRiskConfigJson,
  priceAt,
  priceSeriesId,
  resolveRiskConfig,
  riskStatePayload,
  type PriceSeries,
  type RiskConfig,
  type RiskErrorCode,
  type RiskEvent,
  type RiskState,
} from "../risk/index.ts";
import type { LeafWrite } from "./auctions-state.ts";
import type { DevnetConfig } from "./config.ts";

/** The price series and risk config a devnet runs with (loaded once, at open). */
export interface RiskSetup {
  series: PriceSeries;
  config: RiskConfig;
}

/** Runs f, turning a RiskError into a one-line RangeError (the CLI prints it) prefixed with `prefix`. */
function asRangeError<T>(prefix: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RiskError) throw new RangeError(`${prefix}${e.message}`);
    throw e;
  }
}

const readText = (path: string) => readFileSync(path, "utf8");

/** Reads --libra-price-source and --risk-config (files included); a bad one is a one-line RangeError naming the flag. */
export function loadRiskSetup(c: DevnetConfig): RiskSetup {
  const series = asRangeError("libra-price-source: ", () => loadPriceSeries(parsePriceSourceArg(c.libraPriceSource), readText));
  // RiskConfig errors already say "risk config: ..."; a file's name goes in front.
  const where = typeof c.riskConfig === "string" ? `${c.riskConfig}: ` : "";
  const config = asRangeError(where, () => {
    if (c.riskConfig === null) return resolveRiskConfig();
    if (typeof c.riskConfig !== "string") return resolveRiskConfig(c.riskConfig);
    let text: string;
    try {
      text = readText(c.riskConfig);
    } catch (e) {
      throw new RiskError("BadConfig", `risk config: cannot read it (${(e as Error).message.split("\n")[0]})`);
    }
    return parseRiskConfigJson(text, c.riskConfig);
  });
  return { series, config };
}

/** A risk config as canonical JSON (bigints as decimal strings, keys in RiskConfig's order). */
function canonicalRiskConfig(cfg: RiskConfig): string {
  return JSON.stringify(cfg, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** The risk setup's part of the data directory's identity: a restart with another series or config is refused. */
export function riskIdentity(s: RiskSetup): Record<string, string> {
  return {
    libraPriceSeries: priceSeriesId(s.series),
    riskConfig: bytesToHex(keccak_256(new TextEncoder().encode(canonicalRiskConfig(s.config)))),
  };
}

/** The KIND_RISK_STATE leaf of a risk state (id 0, awayBinding 0). */
export function riskStateLeaf(risk: RiskState, cfg: RiskConfig): LeafWrite {
  const leaf = { kind: KIND_RISK_STATE, payload: riskStatePayload(risk, cfg) } as const;
  return { ...leaf, id: RISK_STATE_ID, leafKey: leafKey(KIND_RISK_STATE, RISK_STATE_ID), awayBinding: HOME_GLOBAL_BINDING, payloadDigest: leafPayloadDigest(leaf) };
}

/**
 * The risk tick that opens block `height`, before its actions: advances `risk` to tick `height`
 * with the series' price at that tick; returns its events and the risk-state leaf to write.
 */
export function riskTick(risk: RiskState, s: RiskSetup, height: bigint): { events: RiskEvent[]; write: LeafWrite } {
  if (risk.tick + 1n !== height) throw new Error(`risk state is at tick ${risk.tick}, cannot open block ${height}`);
  const events = advanceRisk(risk, s.config, priceAt(s.series, height));
  return { events, write: riskStateLeaf(risk, s.config) };
}

/** The HomeError code of each RiskError code (its HTTP status is server.ts's). */
const HOME_CODE: Readonly<Record<RiskErrorCode, HomeErrorCode>> = {
  BadConfig: "invalid-request",
  BadPriceSeries: "invalid-request",
  BadAmount: "invalid-request",
  BreakerHard: "breaker-hard",
  UnknownAccount: "account-not-found",
  DuplicateAccount: "duplicate-id",
  NotOwner: "not-account-owner",
  UnknownAsset: "unknown-credit-asset",
  UnknownLockup: "lockup-not-found",
  DuplicateLockup: "duplicate-id",
  LockupNotOpen: "lockup-not-locked",
  InsufficientCollateral: "insufficient-collateral",
  WithdrawalTooLarge: "withdrawal-too-large",
};

/** Runs a home/risk rule, turning its refusal (RiskError) into the HomeError the API reports. */
export function underRisk<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RiskError) throw new HomeError(HOME_CODE[e.code], e.message);
    throw e;
  }
}
