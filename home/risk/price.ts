// The LIBRA price series Home values collateral with: a fixed price, a scripted path of
// (tick, price) points, or a file (CSV or JSON) holding such a path. Prices are USD per whole
// LIBRA as bigints scaled by 1e18 (PRICE_SCALE); ticks are the risk engine's ticks (u64).
//
// A path is piecewise linear between its points: at tick t with t_i <= t < t_{i+1},
//   price(t) = p_i + (p_{i+1} - p_i) * (t - t_i) / (t_{i+1} - t_i)   (integer division toward 0,
// so the value never leaves [min(p_i, p_{i+1}), max(p_i, p_{i+1})]); before the first point the
// first price, from the last point on the last price. A jump is two points on adjacent ticks.
// Parsing is pure (text in, series out); reading a file is the caller's (`loadPriceSeries`
// takes a reader), so this module stays browser-safe.

import { keccak_256 } from "@noble/hashes/sha3.js";
import { bytesToHex } from "../model/index.ts";
import { RiskError } from "./errors.ts";
import { formatDecimal, parseDecimal } from "./fixed.ts";

/** Decimals of a price: prices are scaled by 10^18 (the model's PRICE_SCALE). */
export const PRICE_DECIMALS = 18;
/** Prices must stay below 2^128 (USD per LIBRA times 1e18), so every product stays small. */
export const MAX_PRICE = 1n << 128n;
const MAX_TICK = (1n << 64n) - 1n;

export interface PricePoint {
  tick: bigint;
  price: bigint;
}

export type PriceSeries = { kind: "fixed"; price: bigint } | { kind: "path"; points: readonly PricePoint[] };

/** How an operator names a price series: a series, or a file to read one from. */
export type PriceSourceSpec = PriceSeries | { kind: "file"; path: string };

export type PriceFileFormat = "csv" | "json";

const bad = (msg: string) => new RiskError("BadPriceSeries", msg);

/** Parses a positive USD price such as "0.0153" (at most 18 decimals) to its 1e18-scaled value. */
export function parsePrice(text: string, where: string): bigint {
  const p = parseDecimal(text.trim(), PRICE_DECIMALS);
  if (p === null) throw bad(`${where}: price '${text}' is not a decimal number with at most ${PRICE_DECIMALS} decimals`);
  if (p === 0n) throw bad(`${where}: price must be above 0`);
  if (p >= MAX_PRICE) throw bad(`${where}: price '${text}' is too large (at most 2^128 / 1e18 USD per LIBRA)`);
  return p;
}

function parseTick(text: string, where: string): bigint {
  const t = text.trim();
  if (!/^\d+$/.test(t) || BigInt(t) > MAX_TICK) throw bad(`${where}: tick '${text}' is not an integer in 0..2^64-1`);
  return BigInt(t);
}

/** A price as a decimal USD string ("0.5"), for messages. */
export function formatPrice(price: bigint): string {
  return formatDecimal(price, PRICE_DECIMALS);
}

/** Checks a path's points: at least one, ticks strictly increasing, prices in (0, 2^128). */
export function checkPath(points: readonly PricePoint[], where: string): void {
  if (points.length === 0) throw bad(`${where}: a price path needs at least one point`);
  points.forEach((p, i) => {
    if (p.price <= 0n || p.price >= MAX_PRICE) throw bad(`${where}: point ${i + 1} has price ${p.price}, outside (0, 2^128)`);
    if (p.tick < 0n || p.tick > MAX_TICK) throw bad(`${where}: point ${i + 1} has tick ${p.tick}, outside 0..2^64-1`);
    if (i > 0 && p.tick <= points[i - 1]!.tick) throw bad(`${where}: point ${i + 1} has tick ${p.tick}, not after the previous point's tick ${points[i - 1]!.tick}`);
  });
}

/** The LIBRA price at `tick`. */
export function priceAt(series: PriceSeries, tick: bigint): bigint {
  if (series.kind === "fixed") return series.price;
  const pts = series.points;
  if (tick <= pts[0]!.tick) return pts[0]!.price;
  // Binary search for the last point at or before `tick`.
  let lo = 0;
  let hi = pts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pts[mid]!.tick <= tick) lo = mid;
    else hi = mid - 1;
  }
  const a = pts[lo]!;
  const b = pts[lo + 1];
  if (!b || a.tick === tick) return a.price;
  return a.price + ((b.price - a.price) * (tick - a.tick)) / (b.tick - a.tick);
}

/**
 * CSV price file: one `tick,price` point per line, e.g. `120,0.0153`. Blank lines and lines
 * starting with `#` are skipped; a first line `tick,price` is a header.
 */
