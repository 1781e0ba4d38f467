// Plain JSON of in-process values: bigints as decimal strings, bytes as 0x hex. The chain stores
// action bodies in this form (an in-process caller may pass bigints) and decodes them with the
// action's schema, live and on replay alike.

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
