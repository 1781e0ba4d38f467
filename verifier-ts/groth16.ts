// Groth16 verification on BN254 in pure TypeScript (@noble/curves, no wasm, no network).
// Takes snarkjs-format verification keys, proofs and public signals (decimal strings).
// Everything that depends only on the verification key (parsed points, Miller-loop line
// coefficients of gamma and delta, the Miller-loop value of e(alpha, beta), fixed-base
// tables for the IC points) is computed once per key and reused by every verification.
import { bn254 } from "@noble/curves/bn254.js";
import { isOnG2Curve, isInG2Subgroup } from "./bn254G2.ts";
import { finalExponentiate } from "./finalExp.ts";
import { eq12, mul12, ONE12, type FlatFp12 } from "./fp12.ts";
import { millerLoopFlat } from "./millerLoop.ts";

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

type G1Point = InstanceType<typeof bn254.G1.Point>;
type G2Point = InstanceType<typeof bn254.G2.Point>;
type Precompute = ReturnType<typeof bn254.utils.calcPairingPrecomputes>;

/** A verification key parsed, validated and precomputed for fast repeated verification. */
export interface PreparedVerificationKey {
  readonly kind: "olzk.groth16.prepared";
  readonly nPublic: number;
  /** IC[0..nPublic] as validated G1 points (fixed-base tables attached from the second use on). */
  readonly ic: readonly G1Point[];
  /** Miller-loop value (before final exponentiation) of e(alpha, beta). */
  readonly alphaBetaMiller: FlatFp12;
  readonly gammaPrecomputes: Precompute;
  readonly deltaPrecomputes: Precompute;
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

const { Fp2 } = bn254.fields;
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

/** G1 point from snarkjs [x, y, "1"] (or [x, y]); must be on the curve and not infinity. */
function parseG1(v: unknown, what: string): G1Point {
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 2)) throw new Reject(`${what} must be [x, y, 1]`);
  if (v.length === 3 && v[2] !== "1" && v[2] !== 1n) throw new Reject(`${what} must be affine (z = 1)`);
  const x = parseScalar(v[0], `${what}.x`, BASE_FIELD_MODULUS);
  const y = parseScalar(v[1], `${what}.y`, BASE_FIELD_MODULUS);
  const p = bn254.G1.Point.fromAffine({ x, y });
  try {
    p.assertValidity();
  } catch {
    throw new Reject(`${what} is not a point of G1`);
  }
  return p;
}

/**
 * G2 point from snarkjs [[x0, x1], [y0, y1], ["1", "0"]]; on the twist, in the r-order
 * subgroup (the fast endomorphism test of bn254G2.ts; noble's own check for keys).
 */
function parseG2(v: unknown, what: string, fast = false): G2Point {
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 2)) throw new Reject(`${what} must be [[x0,x1],[y0,y1],[1,0]]`);
  if (v.length === 3) {
    const z = v[2] as unknown;
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
  const p = bn254.G2.Point.fromAffine({ x: coord(v[0], "x"), y: coord(v[1], "y") });
  if (fast) {
    if (!isOnG2Curve(p) || !isInG2Subgroup(p)) throw new Reject(`${what} is not a point of the G2 subgroup`);
    return p;
  }
  try {
    p.assertValidity();
  } catch {
    throw new Reject(`${what} is not a point of the G2 subgroup`);
  }
  return p;
}

// Window for the fixed-base tables of the IC points: 2^(W-1) points per window, 254/W windows.
// Tables cost more than one plain multiplication, so they are built when a key is used a
// second time: a one-shot verification (a browser page) does not pay for them.
const IC_WINDOW = 6;
const tablesBuilt = new WeakSet<PreparedVerificationKey>();
const usedOnce = new WeakSet<PreparedVerificationKey>();

function icTablesOnRepeatUse(key: PreparedVerificationKey): void {
  if (tablesBuilt.has(key)) return;
  if (!usedOnce.has(key)) {
    usedOnce.add(key);
    return;
  }
  for (const p of key.ic) p.precompute(IC_WINDOW, false);
  tablesBuilt.add(key);
}

