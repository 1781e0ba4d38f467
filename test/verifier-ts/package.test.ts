// verifier-ts as an integrator gets it: `npm pack` (which builds dist/ with tsc), the tarball
// installed with npm into a scratch folder outside the repository, then the README's quick
// start run verbatim with plain `node` 20 (the machine's) and 22 (the project's) against real
// header proofs of both circuits (aggregated and per-validator); a TypeScript user typechecked against the shipped .d.ts; and the
// installed package bundled for the browser with esbuild and run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collateralBundleToJSON, encodeCollateralBundle } from "../../verifier-ts/bundle.ts";
import { REPO_ROOT } from "../vectors/groth16-vectors.ts";
import { HQ_BORROWER, headerQuorumFixture } from "../vectors/headerQuorum-vectors.ts";
import { terminateSnarkjsCurves } from "../vectors/snarkjs-api.ts";

const NODE_22 = join(REPO_ROOT, "node_modules", ".bin", "node");

/** A Node 20 binary: the machine's /usr/bin/node, or the first `node` on PATH that is 20. */
function findNode20(): string {
  const candidates = ["/usr/bin/node", ...(process.env.PATH ?? "").split(delimiter).map((d) => join(d, "node"))];
  for (const c of candidates) {
    try {
      if (execFileSync(c, ["--version"], { encoding: "utf8" }).startsWith("v20.")) return c;
    } catch {
      // not there
    }
  }
  throw new Error("no Node 20 found (/usr/bin/node or PATH): the package must be checked on Node 20");
}

/** The quick start of verifier-ts/README.md: the js block that starts with `// check.mjs`. */
function quickStart(): string {
  const readme = readFileSync(join(REPO_ROOT, "verifier-ts", "README.md"), "utf8");
  const m = /```js\n(\/\/ check\.mjs\n[\s\S]*?)```/.exec(readme);
  if (!m) throw new Error("verifier-ts/README.md has no ```js block starting with // check.mjs");
  return m[1]!;
}

let dir = "";
const run = (node: string, script: string) => execFileSync(node, [script], { cwd: dir, encoding: "utf8" }).trim();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "olzk-verifier-pack-"));
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], { cwd: join(REPO_ROOT, "verifier-ts"), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const [{ filename }] = JSON.parse(out) as [{ filename: string }];
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "integrator", private: true, type: "module" }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(dir, filename)], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });

  const f = await headerQuorumFixture();
  await terminateSnarkjsCurves();
  writeFileSync(join(dir, "aggregated-vkey.json"), JSON.stringify(f.vkeys.aggregated));
  writeFileSync(join(dir, "headerQuorum-vkey.json"), JSON.stringify(f.vkeys.perValidator));
  writeFileSync(join(dir, "per-validator-headers.json"), JSON.stringify(f.perValidatorItems));
  writeFileSync(join(dir, "checkpoint.json"), JSON.stringify({ chainId: f.checkpoint.chainId, epoch: "0", validatorSetRoot: f.checkpoint.validatorSetRoot.toString() }));
  writeFileSync(join(dir, "bundle.json"), JSON.stringify(collateralBundleToJSON(f.bundle)));
  writeFileSync(join(dir, "bundle.ssz"), encodeCollateralBundle(f.bundle));
  writeFileSync(join(dir, "check.mjs"), quickStart());
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const VALID = `VALID: lock 42 gives ${HQ_BORROWER} credit 250000000000 until 1800000000`;

