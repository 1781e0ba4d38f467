// `olzk verify` end to end through the CLI entry (cli/main.ts): exit codes 0 valid, 1 invalid,
// 2 usage or unreadable input (the same for every file type), 3 internal error; the one-line
// verdicts and --json, on real proofs (fixture circuit and HeaderQuorum), bundles in JSON
// (with and without a byte order mark) and SSZ, `olzk prove` output, and validator sets as
// the devnet serves them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevnet } from "../../home/devnet/index.ts";
import { validatorSetToJSON } from "../../home/model/ssz.ts";
import { collateralBundleToJSON, encodeCollateralBundle } from "../../verifier-ts/bundle.ts";
import { runOlzk } from "../fixtures/olzk.ts";
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

const olzk = (...argv: string[]) => runOlzk(["verify", ...argv]);

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
    const garbagePath = file("garbage.ssz", new Uint8Array([2, 2, 3])) // version 2, then too short;
    const garbage = await olzk(...args(garbagePath));
    expect(garbage).toMatchObject({ code: 2, out: "" });
    expect(garbage.err).toMatch(new RegExp(`^olzk verify: bundle file '${garbagePath}': malformed SSZ bundle: 3 bytes, the fixed part alone is \\d+$`));
    const bom = file("bom.json", new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(JSON.stringify(collateralBundleToJSON(f.bundle)))]));
    expect(await olzk(...args(bom))).toMatchObject({ code: 0, out: a.out });
    const expired = await olzk(...args(json).map((x, i, all) => (all[i - 1] === "--now" ? "1800000000" : all[i - 1] === "--valid-until" ? "0" : all[i - 1] === "--max-age" ? "100000000" : x)));
    expect(expired).toMatchObject({ code: 1, out: "INVALID: LockupExpired: lockup 42 expired at 1800000000, at or before now (1800000000)" });
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

  it("accepts the devnet's own GET /validator-sets/:epoch reply, JSON and SSZ", async () => {
    const dn = await startDevnet({ dataDir: null, port: 0, blockMs: 0 });
    try {
      const json = await (await fetch(`${dn.url}/validator-sets/0`)).text();
      const ssz = new Uint8Array(await (await fetch(`${dn.url}/validator-sets/0`, { headers: { accept: "application/octet-stream" } })).arrayBuffer());
      const root = (JSON.parse(json) as { root: string }).root;
      for (const body of [json, ssz]) {
        const r = await olzk("validators", "--set", file("reply", body), "--root", root, "--home-chain-id", String(dn.config.homeChainId));
        expect(r.code).toBe(0);
        expect(r.out).toMatch(new RegExp(`^VALID: \\d+ bound validators, total power \\d+, root ${root}$`));
      }
    } finally {
      await dn.close();
    }
  });
});