const prepared = new WeakMap<object, PreparedVerificationKey>();

/**
 * Parse and validate a snarkjs verification key and precompute everything that depends on
 * it alone. Throws VerificationKeyError if the key is malformed. Results are cached per
 * key object, so calling it again with the same object is free.
 */
export function prepareVerificationKey(vk: SnarkjsVerificationKey | PreparedVerificationKey): PreparedVerificationKey {
  if (isPrepared(vk)) return vk;
  const cached = prepared.get(vk);
  if (cached) return cached;
  try {
    if (typeof vk !== "object" || vk === null) throw new Reject("verification key must be an object");
    if (vk.protocol !== "groth16") throw new Reject(`protocol must be groth16, got ${String(vk.protocol)}`);
    if (vk.curve !== "bn128" && vk.curve !== "bn254") throw new Reject(`curve must be bn128, got ${String(vk.curve)}`);
    if (!Number.isSafeInteger(vk.nPublic) || vk.nPublic < 0) throw new Reject("nPublic must be a non-negative integer");
    if (!Array.isArray(vk.IC) || vk.IC.length !== vk.nPublic + 1) throw new Reject("IC must have nPublic + 1 points");
    const ic = vk.IC.map((p, i) => parseG1(p, `IC[${i}]`));
    const alpha = parseG1(vk.vk_alpha_1, "vk_alpha_1");
    const beta = parseG2(vk.vk_beta_2, "vk_beta_2");
    const gamma = parseG2(vk.vk_gamma_2, "vk_gamma_2");
    const delta = parseG2(vk.vk_delta_2, "vk_delta_2");
    const a = alpha.toAffine();
    const alphaBetaMiller = millerLoopFlat([[bn254.utils.calcPairingPrecomputes(beta), a.x, a.y]]);
    const out: PreparedVerificationKey = {
      kind: "olzk.groth16.prepared",
      nPublic: vk.nPublic,
      ic,
      alphaBetaMiller,
      gammaPrecomputes: bn254.utils.calcPairingPrecomputes(gamma),
      deltaPrecomputes: bn254.utils.calcPairingPrecomputes(delta),
    };
    prepared.set(vk, out);
    return out;
  } catch (e) {
    if (e instanceof Reject) throw new VerificationKeyError(`invalid verification key: ${e.message}`);
    throw e;
  }
}

function isPrepared(vk: unknown): vk is PreparedVerificationKey {
  return typeof vk === "object" && vk !== null && (vk as { kind?: unknown }).kind === "olzk.groth16.prepared";
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
    const B = parseG2(proof.pi_b, "pi_b", true);
    const C = parseG1(proof.pi_c, "pi_c");

    icTablesOnRepeatUse(key);
    let vkX = key.ic[0]!;
    for (let i = 0; i < signals.length; i++) {
      const s = signals[i]!;
      if (s !== 0n) vkX = vkX.add(key.ic[i + 1]!.multiplyUnsafe(s));
    }

    const negA = A.negate().toAffine();
    const c = C.toAffine();
    const pairs: [Precompute, bigint, bigint][] = [
      [bn254.utils.calcPairingPrecomputes(B), negA.x, negA.y],
      [key.deltaPrecomputes, c.x, c.y],
    ];
    // vk_x at infinity contributes the identity to the product (only possible for a
    // contrived key); the Miller loop cannot take it, so leave that factor out.
    if (!vkX.is0()) {
      const x = vkX.toAffine();
      pairs.push([key.gammaPrecomputes, x.x, x.y]);
    }
    const miller = mul12(millerLoopFlat(pairs), key.alphaBetaMiller);
    if (!eq12(finalExponentiate(miller), ONE12)) throw new Reject("pairing check failed");
    return { ok: true };
  } catch (e) {
    if (e instanceof Reject) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Verify a Groth16 proof: true iff checkGroth16 accepts it. */
export function verifyGroth16(
  vk: SnarkjsVerificationKey | PreparedVerificationKey,
  publicSignals: PublicSignals,
  proof: SnarkjsProof,
): boolean {
  return checkGroth16(vk, publicSignals, proof).ok;
}