describe("the packed verifier-ts package", () => {
  it("ships compiled JavaScript and declarations only, with an exports map", () => {
    const pkg = JSON.parse(readFileSync(join(dir, "node_modules/@olzk/verifier-ts/package.json"), "utf8")) as { exports: Record<string, unknown> };
    expect(pkg.exports["."]).toEqual({ types: "./dist/verifier-ts/index.d.ts", default: "./dist/verifier-ts/index.js" });
    expect(pkg.exports["./openlibra"]).toEqual({ types: "./dist/verifier-ts/openlibra/index.d.ts", default: "./dist/verifier-ts/openlibra/index.js" });
    const files = execFileSync("find", ["node_modules/@olzk/verifier-ts", "-type", "f"], { cwd: dir, encoding: "utf8" }).split("\n").filter(Boolean);
    expect(files.filter((x) => x.endsWith(".ts") && !x.endsWith(".d.ts"))).toEqual([]);
    expect(files).toContain("node_modules/@olzk/verifier-ts/dist/home/model/leaves.js");
  });

  it("runs the README quick start verbatim with plain node 20 and node 22", () => {
    for (const node of [findNode20(), NODE_22]) expect(run(node, "check.mjs"), node).toBe(VALID);
  });

  it("loads the openlibra entry point from plain node 20", () => {
    writeFileSync(join(dir, "ol.mjs"), `import { formatWaypoint, parseWaypoint } from "@olzk/verifier-ts/openlibra";\nconsole.log(formatWaypoint(parseWaypoint("116:${"ab".repeat(32)}")));\n`);
    expect(run(findNode20(), "ol.mjs")).toBe(`116:${"ab".repeat(32)}`);
  });

  it("verifies an SSZ bundle, header chains of both proof kinds and a Groth16 proof from plain node 20", () => {
    writeFileSync(
      join(dir, "more.mjs"),
      `import { readFileSync } from "node:fs";
import { checkGroth16, checkCollateral, parseCollateralBundle, verifyHeaderChain } from "@olzk/verifier-ts";
const json = (file) => JSON.parse(readFileSync(file, "utf8"));
const vkey = json("aggregated-vkey.json");
const keys = { aggregated: vkey, perValidator: json("headerQuorum-vkey.json") };
const checkpoint = json("checkpoint.json");
const bundle = parseCollateralBundle(readFileSync("bundle.ssz"));
const chain = verifyHeaderChain({ aggregated: vkey }, checkpoint, bundle.headers);
const perValidator = json("per-validator-headers.json");
const pv = verifyHeaderChain(keys, checkpoint, perValidator);
const pvNoKey = verifyHeaderChain({ aggregated: vkey }, checkpoint, perValidator);
const h = bundle.headers[1];
const forged = checkGroth16(vkey, [h.publicSignals[0], "5", ...h.publicSignals.slice(2)], h.proof);
const late = checkCollateral(keys, bundle, { checkpoint, borrower: "${HQ_BORROWER}", minCredit: 1, awayChainId: "31337",
  settlementContract: "0x5fbdb2315678afecb367f032d93f642f64180aa3", validUntil: 0, maxAgeSeconds: 60, now: 1800000000 });
console.log(JSON.stringify({ chain: chain.ok && chain.headers.length, perValidator: pv.ok && pv.headers.length, pvNoKey: pvNoKey.ok || pvNoKey.code,
  proof: checkGroth16(vkey, h.publicSignals, h.proof).ok, forged: forged.ok || forged.reason, late: late.ok || late.code }));
`,
    );
    expect(JSON.parse(run(findNode20(), "more.mjs"))).toEqual({ chain: 3, perValidator: 3, pvNoKey: "VerifierUnavailable", proof: true, forged: "pairing check failed", late: "LockupExpired" });
  });

  it("types a TypeScript user against the shipped .d.ts", () => {
    writeFileSync(
      join(dir, "user.ts"),
      `import { checkCollateral, parseCollateralBundle, type CollateralResult, type IntegerInput } from "@olzk/verifier-ts";
const now: IntegerInput = "1700000060";
export function verdict(vkey: Parameters<typeof checkCollateral>[0], bytes: Uint8Array): CollateralResult {
  return checkCollateral(vkey, parseCollateralBundle(bytes), {
    checkpoint: { chainId: 77, epoch: "0", validatorSetRoot: "1" }, borrower: "0x00", minCredit: 1n, awayChainId: 31337,
    settlementContract: "0x00", validUntil: 0, maxAgeSeconds: 60, now,
  });
}
// @ts-expect-error a query needs a borrower
checkCollateral({} as never, {} as never, { now });
`,
    );
    const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
    const args = [tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "nodenext", "--moduleResolution", "nodenext", "--skipLibCheck", "user.ts"];
    expect(execFileSync(NODE_22, args, { cwd: dir, encoding: "utf8" })).toBe("");
  });

  it("bundles for the browser without node: imports, and the bundle verifies", async () => {
    writeFileSync(join(dir, "entry.js"), `export * from "@olzk/verifier-ts";\n`);
    const esbuild = await import("esbuild");
    await esbuild.build({ absWorkingDir: dir, entryPoints: ["entry.js"], outfile: "browser.mjs", bundle: true, platform: "browser", format: "esm", target: "es2022", logLevel: "silent" });
    const js = readFileSync(join(dir, "browser.mjs"), "utf8");
    expect(js).not.toMatch(/(from|import)\s*\(?\s*["']node:/);
    expect(js).not.toMatch(/WebAssembly\./);
    writeFileSync(join(dir, "check-bundle.mjs"), quickStart().replace('from "@olzk/verifier-ts"', 'from "./browser.mjs"'));
    expect(run(NODE_22, "check-bundle.mjs")).toBe(VALID);
  });
});
