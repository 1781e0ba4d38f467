// Groth16 verification on BN254 in pure TypeScript (bigints and @noble/curves, no wasm).
// Takes snarkjs-format verification keys, proofs and public signals (decimal strings).
// Everything that depends only on the verification key (parsed points, the normalized
// Miller-loop lines of delta and gamma, e(alpha, beta), fixed-base tables for the IC points)
// is computed once per key and reused; prepared keys are cached by the key's content, so a
// key parsed afresh from JSON for every call costs no preparation after the first.
// One check: e(-A, B) e(C, delta) e(vk_x, gamma) == e(alpha, beta)^-1, with one Miller loop
// for the three pairs and one final exponentiation; B's subgroup test reuses the loop's walk.
import { bn254 } from "@noble/curves/bn254.js";
import { fixedBaseTable, linearCombination, TABLE_WINDOW, type AffineG1, type FixedBaseTable } from "./bn254G1.ts";
import { isInG2Subgroup, isInG2SubgroupFromWalk, isOnG2Curve } from "./bn254G2.ts";
import { finalExponentiate } from "./finalExp.ts";
import { conj12, eq12, type FlatFp12 } from "./fp12.ts";
import { fixedPairLines, millerLoop, normalizeG1, type FixedPairLines, type NormalizedG1 } from "./millerLoop.ts";

/** BN254 scalar field modulus r: public signals must be below it. */
export const SCALAR_FIELD_MODULUS =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** BN254 base field modulus p: point coordinates must be below it. */
export const BASE_FIELD_MODULUS =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/** A verification key as written by `snarkjs zkey export verificationkey` (groth16, bn128). */
export interface SnarkjsVerificationKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: readonly string[];
  vk_beta_2: readonly (readonly string[])[];
  vk_gamma_2: readonly (readonly string[])[];
  vk_delta_2: readonly (readonly string[])[];
  IC: readonly (readonly string[])[];
  [extra: string]: unknown;
}

/** A proof as written by `snarkjs groth16 prove` / `fullProve`. */
export interface SnarkjsProof {
  pi_a: readonly string[];
  pi_b: readonly (readonly string[])[];
  pi_c: readonly string[];
  protocol?: string;
  curve?: string;
  [extra: string]: unknown;
}

/** Public signals: decimal strings (as snarkjs writes them) or bigints. */
export type PublicSignals = readonly (string | bigint)[];

/** Result of a verification with the reason of a rejection. */
export type Groth16Result = { ok: true } | { ok: false; reason: string };

type G2Point = InstanceType<typeof bn254.G2.Point>;

/** A verification key parsed, validated and precomputed for fast repeated verification. */
export interface PreparedVerificationKey {
  readonly kind: "olzk.groth16.prepared";
  readonly nPublic: number;
  /** IC[0..nPublic], validated points of G1. */
  readonly ic: readonly AffineG1[];
  /** e(alpha, beta)^-1: the value e(-A, B) e(C, delta) e(vk_x, gamma) must have. */
  readonly target: FlatFp12;
  /** Normalized, paired Miller-loop lines of delta (with C) and gamma (with vk_x). */
  readonly deltaGamma: FixedPairLines;
}

/** Thrown by prepareVerificationKey for a malformed or invalid verification key. */
export class VerificationKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VerificationKeyError";
  }
}

/** Internal: a rejection with a precise reason. */
class Reject extends Error {}

const { Fp, Fp2 } = bn254.fields;
const DECIMAL = /^[0-9]{1,80}$/;

function parseScalar(v: unknown, what: string, modulus: bigint): bigint {
  let x: bigint;
  if (typeof v === "bigint") x = v;
  else if (typeof v === "string" && DECIMAL.test(v)) x = BigInt(v);
  else throw new Reject(`${what} is not a decimal integer string`);
  if (x < 0n || x >= modulus) throw new Reject(`${what} is not below the field modulus`);
  return x;
}

function isArrayOf(v: unknown, len: number): v is readonly unknown[] {
  return Array.isArray(v) && v.length === len;
}

const isZero = (v: unknown) => v === "0" || v === 0n;

/** G1 point from snarkjs [x, y, "1"] (or [x, y]); must be on the curve y^2 = x^3 + 3 and not infinity. */
function parseG1(v: unknown, what: string): AffineG1 {
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 2)) throw new Reject(`${what} must be [x, y, 1]`);
  if (v.length === 3 && isZero(v[2])) throw new Reject(`${what} is the point at infinity`);
  if (v.length === 3 && v[2] !== "1" && v[2] !== 1n) throw new Reject(`${what} must be affine (z = 1)`);
  const x = parseScalar(v[0], `${what}.x`, BASE_FIELD_MODULUS);
  const y = parseScalar(v[1], `${what}.y`, BASE_FIELD_MODULUS);
  // (0, 0) is how affine encodings (and noble's fromAffine) write infinity.
  if (x === 0n && y === 0n) throw new Reject(`${what} is the point at infinity`);
  // G1 has cofactor 1: on the curve means in the group.
  if (Fp.sqr(y) !== Fp.add(Fp.mul(Fp.sqr(x), x), 3n)) throw new Reject(`${what} is not a point of G1`);
  return { x, y };
}

