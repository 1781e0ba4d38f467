// `olzk verify` end to end through the CLI entry (cli/main.ts): exit codes 0/1/2, the
// one-line verdicts and --json, on real proofs (fixture circuit and HeaderQuorum), bundles in
// JSON and SSZ, and a validator set file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/main.ts";
import { validatorSetToJSON } from "../../home/model/ssz.ts";
import { collateralBundleToJSON, encodeCollateralBundle } from "../../verifier-ts/bundle.ts";
import { groth16Vectors, type Groth16Vector } from "../vectors/groth16-vectors.ts";
import { HQ_AWAY_CHAIN, HQ_BORROWER, HQ_CHAIN_ID, HQ_SETTLEMENT, HQ_STATE_TIME_MS, headerQuorumFixture, type HeaderQuorumFixture } from "../vectors/headerQuorum-vectors.ts";
import { terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

let dir = "";
let f: HeaderQuorumFixture;
let vectors: Groth16Vector[];
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

async function olzk(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
  try {
    const code = await main(["verify", ...argv]);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "olzk-verify-cli-"));
  vectors = await groth16Vectors();
  f = await headerQuorumFixture();
  await terminateSnarkjsCurves();
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("olzk verify proof", () => {
  it("exit 0 and VALID for a valid proof, 1 and INVALID with the reason for tampered ones", async () => {
    const valid = vectors.find((v) => v.circuit === "toy" && v.name === "valid")!;
    const vk = file("toy-vkey.json", JSON.stringify(valid.vkey));
    const ok = await olzk("proof", "--vkey", vk, "--proof", file("p.json", JSON.stringify(valid.proof)), "--public", file("s.json", JSON.stringify(valid.publicSignals)));
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^VALID: Groth16 proof verifies \(3 public signals, [\d.]+ ms\)$/);

    const bad = vectors.find((v) => v.circuit === "toy" && v.name === "tampered B (2B)")!;
    const r = await olzk("proof", "--vkey", vk, "--proof", file("b.json", JSON.stringify({ proof: bad.proof, publicSignals: bad.publicSignals })));
    expect(r).toMatchObject({ code: 1, out: "INVALID: pairing check failed" });

    const over = vectors.find((v) => v.circuit === "toy" && v.name === "public signal 0 + r (same residue)")!;
    const j = await olzk("proof", "--json", "--vkey", vk, "--proof", file("o.json", JSON.stringify({ proof: over.proof, publicSignals: over.publicSignals })));
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, reason: "public signal 0 is not below the field modulus", nPublic: 3 });
  });

  it("exit 2 with one line for usage mistakes", async () => {
    const r = await olzk("proof", "--proof", "x.json");
    expect(r).toMatchObject({ code: 2, err: "olzk verify: --vkey is required (see olzk verify proof --help)" });
    const missing = await olzk("proof", "--vkey", join(dir, "nope.json"), "--proof", "x");
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/cannot read verification key file .*ENOENT/);
    expect((await olzk("frobnicate")).err).toMatch(/unknown check 'frobnicate'/);
    expect((await olzk("proof", "--help")).code).toBe(0);
  });
});

