// Poseidon: the model's implementation against circomlibjs for every supported width,
// its generated constants against circomlib's table, and input validation.

import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { FIELD_MODULUS } from "../../../home/model/field.ts";
import { poseidon, poseidonReference } from "../../../home/model/poseidon.ts";
import { N_ROUNDS_P, poseidonParams } from "../../../home/model/poseidon-constants.ts";
import { refPoseidonBig, testScalar } from "./reference.ts";

describe("poseidon", () => {
  it("matches circomlibjs for 1..16 inputs", async () => {
    const ref = await refPoseidonBig();
    for (let n = 1; n <= 16; n++) {
      const vectors: bigint[][] = [
        Array.from({ length: n }, (_, i) => BigInt(i)),
        Array.from({ length: n }, () => FIELD_MODULUS - 1n),
        Array.from({ length: n }, (_, i) => testScalar(n * 100 + i, FIELD_MODULUS)),
      ];
      for (const v of vectors) expect(poseidon(v), `n=${n}`).toBe(ref(v));
    }
  });

  it("generates exactly circomlib's round constants and MDS matrices", async () => {
    const file = new URL("../../../node_modules/circomlibjs/src/poseidon_constants.json", import.meta.url);
    const table = { default: JSON.parse(await readFile(file, "utf8")) as { C: string[][]; M: string[][][] } };
    for (let t = 2; t <= 17; t++) {
      const p = poseidonParams(t);
      expect(p.nRoundsP).toBe(N_ROUNDS_P[t - 2]);
      expect(p.C.map((c) => "0x" + c.toString(16).padStart(64, "0"))).toEqual(table.default.C[t - 2]);
      expect(p.M.map((row) => row.map((m) => BigInt(m)))).toEqual(table.default.M[t - 2]!.map((row) => row.map((m) => BigInt(m))));
    }
  });

  it("optimized evaluation equals the round-by-round one", () => {
    for (let n = 1; n <= 16; n++) {
      const v = Array.from({ length: n }, (_, i) => testScalar(n * 1000 + i, FIELD_MODULUS));
      expect(poseidon(v), `n=${n}`).toBe(poseidonReference(v));
    }
  });

  it("changes with any input and with input order", () => {
    const a = poseidon([1n, 2n]);
    expect(poseidon([2n, 1n])).not.toBe(a);
    expect(poseidon([1n, 3n])).not.toBe(a);
    expect(poseidon([1n, 2n, 0n])).not.toBe(a);
  });

  it("rejects non-field inputs and unsupported arities", () => {
    expect(() => poseidon([])).toThrow(RangeError);
    expect(() => poseidon(Array.from({ length: 17 }, () => 1n))).toThrow(RangeError);
    expect(() => poseidon([FIELD_MODULUS])).toThrow(/field element/);
    expect(() => poseidon([-1n])).toThrow(/field element/);
  });
});
