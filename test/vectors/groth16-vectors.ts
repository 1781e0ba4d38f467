// Shared Groth16 test vectors: valid proofs and tampered variants with the verdict every
// verifier must give (snarkjs, verifier-ts, and the generated Solidity verifiers).
// A contracts test reuses them: `const vs = await groth16Vectors()`, then for each vector
// with `solidityEncodable` call the verifier with `toSolidityCalldata(v)` and expect
// `v.expected`. Vectors come from a tiny fixture circuit built and cached under build/
// (circom2 + snarkjs setup with the committed test ptau); `tamperedVariants` turns any valid
// (vkey, proof, signals) triple, e.g. a real HeaderQuorum proof, into the same family.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bn254 } from "@noble/curves/bn254.js";
import {
  BASE_FIELD_MODULUS,
  SCALAR_FIELD_MODULUS,
  type SnarkjsProof,
  type SnarkjsVerificationKey,
} from "../../verifier-ts/groth16.ts";
import { fixturePtau } from "../fixtures/fixture-ptau.ts";
import { loadSnarkjs } from "./snarkjs-api.ts";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Groth16Vector {
  /** Circuit the proof belongs to, e.g. "toy". */
  circuit: string;
  /** Variant name, e.g. "valid", "tampered A (2A)". */
  name: string;
  vkey: SnarkjsVerificationKey;
  proof: SnarkjsProof;
  publicSignals: string[];
  /** The verdict every verifier must give. */
  expected: boolean;
  /**
   * False when the variant cannot be expressed as calldata of a fixed-size generated
   * Solidity verifier (wrong number of signals, non-decimal or non-affine encodings).
   */
  solidityEncodable: boolean;
}

export interface ToyCircuit {
  wasm: string;
  zkey: string;
  vkey: SnarkjsVerificationKey;
  /** The key of a second, independent phase-2 contribution: a valid key for the wrong setup. */
  otherVkey: SnarkjsVerificationKey;
}

const TOY_SOURCE = "test/fixtures/verifier-ts/Toy.circom";

/** Write a cache file so that concurrent test workers never read a half-written one. */
export function writeFileAtomic(path: string, content: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** Compile and set up the fixture circuit once (cached under build/verifier-ts by source hash). */
export async function buildToyCircuit(): Promise<ToyCircuit> {
  const src = readFileSync(join(REPO_ROOT, TOY_SOURCE));
  const ptau = await fixturePtau();
  const hash = createHash("sha256").update(src).update(ptau.blake2b).digest("hex").slice(0, 16);
  const dir = join(REPO_ROOT, "build/verifier-ts", `toy-${hash}`);
  const done = join(dir, "vkey.json");
  if (!existsSync(done)) {
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    // circom2 only reads files under its working directory: run it from the repo root.
    execFileSync(
      process.execPath,
      ["node_modules/circom2/cli.js", TOY_SOURCE, "--r1cs", "--wasm", "-l", "node_modules", "-o", tmp.slice(REPO_ROOT.length + 1)],
      { cwd: REPO_ROOT, stdio: "pipe" },
    );
    const snarkjs = await loadSnarkjs();
    await snarkjs.zKey.newZKey(join(tmp, "Toy.r1cs"), ptau.path, join(tmp, "toy_0.zkey"));
    await snarkjs.zKey.beacon(join(tmp, "toy_0.zkey"), join(tmp, "toy.zkey"), "a", "0102030405060708090a", 10);
    await snarkjs.zKey.beacon(join(tmp, "toy_0.zkey"), join(tmp, "other.zkey"), "b", "a0a1a2a3a4a5a6a7a8a9", 10);
    writeFileSync(join(tmp, "other-vkey.json"), JSON.stringify(await snarkjs.zKey.exportVerificationKey(join(tmp, "other.zkey"))));
    writeFileSync(join(tmp, "vkey.json"), JSON.stringify(await snarkjs.zKey.exportVerificationKey(join(tmp, "toy.zkey"))));
    if (existsSync(done)) rmSync(tmp, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
  }
  return {
    wasm: join(dir, "Toy_js", "Toy.wasm"),
    zkey: join(dir, "toy.zkey"),
    vkey: JSON.parse(readFileSync(join(dir, "vkey.json"), "utf8")) as SnarkjsVerificationKey,
    otherVkey: JSON.parse(readFileSync(join(dir, "other-vkey.json"), "utf8")) as SnarkjsVerificationKey,
  };
}

/** A proof of the fixture circuit for the given inputs (cached per input in memory). */
export async function proveToy(toy: ToyCircuit, input: { a: bigint; b: bigint; c: bigint; d: bigint }) {
  const snarkjs = await loadSnarkjs();
  const strInput = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, v.toString()]));
  return snarkjs.groth16.fullProve(strInput, toy.wasm, toy.zkey);
}

