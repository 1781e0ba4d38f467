// Solidity side of the three-way verifier agreement: the generated HeaderQuorum and Settlement
// verifiers (and, for valid/invalid parity, the plain snarkjs verifiers) give every shared Groth16
// vector of their circuit the verdict snarkjs and verifier-ts give (test/vectors). A verifier that
// reverts on malformed input counts as a rejection. Also checks that HomeLightClient refuses the
// "public signal + r" aliases before verifying.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { Address } from "viem";
import { REPO_ROOT } from "../../prover/setup/ptau.ts";
import { allGroth16Vectors, toSolidityCalldata, type Groth16Vector } from "../vectors/index.ts";
import { connectChain, type Chain } from "./fixtures.ts";

interface Target {
  ours: string;
  snarkjs: string;
  vkeyFile: string;
}
const TARGETS: Record<string, Target> = {
  AggregatedHeaderQuorum: { ours: "AggregatedHeaderQuorumVerifier", snarkjs: "SnarkjsAggregatedHeaderQuorumVerifier", vkeyFile: "AggregatedHeaderQuorum.vkey.json" },
  HeaderQuorum: { ours: "HeaderQuorumVerifier", snarkjs: "SnarkjsHeaderQuorumVerifier", vkeyFile: "HeaderQuorum.vkey.json" },
  Settlement: { ours: "SettlementVerifier", snarkjs: "SnarkjsSettlementVerifier", vkeyFile: "Settlement.vkey.json" },
};

let chain: Chain;
let vectors: Groth16Vector[];
const deployed: Record<string, { ours: any; snarkjs: any; vkey: unknown }> = {};

beforeAll(async () => {
  vectors = await allGroth16Vectors();
  chain = await connectChain();
  for (const [circuit, t] of Object.entries(TARGETS)) {
    deployed[circuit] = {
      ours: await chain.viem.deployContract(t.ours as never),
      snarkjs: await chain.viem.deployContract(t.snarkjs as never),
      vkey: JSON.parse(readFileSync(join(REPO_ROOT, "contracts", "generated", t.vkeyFile), "utf8")),
    };
  }
}, 900_000);

/** The deployed verifiers whose key is the vector's key (vectors of another setup are skipped). */
function targetFor(v: Groth16Vector) {
  const base = v.circuit.replace(/-rotated$/, "");
  const d = deployed[base];
  if (!d || !v.solidityEncodable) return undefined;
  const { protocol: _p, curve: _c, ...vk } = v.vkey as unknown as Record<string, unknown>;
  const { protocol: _p2, curve: _c2, ...dk } = d.vkey as Record<string, unknown>;
  return isDeepStrictEqual(vk, dk) ? d : undefined;
}

async function verdict(call: () => Promise<unknown>): Promise<boolean> {
  try {
    return (await call()) === true;
  } catch {
    return false;
  }
}

describe("generated Solidity verifiers agree with snarkjs and verifier-ts", () => {
  it("give every shared header (both circuits) and Settlement vector its expected verdict", async () => {
    let checked = 0;
    const circuits = new Set<string>();
    for (const v of vectors) {
      const d = targetFor(v);
      if (!d) continue;
      const [a, b, c, pub] = toSolidityCalldata(v);
      const flat = [a[0], a[1], b[0][0], b[0][1], b[1][0], b[1][1], c[0], c[1]];
      const ours = await verdict(() => d.ours.read.verifyProof([flat, pub]));
      const plain = await verdict(() => d.snarkjs.read.verifyProof([a, b, c, pub]));
      expect(ours, `ours ${v.circuit}/${v.name}`).toBe(v.expected);
      expect(plain, `snarkjs ${v.circuit}/${v.name}`).toBe(v.expected);
      checked++;
      circuits.add(v.circuit);
    }
    expect([...circuits].sort()).toEqual(["AggregatedHeaderQuorum", "AggregatedHeaderQuorum-rotated", "HeaderQuorum", "HeaderQuorum-rotated", "Settlement"]);
    expect(checked).toBeGreaterThanOrEqual(50);
  });

  it("uses the committed verification keys (vectors come from the same dev setup)", () => {
    const valid = vectors.filter((v) => v.expected && !v.circuit.startsWith("toy"));
    expect(valid.length).toBe(5);
    for (const v of valid) expect(targetFor(v), v.circuit).toBeDefined();
  });
});

describe("HomeLightClient on the shared header vectors", () => {
  it("refuses the aliased public signal (x + r) before verifying, for either kind", async () => {
    const lc = (await chain.viem.deployContract("HomeLightClient" as never, [
      1,
      0n,
      1n,
      deployed.AggregatedHeaderQuorum!.ours.address as Address,
      deployed.HeaderQuorum!.ours.address as Address,
      "0x0000000000000000000000000000000000000000",
      0n,
      chain.wallets[0]!.account!.address,
      1n,
    ] as never)) as any;
    for (const [kind, circuit] of [[0, "AggregatedHeaderQuorum"], [1, "HeaderQuorum"]] as const) {
      const v = vectors.find((x) => x.circuit === circuit && x.name === "public signal 0 + r (same residue)")!;
      const [a, b, c, pub] = toSolidityCalldata(v);
      await expect(lc.write.submitHeader([kind, [a[0], a[1], b[0][0], b[0][1], b[1][0], b[1][1], c[0], c[1]], pub])).rejects.toThrow(/PublicInputNotInField/);
    }
  });
});
