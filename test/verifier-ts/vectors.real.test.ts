// verifier-ts and snarkjs agree on every shared vector, including the real header proofs of both
// circuits (AggregatedHeaderQuorum, HeaderQuorum), the Settlement proof and their tampered
// variants (the same list a Solidity test can reuse).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyGroth16 } from "../../verifier-ts/groth16.ts";
import { allGroth16Vectors, toSolidityCalldata, type Groth16Vector } from "../vectors/index.ts";
import { loadSnarkjs, terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

let vectors: Groth16Vector[] = [];

beforeAll(async () => {
  vectors = await allGroth16Vectors();
});

afterAll(async () => {
  await terminateSnarkjsCurves();
});

describe("all shared Groth16 vectors", () => {
  it("covers the fixture, both header circuits and Settlement with valid and tampered proofs", () => {
    const circuits = new Set(vectors.map((v) => v.circuit));
    expect([...circuits].sort()).toEqual([
      "AggregatedHeaderQuorum",
      "AggregatedHeaderQuorum-rotated",
      "HeaderQuorum",
      "HeaderQuorum-rotated",
      "Settlement",
      "toy",
      "toy-zero-signals",
    ]);
    for (const c of circuits) {
      expect(vectors.filter((v) => v.circuit === c && v.expected).length, c).toBe(1);
      expect(vectors.filter((v) => v.circuit === c && !v.expected).length, c).toBeGreaterThanOrEqual(10);
    }
  });

  it("verifier-ts and snarkjs give every vector its expected verdict", async () => {
    const snarkjs = await loadSnarkjs();
    for (const v of vectors) {
      expect(verifyGroth16(v.vkey, v.publicSignals, v.proof), `${v.circuit}/${v.name}`).toBe(v.expected);
      if (v.solidityEncodable) expect(await snarkjs.groth16.verify(v.vkey, v.publicSignals, v.proof), `${v.circuit}/${v.name} snarkjs`).toBe(v.expected);
    }
  });

  it("encodes Solidity calldata with G2 imaginary parts first", () => {
    const v = vectors.find((x) => x.circuit === "Settlement" && x.expected)!;
    const [a, b, c, pub] = toSolidityCalldata(v);
    expect(a).toEqual([BigInt(v.proof.pi_a[0]!), BigInt(v.proof.pi_a[1]!)]);
    expect(b[0]).toEqual([BigInt(v.proof.pi_b[0]![1]!), BigInt(v.proof.pi_b[0]![0]!)]);
    expect(c[1]).toBe(BigInt(v.proof.pi_c[1]!));
    expect(pub.length).toBe(v.vkey.nPublic);
  });
});
