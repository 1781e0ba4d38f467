// Real dev-profile proofs: they verify with snarkjs and the exported vkey, a tampered or
// non-canonical (>= r) public signal fails, and the proof cache never proves the same input twice.
// proveHeader proves the aggregated circuit from the header's aggregate signature and falls back
// to the per-validator circuit where the profile has it and the header has no aggregate.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KIND_AUCTION_RESULT, KIND_LOCKUP, SparseMerkleTree, leafKey } from "../../home/model/index.ts";
import { headerQuorumPublicSignals } from "../../prover/inputs/headerQuorum.ts";
import { proveHeader, proveHeaderQuorum, proveSettlement, proverStats, verifyWithSnarkjs, type ProofResult } from "../../prover/prover.ts";
import { ensureArtifacts, loadArtifacts } from "../../prover/setup/pipeline.ts";
import { loadSnarkjs } from "../../prover/setup/ptau.ts";
import { FIELD_R, proofToCalldata } from "../../prover/setup/solidity-verifier.ts";
import { aggregatedHeader, signedHeader, validatorSet } from "../circuits/fixtures.ts";

let cacheDir: string;
let header: ProofResult;
const sh = signedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [1, 2, 3], { height: 77n, stateRoot: 555n });

beforeAll(async () => {
  await ensureArtifacts("dev", { log: () => {} });
  cacheDir = await mkdtemp(join(tmpdir(), "olzk-proofs-"));
  header = await proveHeaderQuorum(sh, { cacheDir });
}, 900_000);

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe("HeaderQuorum proofs", () => {
  it("verify with snarkjs and the exported vkey, with the header's public signals", async () => {
    expect(header.cached).toBe(false);
    expect(header.publicSignals).toEqual(headerQuorumPublicSignals(sh));
    expect(await verifyWithSnarkjs("headerQuorum", header.proof, header.publicSignals)).toBe(true);
    const art = await loadArtifacts("HeaderQuorum");
    const vk = JSON.parse(await readFile(art.vkeyPath, "utf8"));
    const snarkjs = await loadSnarkjs();
    expect(await snarkjs.groth16.verify(vk, header.publicSignals, header.proof)).toBe(true);
    expect(header.calldata.proof).toEqual(proofToCalldata(header.proof));
    expect(header.calldata.proof).toHaveLength(8);
    expect(header.calldata.pubSignals).toEqual(header.publicSignals.map(BigInt));
  });

  it("verifies with the committed vkey when no build artifacts exist (dev)", async () => {
    const buildDir = join(cacheDir, "no-artifacts");
    expect(await verifyWithSnarkjs("headerQuorum", header.proof, header.publicSignals, { buildDir })).toBe(true);
    const pub = [...header.publicSignals];
    pub[0] = (BigInt(pub[0]!) ^ 1n).toString();
    expect(await verifyWithSnarkjs("headerQuorum", header.proof, pub, { buildDir })).toBe(false);
  });

  it("a tampered public signal fails", async () => {
    for (let i = 0; i < 4; i++) {
      const pub = [...header.publicSignals];
      pub[i] = (BigInt(pub[i]!) + 1n).toString();
      expect(await verifyWithSnarkjs("headerQuorum", header.proof, pub)).toBe(false);
    }
  });

  it("a public signal at or above the field modulus is rejected (even if congruent)", async () => {
    // nextValidatorSetRoot is 0, so r is congruent to it: only the range check rejects it.
    expect(header.publicSignals[3]).toBe("0");
    const pub = [...header.publicSignals];
    pub[3] = FIELD_R.toString();
    expect(await verifyWithSnarkjs("headerQuorum", header.proof, pub)).toBe(false);
    const pub1 = [...header.publicSignals];
    pub1[1] = (BigInt(pub1[1]!) + FIELD_R).toString();
    expect(await verifyWithSnarkjs("headerQuorum", header.proof, pub1)).toBe(false);
  });

  it("a tampered proof fails", async () => {
    const proof = structuredClone(header.proof);
    proof.pi_c = header.proof.pi_a;
    expect(await verifyWithSnarkjs("headerQuorum", proof, header.publicSignals)).toBe(false);
  });

  it("the cache returns the same proof without proving again", async () => {
    const calls = proverStats.fullProveCalls;
    const t0 = Date.now();
    const again = await proveHeaderQuorum(sh, { cacheDir });
    expect(again.cached).toBe(true);
    expect(proverStats.fullProveCalls).toBe(calls);
    expect(again.proof).toEqual(header.proof);
    expect(again.publicSignals).toEqual(header.publicSignals);
    expect(Date.now() - t0).toBeLessThan(header.seconds * 1000);
  });

  it("refuses a validator set of another capacity", async () => {
    const big = signedHeader(validatorSet(8, [1n, 1n, 1n, 1n, 1n, 1n, 1n, 1n]), [0, 1, 2, 3, 4, 5]);
    await expect(proveHeaderQuorum(big, { cacheDir })).rejects.toThrow(/capacity 8 does not match HeaderQuorum\(N=4\)/);
  });
});