describe("olzk verify exit codes", () => {
  const cp = () => file("checkpoint.json", JSON.stringify({ chainId: f.checkpoint.chainId, epoch: "0", validatorSetRoot: f.checkpoint.validatorSetRoot.toString() }));
  const vk = () => file("agg-vkey.json", JSON.stringify(f.vkeys.aggregated));
  const pvk = () => file("hq-vkey.json", JSON.stringify(f.vkeys.perValidator));

  it("verifies the objects olzk prove header writes, and refuses an empty header list", async () => {
    // olzk prove header --per-validator writes kind "headerQuorum"; the aggregated one "aggregated".
    const proveOut = (i: number) => file(`prove-${i}.json`, JSON.stringify({ ...f.perValidatorItems[i], kind: "headerQuorum", profile: "dev", calldata: {} }));
    const aggregatedOut = file("prove-agg.json", JSON.stringify({ ...f.items[2], profile: "dev", calldata: {} }));
    const ok = await olzk("chain", "--vkey", vk(), "--per-validator-vkey", pvk(), "--checkpoint", cp(), "--headers", proveOut(0), "--headers", proveOut(1), "--headers", aggregatedOut);
    expect(ok).toMatchObject({ code: 0, out: "VALID: 3 headers verified, latest height 3; now at epoch 1" });
    const empty = await olzk("chain", "--vkey", vk(), "--checkpoint", cp(), "--headers", file("empty.json", "[]"));
    expect(empty).toMatchObject({ code: 1, out: "INVALID: NoHeaders: no header proofs: a chain must carry at least one header" });
    const equivocation = await olzk("chain", "--vkey", vk(), "--checkpoint", cp(), "--headers", file("eq.json", JSON.stringify([f.items[0], f.equivocation])));
    expect(equivocation.code).toBe(1);
    expect(equivocation.out).toMatch(/^INVALID: Equivocation: item 1: equivocation: another header at height 1 than item 0/);
  });

  it("a vkey JSON claiming to be prepared is read as the key it is; a bad one is one line, exit 2", async () => {
    const claimed = file("claimed.json", JSON.stringify({ ...f.vkeys.aggregated, kind: "olzk.groth16.prepared" }));
    const proof = file("p1.json", JSON.stringify(f.items[1]));
    expect(await olzk("proof", "--vkey", claimed, "--proof", proof)).toMatchObject({ code: 0 });
    const fake = file("fake.json", JSON.stringify({ kind: "olzk.groth16.prepared", nPublic: 4 }));
    const r = await olzk("proof", "--vkey", fake, "--proof", proof);
    expect(r).toMatchObject({ code: 2, out: "", err: `olzk verify: verification key file '${fake}': invalid verification key: protocol must be groth16, got undefined` });
  });

  it("bad JSON exits 2 with one line for every file type", async () => {
    const bad = file("bad.json", "{ nope");
    const good = {
      vkey: vk(),
      proof: file("p1.json", JSON.stringify(f.items[1])),
      checkpoint: cp(),
      headers: file("headers.json", JSON.stringify(f.items)),
      bundle: file("bundle.json", JSON.stringify(collateralBundleToJSON(f.bundle))),
      set: file("set.json", JSON.stringify(validatorSetToJSON(f.setA))),
    };
    const query = ["--borrower", HQ_BORROWER, "--min-credit", "1", "--chain-id", "31337", "--contract", HQ_SETTLEMENT, "--valid-until", "0", "--max-age", "60"];
    const runs: [string, string, string[]][] = [
      ["verification key", "vkey", ["proof", "--vkey", bad, "--proof", good.proof]],
      ["proof", "proof", ["proof", "--vkey", good.vkey, "--proof", bad]],
      ["public signals", "public", ["proof", "--vkey", good.vkey, "--proof", good.proof, "--public", bad]],
      ["checkpoint", "checkpoint", ["chain", "--vkey", good.vkey, "--checkpoint", bad, "--headers", good.headers]],
      ["headers", "headers", ["chain", "--vkey", good.vkey, "--checkpoint", good.checkpoint, "--headers", bad]],
      ["bundle", "bundle", ["collateral", "--vkey", good.vkey, "--checkpoint", good.checkpoint, "--bundle", bad, ...query]],
      ["validator set", "set", ["validators", "--set", bad, "--root", "1", "--home-chain-id", "77"]],
    ];
    for (const [what, , argv] of runs) {
      const r = await olzk(...argv);
      expect(r.code, what).toBe(2);
      expect(r.out, what).toBe("");
      expect(r.err.split("\n"), what).toHaveLength(1);
      expect(r.err, what).toMatch(what === "bundle" ? /^olzk verify: bundle file '.*': bundle is not valid JSON: / : new RegExp(`^olzk verify: ${what} file '.*' is not valid JSON: `));
      // A missing file is exit 2 as well.
      const missing = await olzk(...argv.map((x) => (x === bad ? join(dir, "missing.json") : x)));
      expect(missing.code, what).toBe(2);
      expect(missing.err, what).toMatch(new RegExp(`^olzk verify: cannot read ${what} file '.*missing.json': ENOENT$`));
    }
    const badCheckpoint = await olzk("chain", "--vkey", good.vkey, "--checkpoint", file("cp-bad.json", '{"chainId":1,"epoch":"x","validatorSetRoot":"1"}'), "--headers", good.headers);
    expect(badCheckpoint).toMatchObject({ code: 2, err: `olzk verify: checkpoint file '${join(dir, "cp-bad.json")}': checkpoint epoch must be a u64, got "x"` });
  });

  it("an internal error is exit 3 and one line, never a stack trace", async () => {
    const { registerCheck } = await import("../../verifier-ts/cli.ts");
    registerCheck("explode", {
      summary: "test only",
      run: () => {
        throw new TypeError("boom\n    at somewhere (x.ts:1:1)");
      },
    });
    expect(await olzk("explode")).toEqual({ code: 3, out: "", err: "olzk verify: internal error: boom" });
    expect((await olzk("--help")).out).toMatch(/Exit code 0: valid; 1: invalid; 2: usage error or unreadable input .*; 3: internal error\./);
  });
});
