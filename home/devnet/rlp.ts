// Minimal RLP (Ethereum Recursive Length Prefix) decoder and encoder, used by the
// Merkle-Patricia proof checker (mpt.ts) to read trie nodes and account records
// returned by an Away chain's `eth_getProof`. Strict: non-canonical encodings throw.

export type RlpItem = Uint8Array | RlpItem[];

export class RlpError extends Error {
  constructor(message: string) {
    super(`RLP: ${message}`);
    this.name = "RlpError";
  }
}

function readLength(bytes: Uint8Array, pos: number, lenOfLen: number): number {
  if (lenOfLen > 6) throw new RlpError("length too large");
  if (pos + lenOfLen > bytes.length) throw new RlpError("truncated length");
  if (bytes[pos] === 0) throw new RlpError("length with leading zero");
  let n = 0;
  for (let i = 0; i < lenOfLen; i++) n = n * 256 + bytes[pos + i]!;
  if (n < 56) throw new RlpError("long form used for a short length");
  return n;
}

/** Decodes one item at `pos`; returns it and the position after it. */
function decodeAt(bytes: Uint8Array, pos: number): { item: RlpItem; next: number } {
  if (pos >= bytes.length) throw new RlpError("unexpected end of input");
  const b = bytes[pos]!;
  if (b < 0x80) return { item: bytes.subarray(pos, pos + 1), next: pos + 1 };
  if (b <= 0xb7) {
    const len = b - 0x80;
    const end = pos + 1 + len;
    if (end > bytes.length) throw new RlpError("truncated string");
    if (len === 1 && bytes[pos + 1]! < 0x80) throw new RlpError("single byte below 0x80 must encode itself");
    return { item: bytes.subarray(pos + 1, end), next: end };
  }
  if (b <= 0xbf) {
    const lenOfLen = b - 0xb7;
    const len = readLength(bytes, pos + 1, lenOfLen);
    const start = pos + 1 + lenOfLen;
    if (start + len > bytes.length) throw new RlpError("truncated long string");
    return { item: bytes.subarray(start, start + len), next: start + len };
  }
  let start: number;
  let len: number;
  if (b <= 0xf7) {
    len = b - 0xc0;
    start = pos + 1;
  } else {
    const lenOfLen = b - 0xf7;
    len = readLength(bytes, pos + 1, lenOfLen);
    start = pos + 1 + lenOfLen;
  }
  const end = start + len;
  if (end > bytes.length) throw new RlpError("truncated list");
  const items: RlpItem[] = [];
  let p = start;
  while (p < end) {
    const r = decodeAt(bytes, p);
    if (r.next > end) throw new RlpError("list item overruns its list");
    items.push(r.item);
    p = r.next;
  }
  return { item: items, next: end };
}

/** Decodes exactly one RLP item spanning all of `bytes`. */
export function rlpDecode(bytes: Uint8Array): RlpItem {
  const { item, next } = decodeAt(bytes, 0);
  if (next !== bytes.length) throw new RlpError(`${bytes.length - next} trailing bytes`);
  return item;
}

function encodeLength(len: number, offset: number): Uint8Array {
  if (len < 56) return Uint8Array.of(offset + len);
  const lenBytes: number[] = [];
  for (let n = len; n > 0; n = Math.floor(n / 256)) lenBytes.unshift(n % 256);
  return Uint8Array.of(offset + 55 + lenBytes.length, ...lenBytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Encodes an item (used by tests to build tries, and to re-encode inline nodes). */
export function rlpEncode(item: RlpItem): Uint8Array {
  if (item instanceof Uint8Array) {
    if (item.length === 1 && item[0]! < 0x80) return item.slice();
    return concat([encodeLength(item.length, 0x80), item]);
  }
  const body = concat(item.map(rlpEncode));
  return concat([encodeLength(body.length, 0xc0), body]);
}

/** Big-endian unsigned integer of an RLP string (no leading zeros allowed). */
export function rlpToBigInt(item: RlpItem): bigint {
  if (!(item instanceof Uint8Array)) throw new RlpError("expected a string, got a list");
  if (item.length > 0 && item[0] === 0) throw new RlpError("integer with leading zero");
  let x = 0n;
  for (const b of item) x = (x << 8n) | BigInt(b);
  return x;
}
