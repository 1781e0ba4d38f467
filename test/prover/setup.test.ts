// Setup pipeline on a fixture circuit: caching ("cached" on a second run), reproducible dev
// outputs (a forced re-run gives byte-identical verifiers and vkeys), insecure artifacts
// refused outside local networks. Self-contained: its powers of tau is the committed, hash-checked test
// file (test/fixtures/ptau), so it passes without ../shared, a network or a ceremony (.ci/run
// also runs it with OLZK_SHARED_DIR=none). The committed dev verifiers: generated.test.ts.
import { cp, mkdir, mkdtemp, readFile, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  InsecureArtifactsError,
  SETUP_RECORD,
  isDevProfile,
  loadArtifacts,
  runSetup,
  type ArtifactSet,
  type CircuitSpec,
  type SetupOptions,
} from "../../prover/setup/pipeline.ts";
import { PtauError, blake2b512File } from "../../prover/setup/ptau.ts";
import { GENERATED_HEADER } from "../../prover/setup/solidity-verifier.ts";
import { compileFixture } from "../fixtures/compile-fixture.ts";
import { FIXTURE_PTAU, fixturePtauHash, fixturePtauOptions } from "../fixtures/fixture-ptau.ts";

const fixture: CircuitSpec = {
  kind: "preimage",
  name: "PoseidonPreimage",
  params: {},
  contractName: "PreimageVerifier",
  snarkjsContractName: "SnarkjsPreimageVerifier",
};

let root: string;
let ptau: SetupOptions["ptau"];
let first: Record<string, ArtifactSet>;
let firstLog: string[];

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listFiles(join(dir, e.name), `${prefix}${e.name}/`)));
    else out.push(`${prefix}${e.name}`);
  }
  return out.sort();
}

function setup(name: string, extra: { force?: boolean; profile?: string; log?: string[] } = {}) {
  return runSetup({
    profile: extra.profile ?? "dev",
    circuits: [fixture],
    compile: compileFixture,
    buildDir: join(root, name, "build"),
    generatedDir: join(root, name, "generated"),
    ptau,
    force: extra.force,
    log: (l) => extra.log?.push(l),
  });
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "olzk-setup-test-"));
  ptau = await fixturePtauOptions();
  firstLog = [];
  first = await setup("a", { log: firstLog });
}, 600_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("fixture powers of tau", () => {
  it("is the committed file, given explicitly (no shared folder, network or ceremony consulted), its README hash checked", async () => {
    const m = first.preimage!.manifest;
    expect(m.ptau).toMatchObject({ file: "fixture-bn128-10.ptau", source: "explicit", power: 10, insecure: true });
    expect(m.ptau.blake2b).toBe(await fixturePtauHash());
    expect(firstLog.join("\n")).toContain(`ptau 2^10 from explicit (${FIXTURE_PTAU})`);
  });

  it("a corrupted or truncated copy is refused with a one-line error naming the file", async () => {
    const dir = join(root, "corrupt-ptau");
    await mkdir(dir, { recursive: true });
    const copy = join(dir, "fixture-bn128-10.ptau");
    const setupWithCopy = async () =>
      runSetup({ circuits: [fixture], compile: compileFixture, buildDir: join(dir, "build"), generatedDir: join(dir, "gen"), ptau: await fixturePtauOptions(copy), log: () => {} });
    const bytes = await readFile(FIXTURE_PTAU);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01; // one bit inside a point section: the layout still parses
    await writeFile(copy, bytes);
    const expected = (await fixturePtauHash()).slice(0, 16);
    const corrupt = await setupWithCopy().catch((e: unknown) => e);
    expect(corrupt).toBeInstanceOf(PtauError);
    expect((corrupt as PtauError).message).toBe(
      `${copy}: blake2b-512 mismatch (got ${(await blake2b512File(copy)).slice(0, 16)}..., expected ${expected}...): corrupt or tampered`,
    );
    await truncate(copy, bytes.length - 64);
    await expect(setupWithCopy()).rejects.toThrow(/fixture-bn128-10\.ptau: truncated in section \d+ \(file is \d+ bytes\)$/);
  });
});

