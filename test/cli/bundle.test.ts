// `olzk bundle` end to end against a real devnet (the examples' scenario: one lockup, two
// rotations) with real proofs: what it writes, `olzk verify` accepts (exit 0, the exact lines)
// and refuses once tampered (exit 1); bad input and an unreachable Home are one line, exit 2;
// chain-rule failures are found before anything is proven; proving reports progress on stderr.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headerHeightsFor } from "../../bundle/assemble.ts";
import type { RunningDevnet } from "../../home/devnet/index.ts";
import { validatorSetRoot } from "../../home/model/validators.ts";
import { loadVerificationKey, proverStats } from "../../prover/prover.ts";
import { EXAMPLE, exampleHome, expectedLines } from "../../scripts/examples.ts";
import { decodeCollateralBundle, encodeCollateralBundle, type CollateralBundleJSON } from "../../verifier-ts/bundle.ts";
import { runOlzk } from "./run-olzk.ts";

let dn: RunningDevnet;
let dir = "";
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "olzk-bundle-"));
  dn = await exampleHome();
  writeFileSync(at("vkey.json"), JSON.stringify(await loadVerificationKey("AggregatedHeaderQuorum")));
});

afterAll(async () => {
  await dn?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A port nothing listens on: bound by us, then released. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const verifyCollateral = (bundle: string) => [
  "verify", "collateral", "--vkey", at("vkey.json"), "--checkpoint", at("checkpoint.json"), "--bundle", bundle,
  "--borrower", EXAMPLE.borrower, "--min-credit", "250000000000", "--chain-id", EXAMPLE.awayChainId.toString(), "--contract", EXAMPLE.settlement,
  "--valid-until", "1900000000", "--max-age", "60",
  "--now", (dn.chain.block(EXAMPLE.stateHeight)!.header.timestampMs / 1000n + EXAMPLE.ageSeconds).toString(),
];

describe("which headers a chain needs", () => {
  const cp = (epoch: bigint, height?: bigint) => ({ chainId: 1, epoch, validatorSetRoot: 5n, ...(height !== undefined ? { height } : {}) });
  it("one epoch-ending header per epoch crossed, then the target", () => {
    expect(headerHeightsFor(cp(0n), 4n, 2n)).toEqual([1n, 3n, 4n]);
    expect(headerHeightsFor(cp(2n), 13n, 5n)).toEqual([13n]);
    expect(headerHeightsFor(cp(2n), 17n, 5n)).toEqual([14n, 17n]);
    expect(headerHeightsFor(cp(2n), 14n, 5n)).toEqual([14n]);
  });
  it("refuses a target before the checkpoint", () => {
    expect(() => headerHeightsFor(cp(2n), 9n, 5n)).toThrow("height 9 is in epoch 1, before the checkpoint's epoch 2");
    expect(() => headerHeightsFor(cp(2n, 12n), 12n, 5n)).toThrow("height 12 is not above the checkpoint's height 12");
  });
});

describe("olzk bundle against a real devnet", () => {
  it("writes a checkpoint, a header chain and collateral bundles (JSON, SSZ) that olzk verify accepts", async () => {
    const cp = await runOlzk("bundle", "checkpoint", "--home", dn.url, "--out", at("checkpoint.json"));
    expect(cp).toMatchObject({ code: 0, out: "", err: "" });
    expect(JSON.parse(readFileSync(at("checkpoint.json"), "utf8"))).toEqual({
      chainId: dn.config.homeChainId,
      epoch: "0",
      validatorSetRoot: validatorSetRoot(dn.chain.validatorSet(0n)!).toString(),
    });

    const headers = await runOlzk("bundle", "headers", "--home", dn.url, "--from", at("checkpoint.json"), "--to", EXAMPLE.stateHeight.toString());
    expect(headers).toMatchObject({ code: 0, err: "" });
    // Heights 1 and 3 end epochs 0 and 1; the last proof is the target. Progress: one line per proof.
    expect(headers.progress).toContain("olzk bundle: proving header 1 (1 of 3, aggregated)\n");
    expect(headers.progress).toMatch(/olzk bundle: {3}header 4 \(hash [0-9a-f]{12}\.\.\.\) proven in [\d.]+ s\n/);
    writeFileSync(at("headers.json"), headers.out);
    const chain = await runOlzk("verify", "chain", "--vkey", at("vkey.json"), "--checkpoint", at("checkpoint.json"), "--headers", at("headers.json"));
    expect(chain).toMatchObject({ code: 0, out: expectedLines().chain });

    const json = await runOlzk("bundle", "collateral", "--home", dn.url, "--lock", "1", "--from", at("checkpoint.json"), "--json", "--out", at("bundle.json"));
    expect(json).toMatchObject({ code: 0, out: "", err: "" });
    expect(json.progress).toContain(`olzk bundle: lockup 1 bundle (3 header proofs, state at height ${EXAMPLE.stateHeight}) written to ${at("bundle.json")}\n`);
    // --from defaults to the Home's epoch 0 set: the same checkpoint.
    expect(await runOlzk("bundle", "collateral", "--home", dn.url, "--lock", "1", "--ssz", "--out", at("bundle.ssz"), "--quiet")).toMatchObject({ code: 0, progress: "" });
    for (const bundle of ["bundle.json", "bundle.ssz"]) {
      expect(await runOlzk(...verifyCollateral(at(bundle))), bundle).toMatchObject({ code: 0, out: expectedLines().collateral });
    }
  });

  it("olzk verify refuses the outputs once tampered (exit 1)", async () => {
    const j = JSON.parse(readFileSync(at("bundle.json"), "utf8")) as CollateralBundleJSON;
    j.lockup.expiry = "4200000000"; // a longer lock than Home holds
    writeFileSync(at("tampered.json"), JSON.stringify(j));
    expect(await runOlzk(...verifyCollateral(at("tampered.json")))).toMatchObject({
      code: 1,
      out: `INVALID: StateProofInvalid: lockup 1 is not in the state root of header ${EXAMPLE.stateHeight}`,
    });

    const b = decodeCollateralBundle(readFileSync(at("bundle.ssz")));
    b.headers[1] = { ...b.headers[1]!, proof: b.headers[2]!.proof }; // header 3 with header 4's proof
    writeFileSync(at("tampered.ssz"), encodeCollateralBundle(b));
    expect(await runOlzk(...verifyCollateral(at("tampered.ssz")))).toMatchObject({
      code: 1,
      out: "INVALID: HeaderChain: header chain: item 1: invalid aggregated header proof (pairing check failed)",
    });
  });

  it("bad input, an unknown lock, an unsealed height and an unreachable Home: one line, exit 2", async () => {
    const port = await closedPort();
    const cases: [string[], string][] = [
      [["checkpoint", "--home", `http://127.0.0.1:${port}`], `olzk bundle: cannot reach the Home at http://127.0.0.1:${port}: ECONNREFUSED`],
      [["collateral", "--home", dn.url, "--lock", "99", "--out", at("x")], `olzk bundle: lockup 99 is not in the Home state at height ${EXAMPLE.stateHeight}`],
      [["headers", "--home", dn.url, "--from", "0", "--to", "50"], `olzk bundle: height 50 is not sealed yet (the Home is at height ${EXAMPLE.stateHeight})`],
      [["headers", "--home", dn.url, "--from", at("missing.json"), "--to", "4"], `olzk bundle: cannot read checkpoint file '${at("missing.json")}': ENOENT`],
      [["collateral", "--home", dn.url, "--lock", "1"], "olzk bundle: --out is required (see olzk bundle collateral --help)"],
      [["collateral", "--home", dn.url, "--lock", "1", "--ssz", "--json", "--out", at("x")], "olzk bundle: give at most one of --ssz and --json"],
      [["collateral", "--home", dn.url, "--lock", "one", "--out", at("x")], "olzk bundle: --lock must be a whole number, got 'one'"],
      [["headers", "--home", "127.0.0.1:8645", "--from", "0", "--to", "4"], "olzk bundle: --home must be an http:// or https:// URL, got '127.0.0.1:8645'"],
      [["collateral", "--home", dn.url, "--lock", "1", "--height", "9", "--out", at("x")], `olzk bundle: the Home refused GET /state/proof?kind=1&id=1&height=9: HTTP 404 no block at height 9 (latest is ${EXAMPLE.stateHeight})`],
      [["frobnicate"], "olzk bundle: unknown bundle 'frobnicate' (one of: checkpoint, headers, collateral)"],
    ];
    for (const [argv, err] of cases) {
      expect(await runOlzk("bundle", ...argv), argv.join(" ")).toMatchObject({ code: 2, out: "", err });
    }
    for (const sub of ["checkpoint", "headers", "collateral"]) {
      const help = await runOlzk("bundle", sub, "--help");
      expect(help.code).toBe(0);
      expect(help.out).toContain(`Usage: olzk bundle ${sub} --home URL`);
    }
  });

  it("checkpoints of later epochs; an epoch not announced yet is the Home's 404, one line", async () => {
    const r = await runOlzk("bundle", "checkpoint", "--home", dn.url, "--epoch", "2");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ chainId: dn.config.homeChainId, epoch: "2", validatorSetRoot: validatorSetRoot(dn.chain.validatorSet(2n)!).toString() });
    expect(await runOlzk("bundle", "checkpoint", "--home", dn.url, "--epoch", "99")).toMatchObject({
      code: 2,
      err: "olzk bundle: the Home refused GET /validator-sets/99: HTTP 404 the validator set of epoch 99 is not announced yet (latest block is in epoch 2)",
    });
  });

  it("a checkpoint the Home's headers do not continue is refused before anything is proven", async () => {
    writeFileSync(at("other.json"), JSON.stringify({ chainId: dn.config.homeChainId, epoch: "0", validatorSetRoot: "5" }));
    writeFileSync(at("chain9.json"), JSON.stringify({ chainId: 9, epoch: "0", validatorSetRoot: "5" }));
    const before = proverStats.fullProveCalls + proverStats.cacheHits;
    const r = await runOlzk("bundle", "headers", "--home", dn.url, "--from", at("other.json"), "--to", "4");
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      `olzk bundle: the Home's headers do not continue the checkpoint: WrongValidatorSet: header 1: validatorSetRoot ${validatorSetRoot(dn.chain.validatorSet(0n)!)} is not the set of epoch 0`,
    );
    expect(await runOlzk("bundle", "headers", "--home", dn.url, "--from", at("chain9.json"), "--to", "4")).toMatchObject({
      code: 2,
      err: `olzk bundle: the checkpoint is of Home chain 9, the Home at ${dn.url} is chain ${dn.config.homeChainId}`,
    });
    expect(proverStats.fullProveCalls + proverStats.cacheHits).toBe(before);
  });

  it("a header without an aggregate signature is proven with the per-validator HeaderQuorum (seals block 5)", async () => {
    dn.chain.setAttestationControls({ aggregate: false });
    dn.chain.produceBlock();
    dn.chain.setAttestationControls({ aggregate: true });
    const r = await runOlzk("bundle", "headers", "--home", dn.url, "--from", "0", "--to", "5", "--out", at("pv.json"));
    expect(r.code).toBe(0);
    expect(r.progress).toContain("olzk bundle: proving header 5 (3 of 3, perValidator)\n");
    writeFileSync(at("pv-vkey.json"), JSON.stringify(await loadVerificationKey("HeaderQuorum")));
    // Height 5 ends epoch 2, so the chain moves to epoch 3.
    const chain = ["verify", "chain", "--vkey", at("vkey.json"), "--checkpoint", at("checkpoint.json"), "--headers", at("pv.json")];
    expect(await runOlzk(...chain, "--per-validator-vkey", at("pv-vkey.json"))).toMatchObject({ code: 0, out: "VALID: 3 headers verified, latest height 5; now at epoch 3", err: "" });
    expect((await runOlzk(...chain)).out).toBe("INVALID: VerifierUnavailable: item 2: no verification key for perValidator header proofs was given");
  });

  it("a header without quorum is named, not proven (runs last: it seals block 6)", async () => {
    dn.chain.setOffline([0, 1]); // half the power: 3 * signed <= 2 * total
    dn.chain.produceBlock();
    dn.chain.setOffline(null);
    const r = await runOlzk("bundle", "headers", "--home", dn.url, "--from", "0", "--to", "6");
    expect(r).toMatchObject({
      code: 2,
      err: "olzk bundle: header 6 has no quorum (signed power 2000000 of 4000000): no light client accepts it; choose another height",
    });
  });
});
