// Values as integrators hand them to verifier-ts: parsed JSON (decimal strings, numbers) or
// typed code (bigints). One rule for every integer the library takes from a caller: a
// bigint, a non-negative safe-integer number, or a decimal string (digits only: no sign,
// no hex, at most 80 digits), in range for its width. Readers return null for anything else
// so callers can word their own one-line error (BundleFormatError, a query failure, ...).

/** An unsigned integer as a JSON user or a TypeScript user has it. */
export type IntegerInput = bigint | number | string;

const DECIMAL = /^[0-9]{1,80}$/;

/** The integer `v` if it is one of IntegerInput's forms and below 2^bits (or below `bound`), else null. */
export function readUint(v: unknown, bits: number, bound?: bigint): bigint | null {
  let x: bigint;
  if (typeof v === "bigint") x = v;
  else if (typeof v === "number" && Number.isSafeInteger(v)) x = BigInt(v);
  else if (typeof v === "string" && DECIMAL.test(v)) x = BigInt(v);
  else return null;
  if (x < 0n || x >> BigInt(bits) !== 0n) return null;
  if (bound !== undefined && x >= bound) return null;
  return x;
}

/** Words for an error message: what was given, short. */
export function describeValue(v: unknown): string {
  if (v === undefined) return "nothing";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/** The bytes as text (a UTF-8 byte order mark dropped), or null if they are not UTF-8 text. */
export function textOf(bytes: Uint8Array): string | null {
  for (const b of bytes) {
    // Control characters other than tab, LF and CR never occur in JSON text; SSZ bundles start with one (the version byte, 2 today).
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return null;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops a leading BOM
  } catch {
    return null;
  }
}