describe("setup pipeline (fixture circuit)", () => {
  it("writes artifacts, a manifest marked insecure for dev, and generated files", async () => {
    const s = first.preimage!;
    expect(s.manifest.profile).toBe("dev");
    expect(s.manifest.insecure).toBe(true);
    expect(s.manifest.nPublic).toBe(2);
    expect(s.manifest.constraints).toBeGreaterThan(200);
    expect(s.manifest.ptau.blake2b).toMatch(/^[0-9a-f]{128}$/);
    expect(s.manifest.contribution.type).toBe("beacon");
    expect(await listFiles(join(root, "a", "generated"))).toEqual([
      "PoseidonPreimage.vkey.json",
      "PreimageVerifier.sol",
      SETUP_RECORD,
      "snarkjs/SnarkjsPreimageVerifier.sol",
    ]);
    const sol = await readFile(join(root, "a", "generated", "PreimageVerifier.sol"), "utf8");
    expect(sol).toContain(GENERATED_HEADER);
    expect(sol).toContain("function verifyProof(uint256[8] calldata proof, uint256[2] calldata pubSignals) external view returns (bool ok)");
    const plain = await readFile(join(root, "a", "generated", "snarkjs", "SnarkjsPreimageVerifier.sol"), "utf8");
    expect(plain).toContain("contract SnarkjsPreimageVerifier");
    expect(plain).not.toContain("contract Groth16Verifier");
    expect(firstLog.join("\n")).toMatch(/PoseidonPreimage\(\): \d+ constraints, 2 public, ptau 2\^\d+ from/);
  });

  it("a second run is cached and instant", async () => {
    const log: string[] = [];
    const t0 = Date.now();
    const again = await setup("a", { log });
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(log.join("\n")).toMatch(/PoseidonPreimage\(\): cached/);
    expect(log.join("\n")).not.toMatch(/constraints, 2 public/);
    expect(again.preimage!.manifest.cacheKey).toBe(first.preimage!.manifest.cacheKey);
  });

  it("a forced run elsewhere reproduces the zkey, vkey and verifiers byte for byte", async () => {
    const b = await setup("b", { force: true });
    expect(await readFile(b.preimage!.zkeyPath)).toEqual(await readFile(first.preimage!.zkeyPath));
    for (const f of await listFiles(join(root, "a", "generated"))) {
      expect(await readFile(join(root, "b", "generated", f), "utf8"), f).toBe(await readFile(join(root, "a", "generated", f), "utf8"));
    }
  }, 600_000);

  it("a comment-only source change stays cached; a changed constraint system does not", async () => {
    const log: string[] = [];
    const same = await runSetup({
      circuits: [fixture],
      compile: async (n, p) => ({ ...(await compileFixture(n, p)), sourceHash: "f".repeat(64) }),
      buildDir: join(root, "a", "build"),
      generatedDir: join(root, "c", "generated"),
      ptau,
      log: (l) => log.push(l),
    });
    expect(log.join("\n")).toMatch(/cached/);
    expect(same.preimage!.manifest.cacheKey).toBe(first.preimage!.manifest.cacheKey);
    expect(same.preimage!.manifest.sourceHash).toBe("f".repeat(64));
    const wide = await runSetup({
      circuits: [fixture],
      compile: async () => compileFixture("PoseidonPreimageWide"),
      buildDir: join(root, "a", "build"),
      generatedDir: join(root, "c", "generated"),
      ptau,
      log: () => {},
    });
    expect(wide.preimage!.manifest.cacheKey).not.toBe(first.preimage!.manifest.cacheKey);
    expect(wide.preimage!.manifest.r1csSha256).not.toBe(first.preimage!.manifest.r1csSha256);
  }, 600_000);
});

describe("concurrent setups", () => {
  it("two setups of the same profile take turns (lock) and agree", async () => {
    const logs: string[][] = [[], []];
    const [x, y] = await Promise.all(logs.map((log) => setup("concurrent", { log })));
    expect(x!.preimage!.manifest.cacheKey).toBe(y!.preimage!.manifest.cacheKey);
    const all = logs.flat().join("\n");
    expect(all).toMatch(/waiting for process \d+/);
    expect(all).toMatch(/cached/);
    expect(await readFile(x!.preimage!.zkeyPath)).toEqual(await readFile(join(root, "b", "build", "dev", "PoseidonPreimage", "circuit_final.zkey")));
  }, 600_000);
});

