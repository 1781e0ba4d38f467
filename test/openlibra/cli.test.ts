// `olzk verify openlibra` through the CLI entry (cli/main.ts) on the mainnet backups: exit 0 with
// what was established (text and --json), 1 with the failing check's code, 2 for usage errors and
// unreadable input; a manifest in place of its chunk in a backup folder layout.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeBcs, TransactionProofFile, readTransactionProof } from "../../verifier-ts/openlibra/index.ts";
import { runOlzk } from "../fixtures/olzk.ts";
import { FILES, WAYPOINT_116 } from "./vectors.ts";

let dir = "";
const file = (name: string, content: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

const olzk = (...argv: string[]) => runOlzk(["verify", "openlibra", ...argv]);

const all = () => ["--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--ledger-info-file", FILES.txProof, "--state-proof", FILES.stateProof, "--state-manifest", FILES.stateManifest];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "olzk-openlibra-cli-"));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("olzk verify openlibra", () => {
  it("exit 0: the epoch change, the 29-of-41 LedgerInfo and the state root, as text", async () => {
    const r = await olzk(...all());
    expect(r.code).toBe(0);
    expect(r.out).toContain(`trusted waypoint ${WAYPOINT_116}`);
    expect(r.out).toContain("epoch 116 ends at version 38180075: matches the trusted waypoint; next: epoch 117, 41 validators, total power 41000000");
    expect(r.out).toContain("LedgerInfo of epoch 117 at version 38200017");
    expect(r.out).toContain("signed by 29 of 41 validators, power 29000000 of 41000000 (quorum 27333334)");
    expect(r.out).toContain("state root b4c9918ddb62469cc3e7e7b2a01b43aeac803470913b3a89afdcc44078df8d8a at version 38180075");
    expect(r.out.split("\n").at(-1)).toMatch(/^VALID: 1 epoch change\(s\) verified; waypoint now 38180075:98d7/);
  });

  it("--json prints one object", async () => {
    const r = await olzk(...all(), "--json");
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out);
    expect(o).toMatchObject({ ok: true, trustedWaypoint: WAYPOINT_116, waypoint: WAYPOINT_116, nextEpoch: { epoch: "117", validators: 41, totalPower: "41000000" } });
    expect(o.ledgerInfo).toMatchObject({ epoch: "117", version: "38200017", verifiedBy: { signedPower: "29000000", quorumPower: "27333334" } });
    expect(o.ledgerInfo.verifiedBy.signers).toHaveLength(29);
    expect(o.stateRoot).toMatchObject({ version: "38180075", root: "b4c9918ddb62469cc3e7e7b2a01b43aeac803470913b3a89afdcc44078df8d8a", ledgerInfo: { verifiedBy: "waypoint" } });
  });

  it("takes an epoch-ending manifest in a backup folder layout and checks the chunk against it", async () => {
    mkdirSync(join(dir, "backup", "epoch_ending_116-.be9b"), { recursive: true });
    const manifest = join(dir, "backup", "epoch_ending_116-.be9b", "epoch_ending.manifest");
    copyFileSync(FILES.manifest, manifest);
    copyFileSync(FILES.chunk, join(dir, "backup", "epoch_ending_116-.be9b", "116-.chunk"));
    const r = await olzk("--waypoint", WAYPOINT_116, "--epoch-ending", manifest, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).waypoint).toBe(WAYPOINT_116);
    const bad = join(dir, "backup", "epoch_ending_116-.be9b", "other.manifest");
    writeFileSync(bad, readFileSync(FILES.manifest, "utf8").replace("98d7eb16", "98d7eb17"));
    expect(await olzk("--waypoint", WAYPOINT_116, "--epoch-ending", bad)).toMatchObject({ code: 1, out: expect.stringContaining("INVALID: ManifestMismatch") });
  });

  it("exit 1 names what does not verify", async () => {
    const other = `38180075:${"11".repeat(32)}`;
    const wp = await olzk("--waypoint", other, "--epoch-ending", FILES.chunk);
    expect(wp.code).toBe(1);
    expect(wp.out).toMatch(/^INVALID: WaypointMismatch: LedgerInfo at version 38180075 hashes to waypoint 38180075:98d7/m);

    const proof = readTransactionProof(readFileSync(FILES.txProof));
    proof.ledgerInfo.ledgerInfo.consensusDataHash[0]! ^= 1;
    const tampered = file("tampered.proof", encodeBcs(TransactionProofFile, [proof.rangeProof, proof.ledgerInfo]));
    const li = await olzk("--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--ledger-info-file", tampered, "--json");
    expect(li.code).toBe(1);
    expect(JSON.parse(li.out)).toMatchObject({ ok: false, code: "SignatureMismatch", waypoint: WAYPOINT_116 });

    const root = file("root.manifest", readFileSync(FILES.stateManifest, "utf8").replace("b4c9918d", "b4c9918e"));
    const st = await olzk("--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--state-proof", FILES.stateProof, "--state-manifest", root);
    expect(st.code).toBe(1);
    expect(st.out).toContain("INVALID: StateRootMismatch");

    const version = file("version.manifest", readFileSync(FILES.stateManifest, "utf8").replace('"version": 38180075', '"version": 38180074'));
    expect(await olzk("--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--state-proof", FILES.stateProof, "--state-manifest", version)).toMatchObject({
      code: 1,
      out: expect.stringContaining("INVALID: AccumulatorRootMismatch"),
    });
  });

  it("exit 2 for usage errors and unreadable input, with one line and no stack trace", async () => {
    const cases: [string[], RegExp][] = [
      [["--epoch-ending", FILES.chunk], /--waypoint is required/],
      [["--waypoint", "38180075:abc", "--epoch-ending", FILES.chunk], /--waypoint: waypoint must be VERSION:HASH/],
      [["--waypoint", WAYPOINT_116], /nothing to verify/],
      [["--waypoint", WAYPOINT_116, "--epoch-ending", join(dir, "missing.chunk")], /cannot read epoch-ending file .*ENOENT/],
      [["--waypoint", WAYPOINT_116, "--epoch-ending", file("short.chunk", readFileSync(FILES.chunk).subarray(0, 100))], /short\.chunk: .*record 0 at offset 0 claims 3893 bytes/],
      [["--waypoint", WAYPOINT_116, "--ledger-info-file", FILES.txProof], /needs at least one --epoch-ending file/],
      [["--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--state-proof", FILES.stateProof], /--state-proof and --state-manifest go together/],
      [["--waypoint", WAYPOINT_116, "--epoch-ending", FILES.chunk, "--ledger-info-file", FILES.stateManifest], /not BCS|trailing/],
      [["--waypoint", WAYPOINT_116, "--bogus"], /Unknown option '--bogus'/],
    ];
    for (const [argv, msg] of cases) {
      const r = await olzk(...argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err).toMatch(msg);
      expect(r.err.split("\n")).toHaveLength(1);
    }
  });

  it("--help exits 0 and lists the options; `olzk verify` lists openlibra", async () => {
    const r = await olzk("--help");
    expect(r.code).toBe(0);
    for (const flag of ["--waypoint", "--epoch-ending", "--ledger-info-file", "--state-proof", "--state-manifest", "--json"]) expect(r.out).toContain(flag);
    const verify = await runOlzk(["verify", "--help"]);
    expect(verify.code).toBe(0);
    expect(verify.out).toContain("openlibra");
  });
});
