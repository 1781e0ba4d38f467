// The committed samples in examples/: `olzk verify` accepts them with exactly the lines the
// README shows (which are the ones the scenario's facts give), the README's --now is the state
// header's time plus the age it claims, and tampered copies are refused (exit 1). No proving:
// the samples carry their own proofs and key.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unpackMeta } from "../../home/model/header.ts";
import { REPO_ROOT } from "../../prover/setup/ptau.ts";
import { EXAMPLE, expectedLines } from "../../scripts/examples.ts";
import { collateralBundleFromJSON, decodeCollateralBundle, encodeCollateralBundle, type CollateralBundleJSON, type HeaderProofItemJSON } from "../../verifier-ts/bundle.ts";
import { runOlzk } from "./run-olzk.ts";

const examples = join(REPO_ROOT, "examples");
const scratch = mkdtempSync(join(tmpdir(), "olzk-examples-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The README's `node bin/olzk.mjs verify ...` commands, each with the line it says it prints. */
function readmeCommands(): { argv: string[]; line: string }[] {
  const lines = readFileSync(join(examples, "README.md"), "utf8").split("\n");
  const out: { argv: string[]; line: string }[] = [];
  lines.forEach((l, i) => {
    if (!l.startsWith("node bin/olzk.mjs verify ")) return;
    const argv = l.slice("node bin/olzk.mjs ".length).split(" ").map((a) => (a.startsWith("examples/") ? join(REPO_ROOT, a) : a));
    out.push({ argv, line: lines[i + 1]!.replace(/^# /, "") });
  });
  return out;
}

const withArg = (argv: string[], flag: string, value: string) => argv.map((a, i) => (argv[i - 1] === flag ? value : a));

describe("examples/", () => {
  const commands = readmeCommands();
  const expected = expectedLines();

  it("the README's commands print exactly the lines it shows, and those are the scenario's facts", async () => {
    expect(commands.map((c) => c.line)).toEqual([expected.chain, expected.collateral, expected.collateral]);
    for (const c of commands) {
      const r = await runOlzk(...c.argv);
      expect(r, c.argv.join(" ")).toMatchObject({ code: 0, out: c.line, err: "" });
    }
  });

  it("the README asks at the state header's time plus the age it prints", () => {
    const headers = JSON.parse(readFileSync(join(examples, "headers.json"), "utf8")) as HeaderProofItemJSON[];
    const metas = headers.map((h) => unpackMeta(BigInt(h.publicSignals[0]!)));
    expect(metas.map((m) => m.height)).toEqual([1n, 3n, EXAMPLE.stateHeight]);
    const now = commands[1]!.argv[commands[1]!.argv.indexOf("--now") + 1];
    expect(BigInt(now!)).toBe(metas[2]!.timestampMs / 1000n + EXAMPLE.ageSeconds);
  });

  it("refuses tampered copies of the header chain and of both bundle forms (exit 1)", async () => {
    const [chain, collateralJson, collateralSsz] = commands.map((c) => c.argv) as [string[], string[], string[]];

    const headers = JSON.parse(readFileSync(join(examples, "headers.json"), "utf8")) as HeaderProofItemJSON[];
    headers[2]!.publicSignals[1] = (BigInt(headers[2]!.publicSignals[1]!) + 1n).toString(); // another state root
    const badHeaders = join(scratch, "headers.json");
    writeFileSync(badHeaders, JSON.stringify(headers));
    expect(await runOlzk(...withArg(chain, "--headers", badHeaders))).toMatchObject({
      code: 1,
      out: "INVALID: InvalidProof: item 2: invalid aggregated header proof (pairing check failed)",
    });

    const json = JSON.parse(readFileSync(join(examples, "collateral.json"), "utf8")) as CollateralBundleJSON;
    json.lockup.creditLimit = (BigInt(json.lockup.creditLimit) * 10n).toString(); // more credit than was locked
    const badJson = join(scratch, "collateral.json");
    writeFileSync(badJson, JSON.stringify(json));
    expect(await runOlzk(...withArg(collateralJson, "--bundle", badJson))).toMatchObject({
      code: 1,
      out: `INVALID: StateProofInvalid: lockup 1 is not in the state root of header ${EXAMPLE.stateHeight}`,
    });

    // The two committed forms are one bundle.
    const sszBytes = new Uint8Array(readFileSync(join(examples, "collateral.ssz")));
    expect(encodeCollateralBundle(collateralBundleFromJSON(JSON.parse(readFileSync(join(examples, "collateral.json"), "utf8"))))).toEqual(sszBytes);
    const bundle = decodeCollateralBundle(sszBytes);
    bundle.lockup.borrower = "0x000000000000000000000000000000000000dead"; // someone else's lock
    const badSsz = join(scratch, "collateral.ssz");
    writeFileSync(badSsz, encodeCollateralBundle(bundle));
    expect(await runOlzk(...withArg(collateralSsz, "--bundle", badSsz))).toMatchObject({
      code: 1,
      out: `INVALID: StateProofInvalid: lockup 1 is not in the state root of header ${EXAMPLE.stateHeight}`,
    });
  });
});
