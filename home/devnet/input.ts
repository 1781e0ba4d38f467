// Parsing of JSON request fields into typed values, with errors (HTTP 400) that name
// the field and say what was expected. Integers may be JSON numbers (safe integers) or
// decimal strings; addresses are 0x + 40 hex; bytes32 is 0x + 64 hex.
import { getAddress, isAddress, type Hex } from "viem";
import { badRequest } from "./errors.ts";

export type Body = Record<string, unknown>;

/** JSON text with bigint -> decimal string and Uint8Array -> 0x hex. */
export function toJSON(x: unknown): string {
  return JSON.stringify(x, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return "0x" + Buffer.from(v).toString("hex");
    return v;
  });
}

/** A plain-JSON copy of a request body (in-process callers may pass bigints). */
export function plainJSON(x: unknown): unknown {
  return x === undefined ? undefined : JSON.parse(toJSON(x));
}

export function asObject(x: unknown, what = "request body"): Body {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw badRequest(`${what} must be a JSON object`);
  return x as Body;
}

/** Unsigned integer below 2^bits. */
export function uint(body: Body, field: string, bits: number, opts: { optional?: boolean; fallback?: bigint; min?: bigint } = {}): bigint {
  const raw = body[field];
  if (raw === undefined || raw === null) {
    if (opts.fallback !== undefined) return opts.fallback;
    throw badRequest(`missing field '${field}' (unsigned ${bits}-bit integer)`);
  }
  let v: bigint;
  if (typeof raw === "number" && Number.isSafeInteger(raw) && raw >= 0) v = BigInt(raw);
  else if (typeof raw === "string" && /^(0|[1-9][0-9]*)$/.test(raw)) v = BigInt(raw);
  else throw badRequest(`field '${field}' must be an unsigned integer (JSON number or decimal string), got ${JSON.stringify(raw)}`);
  if (v >> BigInt(bits) !== 0n) throw badRequest(`field '${field}' must be below 2^${bits}, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw badRequest(`field '${field}' must be at least ${opts.min}, got ${v}`);
  return v;
}

export function smallInt(body: Body, field: string, bits: number, fallback?: number): number {
  return Number(uint(body, field, bits, fallback === undefined ? {} : { fallback: BigInt(fallback) }));
}

export function address(body: Body, field: string): Hex {
  const raw = body[field];
  if (raw === undefined) throw badRequest(`missing field '${field}' (0x-prefixed 20-byte address)`);
  if (typeof raw !== "string" || !isAddress(raw, { strict: false })) {
    throw badRequest(`field '${field}' must be a 0x-prefixed 20-byte address, got ${JSON.stringify(raw)}`);
  }
  return getAddress(raw);
}

export function bytes32(body: Body, field: string): Hex {
  const raw = body[field];
  if (raw === undefined) throw badRequest(`missing field '${field}' (0x-prefixed 32-byte hex)`);
  if (typeof raw !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(raw)) {
    throw badRequest(`field '${field}' must be 0x followed by 64 hex digits, got ${JSON.stringify(raw)}`);
  }
  return raw.toLowerCase() as Hex;
}

/** Rejects fields the action does not know (catches typos such as 'amout'). */
export function onlyFields(body: Body, allowed: readonly string[], action: string): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw badRequest(`unknown field '${k}' for ${action} (allowed: ${allowed.join(", ")})`);
  }
}
