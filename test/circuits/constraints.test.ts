// The committed constraint snapshot (circuits/constraints.json) matches what the dev and prod
// profiles compile to now, and the compile helper caches by source hash and reports the right count.
import { describe, expect, it } from "vitest";
import { circuitSourceHash, compileCircuit, r1csInfo } from "../../circuits/build.ts";
import { measure, readSnapshot, snapshotTargets } from "../../circuits/constraintsSnapshot.ts";
import { PROFILES } from "../../circuits/profiles.ts";

describe("constraint snapshot", () => {
  it("lists both profiles, both header curves and HeaderQuorum for N = 4..64", () => {
    const keys = Object.keys(readSnapshot().entries);
    const { dev, prod } = PROFILES;
    for (const k of [
      `AggregatedHeaderQuorum-N${dev.N}`,
      `AggregatedHeaderQuorum-N${prod.N}`,
      "AggregatedHeaderQuorum-N16",
      "AggregatedHeaderQuorum-N128",
      `HeaderQuorum-N${dev.N}`,
      `HeaderQuorum-N${prod.N}`,
      `Settlement-D${dev.depth}-K${dev.lockups}`,
      `Settlement-D${prod.depth}-K${prod.lockups}`,
      "HeaderQuorum-N8",
      "HeaderQuorum-N16",
      "HeaderQuorum-N32",
      "EdDSAPoseidonBaseline",
    ]) {
      expect(keys).toContain(k);
    }
    expect(readSnapshot().entries[`AggregatedHeaderQuorum-N${prod.N}`]!.profiles).toEqual(["prod"]);
    expect(readSnapshot().entries[`HeaderQuorum-N${prod.N}`]!.profiles).toEqual([]); // needs 2^19: an operator's build
  });

  it("matches a fresh compile of every entry the dev and prod setups build (update: npx tsx scripts/constraints-snapshot.ts)", async () => {
    const snap = readSnapshot();
    for (const t of snapshotTargets().filter((x) => x.checked)) {
      const e = await measure(t);
      expect({ key: t.key, constraints: e.constraints }).toEqual({ key: t.key, constraints: snap.entries[t.key]?.constraints });
    }
  });

  it("dev and prod circuits fit the 2^16 dev powers of tau; the aggregated curve stays within 300 constraints per slot", () => {
    const snap = readSnapshot();
    const { dev, prod } = PROFILES;
    for (const k of [`AggregatedHeaderQuorum-N${dev.N}`, `HeaderQuorum-N${dev.N}`, `Settlement-D${dev.depth}-K${dev.lockups}`, `AggregatedHeaderQuorum-N${prod.N}`, `Settlement-D${prod.depth}-K${prod.lockups}`]) {
      expect(snap.entries[k]!.constraints, k).toBeLessThan(2 ** 16);
    }
    // DESIGN section 8's budget at the production size and above.
    expect(snap.entries[`AggregatedHeaderQuorum-N${prod.N}`]!.perSlot).toBeLessThanOrEqual(300);
    expect(snap.entries["AggregatedHeaderQuorum-N128"]!.perSlot).toBeLessThanOrEqual(300);
  });
});

describe("compileCircuit", () => {
  it("returns the cached build at once, with the count snarkjs reads from the r1cs", async () => {
    const first = await compileCircuit("HeaderQuorum", { N: PROFILES.dev.N });
    const t0 = performance.now();
    const again = await compileCircuit("HeaderQuorum", { N: PROFILES.dev.N });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(again).toEqual(first);
    expect(again.publicInputs).toEqual(["meta", "stateRoot", "validatorSetRoot", "nextValidatorSetRoot"]);
    const lib = "snarkjs"; // untyped
    const snarkjs = await import(lib);
    const info = await snarkjs.r1cs.info(first.r1csPath);
    expect(info.nConstraints).toBe(first.constraints);
    expect(info.nPubInputs).toBe(4);
    expect(r1csInfo(first.r1csPath)).toMatchObject({ constraints: first.constraints, publicInputs: 4, outputs: 0 });
  });

  it("keys the cache on parameters and optimisation level", () => {
    const a = circuitSourceHash("HeaderQuorum", { N: 4 });
    expect(circuitSourceHash("HeaderQuorum", { N: 4 })).toBe(a);
    expect(circuitSourceHash("HeaderQuorum", { N: 8 })).not.toBe(a);
    expect(circuitSourceHash("HeaderQuorum", { N: 4 }, 1)).not.toBe(a);
    expect(circuitSourceHash("Settlement", { depth: 32, lockups: 2 })).not.toBe(circuitSourceHash("Settlement", { depth: 32, lockups: 3 }));
  });

  it("refuses parameters the circuits do not support", async () => {
    await expect(compileCircuit("HeaderQuorum", { N: 6 })).rejects.toThrow(/power of two/);
    await expect(compileCircuit("Settlement", { depth: 0, lockups: 2 })).rejects.toThrow(/depth/);
  });
});