/**
 * G2 point from snarkjs [[x0, x1], [y0, y1], ["1", "0"]], on the twist. A key's points are
 * also tested for the r-order subgroup here; a proof's B is tested from the Miller loop.
 */
function parseG2(v: unknown, what: string, inSubgroup: boolean): G2Point {
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 2)) throw new Reject(`${what} must be [[x0,x1],[y0,y1],[1,0]]`);
  if (v.length === 3) {
    const z = v[2] as unknown;
    if (isArrayOf(z, 2) && isZero(z[0]) && isZero(z[1])) throw new Reject(`${what} is the point at infinity`);
    if (!isArrayOf(z, 2) || !(z[0] === "1" || z[0] === 1n) || !(z[1] === "0" || z[1] === 0n)) {
      throw new Reject(`${what} must be affine (z = [1, 0])`);
    }
  }
  const coord = (c: unknown, name: string) => {
    if (!isArrayOf(c, 2)) throw new Reject(`${what}.${name} must be a pair [c0, c1]`);
    return Fp2.fromBigTuple([
      parseScalar(c[0], `${what}.${name}[0]`, BASE_FIELD_MODULUS),
      parseScalar(c[1], `${what}.${name}[1]`, BASE_FIELD_MODULUS),
    ]);
  };
  const x = coord(v[0], "x");
  const y = coord(v[1], "y");
  if (Fp2.is0(x) && Fp2.is0(y)) throw new Reject(`${what} is the point at infinity`);
  const p = bn254.G2.Point.fromAffine({ x, y });
  if (!isOnG2Curve(p) || (inSubgroup && !isInG2Subgroup(p))) throw new Reject(`${what} is not a point of the G2 subgroup`);
  return p;
}

// Fixed-base tables of the IC points cost more than one plain sum, so they are built when a
// key is used a second time: a one-shot verification (a browser page) does not pay for them.
const icTables = new WeakMap<PreparedVerificationKey, FixedBaseTable[]>();
const usedOnce = new WeakSet<PreparedVerificationKey>();

function icTablesOnRepeatUse(key: PreparedVerificationKey): FixedBaseTable[] | undefined {
  const built = icTables.get(key);
  if (built) return built;
  if (!usedOnce.has(key)) {
    usedOnce.add(key);
    return undefined;
  }
  const tables = key.ic.slice(1).map((p) => fixedBaseTable(p, TABLE_WINDOW));
  icTables.set(key, tables);
  return tables;
}

/** Keys this module prepared: only these skip parsing (a JSON object claiming the kind does not). */
const preparedKeys = new WeakSet<object>();
/** Prepared keys by content (most recently used last), so a key parsed anew per call is prepared once. */
const byContent = new Map<string, PreparedVerificationKey>();
const CONTENT_CACHE_SIZE = 16;

function isPrepared(vk: unknown): vk is PreparedVerificationKey {
  return typeof vk === "object" && vk !== null && preparedKeys.has(vk);
}