export function parsePriceCsv(text: string, name: string): PriceSeries {
  const points: PricePoint[] = [];
  const lines = text.split(/\r?\n/);
  let headerAllowed = true;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    const where = `${name} line ${i + 1}`;
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(",").map((f) => f.trim());
    if (headerAllowed && fields.length === 2 && fields[0]!.toLowerCase() === "tick" && fields[1]!.toLowerCase() === "price") {
      headerAllowed = false;
      return;
    }
    headerAllowed = false;
    if (fields.length !== 2) throw bad(`${where}: expected 'tick,price', got ${fields.length} field${fields.length === 1 ? "" : "s"}`);
    points.push({ tick: parseTick(fields[0]!, where), price: parsePrice(fields[1]!, where) });
  });
  checkPath(points, name);
  return { kind: "path", points };
}

/**
 * JSON price file: `{"points": [{"tick": 0, "price": "0.0153"}, ...]}` or the bare array.
 * Prices are decimal strings (JSON numbers would lose digits); ticks are integers or digit strings.
 */
export function parsePriceJson(text: string, name: string): PriceSeries {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(`${name}: not JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const list = Array.isArray(doc) ? doc : typeof doc === "object" && doc !== null && "points" in doc ? (doc as { points: unknown }).points : undefined;
  if (!Array.isArray(list)) throw bad(`${name}: expected an array of {"tick", "price"} points or an object with "points"`);
  const points = list.map((item: unknown, i): PricePoint => {
    const where = `${name} point ${i + 1}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw bad(`${where}: expected an object {"tick": ..., "price": "..."}`);
    const extra = Object.keys(item).filter((k) => k !== "tick" && k !== "price");
    if (extra.length > 0) throw bad(`${where}: unknown field '${extra[0]}'`);
    const { tick, price } = item as { tick?: unknown; price?: unknown };
    if (typeof price !== "string") throw bad(`${where}: price must be a decimal string such as "0.0153" (JSON numbers lose digits)`);
    if (typeof tick === "number" ? !Number.isSafeInteger(tick) : typeof tick !== "string") throw bad(`${where}: tick must be an integer`);
    return { tick: parseTick(String(tick), where), price: parsePrice(price, where) };
  });
  checkPath(points, name);
  return { kind: "path", points };
}

/** The format of a price file by its extension (.csv or .json). */
export function priceFileFormat(path: string): PriceFileFormat {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".json")) return "json";
  throw bad(`price file ${path}: name must end in .csv or .json`);
}

export function parsePriceFile(text: string, path: string, format: PriceFileFormat = priceFileFormat(path)): PriceSeries {
  return format === "csv" ? parsePriceCsv(text, path) : parsePriceJson(text, path);
}

/**
 * A price source as one command-line argument: `0.0153` (fixed), `path:0=0.0153,100=0.012`
 * (scripted path, `tick=price` pairs) or `file:prices.csv` / `file:prices.json`.
 */
export function parsePriceSourceArg(arg: string): PriceSourceSpec {
  if (arg.startsWith("file:")) {
    const path = arg.slice(5);
    if (path === "") throw bad("price source 'file:' needs a path");
    priceFileFormat(path);
    return { kind: "file", path };
  }
  if (arg.startsWith("path:")) {
    const points = arg
      .slice(5)
      .split(",")
      .map((pair, i): PricePoint => {
        const where = `price path point ${i + 1}`;
        const [t, p, ...rest] = pair.split("=");
        if (p === undefined || rest.length > 0) throw bad(`${where}: expected 'tick=price', got '${pair}'`);
        return { tick: parseTick(t!, where), price: parsePrice(p, where) };
      });
    checkPath(points, "price path");
    return { kind: "path", points };
  }
  return { kind: "fixed", price: parsePrice(arg, "price source") };
}

/** Resolves a spec to a series; `readText` reads a file (the devnet passes fs.readFileSync(path, "utf8")). */
export function loadPriceSeries(spec: PriceSourceSpec, readText: (path: string) => string): PriceSeries {
  if (spec.kind === "fixed") {
    if (spec.price <= 0n || spec.price >= MAX_PRICE) throw bad(`fixed price ${spec.price} is outside (0, 2^128)`);
    return spec;
  }
  if (spec.kind === "path") {
    checkPath(spec.points, "price path");
    return spec;
  }
  let text: string;
  try {
    text = readText(spec.path);
  } catch (e) {
    throw bad(`price file ${spec.path}: cannot read it (${(e as Error).message.split("\n")[0]})`);
  }
  return parsePriceFile(text, spec.path);
}

/** A short identity of a series (keccak256 of its canonical text), for a data directory to refuse a different one. */
export function priceSeriesId(series: PriceSeries): `0x${string}` {
  const text = series.kind === "fixed" ? `fixed:${series.price}` : `path:${series.points.map((p) => `${p.tick}=${p.price}`).join(",")}`;
  return bytesToHex(keccak_256(new TextEncoder().encode(text)));
}
