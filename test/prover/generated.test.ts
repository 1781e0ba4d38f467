// The committed generated files of both profiles (verifiers, vkeys, setup.json: contracts/generated
// for dev, contracts/generated/prod for prod) are exactly what `olzk setup --profile <p>` generates.
// Powers of tau resolve in the normal order (cache, ../shared, download, dev ceremony): the
// byte-exact check needs the ptau the committed files were made from (../shared/ptau in CI); with
// any other ptau (a new user's dev ceremony) the vkeys differ by construction and only the sources
// are compared.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  COMMITTED_GENERATED,
  SETUP_RECORD,
  ensureArtifacts,
  generatedFiles,
  profileCircuits,
  setupRecord,
  type ArtifactManifest,
  type ArtifactSet,
} from "../../prover/setup/pipeline.ts";
import { REPO_ROOT } from "../../prover/setup/ptau.ts";

/** The committed setup.json's entry for one circuit (see setupRecord). */
type RecordEntry = Pick<ArtifactManifest, "circuit" | "params" | "constraints" | "nPublic" | "r1csSha256" | "cacheKey" | "contribution" | "contractName" | "snarkjsContractName"> & {
  ptau: { file: string; blake2b: string; power: number };
};

/**
 * A committed file's content: from git HEAD when this is a git checkout (`olzk setup`, run by
 * npm test before vitest, rewrites the working-tree copies), else the working tree.
 */
async function committed(path: string): Promise<string> {
  const rel = relative(REPO_ROOT, path);
  try {
    return execFileSync("git", ["show", `HEAD:${rel}`], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 1 << 26 });
  } catch {
    return readFile(path, "utf8");
  }
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "olzk-generated-test-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(["dev", "prod"])("committed generated files (%s)", (profile) => {
  const dir = COMMITTED_GENERATED[profile]!;
  const where = relative(REPO_ROOT, dir);
  let sets: Record<string, ArtifactSet>;
  let record: Record<string, RecordEntry>;

  beforeAll(async () => {
    // ensureArtifacts runs the same script as `olzk setup` (a no-op "cached" pass when build/ is
    // current; npm test sets prod up from the dev ptau, hence allowInsecurePtau).
    sets = await ensureArtifacts(profile, { generatedDir: join(root, `${profile}-generated`), allowInsecurePtau: profile === "prod", log: () => {} });
    record = JSON.parse(await committed(join(dir, SETUP_RECORD))).circuits;
  }, 1_800_000);

  it("were made from the current circuit sources, parameters and dev beacon", async () => {
    const circuits = await profileCircuits(profile);
    expect(Object.keys(sets).sort()).toEqual(circuits.map((c) => c.kind).sort());
    for (const [kind, s] of Object.entries(sets)) {
      const m = s.manifest;
      const { ptau: _ptau, cacheKey: _key, ...sources } = record[kind]!;
      expect(
        { circuit: m.circuit, params: m.params, constraints: m.constraints, nPublic: m.nPublic, r1csSha256: m.r1csSha256, contribution: m.contribution, contractName: m.contractName, snarkjsContractName: m.snarkjsContractName },
        `${kind}: circuit sources changed since ${where} was committed; run olzk setup and commit`,
      ).toEqual(sources);
    }
  });

  it(`are exactly what olzk setup --profile ${profile} generates (with the ptau they were made from)`, async (ctx) => {
    const other = Object.entries(sets).filter(([kind, s]) => s.manifest.ptau.blake2b !== record[kind]!.ptau.blake2b);
    if (other.length > 0) {
      const [kind, s] = other[0]!;
      ctx.skip(
        `the ptau here is ${s.manifest.ptau.file} (${s.manifest.ptau.source}), not ${record[kind]!.ptau.file} that ${where} was made from (../shared/ptau): its verifiers differ by construction`,
      );
    }
    for (const [kind, s] of Object.entries(sets)) {
      // Same sources, parameters, ptau and beacon as the committed files were made from.
      expect(s.manifest.cacheKey, `${kind}: sources or ptau changed since ${where} was committed; run olzk setup and commit`).toBe(record[kind]!.cacheKey);
      for (const [name, content] of Object.entries(await generatedFiles(s))) {
        expect(await committed(join(dir, name)), name).toBe(content);
        expect(await readFile(join(root, `${profile}-generated`, name), "utf8"), name).toBe(content);
      }
    }
    expect(await committed(join(dir, SETUP_RECORD))).toBe(setupRecord(profile, sets));
    for (const s of Object.values(sets)) {
      expect(await committed(join(dir, `${s.manifest.circuit}.vkey.json`))).toBe(await readFile(s.vkeyPath, "utf8"));
    }
  });
});