describe("header proofs: aggregated by default, per-validator as the fallback", () => {
  it("proves the aggregated circuit from a header's aggregate signature", async () => {
    const agg = aggregatedHeader(validatorSet(4, [10n, 20n, 30n, 40n]), [1, 2, 3], { height: 78n, stateRoot: 556n });
    const r = await proveHeader(agg, { cacheDir });
    expect(r.kind).toBe("aggregated");
    expect(r.publicSignals).toEqual(headerQuorumPublicSignals(agg));
    expect(await verifyWithSnarkjs("aggregated", r.proof, r.publicSignals)).toBe(true);
    expect(await verifyWithSnarkjs("headerQuorum", r.proof, r.publicSignals)).toBe(false); // the other circuit's key
    // The committed dev vkey serves too.
    expect(await verifyWithSnarkjs("aggregated", r.proof, r.publicSignals, { buildDir: join(cacheDir, "no-artifacts") })).toBe(true);
  });

  it("falls back to the per-validator circuit when the header has no aggregate, and only where the profile has it", async () => {
    const r = await proveHeader(sh, { cacheDir });
    expect(r.kind).toBe("perValidator");
    expect(r.proof).toEqual(header.proof); // the cached HeaderQuorum proof
    await expect(proveHeader(sh, { profile: "prod", network: "hardhat", cacheDir })).rejects.toThrow(/has no aggregate signature and profile prod has no per-validator HeaderQuorum/);
    await expect(proveHeader(sh, { kind: "aggregated", cacheDir })).rejects.toThrow(/has no aggregate signature/);
  });
});

describe("Settlement proofs", () => {
  it("prove an auction result and a lockup in stateRoot, verify, and reject tampering", async () => {
    const binding = (31337n << 160n) + 0xabcdefn;
    const tree = new SparseMerkleTree();
    const resultKey = leafKey(KIND_AUCTION_RESULT, 5n);
    const lockKey = leafKey(KIND_LOCKUP, 9n);
    tree.set(resultKey, binding, 123456789n);
    tree.set(lockKey, binding, 987654321n);
    tree.set(leafKey(KIND_LOCKUP, 10n), binding, 42n);
    const progress: string[] = [];
    const r = await proveSettlement(
      {
        stateRoot: tree.root,
        awayBinding: binding,
        result: { auctionId: 5n, digest: 123456789n, proof: tree.prove(resultKey) },
        lockups: [{ lockId: 9n, digest: 987654321n, proof: tree.prove(lockKey) }],
      },
      { cacheDir, onProgress: (e) => progress.push(e.stage) },
    );
    expect(progress[0]).toBe("start");
    expect(progress.at(-1)).toBe("done");
    expect(r.publicSignals).toEqual([tree.root, binding, 123456789n, 987654321n, 0n].map(String));
    expect(await verifyWithSnarkjs("settlement", r.proof, r.publicSignals)).toBe(true);
    const bad = [...r.publicSignals];
    bad[4] = "1";
    expect(await verifyWithSnarkjs("settlement", r.proof, bad)).toBe(false);
    bad[4] = FIELD_R.toString();
    expect(await verifyWithSnarkjs("settlement", r.proof, bad)).toBe(false);
  });
});
