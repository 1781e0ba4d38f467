// verifier-ts Groth16 against snarkjs on the same valid and tampered proofs (shared vectors),
// plus the input checks snarkjs does not make (strict encodings, lengths, key validation).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkGroth16,
  prepareVerificationKey,
  SCALAR_FIELD_MODULUS,
  verifyGroth16,
  VerificationKeyError,
  type SnarkjsProof,
} from "../../verifier-ts/groth16.ts";
import { groth16Vectors, type Groth16Vector } from "../vectors/groth16-vectors.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

let vectors: Groth16Vector[] = [];

beforeAll(async () => {
  vectors = await groth16Vectors();
});

afterAll(async () => {
  await terminateSnarkjsCurves();
});

describe("groth16 vectors: verifier-ts and snarkjs agree", () => {
  it("has valid and tampered vectors", () => {
    expect(vectors.filter((v) => v.expected).length).toBeGreaterThanOrEqual(2);
    expect(vectors.filter((v) => !v.expected).length).toBeGreaterThanOrEqual(20);
  });

  it("every vector gets the expected verdict from both", async () => {
    const snarkjs = await loadSnarkjs();
    const rows: string[] = [];
    for (const v of vectors) {
      const ours = verifyGroth16(v.vkey, v.publicSignals, v.proof);
      const theirs = await snarkjs.groth16.verify(v.vkey, v.publicSignals, v.proof);
      rows.push(`${v.circuit}/${v.name}: expected=${v.expected} ours=${ours} snarkjs=${theirs}`);
      expect(ours, `${v.circuit}/${v.name} (verifier-ts)`).toBe(v.expected);
      // snarkjs does not check the number of public signals; every other verdict must match.
      if (v.solidityEncodable) expect(theirs, `${v.circuit}/${v.name} (snarkjs)`).toBe(v.expected);
    }
    expect(rows.length).toBe(vectors.length);
  });

  it("gives a precise reason for each rejection", () => {
    const reasons = new Map(vectors.map((v) => [`${v.circuit}/${v.name}`, checkGroth16(v.vkey, v.publicSignals, v.proof)]));
    expect(reasons.get("toy/valid")).toEqual({ ok: true });
    expect(reasons.get("toy/A not on curve (y+1)")).toEqual({ ok: false, reason: "pi_a is not a point of G1" });
    expect(reasons.get("toy/B outside the G2 subgroup")).toEqual({ ok: false, reason: "pi_b is not a point of the G2 subgroup" });
    expect(reasons.get("toy/public signal 0 + r (same residue)")).toEqual({
      ok: false,
      reason: "public signal 0 is not below the field modulus",
    });
    expect(reasons.get("toy/one public signal missing")).toEqual({ ok: false, reason: "expected 3 public signals, got 2" });
    expect(reasons.get("toy/tampered A (2A)")).toEqual({ ok: false, reason: "pairing check failed" });
  });
});