/** The fields a verification depends on, as one string (bigints written like decimal strings, which parse the same). */
function contentKey(vk: SnarkjsVerificationKey): string {
  try {
    return JSON.stringify([vk.protocol, vk.curve, vk.nPublic, vk.vk_alpha_1, vk.vk_beta_2, vk.vk_gamma_2, vk.vk_delta_2, vk.IC], (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v,
    );
  } catch {
    throw new Reject("verification key is not JSON data");
  }
}

/**
 * Parse and validate a snarkjs verification key and precompute everything that depends on
 * it alone. Throws VerificationKeyError if the key is malformed. Prepared keys are cached
 * by content, so preparing an equal key again (even a fresh object) is nearly free.
 */
export function prepareVerificationKey(vk: SnarkjsVerificationKey | PreparedVerificationKey): PreparedVerificationKey {
  if (isPrepared(vk)) return vk;
  try {
    if (typeof vk !== "object" || vk === null || Array.isArray(vk)) throw new Reject("verification key must be an object");
    const content = contentKey(vk);
    const cached = byContent.get(content);
    if (cached) {
      byContent.delete(content);
      byContent.set(content, cached);
      return cached;
    }
    const key = parseVerificationKey(vk);
    byContent.set(content, key);
    if (byContent.size > CONTENT_CACHE_SIZE) byContent.delete(byContent.keys().next().value!);
    return key;
  } catch (e) {
    if (e instanceof Reject) throw new VerificationKeyError(`invalid verification key: ${e.message}`);
    throw e;
  }
}

function parseVerificationKey(vk: SnarkjsVerificationKey): PreparedVerificationKey {
  if (vk.protocol !== "groth16") throw new Reject(`protocol must be groth16, got ${String(vk.protocol)}`);
  if (vk.curve !== "bn128" && vk.curve !== "bn254") throw new Reject(`curve must be bn128, got ${String(vk.curve)}`);
  if (!Number.isSafeInteger(vk.nPublic) || vk.nPublic < 0) throw new Reject("nPublic must be a non-negative integer");
  if (!Array.isArray(vk.IC) || vk.IC.length !== vk.nPublic + 1) throw new Reject("IC must have nPublic + 1 points");
  const ic = vk.IC.map((p, i) => parseG1(p, `IC[${i}]`));
  const alpha = parseG1(vk.vk_alpha_1, "vk_alpha_1");
  const beta = parseG2(vk.vk_beta_2, "vk_beta_2", true).toAffine();
  const gamma = parseG2(vk.vk_gamma_2, "vk_gamma_2", true);
  const delta = parseG2(vk.vk_delta_2, "vk_delta_2", true);
  const alphaBeta = millerLoop({ qx: [beta.x.c0, beta.x.c1], qy: [beta.y.c0, beta.y.c1], px: alpha.x, py: alpha.y }, null).f;
  const key: PreparedVerificationKey = {
    kind: "olzk.groth16.prepared",
    nPublic: vk.nPublic,
    ic,
    target: conj12(finalExponentiate(alphaBeta)),
    deltaGamma: fixedPairLines(delta, gamma),
  };
  preparedKeys.add(key);
  return key;
}

/**
 * Verify a Groth16 proof and say why it was rejected. Rejects (never throws for bad
 * proof input): a public signal that is not a decimal integer below r, a wrong number of
 * public signals, a proof point that is malformed, not on the curve, not in the subgroup or
 * the point at infinity, and a failing pairing check
 * e(-A,B) * e(alpha,beta) * e(vk_x,gamma) * e(C,delta) == 1 (one multi-Miller-loop and a
 * single final exponentiation). Throws VerificationKeyError only for a malformed key.
 */
export function checkGroth16(
  vk: SnarkjsVerificationKey | PreparedVerificationKey,
  publicSignals: PublicSignals,
  proof: SnarkjsProof,
): Groth16Result {
  const key = prepareVerificationKey(vk);
  try {
    if (!Array.isArray(publicSignals)) throw new Reject("public signals must be an array");
    if (publicSignals.length !== key.nPublic) {
      throw new Reject(`expected ${key.nPublic} public signals, got ${publicSignals.length}`);
    }
    const signals = publicSignals.map((s, i) => parseScalar(s, `public signal ${i}`, SCALAR_FIELD_MODULUS));
    if (typeof proof !== "object" || proof === null) throw new Reject("proof must be an object");
    if (proof.protocol !== undefined && proof.protocol !== "groth16") throw new Reject("proof protocol is not groth16");
    const A = parseG1(proof.pi_a, "pi_a");
    const B = parseG2(proof.pi_b, "pi_b", false);
    const C = parseG1(proof.pi_c, "pi_c");

    const vkX = linearCombination(key.ic[0]!, key.ic.slice(1), signals, icTablesOnRepeatUse(key));
    const [c, x] = normalizeBoth(C, vkX);
    const b = B.toAffine();
    const { f, walk } = millerLoop(
      { qx: [b.x.c0, b.x.c1], qy: [b.y.c0, b.y.c1], px: A.x, py: A.y === 0n ? 0n : BASE_FIELD_MODULUS - A.y },
      { lines: key.deltaGamma, first: c, second: x },
    );
    if (!walk || !isInG2SubgroupFromWalk(B, walk)) throw new Reject("pi_b is not a point of the G2 subgroup");
    if (!eq12(finalExponentiate(f), key.target)) throw new Reject("pairing check failed");
    return { ok: true };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, reason: e.message };
    throw e;
  }
}

/**
 * C (affine) and vk_x (Jacobian) in the form of the normalized lines, with one inversion:
 * X = x/y, Y = 1/y; for Jacobian (X, Y, Z): x/y = XZ/Y, 1/y = Z^3/Y. vk_x at infinity (a
 * contrived key only) contributes the identity: X = Y = 0 makes its lines 1.
 */
function normalizeBoth(c: AffineG1, v: { X: bigint; Y: bigint; Z: bigint }): [NormalizedG1, NormalizedG1] {
  if (v.Z === 0n) return [normalizeG1(c.x, c.y), { X: 0n, Y: 0n }];
  const inv = Fp.inv(Fp.mul(c.y, v.Y));
  const cY = Fp.mul(inv, v.Y);
  const vInvY = Fp.mul(inv, c.y);
  const z3 = Fp.mul(Fp.sqr(v.Z), v.Z);
  return [
    { X: Fp.mul(c.x, cY), Y: cY },
    { X: Fp.mul(Fp.mul(v.X, v.Z), vInvY), Y: Fp.mul(z3, vInvY) },
  ];
}

/** Verify a Groth16 proof: true iff checkGroth16 accepts it. */
export function verifyGroth16(
  vk: SnarkjsVerificationKey | PreparedVerificationKey,
  publicSignals: PublicSignals,
  proof: SnarkjsProof,
): boolean {
  return checkGroth16(vk, publicSignals, proof).ok;
}