type G1 = InstanceType<typeof bn254.G1.Point>;
type G2 = InstanceType<typeof bn254.G2.Point>;

function g1From(p: readonly string[]): G1 {
  return bn254.G1.Point.fromAffine({ x: BigInt(p[0]!), y: BigInt(p[1]!) });
}
function g1To(p: G1): string[] {
  const a = p.toAffine();
  return [a.x.toString(), a.y.toString(), "1"];
}
function g2From(p: readonly (readonly string[])[]): G2 {
  const { Fp2 } = bn254.fields;
  return bn254.G2.Point.fromAffine({
    x: Fp2.fromBigTuple([BigInt(p[0]![0]!), BigInt(p[0]![1]!)]),
    y: Fp2.fromBigTuple([BigInt(p[1]![0]!), BigInt(p[1]![1]!)]),
  });
}
function g2To(p: G2): string[][] {
  const a = p.toAffine();
  return [
    [a.x.c0.toString(), a.x.c1.toString()],
    [a.y.c0.toString(), a.y.c1.toString()],
    ["1", "0"],
  ];
}

/** A point on the G2 twist curve that is not in the r-order subgroup. */
export function g2OutsideSubgroup(): string[][] {
  return g2To(twistPointOutsideSubgroup());
}

/** A point of the G2 twist curve outside the r-order subgroup. */
export function twistPointOutsideSubgroup(): InstanceType<typeof bn254.G2.Point> {
  const { Fp2 } = bn254.fields;
  const b = bn254.G2.Point.CURVE().b;
  for (let k = 1n; ; k++) {
    const x = Fp2.fromBigTuple([k, 0n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
    const p = bn254.G2.Point.fromAffine({ x, y });
    if (!p.isTorsionFree()) return p;
  }
}

/** A point of order 10069 on the twist (10069 divides the G2 cofactor): B + it is outside G2. */
export function g2SmallOrderPoint(): InstanceType<typeof bn254.G2.Point> {
  const h = 2n * BASE_FIELD_MODULUS - SCALAR_FIELD_MODULUS;
  let acc = bn254.G2.Point.ZERO;
  let d = twistPointOutsideSubgroup();
  for (let e = (SCALAR_FIELD_MODULUS * h) / 10069n; e > 0n; e >>= 1n, d = d.double()) if (e & 1n) acc = acc.add(d);
  return acc;
}

/**
 * The standard family of variants of one valid proof: the valid one (expected true) and
 * tampered ones (expected false) that every verifier must reject.
 */
export function tamperedVariants(
  circuit: string,
  vkey: SnarkjsVerificationKey,
  proof: SnarkjsProof,
  publicSignals: string[],
  otherVkey?: SnarkjsVerificationKey,
): Groth16Vector[] {
  const A = g1From(proof.pi_a);
  const B = g2From(proof.pi_b);
  const C = g1From(proof.pi_c);
  const withProof = (patch: Partial<SnarkjsProof>): SnarkjsProof => ({ ...proof, ...patch });
  const withSignal = (i: number, v: string) => publicSignals.map((s, j) => (j === i ? v : s));
  const v = (name: string, p: SnarkjsProof, s: string[], expected = false, solidityEncodable = true, vk = vkey): Groth16Vector => ({
    circuit,
    name,
    vkey: vk,
    proof: p,
    publicSignals: s,
    expected,
    solidityEncodable,
  });
  const last = publicSignals.length - 1;
  const out: Groth16Vector[] = [
    v("valid", proof, publicSignals, true),
    v("tampered A (2A)", withProof({ pi_a: g1To(A.double()) }), publicSignals),
    v("tampered A (-A)", withProof({ pi_a: g1To(A.negate()) }), publicSignals),
    v("A not on curve (y+1)", withProof({ pi_a: [proof.pi_a[0]!, ((BigInt(proof.pi_a[1]!) + 1n) % BASE_FIELD_MODULUS).toString(), "1"] }), publicSignals),
    v("tampered B (2B)", withProof({ pi_b: g2To(B.double()) }), publicSignals),
    v("B outside the G2 subgroup", withProof({ pi_b: g2OutsideSubgroup() }), publicSignals),
    v("B plus a point of order 10069", withProof({ pi_b: g2To(B.add(g2SmallOrderPoint())) }), publicSignals),
    v("A at infinity (0, 0)", withProof({ pi_a: ["0", "0", "1"] }), publicSignals),
    v("tampered C (C + G)", withProof({ pi_c: g1To(C.add(bn254.G1.Point.BASE)) }), publicSignals),
    v("A and C swapped", withProof({ pi_a: proof.pi_c, pi_c: proof.pi_a }), publicSignals),
    v("public signal 0 + 1", proof, withSignal(0, ((BigInt(publicSignals[0]!) + 1n) % SCALAR_FIELD_MODULUS).toString())),
    v(`public signal ${last} + 1`, proof, withSignal(last, ((BigInt(publicSignals[last]!) + 1n) % SCALAR_FIELD_MODULUS).toString())),
    v("public signal 0 + r (same residue)", proof, withSignal(0, (BigInt(publicSignals[0]!) + SCALAR_FIELD_MODULUS).toString())),
    v("one public signal missing", proof, publicSignals.slice(0, last), false, false),
  ];
  if (otherVkey) out.push(v("valid proof, key of another setup", proof, publicSignals, false, true, otherVkey));
  return out;
}

/** All Groth16 vectors: the fixture circuit (two inputs, one with a zero signal). */
export async function groth16Vectors(): Promise<Groth16Vector[]> {
  const toy = await buildToyCircuit();
  const p1 = await proveToy(toy, { a: 3n, b: 11n, c: 5n, d: 7n });
  const p2 = await proveToy(toy, { a: 0n, b: 2n, c: SCALAR_FIELD_MODULUS - 1n, d: 0n });
  return [
    ...tamperedVariants("toy", toy.vkey, p1.proof, p1.publicSignals, toy.otherVkey),
    ...tamperedVariants("toy-zero-signals", toy.vkey, p2.proof, p2.publicSignals),
  ];
}

/** Calldata of a snarkjs-generated Solidity verifier: (pA, pB, pC, pubSignals), G2 with c1 first. */
export function toSolidityCalldata(v: Groth16Vector): [[bigint, bigint], [[bigint, bigint], [bigint, bigint]], [bigint, bigint], bigint[]] {
  const b = v.proof.pi_b;
  return [
    [BigInt(v.proof.pi_a[0]!), BigInt(v.proof.pi_a[1]!)],
    [
      [BigInt(b[0]![1]!), BigInt(b[0]![0]!)],
      [BigInt(b[1]![1]!), BigInt(b[1]![0]!)],
    ],
    [BigInt(v.proof.pi_c[0]!), BigInt(v.proof.pi_c[1]!)],
    v.publicSignals.map((s) => BigInt(s)),
  ];
}