describe("groth16 input checks", () => {
  const valid = () => vectors.find((v) => v.circuit === "toy" && v.name === "valid")!;

  it("accepts bigint signals and a prepared key, reusing the preparation", () => {
    const v = valid();
    const key = prepareVerificationKey(v.vkey);
    expect(prepareVerificationKey(v.vkey)).toBe(key);
    expect(prepareVerificationKey(key)).toBe(key);
    expect(verifyGroth16(key, v.publicSignals.map(BigInt), v.proof)).toBe(true);
  });

  it("rejects non-canonical signal encodings and extra signals", () => {
    const v = valid();
    const bad = (signals: unknown[]) => verifyGroth16(v.vkey, signals as string[], v.proof);
    expect(bad(["0x" + BigInt(v.publicSignals[0]!).toString(16), ...v.publicSignals.slice(1)])).toBe(false);
    expect(bad([` ${v.publicSignals[0]}`, ...v.publicSignals.slice(1)])).toBe(false);
    expect(bad([-1n, ...v.publicSignals.slice(1)])).toBe(false);
    expect(bad([SCALAR_FIELD_MODULUS, ...v.publicSignals.slice(1)])).toBe(false);
    expect(bad([...v.publicSignals, "0"])).toBe(false);
    expect(bad([1, ...v.publicSignals.slice(1)])).toBe(false);
  });

  it("rejects malformed proofs without throwing", () => {
    const v = valid();
    const check = (p: unknown) => checkGroth16(v.vkey, v.publicSignals, p as SnarkjsProof);
    expect(check({ ...v.proof, pi_a: ["1", "2", "2"] })).toEqual({ ok: false, reason: "pi_a must be affine (z = 1)" });
    expect(check({ ...v.proof, pi_a: ["0", "1", "1"] }).ok).toBe(false);
    expect(check({ ...v.proof, pi_c: "x" }).ok).toBe(false);
    expect(check({ ...v.proof, pi_b: [["1", "2"]] }).ok).toBe(false);
    expect(check({ ...v.proof, protocol: "plonk" })).toEqual({ ok: false, reason: "proof protocol is not groth16" });
    expect(check(null)).toEqual({ ok: false, reason: "proof must be an object" });
    // A coordinate with p added is the same residue but not a canonical encoding.
    const p = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
    expect(check({ ...v.proof, pi_a: [(BigInt(v.proof.pi_a[0]!) + p).toString(), v.proof.pi_a[1], "1"] }).ok).toBe(false);
  });

  it("rejects every encoding of the point at infinity at parse time, naming the point", () => {
    const v = valid();
    const check = (p: Partial<SnarkjsProof>) => checkGroth16(v.vkey, v.publicSignals, { ...v.proof, ...p });
    const inf = (what: string) => ({ ok: false, reason: `${what} is the point at infinity` });
    expect(check({ pi_a: ["0", "0", "1"] })).toEqual(inf("pi_a"));
    expect(check({ pi_a: ["0", "0"] })).toEqual(inf("pi_a"));
    expect(check({ pi_a: ["0", "1", "0"] })).toEqual(inf("pi_a"));
    expect(check({ pi_c: ["0", "0", "1"] })).toEqual(inf("pi_c"));
    expect(check({ pi_b: [["0", "0"], ["0", "0"], ["1", "0"]] })).toEqual(inf("pi_b"));
    expect(check({ pi_b: [["0", "0"], ["1", "0"], ["0", "0"]] })).toEqual(inf("pi_b"));
  });

  it("prepares a key once per content: a fresh copy of the JSON reuses it, another key does not", () => {
    const v = valid();
    const key = prepareVerificationKey(v.vkey);
    expect(prepareVerificationKey(JSON.parse(JSON.stringify(v.vkey)))).toBe(key);
    expect(prepareVerificationKey({ ...v.vkey, IC: v.vkey.IC.map((p) => p.map(BigInt)) } as never)).toBe(key);
    const other = vectors.find((x) => x.name === "valid proof, key of another setup")!;
    expect(prepareVerificationKey(other.vkey)).not.toBe(key);
    expect(verifyGroth16(JSON.parse(JSON.stringify(other.vkey)), v.publicSignals, v.proof)).toBe(false);
  });

  it("treats a key JSON that claims to be prepared as the snarkjs key it is", () => {
    const v = valid();
    const claimed = { ...v.vkey, kind: "olzk.groth16.prepared" };
    expect(checkGroth16(claimed, v.publicSignals, v.proof)).toEqual({ ok: true });
    expect(() => prepareVerificationKey({ kind: "olzk.groth16.prepared", nPublic: 3 } as never)).toThrow(VerificationKeyError);
    expect(() => checkGroth16({ kind: "olzk.groth16.prepared" } as never, v.publicSignals, v.proof)).toThrow(/invalid verification key: protocol must be groth16/);
  });

  it("gives the same verdicts before and after the key's fixed-base tables exist", () => {
    // The same key written differently (a leading zero in one coordinate) is new to the content cache.
    const vk = structuredClone(valid().vkey);
    vk.IC = [[`0${vk.IC[0]![0]}`, ...vk.IC[0]!.slice(1)], ...vk.IC.slice(1)];
    const key = prepareVerificationKey(vk);
    expect(key).not.toBe(prepareVerificationKey(valid().vkey));
    const toy = vectors.filter((x) => x.circuit === "toy" && x.vkey === valid().vkey);
    const rounds = [0, 1, 2].map(() => toy.map((x) => verifyGroth16(key, x.publicSignals, x.proof)));
    expect(rounds[1]).toEqual(rounds[0]);
    expect(rounds[2]).toEqual(rounds[0]);
    expect(rounds[0]).toEqual(toy.map((x) => x.expected));
  });

  it("throws VerificationKeyError for a malformed key", () => {
    const v = valid();
    expect(() => prepareVerificationKey({ ...v.vkey, protocol: "plonk" })).toThrow(VerificationKeyError);
    expect(() => prepareVerificationKey({ ...v.vkey, IC: v.vkey.IC.slice(1) })).toThrow(/IC must have nPublic \+ 1/);
    expect(() => prepareVerificationKey({ ...v.vkey, vk_alpha_1: ["1", "3", "1"] })).toThrow(/vk_alpha_1 is not a point of G1/);
  });
});