describe("insecure dev artifacts", () => {
  it("are loaded for the dev profile and a local network", async () => {
    const buildDir = join(root, "a", "build");
    const s = await loadArtifacts("PoseidonPreimage", { profile: "dev", buildDir, network: "hardhat" });
    expect(s.manifest.insecure).toBe(true);
  });

  it("are refused for a non-dev profile, even when copied or relabelled", async () => {
    const buildDir = join(root, "a", "build");
    await cp(join(buildDir, "dev"), join(buildDir, "prod"), { recursive: true });
    await expect(loadArtifacts("PoseidonPreimage", { profile: "prod", buildDir })).rejects.toThrow(InsecureArtifactsError);
    const mpath = join(buildDir, "prod", "PoseidonPreimage", "manifest.json");
    const m = JSON.parse(await readFile(mpath, "utf8"));
    await writeFile(mpath, JSON.stringify({ ...m, profile: "prod" }));
    await expect(loadArtifacts("PoseidonPreimage", { profile: "prod", buildDir })).rejects.toThrow(/refusing INSECURE dev artifacts .* profile 'prod'/);
    // Insecure prod artifacts (CI sets prod up from the dev ptau) serve a local network only.
    expect((await loadArtifacts("PoseidonPreimage", { profile: "prod", buildDir, network: "hardhat" })).manifest.insecure).toBe(true);
    await expect(loadArtifacts("PoseidonPreimage", { profile: "prod", buildDir, network: "mainnet" })).rejects.toThrow(/network 'mainnet'/);
  });

  it("are refused for a public network", async () => {
    const buildDir = join(root, "a", "build");
    await expect(loadArtifacts("PoseidonPreimage", { profile: "dev", buildDir, network: "sepolia" })).rejects.toThrow(/network 'sepolia'/);
  });

  it("are accepted for another dev profile (dev16) on a local network only", async () => {
    expect([isDevProfile("dev"), isDevProfile("dev16"), isDevProfile("prod"), isDevProfile("nope")]).toEqual([true, true, false, false]);
    const buildDir = join(root, "a", "build");
    await cp(join(buildDir, "dev"), join(buildDir, "dev16"), { recursive: true });
    const mpath = join(buildDir, "dev16", "PoseidonPreimage", "manifest.json");
    const m = JSON.parse(await readFile(mpath, "utf8"));
    await writeFile(mpath, JSON.stringify({ ...m, profile: "dev16" }));
    const s = await loadArtifacts("PoseidonPreimage", { profile: "dev16", buildDir, network: "localhost" });
    expect(s.manifest.insecure).toBe(true);
    await expect(loadArtifacts("PoseidonPreimage", { profile: "dev16", buildDir, network: "mainnet" })).rejects.toThrow(/network 'mainnet'/);
  });

  it("a non-dev profile refuses an insecure ptau, unless allowed: then it gets the reproducible beacon and is marked insecure", async () => {
    await expect(setup("p", { profile: "prod" })).rejects.toThrow(/needs a public ceremony ptau/);
    const sets = await runSetup({
      profile: "prod",
      circuits: [fixture],
      compile: compileFixture,
      buildDir: join(root, "p", "build"),
      generatedDir: join(root, "p", "generated"),
      ptau,
      allowInsecurePtau: true,
      log: () => {},
    });
    expect(sets.preimage!.manifest).toMatchObject({ profile: "prod", insecure: true, contribution: { type: "beacon" } });
    // Same circuit, same ptau, same beacon: the same zkey as the dev setup (b's; a's build was rebuilt above).
    expect(await readFile(sets.preimage!.zkeyPath)).toEqual(await readFile(join(root, "b", "build", "dev", "PoseidonPreimage", "circuit_final.zkey")));
  }, 600_000);
});
