// BN254 scalar field helpers and byte/bigint conversions shared by the Home model.
// Everything is plain bigint arithmetic so the module runs unchanged in the browser.

/** BN254 scalar field modulus r (the circuits' native field). */
export const FIELD_MODULUS =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** True when x is a canonical field element, 0 <= x < r. */
export function isFieldElement(x: bigint): boolean {
  return typeof x === "bigint" && x >= 0n && x < FIELD_MODULUS;
}

/** Throws a RangeError unless x is a canonical field element. */
export function assertFieldElement(x: bigint, what: string): void {
  if (!isFieldElement(x)) throw new RangeError(`${what} must be a field element (0 <= x < r), got ${String(x)}`);
}

/** Throws a RangeError unless 0 <= x < 2^bits. */
export function assertUint(x: bigint, bits: number, what: string): void {
  if (typeof x !== "bigint" || x < 0n || x >> BigInt(bits) !== 0n) {
    throw new RangeError(`${what} must be an unsigned ${bits}-bit integer, got ${String(x)}`);
  }
}

/** Non-negative remainder of a modulo m. */
export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** Modular inverse by the extended Euclidean algorithm; throws for a non-invertible a. */
export function modInverse(a: bigint, m: bigint): bigint {
  let oldR = mod(a, m);
  let r = m;
  let oldS = 1n;
  let s = 0n;
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) throw new RangeError("value is not invertible");
  return mod(oldS, m);
}

/** Big-endian bytes to an unsigned bigint. */
export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

/** Little-endian bytes to an unsigned bigint. */
export function bytesToBigIntLE(bytes: Uint8Array): bigint {
  let x = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(bytes[i]!);
  return x;
}

/** Unsigned bigint to exactly `len` big-endian bytes; throws if it does not fit. */
export function bigIntToBytesBE(x: bigint, len: number): Uint8Array {
  const out = bigIntToBytesLE(x, len);
  out.reverse();
  return out;
}

/** Unsigned bigint to exactly `len` little-endian bytes; throws if it does not fit. */
export function bigIntToBytesLE(x: bigint, len: number): Uint8Array {
  if (x < 0n) throw new RangeError("negative value cannot be encoded as bytes");
  const out = new Uint8Array(len);
  let v = x;
  for (let i = 0; i < len; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new RangeError(`value does not fit in ${len} bytes`);
  return out;
}

/** Lower-case 0x-prefixed hex of bytes. */
export function bytesToHex(bytes: Uint8Array): `0x${string}` {
  let s = "0x";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s as `0x${string}`;
}

/** Parses 0x-prefixed hex (even length) into bytes; `len`, when given, is enforced. */
export function hexToBytes(hex: string, len?: number): Uint8Array {
  if (!/^0x([0-9a-fA-F]{2})*$/.test(hex)) throw new RangeError(`invalid hex string: ${hex.slice(0, 80)}`);
  const n = (hex.length - 2) / 2;
  if (len !== undefined && n !== len) throw new RangeError(`expected ${len} bytes of hex, got ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
