// Wire codecs of the Home API (zod 4): each one decodes a JSON value into the model's type and
// encodes it back, so the server and the client share one definition of every field. Integers
// that may exceed 2^53 are decimal strings on the wire and bigints in TypeScript; requests also
// take them as JSON numbers (safe integers). Addresses are EIP-55 checksummed in both directions
// (any case accepted); 32-byte words and other hex are lowercase.
import * as z from "zod";
import { getAddress, isAddress, type Address, type Hex } from "viem";

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** Message of a schema's own refusal: what the field must be. */
const must = (what: string) => ({ error: `must be ${what}` });

/** An unsigned integer below 2^bits (at least `min`), a decimal string on the wire. */
export function uint(bits: number, min = 0n) {
  const what = `an unsigned integer below 2^${bits}${min > 0n ? ` and at least ${min}` : ""} (decimal string)`;
  return z.codec(z.string(must(what)).regex(DECIMAL, must(what)), z.bigint().min(min, must(what)).max((1n << BigInt(bits)) - 1n, must(what)), {
    decode: (s) => BigInt(s),
    encode: (b) => b.toString(),
  });
}

/** u64 (heights, epochs, ids, times) and u256 (amounts, prices, field elements) as decimal strings. */
export const u64 = uint(64);
export const u256 = uint(256);

/**
 * A request integer below 2^bits (at least `min`): a JSON number (safe integer) or a decimal
 * string; in-process callers may pass a bigint. Encodes as a decimal string.
 */
export function uintIn(bits: number, min = 0n) {
  const what = `an unsigned integer below 2^${bits}${min > 0n ? ` and at least ${min}` : ""} (JSON number or decimal string)`;
  const raw = z.union([z.string().regex(DECIMAL), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.bigint()], must(what));
  return z.codec(raw, z.bigint().min(min, must(what)).max((1n << BigInt(bits)) - 1n, must(what)), {
    decode: (x) => BigInt(x),
    encode: (b) => b.toString(),
  });
}

/** A small request integer (mode, basis points) of at most `max`: a JSON number or a decimal string. */
export function smallIntIn(max: number) {
  const what = `an integer from 0 to ${max} (JSON number or decimal string)`;
  const raw = z.union([z.string().regex(DECIMAL), z.number().int().nonnegative()], must(what));
  return z.codec(raw, z.number().int().min(0).max(max, must(what)), { decode: (x) => Number(x), encode: (n) => n });
}

/** A small query integer (a duration in ms) from 0 to `max`: a decimal string, a number once decoded. */
export function smallUintParam(max: number) {
  const what = `an integer from 0 to ${max} (decimal)`;
  return z.codec(z.string(must(what)).regex(DECIMAL, must(what)), z.number().int().min(0).max(max, must(what)), { decode: (s) => Number(s), encode: (n) => String(n) });
}

/** A small reply integer (chain id, kind, mode, status, outcome, bps, counts): a JSON number. */
export const count = z.number().int().nonnegative();

/** A 20-byte address, EIP-55 checksummed once decoded and on the wire. */
export const address = z.codec(
  z.string(must("a 0x-prefixed 20-byte address")).refine((s) => isAddress(s, { strict: false }), must("a 0x-prefixed 20-byte address")),
  z.custom<Address>((v) => typeof v === "string" && isAddress(v, { strict: false })),
  { decode: (s) => getAddress(s), encode: (a) => getAddress(a) },
);

/** A 32-byte word (Home accounts, commitments, salts): 0x and 64 hex digits, lowercase. */
export const bytes32 = z.codec(
  z.string(must("0x followed by 64 hex digits")).regex(/^0x[0-9a-fA-F]{64}$/, must("0x followed by 64 hex digits")),
  z.custom<Hex>((v) => typeof v === "string" && /^0x[0-9a-f]{64}$/.test(v)),
  { decode: (s) => s.toLowerCase() as Hex, encode: (h) => h },
);

/** Any byte string: 0x and an even number of hex digits, lowercase. */
export const hexBytes = z.codec(
  z.string(must("0x-prefixed hex")).regex(/^0x([0-9a-fA-F]{2})*$/, must("0x-prefixed hex")),
  z.custom<Hex>((v) => typeof v === "string" && /^0x([0-9a-f]{2})*$/.test(v)),
  { decode: (s) => s.toLowerCase() as Hex, encode: (h) => h },
);

/**
 * A value whose JSON form the Home model defines (header, validator set, signed header): the
 * model's `fromJSON` decodes and checks it, its `toJSON` encodes it. The model stays the one
 * definition of these forms; a refusal of `fromJSON` is a schema issue naming `what`.
 */
export function modelJSON<T, J>(what: string, fromJSON: (json: unknown) => T, toJSON: (value: T) => J) {
  return z.codec(z.custom<J>((v) => typeof v === "object" && v !== null && !Array.isArray(v), must(`a ${what} object`)), z.custom<T>(), {
    decode: (json, ctx) => {
      try {
        return fromJSON(json);
      } catch (e) {
        ctx.issues.push({ code: "custom", message: `is not a valid ${what}: ${(e as Error).message}`, input: json });
        return z.NEVER;
      }
    },
    encode: (value) => toJSON(value),
  });
}