describe("olzk verify chain / collateral / validators", () => {
  const cp = () => file("checkpoint.json", JSON.stringify({ chainId: f.checkpoint.chainId, epoch: "0", validatorSetRoot: f.checkpoint.validatorSetRoot.toString() }));
  const vk = () => file("agg-vkey.json", JSON.stringify(f.vkeys.aggregated));
  const pvk = () => file("hq-vkey.json", JSON.stringify(f.vkeys.perValidator));

  it("verifies the real header chain, and rejects it from another checkpoint", async () => {
    const headers = file("headers.json", JSON.stringify(f.items));
    const ok = await olzk("chain", "--vkey", vk(), "--checkpoint", cp(), "--headers", headers);
    expect(ok).toMatchObject({ code: 0, out: "VALID: 3 headers verified, latest height 3; now at epoch 1" });
    // Per-validator proofs need their own key.
    const pv = file("pv-headers.json", JSON.stringify(f.perValidatorItems));
    expect(await olzk("chain", "--vkey", vk(), "--per-validator-vkey", pvk(), "--checkpoint", cp(), "--headers", pv)).toMatchObject({ code: 0 });
    const noKey = await olzk("chain", "--vkey", vk(), "--checkpoint", cp(), "--headers", pv, "--json");
    expect(noKey.code).toBe(1);
    expect(JSON.parse(noKey.out)).toMatchObject({ ok: false, code: "VerifierUnavailable", index: 0 });
    const other = file("cp2.json", JSON.stringify({ chainId: f.checkpoint.chainId, epoch: "0", validatorSetRoot: "5" }));
    const bad = await olzk("chain", "--vkey", vk(), "--checkpoint", other, "--headers", headers, "--json");
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, code: "WrongValidatorSet", index: 0 });
  });

  it("checks collateral from JSON and SSZ bundles", async () => {
    const args = (bundle: string, minCredit = "100000000000") => [
      "collateral", "--vkey", vk(), "--checkpoint", cp(), "--bundle", bundle,
      "--borrower", HQ_BORROWER, "--min-credit", minCredit, "--chain-id", HQ_AWAY_CHAIN.toString(),
      "--contract", HQ_SETTLEMENT, "--valid-until", "1790000000", "--max-age", "60",
      "--now", (HQ_STATE_TIME_MS / 1000n + 30n).toString(),
    ];
    const json = file("bundle.json", JSON.stringify(collateralBundleToJSON(f.bundle)));
    const ssz = file("bundle.ssz", encodeCollateralBundle(f.bundle));
    const a = await olzk(...args(json));
    expect(a.code).toBe(0);
    expect(a.out).toBe(`VALID: lock 42: ${HQ_BORROWER} has credit 250000000000 of 0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0 until 1800000000, as of height 3 (30 s old)`);
    expect((await olzk(...args(ssz))).out).toBe(a.out);
    const poor = await olzk(...args(ssz, "250000000001"), "--json");
    expect(poor.code).toBe(1);
    expect(JSON.parse(poor.out)).toMatchObject({ ok: false, code: "InsufficientCredit" });
    const garbage = await olzk(...args(file("garbage.ssz", new Uint8Array([1, 2, 3]))));
    expect(garbage.code).toBe(1);
    expect(garbage.out).toMatch(/^INVALID: MalformedBundle: /);
    const badFlag = await olzk(...args(json).map((x) => (x === HQ_BORROWER ? "0x12" : x)));
    expect(badFlag).toMatchObject({ code: 2, err: "olzk verify: --borrower must be a 20-byte 0x address, got '0x12'" });
  });

  it("checks a validator set file against a root, with the attestation-key rules of its Home chain", async () => {
    const set = file("set.json", JSON.stringify(validatorSetToJSON(f.setA)));
    const chain = ["--home-chain-id", String(HQ_CHAIN_ID)];
    const ok = await olzk("validators", "--set", set, "--root", f.checkpoint.validatorSetRoot.toString(), ...chain);
    expect(ok).toMatchObject({ code: 0, out: "VALID: 3 bound validators, total power 60, root " + f.checkpoint.validatorSetRoot.toString() });
    const bad = await olzk("validators", "--set", set, "--root", "0x1234", ...chain);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^INVALID: validator set root \d+ is not the claimed 4660$/);
    // The proofs of possession are for one chain.
    const other = await olzk("validators", "--set", set, "--root", f.checkpoint.validatorSetRoot.toString(), "--home-chain-id", "78", "--json");
    expect(other.code).toBe(1);
    expect(JSON.parse(other.out)).toMatchObject({ ok: false, code: "InvalidProofOfPossession", slot: 0 });
    expect((await olzk("validators", "--set", set, "--root", "1")).code).toBe(2); // --home-chain-id is required
  });
});
