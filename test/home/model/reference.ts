// Typed access to circomlibjs, the independent reference implementation the Home model
// is cross-checked against (tests only; the model itself never imports it).

export interface RefField {
  e(x: bigint | number | string): Uint8Array;
  toObject(x: Uint8Array): bigint;
}

export interface RefPoseidon {
  (inputs: (bigint | Uint8Array)[]): Uint8Array;
  F: RefField;
}

export interface RefSignature {
  R8: [Uint8Array, Uint8Array];
  S: bigint;
}

export interface RefEddsa {
  F: RefField;
  prv2pub(prv: Uint8Array): [Uint8Array, Uint8Array];
  signPoseidon(prv: Uint8Array, msg: Uint8Array): RefSignature;
  verifyPoseidon(msg: Uint8Array, sig: RefSignature, A: [Uint8Array, Uint8Array]): boolean;
}

interface CircomlibjsModule {
  buildPoseidon(): Promise<RefPoseidon>;
  buildEddsa(): Promise<RefEddsa>;
}

// A non-literal specifier keeps the untyped package out of type resolution.
const specifier: string = "circomlibjs";
let lib: Promise<CircomlibjsModule> | undefined;

function load(): Promise<CircomlibjsModule> {
  lib ??= import(specifier) as Promise<CircomlibjsModule>;
  return lib;
}

let poseidonRef: Promise<RefPoseidon> | undefined;
let eddsaRef: Promise<RefEddsa> | undefined;

export function refPoseidon(): Promise<RefPoseidon> {
  poseidonRef ??= load().then((m) => m.buildPoseidon());
  return poseidonRef;
}

export function refEddsa(): Promise<RefEddsa> {
  eddsaRef ??= load().then((m) => m.buildEddsa());
  return eddsaRef;
}

/** circomlibjs Poseidon as a bigint -> bigint function. */
export async function refPoseidonBig(): Promise<(inputs: bigint[]) => bigint> {
  const p = await refPoseidon();
  return (inputs) => p.F.toObject(p(inputs));
}

/** Deterministic pseudo-random bytes for test vectors (xorshift32; not for keys in production). */
export function testBytes(seed: number, len: number): Uint8Array {
  let x = (seed * 2654435761) >>> 0 || 1;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Deterministic pseudo-random field element below `bound`. */
export function testScalar(seed: number, bound: bigint): bigint {
  let x = 0n;
  for (const b of testBytes(seed, 40)) x = (x << 8n) | BigInt(b);
  return x % bound;
}
